//! `application/x-www-form-urlencoded` as Python's `urlencode` (quote_plus) writes it: letters,
//! digits and `_.-~` stay, space becomes `+`, everything else is `%XX` of its UTF-8 bytes.

pub fn quote_plus(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 15) as usize] as char);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::quote_plus;

    #[test]
    fn encodes_like_python_quote_plus() {
        assert_eq!(quote_plus(r#"{"a": "$b/c d"}"#), "%7B%22a%22%3A+%22%24b%2Fc+d%22%7D");
        assert_eq!(quote_plus("é~_.-"), "%C3%A9~_.-");
    }
}
