//! Freeze windows: absolute ranges and weekly recurring windows in a named
//! time zone (DST-correct through jiff's bundled tz database).

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct FreezeWindow {
    pub name: String,
    #[serde(default)]
    pub environments: Vec<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    #[serde(default)]
    pub days: Vec<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub timezone: Option<String>,
}

fn tz(name: Option<&str>) -> Result<TimeZone, String> {
    let name = name.unwrap_or("UTC");
    TimeZone::get(name).map_err(|e| format!("unknown time zone `{name}`: {e}"))
}

/// An instant from RFC 3339, or the start of a `YYYY-MM-DD` day in `tz`.
fn instant(s: &str, zone: &TimeZone) -> Result<Timestamp, String> {
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    let d: Date = s
        .parse()
        .map_err(|e| format!("`{s}` is neither an RFC 3339 instant nor a date: {e}"))?;
    d.to_zoned(zone.clone())
        .map(|z| z.timestamp())
        .map_err(|e| e.to_string())
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s {
        "mon" => Weekday::Monday,
        "tue" => Weekday::Tuesday,
        "wed" => Weekday::Wednesday,
        "thu" => Weekday::Thursday,
        "fri" => Weekday::Friday,
        "sat" => Weekday::Saturday,
        "sun" => Weekday::Sunday,
        _ => return None,
    })
}

/// Minutes since midnight of `HH:MM` (24:00 allowed as end of day).
fn minutes(s: &str) -> Result<i32, String> {
    let (h, m) = s
        .split_once(':')
        .ok_or_else(|| format!("`{s}` is not HH:MM"))?;
    let (h, m): (i32, i32) = (
        h.parse().map_err(|_| format!("`{s}` is not HH:MM"))?,
        m.parse().map_err(|_| format!("`{s}` is not HH:MM"))?,
    );
    if h > 24 || m > 59 || (h == 24 && m > 0) {
        return Err(format!("`{s}` is not a time of day"));
    }
    Ok(h * 60 + m)
}

impl FreezeWindow {
    pub fn applies_to(&self, env: Option<&str>) -> bool {
        self.environments.is_empty()
            || env.is_some_and(|e| self.environments.iter().any(|x| x.eq_ignore_ascii_case(e)))
    }

    /// Whether `now` falls inside the window.
    pub fn contains(&self, now: Timestamp) -> Result<bool, String> {
        let zone = tz(self.timezone.as_deref())?;
        let mut inside = true;
        if let Some(s) = &self.start {
            inside &= now >= instant(s, &zone)?;
        }
        if let Some(e) = &self.end {
            inside &= now < instant(e, &zone)?;
        }
        if !self.days.is_empty() || self.from.is_some() || self.to.is_some() {
            let local: Zoned = now.to_zoned(zone);
            if !self.days.is_empty() {
                let mut any = false;
                for d in &self.days {
                    any |=
                        weekday(d).ok_or_else(|| format!("unknown day `{d}`"))? == local.weekday();
                }
                inside &= any;
            }
            let t: Time = local.time();
            let m = i32::from(t.hour()) * 60 + i32::from(t.minute());
            let from = self.from.as_deref().map(minutes).transpose()?.unwrap_or(0);
            let to = self
                .to
                .as_deref()
                .map(minutes)
                .transpose()?
                .unwrap_or(24 * 60);
            inside &= m >= from && m < to;
        }
        if self.start.is_none()
            && self.end.is_none()
            && self.days.is_empty()
            && self.from.is_none()
            && self.to.is_none()
        {
            return Err(format!(
                "freeze window `{}` has neither start/end nor days/from/to",
                self.name
            ));
        }
        Ok(inside)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(json: &str) -> FreezeWindow {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn absolute_window_with_dates_in_zone() {
        let x = w(
            r#"{"name": "xmas", "start": "2026-12-20", "end": "2027-01-02", "timezone": "Europe/Berlin"}"#,
        );
        assert!(x.contains("2026-12-24T12:00:00Z".parse().unwrap()).unwrap());
        // 23:30 UTC on Dec 19 is already Dec 20 in Berlin.
        assert!(x.contains("2026-12-19T23:30:00Z".parse().unwrap()).unwrap());
        assert!(!x.contains("2026-12-19T22:30:00Z".parse().unwrap()).unwrap());
        assert!(!x.contains("2027-01-02T00:00:00Z".parse().unwrap()).unwrap());
    }

    #[test]
    fn weekly_window_follows_dst() {
        let fri = w(
            r#"{"name": "friday", "days": ["fri"], "from": "16:00", "to": "24:00", "timezone": "Europe/Berlin"}"#,
        );
        // Summer (CEST, UTC+2): 14:30 UTC is 16:30 local on Friday 2026-07-03.
        assert!(
            fri.contains("2026-07-03T14:30:00Z".parse().unwrap())
                .unwrap()
        );
        // Winter (CET, UTC+1): 14:30 UTC is 15:30 local on Friday 2026-11-20: outside.
        assert!(
            !fri.contains("2026-11-20T14:30:00Z".parse().unwrap())
                .unwrap()
        );
        assert!(
            fri.contains("2026-11-20T15:30:00Z".parse().unwrap())
                .unwrap()
        );
        // Thursday: outside.
        assert!(
            !fri.contains("2026-11-19T18:00:00Z".parse().unwrap())
                .unwrap()
        );
    }

    #[test]
    fn bad_zone_is_an_error() {
        let x = w(r#"{"name": "x", "days": ["mon"], "timezone": "Mars/Olympus"}"#);
        assert!(x.contains("2026-11-23T10:00:00Z".parse().unwrap()).is_err());
    }
}
