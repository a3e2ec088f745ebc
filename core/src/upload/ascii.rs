//! Transliteration of file names to ASCII for `coerceAscii`, like Python's `unidecode` for the
//! Latin letters lab file names use (`François` → `Francois`). A small table instead of a full
//! Unicode one (deunicode/any_ascii add 100+ KB to the wasm): combining marks are dropped (macOS
//! stores names decomposed), and anything without an entry becomes `_`.

// U+00C0..=U+00FF, one entry per code point ("" = drop, "_" = no letter equivalent).
const LATIN1: [&str; 64] = [
    "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I", //
    "D", "N", "O", "O", "O", "O", "O", "x", "O", "U", "U", "U", "U", "Y", "Th", "ss", //
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", //
    "d", "n", "o", "o", "o", "o", "o", "_", "o", "u", "u", "u", "u", "y", "th", "y",
];

// U+0100..=U+017F (Latin Extended-A).
const LATIN_EXT_A: [&str; 128] = [
    "A", "a", "A", "a", "A", "a", "C", "c", "C", "c", "C", "c", "C", "c", "D", "d", //
    "D", "d", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "G", "g", "G", "g", //
    "G", "g", "G", "g", "H", "h", "H", "h", "I", "i", "I", "i", "I", "i", "I", "i", //
    "I", "i", "IJ", "ij", "J", "j", "K", "k", "k", "L", "l", "L", "l", "L", "l", "L", //
    "l", "L", "l", "N", "n", "N", "n", "N", "n", "n", "N", "n", "O", "o", "O", "o", //
    "O", "o", "OE", "oe", "R", "r", "R", "r", "R", "r", "S", "s", "S", "s", "S", "s", //
    "S", "s", "T", "t", "T", "t", "T", "t", "U", "u", "U", "u", "U", "u", "U", "u", //
    "U", "u", "U", "u", "W", "w", "Y", "y", "Y", "Z", "z", "Z", "z", "Z", "z", "s",
];

fn one(c: char) -> &'static str {
    match c as u32 {
        0xC0..=0xFF => LATIN1[(c as u32 - 0xC0) as usize],
        0x100..=0x17F => LATIN_EXT_A[(c as u32 - 0x100) as usize],
        0x300..=0x36F => "", // combining diacritics
        0xA0 | 0x2000..=0x200A | 0x202F => " ",
        0x2010..=0x2015 | 0x2212 => "-",
        0x2018 | 0x2019 => "'",
        _ => "_",
    }
}

/// The name with every non-ASCII character transliterated (ASCII passes through unchanged).
pub fn transliterate(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(one(c));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples_and_decomposed_forms() {
        assert_eq!(transliterate("François.fq"), "Francois.fq");
        assert_eq!(transliterate("Málaga.fasta"), "Malaga.fasta");
        assert_eq!(transliterate("Röö.fastq"), "Roo.fastq");
        assert_eq!(transliterate("Franc\u{327}ois.fq"), "Francois.fq");
        assert_eq!(transliterate("Łódź_Straße.fq"), "Lodz_Strasse.fq");
        assert_eq!(transliterate("Œuvre ŝ ſ.fq"), "OEuvre s s.fq");
        assert_eq!(transliterate("样本.fq"), "__.fq");
    }
}
