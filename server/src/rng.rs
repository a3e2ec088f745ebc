//! Deterministic pseudo-randomness: every generated value is a pure function of (seed, labels),
//! so the same seed always yields the same data and results can be regenerated on demand.

/// SplitMix64 finaliser: a good 64-bit mixing function.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hash of a seed, a label and an index.
pub fn h(seed: u64, label: &str, i: u64) -> u64 {
    let mut x = mix(seed ^ 0x5EED);
    for b in label.bytes() {
        x = mix(x ^ u64::from(b));
    }
    mix(x ^ i.wrapping_mul(0x2545_F491_4F6C_DD1D))
}

/// Hash of a string (e.g. an object id) mixed into a seed.
pub fn hs(seed: u64, label: &str, s: &str) -> u64 {
    let mut x = h(seed, label, 0);
    for b in s.bytes() {
        x = mix(x ^ u64::from(b));
    }
    x
}

/// A small sequential generator for loops.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(mix(seed))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }
    /// Uniform in [0, n).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }
    /// Uniform in [lo, hi].
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    /// 16 lowercase hex characters.
    pub fn hex_id(&mut self) -> String {
        format!("{:016x}", self.next_u64())
    }
}
