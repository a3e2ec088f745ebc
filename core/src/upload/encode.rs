//! The few encodings S3 requests need, written out to keep the wasm small: lowercase hex,
//! standard base64 (checksum headers), and SigV4's RFC 3986 percent-encoding.

const HEX: &[u8; 16] = b"0123456789abcdef";
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// Standard alphabet with padding, as `Content-MD5` and `x-amz-checksum-*` expect.
pub fn base64(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.len();
        let v = (chunk[0] as u32) << 16
            | (if n > 1 { chunk[1] as u32 } else { 0 }) << 8
            | (if n > 2 { chunk[2] as u32 } else { 0 });
        s.push(B64[(v >> 18) as usize & 63] as char);
        s.push(B64[(v >> 12) as usize & 63] as char);
        s.push(if n > 1 { B64[(v >> 6) as usize & 63] as char } else { '=' });
        s.push(if n > 2 { B64[v as usize & 63] as char } else { '=' });
    }
    s
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// SigV4 encoding: every byte but `A-Za-z0-9-._~` as `%XX` (uppercase). S3 object paths keep `/`.
pub fn uri_encode(bytes: &[u8], keep_slash: bool) -> String {
    let mut s = String::with_capacity(bytes.len());
    for &b in bytes {
        if unreserved(b) || (keep_slash && b == b'/') {
            s.push(b as char);
        } else {
            s.push('%');
            s.push(HEX[(b >> 4) as usize].to_ascii_uppercase() as char);
            s.push(HEX[(b & 15) as usize].to_ascii_uppercase() as char);
        }
    }
    s
}

/// Decodes `%XX` escapes (other bytes pass through), so a URL given already encoded or not
/// canonicalises the same way. `None` on a broken escape.
pub fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = b.get(i + 1..i + 3)?;
            let v = (hex_val(h[0])? << 4) | hex_val(h[1])?;
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (i, o) in cases {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn uri_encoding_is_uppercase_and_keeps_unreserved() {
        assert_eq!(uri_encode(b"a b/c~d=e", true), "a%20b/c~d%3De");
        assert_eq!(uri_encode(b"a/b", false), "a%2Fb");
        assert_eq!(uri_encode("ሴ".as_bytes(), false), "%E1%88%B4");
        assert_eq!(percent_decode("a%2fb%20").unwrap(), b"a/b ");
        assert_eq!(percent_decode("bad%2"), None);
        assert_eq!(percent_decode("bad%zz"), None);
        assert_eq!(hex(&[0, 0xab, 0xff]), "00abff");
    }
}
