//! A string table (interner): every distinct string is stored once and referred to by a `u32`
//! code. Columns of strings are `Vec<u32>` codes into one table, which the wasm layer hands to
//! JavaScript as a `Uint32Array` plus one `string[]` instead of one object per row.
//!
//! All strings live back to back in one buffer (`buffer()`, with `ends()` as end offsets), so
//! interning allocates nothing per string, and the hash index stores only codes (open
//! addressing, linear probing). The hash is a small FxHash-style multiply-rotate: no dependency, fast on the
//! short ASCII strings (tax ids, ranks, names) that dominate results.

/// The code of a null (absent) string in a string column.
pub const NULL_CODE: u32 = u32::MAX;

#[derive(Clone, Debug, Default)]
pub struct StringTable {
    buf: String,
    /// End offset in `buf` of each string; string `i` starts where `i - 1` ends.
    ends: Vec<u32>,
    /// Power-of-two sized; `NULL_CODE` marks an empty slot. Kept under 50% load.
    slots: Vec<u32>,
    /// Number of codes in `slots`.
    indexed: usize,
}

const K: u64 = 0x517c_c1b7_2722_0a95;

#[inline]
fn hash(s: &[u8]) -> u64 {
    let mut h: u64 = s.len() as u64;
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
    }
    // Final avalanche so that the high bits (used for the slot index) depend on every byte.
    h ^= h >> 29;
    h.wrapping_mul(K)
}

impl StringTable {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(n: usize) -> Self {
        let mut t = StringTable {
            buf: String::with_capacity(n * 12),
            ends: Vec::with_capacity(n),
            slots: Vec::new(),
            indexed: 0,
        };
        t.grow_to((n * 2).max(16).next_power_of_two());
        t
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// All strings, in code order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.ends.len()).map(move |i| self.at(i))
    }

    /// All strings as owned values, indexed by code.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }

    /// The strings concatenated; string `i` is `buffer()[start(i)..ends()[i]]` with
    /// `start(0) = 0` and `start(i) = ends()[i - 1]` (byte offsets). For handing the whole table
    /// to JavaScript in one piece.
    pub fn buffer(&self) -> &str {
        &self.buf
    }

    pub fn ends(&self) -> &[u32] {
        &self.ends
    }

    #[inline]
    fn at(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.buf[start..self.ends[i] as usize]
    }

    /// The string for `code`; `None` for `NULL_CODE` or an out-of-range code.
    #[inline]
    pub fn get(&self, code: u32) -> Option<&str> {
        if (code as usize) < self.ends.len() {
            Some(self.at(code as usize))
        } else {
            None
        }
    }

    /// The string for `code`, with `""` for null.
    #[inline]
    pub fn str_or_empty(&self, code: u32) -> &str {
        self.get(code).unwrap_or("")
    }

    /// The code of `s` if it is in the table.
    pub fn code_of(&self, s: &str) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = (hash(s.as_bytes()) as usize) & mask;
        loop {
            let c = self.slots[i];
            if c == NULL_CODE {
                return None;
            }
            if self.at(c as usize) == s {
                return Some(c);
            }
            i = (i + 1) & mask;
        }
    }

    /// The code of `s`, adding it if new.
    pub fn intern(&mut self, s: &str) -> u32 {
        if (self.indexed + 1) * 2 > self.slots.len() {
            self.grow_to((self.slots.len() * 2).max(16));
        }
        let mask = self.slots.len() - 1;
        let mut i = (hash(s.as_bytes()) as usize) & mask;
        loop {
            let c = self.slots[i];
            if c == NULL_CODE {
                let code = self.ends.len() as u32;
                self.buf.push_str(s);
                self.ends.push(self.buf.len() as u32);
                self.slots[i] = code;
                self.indexed += 1;
                return code;
            }
            if self.at(c as usize) == s {
                return c;
            }
            i = (i + 1) & mask;
        }
    }

    /// Appends `s` without indexing it: for columns of (nearly) unique strings such as taxon
    /// names, where hashing buys nothing. `code_of` never finds such strings, and interning
    /// the same text adds a second, indexed entry.
    pub fn push_unindexed(&mut self, s: &str) -> u32 {
        let code = self.ends.len() as u32;
        self.buf.push_str(s);
        self.ends.push(self.buf.len() as u32);
        code
    }

    fn grow_to(&mut self, n: usize) {
        let n = n.next_power_of_two();
        // Re-insert exactly the codes the old index held: unindexed strings stay unindexed.
        let old = std::mem::replace(&mut self.slots, vec![NULL_CODE; n]);
        let mask = n - 1;
        for code in old.into_iter().filter(|&c| c != NULL_CODE) {
            let mut i = (hash(self.at(code as usize).as_bytes()) as usize) & mask;
            while self.slots[i] != NULL_CODE {
                i = (i + 1) & mask;
            }
            self.slots[i] = code;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_each_string_once_and_finds_it_again() {
        let mut t = StringTable::new();
        let mut codes = Vec::new();
        for i in 0..5000 {
            codes.push(t.intern(&format!("tax{i}")));
        }
        assert_eq!(t.len(), 5000);
        for (i, &code) in codes.iter().enumerate() {
            let s = format!("tax{i}");
            assert_eq!(t.intern(&s), code);
            assert_eq!(t.code_of(&s), Some(code));
            assert_eq!(t.get(code), Some(s.as_str()));
        }
        assert_eq!(t.code_of("nope"), None);
        assert_eq!(t.get(NULL_CODE), None);
        assert_eq!(t.intern(""), 5000);
        assert_eq!(t.code_of(""), Some(5000));
        assert_eq!(t.get(5000), Some(""));
        assert_eq!(t.iter().len(), 5001);
        assert_eq!(&t.buffer()[..8], "tax0tax1");
        assert_eq!(&t.ends()[..3], &[4, 8, 12]);
        // Unindexed strings get codes but are not looked up, even across regrowth.
        let mut u = StringTable::new();
        let a = u.intern("a");
        let n1 = u.push_unindexed("name");
        let n2 = u.push_unindexed("name");
        assert_ne!(n1, n2);
        assert_eq!(u.code_of("name"), None);
        for i in 0..100 {
            u.intern(&i.to_string());
        }
        assert_eq!(u.code_of("a"), Some(a));
        assert_eq!(u.code_of("name"), None);
        assert_eq!(u.get(n2), Some("name"));
        assert_eq!(u.len(), 103);
    }
}
