//! Part checksums: known vectors, chunked feeding equals one pass, the chunk bound.

use onecodex_core::upload::checksum::{ChecksumKind, Crc32c, PartHasher, MAX_CHUNK};
use onecodex_core::ErrorCode;

/// Bit-at-a-time CRC32C, the textbook definition, to check the table-driven one against.
fn crc32c_reference(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0x82F6_3B78 } else { crc >> 1 };
        }
    }
    !crc
}

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| ((i * 7 + 3) % 251) as u8).collect()
}

#[test]
fn crc32c_rfc3720_vectors() {
    // RFC 3720 (iSCSI) B.4 test values.
    let cases: [(Vec<u8>, u32); 4] = [
        (vec![0; 32], 0x8A91_36AA),
        (vec![0xFF; 32], 0x62A8_AB43),
        ((0..32).collect(), 0x46DD_794E),
        ((0..32).rev().collect(), 0x113F_DB5C),
    ];
    for (input, want) in cases {
        let mut c = Crc32c::new();
        c.update(&input);
        assert_eq!(c.value(), want);
    }
    let mut c = Crc32c::new();
    c.update(b"123456789");
    assert_eq!(c.base64(), "4waSgw=="); // big-endian E3 06 92 83, as S3 wants it
    assert_eq!(Crc32c::new().base64(), "AAAAAA==");
}

#[test]
fn chunked_crc32c_equals_one_pass_and_reference() {
    let d = data(100_003);
    let want = crc32c_reference(&d);
    for chunk in [1, 3, 7, 8, 9, 4096, 65_537, 100_003] {
        let mut h = PartHasher::new(ChecksumKind::Crc32c);
        for c in d.chunks(chunk) {
            h.update(c).unwrap();
        }
        assert_eq!(h.bytes_fed(), d.len() as u64);
        let got = h.finish();
        assert_eq!(got.kind, ChecksumKind::Crc32c);
        assert_eq!(got.value, onecodex_core::upload::encode::base64(&want.to_be_bytes()), "chunk {chunk}");
    }
}

#[test]
fn md5_known_values_and_chunking() {
    let one = |parts: &[&[u8]]| {
        let mut h = PartHasher::new(ChecksumKind::Md5);
        for p in parts {
            h.update(p).unwrap();
        }
        h.finish().value
    };
    assert_eq!(one(&[]), "1B2M2Y8AsgTpgAmY7PhCfg==");
    assert_eq!(one(&[b"The quick brown ", b"fox jumps over the lazy dog"]), "nhB9nTcrtoJr2B01QqQZ1g==");
    // 3,000,000 bytes in 1 MiB chunks; value from Python's hashlib.
    let d = data(3_000_000);
    let chunks: Vec<&[u8]> = d.chunks(MAX_CHUNK).collect();
    assert_eq!(one(&chunks), "jskJs37eIKNCsOanJHNUJQ==");
    assert_eq!(ChecksumKind::Md5.header(), "content-md5");
    assert_eq!(ChecksumKind::Crc32c.header(), "x-amz-checksum-crc32c");
}

#[test]
fn a_chunk_over_one_mib_is_refused() {
    let mut h = PartHasher::new(ChecksumKind::Crc32c);
    let e = h.update(&vec![0; MAX_CHUNK + 1]).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    assert!(e.message.contains("smaller slices"), "{}", e.message);
    assert_eq!(h.bytes_fed(), 0);
    h.update(&vec![0; MAX_CHUNK]).unwrap();
}
