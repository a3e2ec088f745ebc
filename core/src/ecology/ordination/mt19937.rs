//! The Mersenne Twister MT19937 as numpy's legacy `RandomState(seed)` seeds and draws it, so that
//! MDS starts from the same random configurations as the Python client for the same seed.
//! (Matsumoto & Nishimura 1998; `init_genrand` seeding; doubles from two 32-bit draws.)

const N: usize = 624;
const M: usize = 397;

pub(crate) struct Mt19937 {
    state: [u32; N],
    index: usize,
}

impl Mt19937 {
    /// `numpy.random.RandomState(seed)` for an integer seed.
    pub(crate) fn new(seed: u32) -> Mt19937 {
        let mut state = [0u32; N];
        state[0] = seed;
        for i in 1..N {
            let prev = state[i - 1];
            state[i] = 1_812_433_253u32.wrapping_mul(prev ^ (prev >> 30)).wrapping_add(i as u32);
        }
        Mt19937 { state, index: N }
    }

    fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    fn twist(&mut self) {
        for i in 0..N {
            let y = (self.state[i] & 0x8000_0000) | (self.state[(i + 1) % N] & 0x7fff_ffff);
            let mut next = self.state[(i + M) % N] ^ (y >> 1);
            if y & 1 != 0 {
                next ^= 0x9908_b0df;
            }
            self.state[i] = next;
        }
        self.index = 0;
    }

    /// A double in [0, 1) with 53 random bits (`RandomState.uniform()` / `random_sample()`).
    pub(crate) fn next_f64(&mut self) -> f64 {
        let a = (self.next_u32() >> 5) as f64;
        let b = (self.next_u32() >> 6) as f64;
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }
}

#[cfg(test)]
mod tests {
    use super::Mt19937;

    #[test]
    fn reference_output_of_init_genrand_5489() {
        // The 10,000th output for the reference seed 5489 is 4123659995 (C++ std::mt19937's check).
        let mut mt = Mt19937::new(5489);
        let mut last = 0;
        for _ in 0..10_000 {
            last = mt.next_u32();
        }
        assert_eq!(last, 4_123_659_995);
    }

    #[test]
    fn draws_as_numpy_random_state_uniform() {
        // numpy's RandomState(seed).uniform(size=8), from make_ordination_reference.py
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ecology/ordination_reference.json");
        let reference: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let cases = reference["uniformDraws"].as_array().unwrap();
        assert_eq!(cases.len(), 3);
        for case in cases {
            let mut mt = Mt19937::new(case["seed"].as_u64().unwrap() as u32);
            for want in case["values"].as_array().unwrap() {
                // serde_json's default float parsing may land one ULP off the JSON text
                let (got, want) = (mt.next_f64(), want.as_f64().unwrap());
                assert!((got - want).abs() <= 2.0 * f64::EPSILON * want, "{got} vs {want}");
            }
        }
    }
}
