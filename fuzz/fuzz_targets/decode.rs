//! `decode_with_limit`: zstd, gzip or plain bytes by magic number. Corrupt, truncated or
//! oversized input is `invalid_response`, never a panic; the size limit is exact.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onecodex_core::results::{decode_with_limit, sniff, Compression};
use onecodex_fuzz::{check_typed, BODY};

// Small enough that a decompression bomb costs milliseconds, not seconds.
const LIMIT: usize = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let out = match decode_with_limit(data, LIMIT) {
        Ok(out) => out.into_owned(),
        Err(e) => return check_typed(&e, BODY),
    };
    assert!(out.len() <= LIMIT);
    if sniff(data) == Compression::None {
        // Plain text passes through, less a UTF-8 byte order mark.
        let plain = data.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(data);
        assert_eq!(out, plain);
    }
    // The limit is exact: the decoded size itself is allowed and gives the same bytes, one
    // byte less is refused.
    assert_eq!(decode_with_limit(data, out.len()).expect("at its exact size").as_ref(), &out[..]);
    if !out.is_empty() {
        let e = decode_with_limit(data, out.len() - 1).expect_err("over the limit by one byte");
        check_typed(&e, BODY);
    }
});
