//! Calendar days for expiry dates (waivers, quarantines): policies compare
//! a `YYYY-MM-DD` with the run's `context.now` without a date library.

/// Days since 1970-01-01 of a `YYYY-MM-DD` prefix (civil calendar);
/// `None` unless that day exists (no month 13, no February 30).
pub fn day_number(date: &str) -> Option<i64> {
    let mut it = date.get(..10)?.split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let d: i64 = it.next()?.parse().ok()?;
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=days_in_month).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Whether `date` is exactly a `YYYY-MM-DD` day that exists (an expiry
/// that cannot be read must never mean "forever").
pub fn is_date(date: &str) -> bool {
    date.len() == 10 && day_number(date).is_some()
}

#[cfg(test)]
mod tests {
    use super::{day_number, is_date};

    #[test]
    fn civil_days() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2000-03-01"), Some(11017));
        assert_eq!(day_number("2026-11-22T10:00:00Z"), Some(20779));
        assert_eq!(day_number("2026-13-01"), None);
        assert_eq!(day_number("2025-00-10"), None);
        assert_eq!(day_number("2025-02-29"), None);
        assert_eq!(day_number("2024-02-29"), Some(19782));
        assert_eq!(day_number("2025-04-31"), None);
        assert!(is_date("2024-02-29") && !is_date("2024-02-29T00:00:00Z"));
    }
}
