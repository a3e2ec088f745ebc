//! Bytes of a results body -> JSON text. A `results_uri` body may be zstd, gzip or plain JSON
//!; we tell them apart by magic bytes, never by headers or file
//! names. Pure-Rust decoders only (ruzstd, miniz_oxide) so this builds for wasm32 without C.
//!
//! Every corrupt or truncated input gives `invalid_response`; a body that inflates past the
//! configured limit is refused before it can exhaust wasm memory.

use std::borrow::Cow;

use crate::error::{Error, Result};

/// Default ceiling on decompressed size: 1 GiB. A classification result is ~0.5 MB, a large
/// one a few MB; anything near this is a decompression bomb or the wrong file.
pub const DEFAULT_MAX_DECODED_BYTES: usize = 1 << 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Zstd,
    Gzip,
    None,
}

impl Compression {
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::Zstd => "zstd",
            Compression::Gzip => "gzip",
            Compression::None => "none",
        }
    }
}

/// What the first bytes say the body is. Anything that is not zstd or gzip is taken as text.
pub fn sniff(bytes: &[u8]) -> Compression {
    if bytes.len() >= 4 {
        let magic = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        // 0xFD2FB528: a zstd frame; 0x184D2A5?: a skippable frame, which only zstd streams have.
        if magic == 0xFD2F_B528 || magic & 0xFFFF_FFF0 == 0x184D_2A50 {
            return Compression::Zstd;
        }
    }
    if bytes.len() >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B {
        return Compression::Gzip;
    }
    Compression::None
}

/// The bytes without a leading UTF-8 byte order mark (some tools write one before JSON).
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(bytes)
}

/// The JSON text of an uncompressed body (without a BOM), or `None` for a compressed one, which
/// needs [`decode`] first. Lets a build without the decoders read plain bodies itself.
pub fn uncompressed_text(bytes: &[u8]) -> Option<&[u8]> {
    match sniff(bytes) {
        Compression::None => Some(strip_bom(bytes)),
        Compression::Zstd | Compression::Gzip => None,
    }
}

/// Decodes with the default size limit. Plain input is borrowed, not copied.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, [u8]>> {
    decode_with_limit(bytes, DEFAULT_MAX_DECODED_BYTES)
}

/// Decodes zstd, gzip or plain bytes; the result is the JSON text's bytes (a UTF-8 BOM removed).
pub fn decode_with_limit(bytes: &[u8], max_bytes: usize) -> Result<Cow<'_, [u8]>> {
    match sniff(bytes) {
        Compression::Zstd => zstd(bytes, max_bytes).map(Cow::Owned),
        Compression::Gzip => gzip(bytes, max_bytes).map(Cow::Owned),
        Compression::None => {
            let b = strip_bom(bytes);
            if b.len() > max_bytes {
                return Err(too_large(max_bytes));
            }
            Ok(Cow::Borrowed(b))
        }
    }
}

fn too_large(max: usize) -> Error {
    Error::invalid_response(format!("decompressed results exceed the limit of {max} bytes"))
}

fn zstd(bytes: &[u8], max_bytes: usize) -> Result<Vec<u8>> {
    use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
    use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

    let bad = |e: &dyn std::fmt::Display| Error::invalid_response(format!("corrupt zstd data: {e}"));
    let mut out: Vec<u8> = Vec::new();
    let mut input = bytes;
    let mut dec = FrameDecoder::new();
    while !input.is_empty() {
        // Whether this frame's header declares its content size (RFC 8878: the
        // Frame_Content_Size field is present when its flag is set or in single-segment mode).
        // ruzstd does not check the declared size against what the blocks produce; we do.
        let declares_size = input.len() > 4 && (input[4] >> 6 != 0 || input[4] & 0x20 != 0);
        let frame_start = out.len();
        match dec.reset(&mut input) {
            Ok(()) => {}
            Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame { length, .. })) => {
                input = input
                    .get(length as usize..)
                    .ok_or_else(|| Error::invalid_response("truncated zstd data (skippable frame)"))?;
                continue;
            }
            Err(e) => return Err(bad(&e)),
        }
        let declared = dec.content_size();
        if declared as u128 + out.len() as u128 > max_bytes as u128 {
            return Err(too_large(max_bytes));
        }
        if declared > 0 {
            out.reserve(declared as usize);
        }
        loop {
            let before = dec.bytes_read_from_source();
            let was_empty = input.is_empty();
            dec.decode_blocks(&mut input, BlockDecodingStrategy::UptoBytes(1 << 20)).map_err(|e| match e {
                FrameDecoderError::FailedToReadBlockHeader(_) | FrameDecoderError::FailedToReadBlockBody(_) => {
                    Error::invalid_response(format!("truncated zstd data: {e}"))
                }
                e => bad(&e),
            })?;
            if dec.can_collect() + out.len() > max_bytes {
                return Err(too_large(max_bytes));
            }
            dec.collect_to_writer(&mut out).map_err(|e| bad(&e))?;
            if dec.is_finished() {
                let produced = (out.len() - frame_start) as u64;
                if declares_size && produced != declared {
                    return Err(Error::invalid_response(format!(
                        "corrupt zstd data: the frame declares {declared} bytes but holds {produced}"
                    )));
                }
                // Nor does it verify the content checksum (that needs its `hash` feature, a
                // dependency): the low 32 bits of XXH64 of the frame's content (RFC 8878).
                if let Some(want) = dec.get_checksum_from_data() {
                    if xxh64(&out[frame_start..]) as u32 != want {
                        return Err(Error::invalid_response("corrupt zstd data: content checksum mismatch"));
                    }
                }
                break;
            }
            if dec.bytes_read_from_source() == before && (was_empty || input.is_empty()) {
                return Err(Error::invalid_response("truncated zstd data"));
            }
        }
    }
    Ok(out)
}

/// XXH64 with seed 0, for the zstd content checksum. Small and table-free; runs once over each
/// frame's output.
fn xxh64(data: &[u8]) -> u64 {
    const P1: u64 = 0x9E37_79B1_85EB_CA87;
    const P2: u64 = 0xC2B2_AE3D_27D4_EB4F;
    const P3: u64 = 0x1656_67B1_9E37_79F9;
    const P4: u64 = 0x85EB_CA77_C2B2_AE63;
    const P5: u64 = 0x27D4_EB2F_1656_67C5;
    let round = |acc: u64, v: u64| acc.wrapping_add(v.wrapping_mul(P2)).rotate_left(31).wrapping_mul(P1);
    let u64_at = |b: &[u8]| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
    let mut rest = data;
    let mut h = if data.len() >= 32 {
        let mut v = [P1.wrapping_add(P2), P2, 0, 0u64.wrapping_sub(P1)];
        while rest.len() >= 32 {
            for (i, acc) in v.iter_mut().enumerate() {
                *acc = round(*acc, u64_at(&rest[i * 8..]));
            }
            rest = &rest[32..];
        }
        let mut h = v[0]
            .rotate_left(1)
            .wrapping_add(v[1].rotate_left(7))
            .wrapping_add(v[2].rotate_left(12))
            .wrapping_add(v[3].rotate_left(18));
        for acc in v {
            h = (h ^ round(0, acc)).wrapping_mul(P1).wrapping_add(P4);
        }
        h
    } else {
        P5
    };
    h = h.wrapping_add(data.len() as u64);
    while rest.len() >= 8 {
        h = (h ^ round(0, u64_at(rest))).rotate_left(27).wrapping_mul(P1).wrapping_add(P4);
        rest = &rest[8..];
    }
    if rest.len() >= 4 {
        let k = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as u64;
        h = (h ^ k.wrapping_mul(P1)).rotate_left(23).wrapping_mul(P2).wrapping_add(P3);
        rest = &rest[4..];
    }
    for &b in rest {
        h = (h ^ (b as u64).wrapping_mul(P5)).rotate_left(11).wrapping_mul(P1);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(P2);
    h ^= h >> 29;
    h = h.wrapping_mul(P3);
    h ^ (h >> 32)
}

/// CRC-32 (IEEE), for the gzip trailer. A 1 KiB table built at compile time.
const CRC_TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
};

fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c = CRC_TABLE[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

fn gzip(bytes: &[u8], max_bytes: usize) -> Result<Vec<u8>> {
    let truncated = || Error::invalid_response("truncated gzip data");
    let mut out = Vec::new();
    let mut pos = 0usize;
    loop {
        // Header (RFC 1952).
        let h = bytes.get(pos..pos + 10).ok_or_else(truncated)?;
        if h[0] != 0x1F || h[1] != 0x8B {
            return Err(Error::invalid_response("corrupt gzip data: bad member magic"));
        }
        if h[2] != 8 {
            return Err(Error::invalid_response("corrupt gzip data: unknown compression method"));
        }
        let flg = h[3];
        if flg & 0xE0 != 0 {
            return Err(Error::invalid_response("corrupt gzip data: reserved header flags set"));
        }
        pos += 10;
        if flg & 0x04 != 0 {
            let x = bytes.get(pos..pos + 2).ok_or_else(truncated)?;
            pos += 2 + u16::from_le_bytes([x[0], x[1]]) as usize;
        }
        for flag in [0x08u8, 0x10] {
            if flg & flag != 0 {
                let rest = bytes.get(pos..).ok_or_else(truncated)?;
                let z = rest.iter().position(|&b| b == 0).ok_or_else(truncated)?;
                pos += z + 1;
            }
        }
        if flg & 0x02 != 0 {
            pos += 2;
        }
        if pos > bytes.len() {
            return Err(truncated());
        }
        let start = out.len();
        pos += inflate_raw(&bytes[pos..], &mut out, max_bytes)?;
        let t = bytes.get(pos..pos + 8).ok_or_else(truncated)?;
        let crc = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
        let isize = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
        pos += 8;
        if crc32(&out[start..]) != crc || (out.len() - start) as u32 != isize {
            return Err(Error::invalid_response("corrupt gzip data: checksum mismatch"));
        }
        // Concatenated members are one stream (RFC 1952); trailing zero padding is tolerated.
        let rest = &bytes[pos..];
        if rest.is_empty() || rest.iter().all(|&b| b == 0) {
            return Ok(out);
        }
        if rest.len() < 2 || rest[0] != 0x1F || rest[1] != 0x8B {
            return Err(Error::invalid_response("corrupt gzip data: trailing garbage"));
        }
    }
}

/// Inflates one raw deflate stream into `out`; returns the number of input bytes consumed.
fn inflate_raw(input: &[u8], out: &mut Vec<u8>, max_bytes: usize) -> Result<usize> {
    use miniz_oxide::inflate::stream::{inflate, InflateState};
    use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

    let mut state = InflateState::new_boxed(DataFormat::Raw);
    let mut pos = 0usize;
    let mut stalls = 0;
    loop {
        let len = out.len();
        if len >= max_bytes {
            // Full: one probe byte tells whether the stream really has more.
            let mut probe = [0u8; 1];
            let r = inflate(&mut state, &input[pos..], &mut probe, MZFlush::None);
            if r.bytes_written > 0 {
                return Err(too_large(max_bytes));
            }
            pos += r.bytes_consumed;
            match r.status {
                Ok(MZStatus::StreamEnd) => return Ok(pos),
                _ => return Err(too_large(max_bytes)),
            }
        }
        let chunk = (len.max(64 * 1024)).min(max_bytes - len);
        out.resize(len + chunk, 0);
        let r = inflate(&mut state, &input[pos..], &mut out[len..], MZFlush::None);
        out.truncate(len + r.bytes_written);
        pos += r.bytes_consumed;
        match r.status {
            Ok(MZStatus::StreamEnd) => return Ok(pos),
            Ok(_) | Err(MZError::Buf) => {
                if r.bytes_consumed == 0 && r.bytes_written == 0 {
                    if pos >= input.len() {
                        return Err(Error::invalid_response("truncated gzip data"));
                    }
                    stalls += 1;
                    if stalls > 2 {
                        return Err(Error::invalid_response("corrupt gzip data: no progress"));
                    }
                } else {
                    stalls = 0;
                }
            }
            Err(e) => {
                return Err(Error::invalid_response(format!(
                    "corrupt gzip data ({})",
                    match e {
                        MZError::Data => "bad deflate data",
                        MZError::Mem => "out of memory",
                        _ => "stream error",
                    }
                )));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xxh64_matches_known_values() {
        assert_eq!(xxh64(b""), 0xEF46_DB37_51D8_E999);
        assert_eq!(xxh64(b"abc"), 0x44BC_2CF5_AD77_0999);
    }

    #[test]
    fn crc32_matches_known_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn plain_is_borrowed_and_bom_stripped() {
        let b = b"\xEF\xBB\xBF{\"a\":1}";
        let d = decode(b).unwrap();
        assert!(matches!(d, Cow::Borrowed(_)));
        assert_eq!(&*d, b"{\"a\":1}");
    }

    #[test]
    fn uncompressed_text_strips_the_bom_and_leaves_compressed_bodies() {
        assert_eq!(uncompressed_text(b"\xEF\xBB\xBF{}"), Some(&b"{}"[..]));
        assert_eq!(uncompressed_text(b"{}"), Some(&b"{}"[..]));
        assert_eq!(uncompressed_text(&[0x1F, 0x8B, 8]), None);
        assert_eq!(uncompressed_text(&[0x28, 0xB5, 0x2F, 0xFD, 0]), None);
    }

    #[test]
    fn sniffs_magic_bytes() {
        assert_eq!(sniff(&[0x28, 0xB5, 0x2F, 0xFD, 0]), Compression::Zstd);
        assert_eq!(sniff(&[0x1F, 0x8B, 8]), Compression::Gzip);
        assert_eq!(sniff(b"{}"), Compression::None);
        assert_eq!(sniff(b""), Compression::None);
    }
}
