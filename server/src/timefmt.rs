//! RFC 3339 formatting and parsing without a date library (UTC only on output).

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_secs() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `2024-01-02T03:04:05.123456+00:00` (microseconds, UTC).
pub fn format(secs: f64) -> String {
    let micros = (secs * 1e6).round() as i64;
    let s = micros.div_euclid(1_000_000);
    let us = micros.rem_euclid(1_000_000);
    let days = s.div_euclid(86_400);
    let rem = s.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{us:06}+00:00", rem / 3600, (rem / 60) % 60, rem % 60)
}

/// Naive form (no offset), as `/account.confirmed_at` is sent.
pub fn format_naive(secs: f64) -> String {
    let s = format(secs);
    s[..s.len() - 6].to_string()
}

/// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.frac]]` with optional `Z`/`±HH:MM` (naive = UTC).
pub fn parse(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        if t.bytes().all(|c| c.is_ascii_digit()) && !t.is_empty() {
            t.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = (days_from_civil(y, mo, d) * 86_400) as f64;
    if b.len() == 10 {
        return Some(secs);
    }
    if b[10] != b'T' && b[10] != b't' && b[10] != b' ' {
        return None;
    }
    let rest = &s[11..];
    // Split off the offset.
    let (clock, offset) = if let Some(stripped) = rest.strip_suffix(['Z', 'z']) {
        (stripped, 0i64)
    } else if let Some(pos) = rest.rfind(['+', '-']) {
        let off = &rest[pos..];
        let ob = off.as_bytes();
        if off.len() != 6 || ob[3] != b':' {
            return None;
        }
        let oh: i64 = off[1..3].parse().ok()?;
        let om: i64 = off[4..6].parse().ok()?;
        let sign = if ob[0] == b'-' { -1 } else { 1 };
        (&rest[..pos], sign * (oh * 3600 + om * 60))
    } else {
        (rest, 0)
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    let hh: i64 = parts[0].parse().ok().filter(|v| (0..24).contains(v))?;
    let mm: i64 = parts[1].parse().ok().filter(|v| (0..60).contains(v))?;
    let ss: f64 = if parts.len() == 3 {
        let v: f64 = parts[2].parse().ok()?;
        if !(0.0..61.0).contains(&v) || parts[2].starts_with(['+', '-']) {
            return None;
        }
        v
    } else {
        0.0
    };
    if parts[0].len() != 2 || parts[1].len() != 2 {
        return None;
    }
    secs += (hh * 3600 + mm * 60) as f64 + ss - offset as f64;
    Some(secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn roundtrip() {
        let t = 1_700_000_000.25;
        let s = format(t);
        assert_eq!(s, "2023-11-14T22:13:20.250000+00:00");
        assert_eq!(parse(&s), Some(t));
        assert_eq!(parse("2015-09-25T17:27:19-07:00"), parse("2015-09-26T00:27:19+00:00"));
        assert_eq!(parse("2015-09-26"), parse("2015-09-26T00:00:00Z"));
        assert!(parse("yesterday").is_none());
        assert!(parse("2015-13-01").is_none());
    }
}
