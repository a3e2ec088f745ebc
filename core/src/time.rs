//! RFC 3339 date-times, read one way for every use: filter literals (an offset required, since the
//! API compares them), request bodies (sent in UTC as `+00:00`, as the Python client sends them),
//! and ordering objects by `created_at` (naive times are UTC); plus the civil-date arithmetic.

/// The longest wait a JavaScript timer can take (2³¹ − 1 ms, about 24.8 days): a longer one
/// fires at once, so every duration option is checked against it.
pub const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// A duration option in milliseconds: finite, ≥ 0 and within [`MAX_TIMER_MS`].
pub fn is_duration_ms(ms: f64) -> bool {
    ms.is_finite() && (0.0..=MAX_TIMER_MS).contains(&ms)
}

/// A parsed `YYYY-MM-DD(T| )HH:MM:SS[.frac][Z|±HH:MM|±HHMM]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DateTime<'a> {
    /// Seconds since the Unix epoch, UTC.
    secs: i64,
    /// The fraction's digits as written (without the dot).
    frac: &'a str,
    offset: Offset,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Offset {
    /// No offset written.
    Naive,
    /// `Z`, or `±HH:MM`.
    Written,
    /// `±HHMM`, which RFC 3339 does not allow but the API's own timestamps may use.
    Compact,
}

fn parse(s: &str) -> Option<DateTime<'_>> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let (y, mo, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (h, mi, sec) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let separators = b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && matches!(b.get(10), Some(b'T' | b't' | b' '))
        && b.get(13) == Some(&b':')
        && b.get(16) == Some(&b':');
    if !separators || !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac = "";
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        frac = s.get(start..i)?;
    }
    let (offset, offset_secs) = match b.get(i..)? {
        [] => (Offset::Naive, 0),
        [b'Z' | b'z'] => (Offset::Written, 0),
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (kind, (oh, om)) = match rest {
                [_, _, b':', _, _] => (Offset::Written, (num(i + 1, 2)?, num(i + 4, 2)?)),
                [_, _, _, _] => (Offset::Compact, (num(i + 1, 2)?, num(i + 3, 2)?)),
                _ => return None,
            };
            let o = oh * 3600 + om * 60;
            (kind, if *sign == b'-' { -o } else { o })
        }
        _ => return None,
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset_secs;
    Some(DateTime { secs, frac, offset })
}

/// A date-time a filter may compare: RFC 3339 with `Z` or `±HH:MM` (a naive one is refused).
pub fn is_rfc3339_with_offset(s: &str) -> bool {
    parse(s).is_some_and(|t| t.offset == Offset::Written)
}

/// The date-time rewritten in UTC with `+00:00`, the fraction kept as written; a naive one is
/// taken as UTC. None when it is not an RFC 3339 date-time.
pub fn to_utc(s: &str) -> Option<String> {
    let t = parse(s).filter(|t| t.offset != Offset::Compact)?;
    let (days, rem) = (t.secs.div_euclid(86_400), t.secs.rem_euclid(86_400));
    let (y, mo, d) = civil_from_days(days);
    let dot = if t.frac.is_empty() { "" } else { "." };
    Some(format!("{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}{dot}{}+00:00", rem / 3600, rem % 3600 / 60, rem % 60, t.frac))
}

/// Seconds and nanoseconds since the epoch (naive times are UTC), so that times written in
/// different offsets compare correctly.
pub fn instant(s: &str) -> Option<(i64, u32)> {
    let t = parse(s)?;
    let digits = t.frac.as_bytes().iter().take(9);
    let nanos = digits.clone().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')) * 10u32.pow(9 - digits.len() as u32);
    Some((t.secs, nanos))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_literals_need_an_offset() {
        for ok in ["2026-01-01T00:00:00Z", "2015-09-25T17:27:19.596555-07:00", "2026-01-01 00:00:00+00:00"] {
            assert!(is_rfc3339_with_offset(ok), "{ok}");
        }
        for bad in ["2026-01-01", "2026-01-01T00:00:00", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+0000", "x"] {
            assert!(!is_rfc3339_with_offset(bad), "{bad}");
        }
    }

    #[test]
    fn bodies_are_sent_in_utc() {
        assert_eq!(to_utc("2024-01-02T05:04:05.25+02:00").unwrap(), "2024-01-02T03:04:05.25+00:00");
        assert_eq!(to_utc("2024-01-01T00:30:00+01:00").unwrap(), "2023-12-31T23:30:00+00:00");
        assert_eq!(to_utc("2024-02-29T23:00:00-02:00").unwrap(), "2024-03-01T01:00:00+00:00");
        assert_eq!(to_utc("2024-01-02T03:04:05").unwrap(), "2024-01-02T03:04:05+00:00", "naive is UTC");
        assert_eq!(to_utc("2024-13-02T03:04:05Z"), None);
    }

    #[test]
    fn instants_compare_across_offsets() {
        assert_eq!(instant("1970-01-01T00:00:00+00:00"), Some((0, 0)));
        assert_eq!(instant("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(instant("2015-10-02T14:44:18.614016"), instant("2015-10-02T14:44:18.614016+00:00"));
        assert_eq!(instant("2015-09-25T17:27:19.596555-07:00"), Some((1_443_227_239, 596_555_000)));
        assert_eq!(instant("2000-03-01T00:00:00+0100"), Some((951_865_200, 0)));
        assert!(instant("2024-01-01T10:00:00-07:00") > instant("2024-01-01T16:30:00+00:00"));
        for bad in
            ["", "2024-01-01", "2024-13-01T00:00:00Z", "2024-01-01T00:00:00+7", "2024-01-01T00:00:00.Z", "yesterday"]
        {
            assert_eq!(instant(bad), None, "{bad}");
        }
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in [-719_468, -1, 0, 1, 11_016, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(2015, 10, 21), 16_729);
    }
}
