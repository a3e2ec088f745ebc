//! File rules of, all checked before any request: names (basename, ASCII or coerced),
//! empty and too-large files, FASTX extensions, R1/R2 naming, and grouping many files into
//! pairs and lane groups the way a lab's sequencer names them.

use super::ascii::transliterate;
use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

fn invalid_file(msg: String) -> Error {
    Error::new(ErrorCode::InvalidFile, msg)
}

/// Only the basename is sent to the API.
pub fn basename(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// A checked name: what is sent, and whether it was transliterated (the caller warns).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckedName {
    pub name: String,
    pub coerced: bool,
}

/// Checks a file name: non-empty basename, no control characters, ASCII — or, with
/// `coerce_ascii`, transliterated to ASCII.
pub fn check_filename(path: &str, coerce_ascii: bool) -> Result<CheckedName> {
    let base = basename(path);
    if base.trim().is_empty() || base == "." || base == ".." {
        return Err(invalid_file(format!("{path:?} has no file name; give a file, not a folder")));
    }
    if base.chars().any(char::is_control) {
        return Err(invalid_file(format!("the file name {base:?} contains control characters; rename the file")));
    }
    if base.is_ascii() {
        return Ok(CheckedName { name: base.to_string(), coerced: false });
    }
    let ascii = transliterate(base);
    if !coerce_ascii {
        return Err(invalid_file(format!(
            "the file name {base:?} must be ASCII; rename it (for example to {ascii:?}) or pass coerceAscii: true to upload it as {ascii:?}"
        )));
    }
    Ok(CheckedName { name: ascii, coerced: true })
}

/// Refuses empty files and files over `max` bytes (see `plan::max_file_size`).
pub fn check_size(name: &str, size: u64, max: u64) -> Result<()> {
    if size == 0 {
        return Err(invalid_file(format!("{name} is empty (0 bytes); empty files are not accepted")));
    }
    if size > max {
        return Err(invalid_file(format!("{name} is too large to upload: {size} bytes, the most is {max} bytes")));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FastxFormat {
    Fasta,
    Fastq,
}

const COMPRESSION: [&str; 5] = [".gz", ".gzip", ".bz", ".bz2", ".bzip"];

/// FASTA or FASTQ by extension (case-sensitive, after stripping one compression suffix), as
/// `get_fastx_format` decides; `None` for anything else.
pub fn fastx_format(path: &str) -> Option<FastxFormat> {
    let base = basename(path);
    let stem = COMPRESSION.iter().find_map(|c| base.strip_suffix(c)).unwrap_or(base);
    let ext = stem.rsplit_once('.')?.1;
    match ext {
        "fa" | "fna" | "fasta" => Some(FastxFormat::Fasta),
        "fq" | "fastq" => Some(FastxFormat::Fastq),
        _ => None,
    }
}

/// The rightmost `[._][Rr]?<digit>[_.]` token: (start of the token, end). Python's `.*` before
/// the token is greedy, so the rightmost occurrence is the one that counts.
fn read_token(name: &str, digit: u8) -> Option<(usize, usize)> {
    let b = name.as_bytes();
    let mut found = None;
    for i in 0..b.len() {
        if b[i] != b'.' && b[i] != b'_' {
            continue;
        }
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'R' || b[j] == b'r') && b.get(j + 1) == Some(&digit) {
            j += 1;
        }
        if b.get(j) == Some(&digit) && matches!(b.get(j + 1), Some(b'_') | Some(b'.')) {
            found = Some((i, j + 2));
        }
    }
    found
}

/// R1 by the Python rule `.*[._][Rr]?1[_.].*`.
pub fn is_r1(name: &str) -> bool {
    read_token(name, b'1').is_some()
}

/// R2 by the Python rule `.*[._][Rr]?2[_.].*`.
pub fn is_r2(name: &str) -> bool {
    read_token(name, b'2').is_some()
}

/// Checks two files given as a pair and says which is R1: `Ok((r1_index, r2_index))` into
/// `[a, b]`. Both must be FASTQ and named R1/R2, in either order.
pub fn check_pair(a: &str, b: &str) -> Result<(usize, usize)> {
    for name in [a, b] {
        if fastx_format(name) != Some(FastxFormat::Fastq) {
            return Err(invalid_file(format!(
                "{} is not a FASTQ file; paired uploads need FASTQ files ending in .fq or .fastq, optionally compressed with .gz, .gzip, .bz, .bz2 or .bzip",
                basename(name)
            )));
        }
    }
    if is_r1(a) && is_r2(b) {
        Ok((0, 1))
    } else if is_r1(b) && is_r2(a) {
        Ok((1, 0))
    } else {
        Err(invalid_file(format!(
            "cannot tell which of {} and {} is read 1 and read 2: paired file names need _R1/_1 and _R2/_2",
            basename(a),
            basename(b)
        )))
    }
}

/// `_L001`-style lane number, and the name without it.
fn lane(name: &str) -> Option<(u32, String)> {
    let b = name.as_bytes();
    (0..b.len().saturating_sub(4)).rev().find_map(|i| {
        let digits = b.get(i + 2..i + 5)?;
        let ok = b[i] == b'_'
            && b[i + 1] == b'L'
            && digits.iter().all(u8::is_ascii_digit)
            && matches!(b.get(i + 5), Some(b'_') | Some(b'.'));
        ok.then(|| (name[i + 2..i + 5].parse().unwrap_or(0), format!("{}{}", &name[..i], &name[i + 5..])))
    })
}

/// The name a lane group is uploaded under: the basename without its `_L001` token
/// (`s_S1_L001_R1_001.fastq.gz` → `s_S1_R1_001.fastq.gz`); other names are unchanged.
pub fn lane_group_name(name: &str) -> String {
    let base = basename(name);
    lane(base).map(|(_, rest)| rest).unwrap_or_else(|| base.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    R1,
    R2,
    None,
}

/// Role and grouping key of a name: the read token's digit becomes `#` and the lane is dropped,
/// so `s_L001_R1_001.fq` and `s_L002_R2_001.fq` share the key `s_R#_001.fq`.
fn classify(name: &str) -> (Read, u32, String) {
    let (lane_no, rest) = lane(name).unwrap_or((0, name.to_string()));
    let t1 = read_token(&rest, b'1');
    let t2 = read_token(&rest, b'2');
    let (read, tok) = match (t1, t2) {
        (Some(a), Some(b)) if b.0 > a.0 => (Read::R2, Some(b)),
        (Some(a), _) => (Read::R1, Some(a)),
        (None, Some(b)) => (Read::R2, Some(b)),
        (None, None) => (Read::None, None),
    };
    let key = match tok {
        Some((_, end)) => format!("{}#{}", &rest[..end - 2], &rest[end - 1..]),
        None => rest,
    };
    (read, lane_no, key)
}

/// A paired sample: indices into the input, each list in lane order (one entry without lanes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairGroup {
    pub r1: Vec<usize>,
    pub r2: Vec<usize>,
}

/// A file left out of every pair, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leftover {
    pub index: usize,
    pub reason: String,
}

/// What `pair_files` found.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Grouping {
    pub pairs: Vec<PairGroup>,
    /// Single-end files (no R1/R2 in the name), lane files of one read grouped in lane order.
    pub singles: Vec<Vec<usize>>,
    /// R1 or R2 files without a partner, or lane sets that do not match.
    pub leftover: Vec<Leftover>,
}

/// Groups many files into R1/R2 pairs and lane groups (`_L001`, `_L002`, … of
/// one read, uploaded as one file); says which are left over. Groups keep input order.
pub fn pair_files<S: AsRef<str>>(names: &[S]) -> Grouping {
    struct Entry {
        key: String,
        r1: Vec<(u32, usize)>,
        r2: Vec<(u32, usize)>,
        single: Vec<(u32, usize)>,
    }
    let mut groups: Vec<Entry> = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let (read, lane_no, key) = classify(basename(n.as_ref()));
        let pos = match groups.iter().position(|g| g.key == key) {
            Some(p) => p,
            None => {
                groups.push(Entry { key, r1: vec![], r2: vec![], single: vec![] });
                groups.len() - 1
            }
        };
        let g = &mut groups[pos];
        match read {
            Read::R1 => g.r1.push((lane_no, i)),
            Read::R2 => g.r2.push((lane_no, i)),
            Read::None => g.single.push((lane_no, i)),
        }
    }
    let mut out = Grouping::default();
    let lanes = |v: &Vec<(u32, usize)>| v.iter().map(|x| x.0).collect::<Vec<_>>();
    for mut g in groups {
        for v in [&mut g.r1, &mut g.r2, &mut g.single] {
            crate::index_sort::sort(v);
        }
        let idx = |v: &Vec<(u32, usize)>| v.iter().map(|x| x.1).collect::<Vec<_>>();
        let dup = |v: &Vec<(u32, usize)>| v.windows(2).any(|w| w[0].0 == w[1].0);
        if !g.single.is_empty() {
            if dup(&g.single) {
                for &(_, i) in &g.single {
                    out.leftover
                        .push(Leftover { index: i, reason: "several files share this name's lane number".into() });
                }
            } else {
                out.singles.push(idx(&g.single));
            }
        }
        if g.r1.is_empty() && g.r2.is_empty() {
            continue;
        }
        let reason = if g.r1.is_empty() {
            Some("read 2 without a matching read 1 file")
        } else if g.r2.is_empty() {
            Some("read 1 without a matching read 2 file")
        } else if lanes(&g.r1) != lanes(&g.r2) || dup(&g.r1) {
            Some("the read 1 and read 2 lane files do not match one to one")
        } else {
            None
        };
        match reason {
            None => out.pairs.push(PairGroup { r1: idx(&g.r1), r2: idx(&g.r2) }),
            Some(r) => {
                for &(_, i) in g.r1.iter().chain(&g.r2) {
                    out.leftover.push(Leftover { index: i, reason: r.into() });
                }
            }
        }
    }
    crate::index_sort::sort_by_key(&mut out.leftover, |l| l.index);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_drop_lane_and_read_digit() {
        assert_eq!(classify("s_L001_R1_001.fq"), (Read::R1, 1, "s_R#_001.fq".into()));
        assert_eq!(classify("s_L002_R2_001.fq"), (Read::R2, 2, "s_R#_001.fq".into()));
        assert_eq!(classify("s_1.fq"), (Read::R1, 0, "s_#.fq".into()));
        assert_eq!(classify("plain.fq"), (Read::None, 0, "plain.fq".into()));
    }
}
