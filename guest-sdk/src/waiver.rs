//! Waivers and suppressions with an expiry date: the calendar arithmetic
//! every policy that accepts findings for a while needs, fail-closed (a
//! date that does not exist never means "waives forever").
//!
//! The host has checked a param declared with the `date` format
//! ([`crate::params::format::DATE`]); [`check_expires`] is for dates the
//! schema cannot see (read from an artifact, say).

use crate::bindings::gate::policy::types::PolicyError;
use crate::params;

/// Days since 1970-01-01 of a `YYYY-MM-DD` date, or of the date part of an
/// RFC 3339 instant; `None` unless that day exists (no month 13, no
/// February 30).
pub fn day_number(date: &str) -> Option<i64> {
    let day = date.get(..10)?;
    let b = day.as_bytes();
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = day.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
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

/// Today's day number from the request's `context.now` (an RFC 3339
/// instant, UTC): policies take "now" from there, so a run replays.
pub fn today(now: &str) -> Result<i64, PolicyError> {
    day_number(now)
        .ok_or_else(|| PolicyError::UnsupportedInput(format!("context.now `{now}` is not a date")))
}

/// `invalid-params` at `pointer` unless `expires` (when given) is a
/// `YYYY-MM-DD` day that exists.
pub fn check_expires(pointer: &str, expires: Option<&str>) -> Result<(), PolicyError> {
    match expires {
        Some(e) if e.len() != 10 || day_number(e).is_none() => Err(params::invalid(
            pointer,
            format!("`{e}` is not a date that exists (YYYY-MM-DD)"),
        )),
        _ => Ok(()),
    }
}

/// Where an expiring waiver stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// No expiry date: it waives until removed.
    Never,
    /// Waives for this many more days (1: today is its last day).
    Left(i64),
    /// Expired: from its date on it no longer waives.
    Expired,
}

impl Expiry {
    /// The state of a waiver that `expires` (`YYYY-MM-DD`, exclusive: on
    /// that day it no longer waives) on day `today`. A date that does not
    /// exist counts as expired, never as "no expiry".
    pub fn of(expires: Option<&str>, today: i64) -> Expiry {
        match expires {
            None => Expiry::Never,
            Some(e) => match day_number(e).map(|d| d - today) {
                Some(left) if left > 0 => Expiry::Left(left),
                _ => Expiry::Expired,
            },
        }
    }

    /// Whether the waiver still waives.
    pub fn waives(self) -> bool {
        self != Expiry::Expired
    }

    /// Whether it still waives but ends within `days` days.
    pub fn expiring_within(self, days: i64) -> bool {
        matches!(self, Expiry::Left(left) if left <= days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_exist_or_are_none() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2024-02-29"), Some(19_782));
        assert_eq!(day_number("2025-06-01T12:00:00Z"), day_number("2025-06-01"));
        for bad in [
            "2023-02-29",
            "2025-13-01",
            "2025-04-31",
            "2025-1-01",
            "20x5-01-01",
            "soon",
        ] {
            assert_eq!(day_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn expiry_is_exclusive_and_fails_closed() {
        let today = day_number("2025-06-01").unwrap_or_default();
        assert_eq!(Expiry::of(None, today), Expiry::Never);
        assert_eq!(Expiry::of(Some("2025-06-02"), today), Expiry::Left(1));
        assert_eq!(Expiry::of(Some("2025-06-01"), today), Expiry::Expired);
        assert_eq!(Expiry::of(Some("2025-02-30"), today), Expiry::Expired);
        assert!(Expiry::of(Some("2025-06-10"), today).expiring_within(14));
        assert!(!Expiry::of(Some("2025-08-10"), today).expiring_within(14));
        assert!(!Expiry::Never.expiring_within(14) && Expiry::Never.waives());
        assert!(!Expiry::Expired.waives());
    }

    #[test]
    fn expires_and_now_are_checked() {
        assert!(check_expires("/w/0/expires", Some("2025-06-01")).is_ok());
        assert!(check_expires("/w/0/expires", None).is_ok());
        let Err(PolicyError::InvalidParams(e)) = check_expires("/w/0/expires", Some("2025-02-30"))
        else {
            unreachable!("February has no 30th")
        };
        assert!(e.starts_with("/w/0/expires: `2025-02-30`"), "{e}");
        assert!(today("2025-06-01T00:00:00Z").is_ok());
        assert!(matches!(
            today("yesterday"),
            Err(PolicyError::UnsupportedInput(_))
        ));
    }
}
