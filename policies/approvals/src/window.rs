//! Freeze windows: absolute ranges and weekly recurring windows in a named
//! time zone (DST-correct through jiff's bundled tz database).

use gate_sdk::{PolicyError, params};
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct FreezeWindow {
    #[schemars(length(min = 1))]
    pub name: String,
    /// Default (when absent): all; an empty list is refused, never read as all
    #[serde(default)]
    #[schemars(length(min = 1), inner(length(min = 1)))]
    pub environments: Vec<String>,
    /// RFC 3339 instant, or YYYY-MM-DD in `timezone`
    #[schemars(extend("format" = params::format::DATE_OR_DATE_TIME))]
    pub start: Option<String>,
    /// RFC 3339 instant, or YYYY-MM-DD in `timezone` (exclusive; after start)
    #[schemars(extend("format" = params::format::DATE_OR_DATE_TIME))]
    pub end: Option<String>,
    /// Weekly window: these days
    #[serde(default)]
    #[schemars(schema_with = "days")]
    pub days: Vec<String>,
    /// Weekly window: local start time HH:MM
    #[schemars(regex(pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9])$"))]
    pub from: Option<String>,
    /// Weekly window: local end time HH:MM (exclusive; 24:00 allowed; after from)
    #[schemars(regex(pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"))]
    pub to: Option<String>,
    /// IANA time zone, e.g. Europe/Berlin
    #[schemars(extend("format" = params::format::IANA_TIME_ZONE, "default" = "UTC"))]
    pub timezone: Option<String>,
}

/// `days`: at least one day name.
fn days(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array",
        "minItems": 1,
        "items": {"enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]},
    })
}

fn tz(name: Option<&str>) -> Result<TimeZone, String> {
    let name = name.unwrap_or("UTC");
    match TimeZone::get(name) {
        // jiff's stand-in for "no zone" behaves as UTC: not a zone to judge in.
        Ok(z) if z.is_unknown() => Err(format!("unknown time zone `{name}`")),
        Ok(z) => Ok(z),
        Err(e) => Err(format!("unknown time zone `{name}`: {e}")),
    }
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
    /// Checks what the schema cannot, for every window whatever environment
    /// is judged (a broken window must not wait for the day it applies to
    /// be found): it has a range or a weekly part, its zone and instants
    /// exist, and it can be in force at all (`start` before `end`, `from`
    /// before `to`). `at` is the window's JSON pointer.
    pub fn check(&self, at: &str) -> Result<(), PolicyError> {
        if self.start.is_none()
            && self.end.is_none()
            && self.days.is_empty()
            && self.from.is_none()
            && self.to.is_none()
        {
            return Err(params::invalid(
                at,
                format!(
                    "freeze window `{}` has neither start/end nor days/from/to",
                    self.name
                ),
            ));
        }
        let zone = tz(self.timezone.as_deref())
            .map_err(|e| params::invalid(&format!("{at}/timezone"), e))?;
        let bound = |key: &str, v: &Option<String>| {
            v.as_deref()
                .map(|s| instant(s, &zone))
                .transpose()
                .map_err(|e| params::invalid(&format!("{at}/{key}"), e))
        };
        if let (Some(start), Some(end)) = (bound("start", &self.start)?, bound("end", &self.end)?)
            && start >= end
        {
            return Err(params::invalid(
                &format!("{at}/end"),
                format!(
                    "`{}` is not after start `{}`: freeze window `{}` would never be in force",
                    self.end.as_deref().unwrap_or(""),
                    self.start.as_deref().unwrap_or(""),
                    self.name
                ),
            ));
        }
        for (i, d) in self.days.iter().enumerate() {
            if weekday(d).is_none() {
                return Err(params::invalid(
                    &format!("{at}/days/{i}"),
                    format!("unknown day `{d}` (mon, tue, wed, thu, fri, sat, sun)"),
                ));
            }
        }
        let time = |key: &str, v: &Option<String>| {
            v.as_deref()
                .map(minutes)
                .transpose()
                .map_err(|e| params::invalid(&format!("{at}/{key}"), e))
        };
        let from = time("from", &self.from)?.unwrap_or(0);
        let to = time("to", &self.to)?.unwrap_or(24 * 60);
        if from >= to {
            return Err(params::invalid(
                &format!("{at}/to"),
                format!(
                    "{} is not after from {}: freeze window `{}` would never be in force (split a window over midnight into two)",
                    self.to.as_deref().unwrap_or("24:00"),
                    self.from.as_deref().unwrap_or("00:00"),
                    self.name
                ),
            ));
        }
        Ok(())
    }

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

    fn problem(json: &str) -> String {
        match w(json).check("/freeze-windows/0") {
            Err(PolicyError::InvalidParams(m)) => m,
            other => panic!("{json}: {other:?}"),
        }
    }

    #[test]
    fn windows_that_can_never_be_in_force_are_invalid_params() {
        assert!(
            w(r#"{"name": "x", "start": "2026-12-20", "end": "2027-01-02"}"#)
                .check("/w")
                .is_ok()
        );
        let m = problem(r#"{"name": "x", "start": "2027-01-02", "end": "2026-12-20"}"#);
        assert!(m.starts_with("/freeze-windows/0/end: "), "{m}");
        let m = problem(r#"{"name": "x", "days": ["fri"], "from": "22:00", "to": "06:00"}"#);
        assert!(
            m.starts_with("/freeze-windows/0/to: ") && m.contains("midnight"),
            "{m}"
        );
        let m = problem(r#"{"name": "x", "days": ["mon"], "timezone": "Mars/Olympus"}"#);
        assert!(m.starts_with("/freeze-windows/0/timezone: "), "{m}");
        let m = problem(r#"{"name": "x", "start": "2026-02-30"}"#);
        assert!(m.starts_with("/freeze-windows/0/start: "), "{m}");
        let m = problem(r#"{"name": "x", "environments": ["prod"]}"#);
        assert!(m.starts_with("/freeze-windows/0: "), "{m}");
    }
}
