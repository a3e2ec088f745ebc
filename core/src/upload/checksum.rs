//! Per-part checksums that S3 verifies (`x-amz-checksum-crc32c` or `Content-MD5`), fed
//! incrementally: the wasm layer passes a part's bytes in bounded chunks (≤ 1 MiB) read from a
//! Blob slice or file range, so a part never sits in wasm memory whole.

use super::encode::base64;
use crate::error::{Error, Result};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// Largest chunk `update` accepts; bigger inputs mean the caller is buffering parts in wasm.
pub const MAX_CHUNK: usize = 1 << 20;

/// Which checksum the parts carry. CRC32C is the default: cheaper than MD5 and S3 verifies it
/// the same way; MD5 suits S3-compatible stores that lack the flexible-checksum headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ChecksumKind {
    #[default]
    Crc32c,
    Md5,
}

impl ChecksumKind {
    /// The request header that carries the checksum.
    pub fn header(self) -> &'static str {
        match self {
            ChecksumKind::Crc32c => "x-amz-checksum-crc32c",
            ChecksumKind::Md5 => "content-md5",
        }
    }
}

// CRC32C (Castagnoli, reflected 0x82F63B78), slice-by-8 — the same speed class as the crc32c
// crate's software path, which is all wasm gets. The 8 KiB of tables are built on first use
// rather than at compile time: as data they would add ~8 KB to the gzipped wasm.
const POLY: u32 = 0x82F6_3B78;

fn tables() -> &'static [[u32; 256]; 8] {
    static TABLES: OnceLock<[[u32; 256]; 8]> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut t = [[0u32; 256]; 8];
        for (i, e) in t[0].iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 { (c >> 1) ^ POLY } else { c >> 1 };
            }
            *e = c;
        }
        for s in 1..8 {
            let (done, rest) = t.split_at_mut(s);
            for (i, e) in rest[0].iter_mut().enumerate() {
                let prev = done[s - 1][i];
                *e = (prev >> 8) ^ done[0][(prev & 0xff) as usize];
            }
        }
        t
    })
}

/// Incremental CRC32C.
#[derive(Debug, Clone, Default)]
pub struct Crc32c {
    state: u32, // the inverted running CRC
}

impl Crc32c {
    pub fn new() -> Self {
        Crc32c { state: 0 }
    }

    pub fn update(&mut self, data: &[u8]) {
        let t = tables();
        let mut crc = !self.state;
        let mut chunks = data.chunks_exact(8);
        for c in &mut chunks {
            let lo = crc ^ u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            crc = t[7][(lo & 0xff) as usize]
                ^ t[6][((lo >> 8) & 0xff) as usize]
                ^ t[5][((lo >> 16) & 0xff) as usize]
                ^ t[4][(lo >> 24) as usize]
                ^ t[3][c[4] as usize]
                ^ t[2][c[5] as usize]
                ^ t[1][c[6] as usize]
                ^ t[0][c[7] as usize];
        }
        for &b in chunks.remainder() {
            crc = (crc >> 8) ^ t[0][((crc ^ b as u32) & 0xff) as usize];
        }
        self.state = !crc;
    }

    pub fn value(&self) -> u32 {
        self.state
    }

    /// Big-endian bytes in base64, the form `x-amz-checksum-crc32c` takes.
    pub fn base64(&self) -> String {
        base64(&self.state.to_be_bytes())
    }
}

/// A part checksum being computed, of either kind, with a byte count so the driver can check
/// it fed exactly the part's length.
#[derive(Clone)]
pub struct PartHasher {
    kind: ChecksumKind,
    crc: Crc32c,
    md5: Option<Md5>,
    fed: u64,
}

impl PartHasher {
    pub fn new(kind: ChecksumKind) -> Self {
        PartHasher { kind, crc: Crc32c::new(), md5: (kind == ChecksumKind::Md5).then(Md5::new), fed: 0 }
    }

    /// Feeds the next chunk (at most [`MAX_CHUNK`] bytes).
    pub fn update(&mut self, chunk: &[u8]) -> Result<()> {
        if chunk.len() > MAX_CHUNK {
            return Err(Error::invalid_argument(format!(
                "checksum chunk of {} bytes is over the {MAX_CHUNK}-byte limit; pass the part in smaller slices",
                chunk.len()
            )));
        }
        match &mut self.md5 {
            Some(m) => m.update(chunk),
            None => self.crc.update(chunk),
        }
        self.fed += chunk.len() as u64;
        Ok(())
    }

    pub fn bytes_fed(&self) -> u64 {
        self.fed
    }

    /// The header value (base64) for this part.
    pub fn finish(self) -> PartChecksum {
        let value = match self.md5 {
            Some(m) => base64(&m.finalize()),
            None => self.crc.base64(),
        };
        PartChecksum { kind: self.kind, value }
    }
}

/// A finished part checksum: which header, and its base64 value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartChecksum {
    pub kind: ChecksumKind,
    pub value: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_check_value() {
        // The CRC catalogue's check value for CRC-32C over "123456789".
        let mut c = Crc32c::new();
        c.update(b"123456789");
        assert_eq!(c.value(), 0xE306_9283);
    }
}
