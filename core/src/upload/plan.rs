//! Which bytes go in which request: one PUT under 8 MiB, else multipart parts sized by the
//! Python client's ladder or a checked override. A logical file may be several sources
//! (lane files `_L001`, `_L002`, … of one read) uploaded back to back as one object; a part then
//! maps to slices of consecutive sources, so nothing is copied or concatenated.

use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

pub const MIB: u64 = 1 << 20;
/// boto3's multipart threshold: smaller files go up in one PutObject.
pub const SINGLE_PUT_LIMIT: u64 = 8 * MIB;
pub const MIN_PART_SIZE: u64 = 5 * MIB;
pub const MAX_PART_SIZE: u64 = 5 * 1024 * MIB;
pub const MAX_PARTS: u64 = 10_000;
/// Part size when the total is unknown (a stream without a length), as the Python client does.
pub const UNKNOWN_SIZE_PART: u64 = 25 * MIB;
/// The real limit of the ladder: 9,999 parts of 100 MiB (the Python message says 10,000; C.12).
pub const MAX_FILE_SIZE: u64 = 9_999 * 100 * MIB;

/// The ladder: the first of 10, 20, …, 100 MiB that needs fewer than 10,000 parts.
pub fn ladder_part_size(size: u64) -> Result<u64> {
    (1..=10)
        .map(|k| k * 10 * MIB)
        .find(|&chunk| size.div_ceil(chunk) < MAX_PARTS)
        .ok_or_else(|| too_large(size, MAX_FILE_SIZE))
}

fn too_large(size: u64, max: u64) -> Error {
    Error::new(
        ErrorCode::InvalidFile,
        format!("the file is too large to upload: {size} bytes, the most is {max} bytes; split it into several files"),
    )
}

/// The largest file a plan can hold with this part size override (or the ladder when `None`).
pub fn max_file_size(part_size: Option<u64>) -> u64 {
    match part_size {
        None => MAX_FILE_SIZE,
        Some(p) => p.saturating_mul(MAX_PARTS),
    }
}

/// Checks an explicit part size against S3's limits: 5 MiB to 5 GiB.
pub fn check_part_size(part_size: u64) -> Result<()> {
    if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&part_size) {
        return Err(Error::invalid_argument(format!(
            "partSize {part_size} is outside S3's limits: parts must be 5 MiB ({MIN_PART_SIZE}) to 5 GiB ({MAX_PART_SIZE}) bytes"
        )));
    }
    Ok(())
}

/// One multipart part: its 1-based number and byte range `[start, end)` in the logical file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub number: u32,
    pub start: u64,
    pub end: u64,
}

impl Part {
    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// A piece of one source (lane file): `source` indexes the sources, `[start, end)` is within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceSlice {
    pub source: usize,
    pub start: u64,
    pub end: u64,
}

/// How one logical file goes up. Parts are derived, not stored, so a saved state stays small.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Sizes of the sources in order; one entry for an ordinary file.
    pub sources: Vec<u64>,
    pub part_size: u64,
    /// One PutObject instead of multipart.
    pub single_put: bool,
    /// A stream of unknown length still being read: parts are added by [`Plan::grow`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub open: bool,
}

impl Plan {
    /// Plans a file of known size. `part_size` overrides the ladder (checked); empty sources
    /// are refused, like empty files.
    pub fn new(sources: &[u64], part_size: Option<u64>) -> Result<Plan> {
        if sources.is_empty() {
            return Err(Error::invalid_argument("nothing to upload: no file given"));
        }
        if let Some(i) = sources.iter().position(|&s| s == 0) {
            return Err(Error::new(
                ErrorCode::InvalidFile,
                format!("file {} of the group is empty; empty files are not accepted", i + 1),
            ));
        }
        let total = sources
            .iter()
            .try_fold(0u64, |a, &s| a.checked_add(s))
            .ok_or_else(|| too_large(u64::MAX, MAX_FILE_SIZE))?;
        let part_size = match part_size {
            Some(p) => {
                check_part_size(p)?;
                if total.div_ceil(p) > MAX_PARTS {
                    return Err(Error::invalid_argument(format!(
                        "partSize {p} would need {} parts for {total} bytes; S3 allows at most {MAX_PARTS}; use a part size of at least {}",
                        total.div_ceil(p),
                        total.div_ceil(MAX_PARTS)
                    )));
                }
                p
            }
            None => ladder_part_size(total)?,
        };
        Ok(Plan { sources: sources.to_vec(), part_size, single_put: total < SINGLE_PUT_LIMIT, open: false })
    }

    /// Plans a stream of unknown length: always multipart, 25 MiB parts unless overridden
    /// (the Python rule), one source that grows as parts are read.
    pub fn streaming(part_size: Option<u64>) -> Result<Plan> {
        if let Some(p) = part_size {
            check_part_size(p)?;
        }
        Ok(Plan { sources: vec![0], part_size: part_size.unwrap_or(UNKNOWN_SIZE_PART), single_put: false, open: true })
    }

    /// Adds the next `len` bytes read from a stream as a part; `last` closes the plan. Every
    /// part but the last is exactly `part_size`. `Ok(None)` when `last` adds no bytes.
    pub fn grow(&mut self, len: u64, last: bool) -> Result<Option<Part>> {
        if !self.open {
            return Err(Error::invalid_argument("this file has a known size; its parts are already planned"));
        }
        if len > self.part_size || (!last && len != self.part_size) {
            return Err(Error::invalid_argument(format!(
                "a stream part of {len} bytes: every part but the last must be exactly {} bytes",
                self.part_size
            )));
        }
        let total = self.total();
        if last {
            self.open = false;
        }
        if len == 0 {
            if total == 0 {
                return Err(Error::new(ErrorCode::InvalidFile, "the stream is empty; empty files are not accepted"));
            }
            return Ok(None);
        }
        if total / self.part_size + 1 > MAX_PARTS {
            return Err(too_large(total + len, self.part_size * MAX_PARTS));
        }
        self.sources[0] += len;
        Ok(self.part(self.part_count()))
    }

    pub fn total(&self) -> u64 {
        self.sources.iter().fold(0u64, |a, &b| a.saturating_add(b))
    }

    /// Number of parts (1 for a single PUT).
    pub fn part_count(&self) -> u32 {
        if self.single_put {
            1
        } else {
            // A plan read from a tampered saved state must not divide by zero.
            match self.part_size {
                0 => 0,
                p => self.total().div_ceil(p).min(MAX_PARTS) as u32,
            }
        }
    }

    /// Checks a plan read back from a saved state: the limits `new` and `streaming` enforce.
    pub fn check(&self) -> Result<()> {
        let bad = |why: &str| Err(Error::invalid_argument(format!("not a valid saved upload plan: {why}")));
        let Some(total) = self.sources.iter().try_fold(0u64, |a, &s| a.checked_add(s)) else {
            return bad("sizes overflow");
        };
        if self.sources.is_empty() || (!self.open && self.sources.contains(&0)) {
            return bad("a source is empty");
        }
        if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&self.part_size) {
            return bad("part size out of S3's limits");
        }
        if self.single_put && (self.open || total >= SINGLE_PUT_LIMIT) {
            return bad("a single PUT of this size");
        }
        if total.div_ceil(self.part_size) > MAX_PARTS {
            return bad("more than 10,000 parts");
        }
        Ok(())
    }

    /// Part `number` (1-based), or `None` outside the plan.
    pub fn part(&self, number: u32) -> Option<Part> {
        if number == 0 || number > self.part_count() {
            return None;
        }
        let total = self.total();
        if self.single_put {
            return Some(Part { number, start: 0, end: total });
        }
        let start = (number as u64 - 1) * self.part_size;
        Some(Part { number, start, end: (start + self.part_size).min(total) })
    }

    pub fn parts(&self) -> impl Iterator<Item = Part> + '_ {
        (1..=self.part_count()).filter_map(|n| self.part(n))
    }

    /// The source slices that make up `[start, end)` of the logical file, in order.
    pub fn slices(&self, start: u64, end: u64) -> Vec<SourceSlice> {
        let mut out = Vec::new();
        let mut offset = 0u64;
        for (i, &size) in self.sources.iter().enumerate() {
            let (s, e) = (offset, offset + size);
            offset = e;
            let (a, b) = (start.max(s), end.min(e));
            if a < b {
                out.push(SourceSlice { source: i, start: a - s, end: b - s });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ladder_boundaries_from_the_spec() {
        assert_eq!(ladder_part_size(104_847_114_240).unwrap(), 10 * MIB);
        assert_eq!(ladder_part_size(104_847_114_241).unwrap(), 20 * MIB);
        assert_eq!(ladder_part_size(MAX_FILE_SIZE).unwrap(), 100 * MIB);
        assert_eq!(ladder_part_size(MAX_FILE_SIZE + 1).unwrap_err().code, ErrorCode::InvalidFile);
    }
}
