//! Decoding results bodies: zstd, gzip and plain JSON by magic bytes; corrupt or truncated input
//! is a typed error, never a panic.

#[path = "results_fixtures.rs"]
mod fixtures;
use fixtures::*;

use onecodex_core::error::ErrorCode;
use onecodex_core::results::{decode, decode_with_limit, sniff, ClassificationTable, Compression};

fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF];
    out.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend(crc32(data).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

fn golden_json() -> Option<Vec<u8>> {
    let z = classification_zstd("6579e99943f84ad2")?;
    Some(decode(&z).unwrap().into_owned())
}

#[test]
fn zstd_fixture_decodes_to_the_recorded_size() {
    let json = need!(golden_json());
    assert_eq!(json.len(), 443_746);
    assert_eq!(json[0], b'{');
    let z = need!(classification_zstd("b50c176668234fe7"));
    assert_eq!(sniff(&z), Compression::Zstd);
    assert_eq!(decode(&z).unwrap().len(), 593_938);
}

#[test]
fn gzip_plain_and_zstd_parse_to_the_same_table() {
    let json = need!(golden_json());
    let z = need!(classification_zstd("6579e99943f84ad2"));
    let gz = gzip(&json);
    assert_eq!(sniff(&gz), Compression::Gzip);
    let a = ClassificationTable::parse(&z).unwrap();
    let b = ClassificationTable::parse(&gz).unwrap();
    let c = ClassificationTable::parse(&json).unwrap();
    assert_eq!(a.to_csv(), b.to_csv());
    assert_eq!(a.to_csv(), c.to_csv());
    assert_eq!(a.len(), 1698);
}

#[test]
fn gzip_with_header_fields_and_two_members() {
    let part1 = br#"{"n_reads": 5, "table": ["#;
    let part2 = br#"{"tax_id": "1", "readcount": 5}]}"#;
    // FNAME + FCOMMENT + FEXTRA on the first member.
    let mut m1 = vec![0x1F, 0x8B, 8, 0x04 | 0x08 | 0x10, 0, 0, 0, 0, 0, 3];
    m1.extend([3, 0, b'a', b'b', b'c']);
    m1.extend(b"name.json\0comment\0");
    m1.extend(miniz_oxide::deflate::compress_to_vec(part1, 1));
    m1.extend(crc32(part1).to_le_bytes());
    m1.extend((part1.len() as u32).to_le_bytes());
    m1.extend(gzip(part2));
    let d = decode(&m1).unwrap();
    assert_eq!(&*d, [&part1[..], &part2[..]].concat().as_slice());
    let t = ClassificationTable::parse(&m1).unwrap();
    assert_eq!(t.n_reads(), Some(5.0));
}

#[test]
fn gzip_checksum_mismatch_and_truncation_are_errors() {
    let data = b"{\"table\": []}".repeat(100);
    let mut gz = gzip(&data);
    let n = gz.len();
    gz[n - 6] ^= 0xFF; // CRC
    let e = decode(&gz).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidResponse);
    assert!(e.message.contains("checksum"), "{e}");
    let gz = gzip(&data);
    // One byte is not a gzip magic any more: it is (invalid) JSON text.
    assert_eq!(ClassificationTable::parse(&gz[..1]).unwrap_err().code, ErrorCode::InvalidResponse);
    for cut in 2..gz.len() {
        let e = decode(&gz[..cut]).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidResponse, "cut at {cut}");
    }
    let mut trailing = gzip(&data);
    trailing.extend(b"garbage");
    assert!(decode(&trailing).unwrap_err().message.contains("trailing"));
}

#[test]
fn truncated_zstd_is_an_error_at_every_cut() {
    let z = need!(classification_zstd("0f4ee4ecb3a3412f"));
    for cut in 1..z.len() {
        let e = ClassificationTable::parse(&z[..cut]).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidResponse, "cut at {cut}: {e}");
    }
    let big = need!(classification_zstd("6579e99943f84ad2"));
    for cut in (4..big.len()).step_by(997) {
        let e = ClassificationTable::parse(&big[..cut]).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidResponse, "cut at {cut}: {e}");
    }
}

#[test]
fn corrupt_compressed_bytes_never_panic() {
    let z = need!(classification_zstd("0f4ee4ecb3a3412f"));
    let json = need!(golden_json());
    let gz = gzip(&json[..20_000]);
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut rnd = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for src in [&z, &gz] {
        for _ in 0..400 {
            let mut b = src.clone();
            let flips = 1 + (rnd() % 4) as usize;
            for _ in 0..flips {
                let i = 4 + (rnd() as usize) % (b.len() - 4);
                b[i] ^= 1 << (rnd() % 8);
            }
            // Either outcome is fine; a panic is not. Errors must be typed.
            if let Err(e) = ClassificationTable::parse(&b) {
                assert_eq!(e.code, ErrorCode::InvalidResponse);
            }
        }
    }
    // Only a magic number, then noise.
    let mut noise = vec![0x28, 0xB5, 0x2F, 0xFD];
    noise.extend((0..200).map(|_| rnd() as u8));
    assert_eq!(decode(&noise).unwrap_err().code, ErrorCode::InvalidResponse);
    let mut noise = vec![0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0];
    noise.extend((0..200).map(|_| rnd() as u8));
    assert_eq!(decode(&noise).unwrap_err().code, ErrorCode::InvalidResponse);
}

#[test]
fn size_limit_refuses_bombs() {
    let zeros = vec![b' '; 5 << 20];
    let gz = gzip(&zeros);
    assert!(gz.len() < 50_000);
    let e = decode_with_limit(&gz, 1 << 20).unwrap_err();
    assert!(e.message.contains("exceed"), "{e}");
    assert_eq!(decode_with_limit(&gz, 5 << 20).unwrap().len(), 5 << 20);
    let z = need!(classification_zstd("6579e99943f84ad2"));
    assert!(decode_with_limit(&z, 100_000).unwrap_err().message.contains("exceed"));
    assert_eq!(decode_with_limit(&z, 443_746).unwrap().len(), 443_746);
    assert!(decode_with_limit(b"{\"table\": []}", 5).is_err());
}

#[test]
fn json_round_trip_keeps_every_value() {
    for id in ["6579e99943f84ad2", "464a7ebcnocaffe1", "0f4ee4ecb3a3412f"] {
        let z = need!(classification_zstd(id));
        let a = ClassificationTable::parse(&z).unwrap();
        let json = a.to_json();
        let b = ClassificationTable::parse(json.as_bytes()).unwrap();
        assert_eq!(a.to_csv(), b.to_csv(), "{id}");
        assert_eq!(a.n_reads(), b.n_reads());
        assert_eq!(a.host_tax_ids(), b.host_tax_ids());
        // and against the original JSON, value by value (ints and floats compared as numbers)
        let orig: serde_json::Value = serde_json::from_slice(&decode(&z).unwrap()).unwrap();
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        let (ot, bt) = (orig["table"].as_array().unwrap(), back["table"].as_array().unwrap());
        assert_eq!(ot.len(), bt.len());
        for (o, b) in ot.iter().zip(bt) {
            for (k, v) in o.as_object().unwrap() {
                match v {
                    serde_json::Value::Number(n) => {
                        assert_eq!(n.as_f64(), b[k].as_f64(), "{id} {k}")
                    }
                    _ => assert_eq!(v, &b[k], "{id} {k}"),
                }
            }
        }
    }
}

#[test]
fn mutated_json_never_panics() {
    let z = need!(classification_zstd("0f4ee4ecb3a3412f"));
    let json = decode(&z).unwrap().into_owned();
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut rnd = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet = b"{}[]\",:0123456789.eE-+ntfaluse\\\x00\xff";
    let (mut ok, mut err) = (0, 0);
    for _ in 0..3000 {
        let mut b = json.clone();
        for _ in 0..1 + rnd() % 3 {
            let i = (rnd() as usize) % b.len();
            match rnd() % 3 {
                0 => b[i] = alphabet[(rnd() as usize) % alphabet.len()],
                1 => {
                    b.remove(i);
                }
                _ => b.truncate(i),
            }
        }
        match ClassificationTable::parse_json(&b) {
            Ok(t) => {
                ok += 1;
                let _ = (t.to_csv(), t.to_json());
            }
            Err(e) => {
                assert_eq!(e.code, ErrorCode::InvalidResponse);
                err += 1;
            }
        }
    }
    assert!(err > 1000 && ok > 50, "ok {ok} err {err}");
}

/// A zstd frame of one raw block, with a one-byte declared content size (single segment).
fn zstd_raw_frame(declared: u8, content: &[u8]) -> Vec<u8> {
    let mut f = vec![0x28, 0xB5, 0x2F, 0xFD, 0x20, declared];
    let header = 1 | ((content.len() as u32) << 3); // last block, raw
    f.extend(&header.to_le_bytes()[..3]);
    f.extend(content);
    f
}

/// Found by fuzz/decode: ruzstd does not check a frame's declared content size against what
/// its blocks hold, so a corrupt frame decoded "successfully" to fewer (or more) bytes.
#[test]
fn zstd_frame_whose_content_differs_from_its_declared_size_is_an_error() {
    assert_eq!(&*decode(&zstd_raw_frame(3, b"abc")).unwrap(), b"abc");
    // Declaring less, ruzstd itself refuses the block (its window is the declared size).
    for declared in [0, 2, 4, 5] {
        let e = decode(&zstd_raw_frame(declared, b"abc")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidResponse, "declared {declared}");
        if declared > 3 {
            assert!(e.message.contains("declares 4") || e.message.contains("declares 5"), "{e}");
        }
    }
    // The fuzzer's input: a 4-byte content size of 33924, one empty raw block, a checksum.
    let found = [0x28, 0xB5, 0x2F, 0xFD, 0x84, 0x84, 0x84, 0x84, 0x00, 0x00, 0x01, 0x00, 0x00, 0x99, 0xE9, 0xFF, 0x02];
    let e = decode_with_limit(&found, 1 << 20).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidResponse);
    // A second, honest frame after a lying one does not make the body valid.
    let two = [zstd_raw_frame(3, b"abc"), zstd_raw_frame(9, b"def")].concat();
    assert_eq!(decode(&two).unwrap_err().code, ErrorCode::InvalidResponse);
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// ruzstd (without its `hash` feature) does not verify a frame's content checksum; the decoder
/// does, so corrupt content with an intact structure is an error too. Frames made by the zstd
/// CLI (`--check`): 47 bytes (all XXH64 paths: a stripe, 8-, 4- and 1-byte tails) and 1020
/// bytes (many stripes, a repeat-match block).
#[test]
fn zstd_content_checksum_is_verified() {
    let small = hex("28b52ffd242f7901007b227461626c65223a205b7b227461785f6964223a202231222c202272656164636f756e74223a20313233347d5d7db3249041");
    let json = br#"{"table": [{"tax_id": "1", "readcount": 1234}]}"#;
    assert_eq!(&*decode(&small).unwrap(), &json[..]);
    let t = ClassificationTable::parse(&small).unwrap();
    assert_eq!(t.row_of("1"), Some(0));
    let big = hex("28b52ffd64fc02c50000887b227461785f6964223a202237227d2c200100d1533597edfebc0c");
    assert_eq!(&*decode(&big).unwrap(), br#"{"tax_id": "7"}, "#.repeat(60).as_slice());
    for frame in [&small, &big] {
        // A wrong checksum…
        let mut bad = frame.clone();
        let n = bad.len();
        bad[n - 1] ^= 0x01;
        let e = decode(&bad).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidResponse);
        assert!(e.message.contains("checksum"), "{e}");
    }
    // …or a changed literal under an intact checksum: "1234" becomes "1235".
    let mut changed = small.clone();
    let at = changed.windows(4).position(|w| w == b"1234").unwrap();
    changed[at + 3] = b'5';
    let e = decode(&changed).unwrap_err();
    assert!(e.message.contains("checksum"), "{e}");
}
