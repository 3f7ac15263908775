//! Params validation: a policy's JSON Schema with its `format`s asserted.
//!
//! Dates, instants and time zones are checked here, by the host, before a
//! policy runs: a date that does not exist (`2025-13-01`) must be a config
//! error naming its JSON pointer, never a waiver that quietly never expires.
//! Formats the host knows (besides the standard ones, which are asserted
//! too):
//!
//! - `date`: `YYYY-MM-DD`, a day that exists, year at most 9998;
//! - `date-time`: an RFC 3339 instant with an offset, same years;
//! - `date-or-date-time`: either of the two;
//! - `iana-time-zone`: a name of the IANA time zone database (the copy
//!   bundled into `gate`, the same one the built-in policies use).
//!
//! Years end at 9998 because a date is turned into an instant in a time
//! zone, and the last representable instant is late on 9999-12-30 UTC: a
//! "forever" date in 9999 could not be honoured in every zone.

use jiff::civil::Date;
use serde_json::Value;

/// The last year a date or instant in params may have.
pub(crate) const MAX_YEAR: i16 = 9998;

/// Builds the validator of a policy's params schema, formats asserted.
pub(crate) fn validator(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::options()
        .should_validate_formats(true)
        .with_format("date", |s: &str| date(s).is_ok())
        .with_format("date-time", |s: &str| date_time(s).is_ok())
        .with_format("date-or-date-time", |s: &str| date_or_date_time(s).is_ok())
        .with_format("iana-time-zone", |s: &str| time_zone(s).is_ok())
        .build(schema)
        .map_err(|e| e.to_string())
}

/// Why `value` is not of the format `format`, for the formats checked here;
/// `None` for the others (the validator's own message is used).
pub(crate) fn format_problem(format: &str, value: &str) -> Option<String> {
    let r = match format {
        "date" => date(value).map(|_| ()),
        "date-time" => date_time(value).map(|_| ()),
        "date-or-date-time" => date_or_date_time(value),
        "iana-time-zone" => time_zone(value),
        _ => return None,
    };
    r.err()
}

/// One value the schema refuses: its JSON pointer and what is wrong with
/// it (for the formats here, exactly what).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamsIssue {
    /// The value's JSON pointer (empty: the params as a whole).
    pub pointer: String,
    /// What is wrong with it.
    pub message: String,
}

impl std::fmt::Display for ParamsIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.pointer.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.pointer, self.message)
        }
    }
}

/// One validation error as users read it.
pub(crate) fn describe(e: &jsonschema::ValidationError<'_>) -> ParamsIssue {
    use jsonschema::error::ValidationErrorKind as Kind;
    let mut pointer = e.instance_path().to_string();
    let detail = match (e.kind(), e.instance().as_str()) {
        (Kind::Format { format }, Some(value)) => format_problem(format, value),
        // The unexpected key itself is the place, not its table.
        (Kind::AdditionalProperties { unexpected }, _) => unexpected.first().map(|key| {
            pointer = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
            let more = unexpected.len().saturating_sub(1);
            if more == 0 {
                "not a property the schema allows".to_string()
            } else {
                format!(
                    "not a property the schema allows (nor {})",
                    unexpected
                        .iter()
                        .skip(1)
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }),
        _ => None,
    };
    ParamsIssue {
        pointer,
        message: detail.unwrap_or_else(|| lowercase_first(&e.to_string())),
    }
}

/// Our messages start lowercase; the validator's start with a capital.
fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A `YYYY-MM-DD` date that exists in the calendar.
pub(crate) fn date(s: &str) -> Result<Date, String> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .and_then(|_| s.get(r))
            .and_then(|t| t.parse::<i16>().ok())
    };
    let shape = b.len() == 10 && b.get(4) == Some(&b'-') && b.get(7) == Some(&b'-');
    let (Some(year), Some(month), Some(day), true) =
        (digits(0..4), digits(5..7), digits(8..10), shape)
    else {
        return Err(format!("`{s}` is not a date (YYYY-MM-DD)"));
    };
    if year > MAX_YEAR {
        return Err(format!(
            "`{s}`: year {year} is out of range (the last supported year is {MAX_YEAR}; leave the date out for no end)"
        ));
    }
    let month = i8::try_from(month)
        .ok()
        .filter(|m| (1..=12).contains(m))
        .ok_or_else(|| format!("`{s}` is not a date: there is no month {month}"))?;
    let first = Date::new(year, month, 1).map_err(|e| format!("`{s}` is not a date: {e}"))?;
    let last = first.days_in_month();
    let day = i8::try_from(day)
        .ok()
        .filter(|d| (1..=last).contains(d))
        .ok_or_else(|| {
            format!(
                "`{s}` is not a date: {year:04}-{month:02} has no day {day} (it has {last} days)"
            )
        })?;
    Date::new(year, month, day).map_err(|e| format!("`{s}` is not a date: {e}"))
}

/// An RFC 3339 instant: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
pub(crate) fn date_time(s: &str) -> Result<jiff::Timestamp, String> {
    let not = || {
        format!(
            "`{s}` is not an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SSZ or with an offset such as +02:00)"
        )
    };
    let (Some(day), Some(rest)) = (s.get(..10), s.get(10..)) else {
        return Err(not());
    };
    let rest = rest.strip_prefix(['T', 't']).ok_or_else(not)?;
    // HH:MM:SS, then an optional fraction, then Z or ±HH:MM.
    let b = rest.as_bytes();
    let two = |i: usize| {
        b.get(i..i + 2)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    if !(two(0) && b.get(2) == Some(&b':') && two(3) && b.get(5) == Some(&b':') && two(6)) {
        return Err(not());
    }
    let mut i = 8;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return Err(not());
        }
    }
    let offset_ok = match b.get(i..) {
        Some([b'Z' | b'z']) => true,
        Some([b'+' | b'-', ..]) => {
            // RFC 3339 offsets stop at 23:59 (jiff alone reads up to 25:59).
            let o = i + 1;
            let num = |i: usize| {
                b.get(i..i + 2)
                    .and_then(|d| std::str::from_utf8(d).ok())
                    .and_then(|d| d.parse::<u8>().ok())
            };
            b.len() == o + 5
                && two(o)
                && num(o).is_some_and(|h| h <= 23)
                && b.get(o + 2) == Some(&b':')
                && two(o + 3)
                && num(o + 3).is_some_and(|m| m <= 59)
        }
        _ => false,
    };
    if !offset_ok {
        return Err(not());
    }
    date(day)?;
    s.parse::<jiff::Timestamp>()
        .map_err(|e| format!("`{s}` is not a valid instant: {e}"))
}

/// A `date` or a `date-time`; the message names what was probably meant.
pub(crate) fn date_or_date_time(s: &str) -> Result<(), String> {
    if !s.contains(['T', 't']) {
        date(s).map(|_| ())
    } else {
        date_time(s).map(|_| ())
    }
}

/// A time zone name of the bundled IANA database.
pub(crate) fn time_zone(s: &str) -> Result<(), String> {
    // jiff maps `Etc/Unknown` to its "unknown" zone, which behaves as UTC:
    // a name that stands for "no zone" is not a zone to judge time in.
    jiff::tz::TimeZoneDatabase::bundled()
        .get(s)
        .ok()
        .filter(|tz| !tz.is_unknown())
        .map(|_| ())
        .ok_or_else(|| {
            format!("`{s}` is not a time zone of the IANA database (e.g. UTC, Europe/Berlin, America/New_York)")
        })
}

/// Numbers with no fractional part become integers (`20.0` → `20`): JSON
/// Schema counts them as integers, so a policy reading an integer must get
/// one (TOML writes `20.0` for a float).
pub(crate) fn normalize_numbers(v: &mut Value) {
    match v {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 9_007_199_254_740_992.0
            {
                // Exact: |f| < 2^53, so the cast neither rounds nor saturates.
                *v = Value::from(f as i64);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(normalize_numbers),
        Value::Object(o) => o.values_mut().for_each(normalize_numbers),
        _ => {}
    }
}

/// Why params were refused: they do not match the schema (one message per
/// problem), or the policy's schema itself is unusable.
#[derive(Debug)]
pub enum ParamsProblem {
    /// The params break the schema: one issue per problem.
    Invalid(Vec<ParamsIssue>),
    /// The schema is not a JSON Schema the validator can use.
    BadSchema(String),
}

/// Validates params a user wrote against the policy's schema with
/// `format`s asserted (dates, instants, time zones). A top-level property
/// the schema marks `readOnly` is gate's to set (builtin:rego's `mode`):
/// in user params it is refused.
pub fn validate(schema: &str, params: &serde_json::Value) -> Result<(), ParamsProblem> {
    validate_as(schema, params, true)
}

/// Validates params gate itself made (a mode it sets for a run of its own),
/// read-only properties allowed.
pub fn validate_host_set(schema: &str, params: &serde_json::Value) -> Result<(), ParamsProblem> {
    validate_as(schema, params, false)
}

fn validate_as(
    schema: &str,
    params: &serde_json::Value,
    refuse_read_only: bool,
) -> Result<(), ParamsProblem> {
    let schema: serde_json::Value =
        serde_json::from_str(schema).map_err(|e| ParamsProblem::BadSchema(e.to_string()))?;
    let validator = validator(&schema).map_err(ParamsProblem::BadSchema)?;
    let mut errors: Vec<ParamsIssue> = Vec::new();
    if refuse_read_only
        && let (Some(props), Some(given)) = (
            schema.get("properties").and_then(Value::as_object),
            params.as_object(),
        )
    {
        for key in given.keys() {
            let read_only = props
                .get(key)
                .and_then(|p| p.get("readOnly"))
                .and_then(Value::as_bool)
                == Some(true);
            if read_only {
                errors.push(ParamsIssue {
                    pointer: format!("/{}", key.replace('~', "~0").replace('/', "~1")),
                    message: "set by gate itself, not by params (read-only)".into(),
                });
            }
        }
    }
    errors.extend(validator.iter_errors(params).map(|e| describe(&e)));
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ParamsProblem::Invalid(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_that_do_not_exist_are_refused() {
        assert!(date("2025-12-31").is_ok());
        assert!(date("2024-02-29").is_ok());
        for (bad, says) in [
            ("2025-13-01", "no month 13"),
            ("2025-00-10", "no month 0"),
            ("2025-02-29", "has no day 29"),
            ("2025-04-31", "has no day 31"),
            ("2025-01-00", "has no day 0"),
            ("9999-12-31", "year 9999 is out of range"),
            ("-999999-01-01", "is not a date"),
            ("2025-1-01", "is not a date"),
            ("2025-01-01T00:00:00Z", "is not a date"),
            ("", "is not a date"),
        ] {
            let e = date(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn instants_are_rfc3339_with_an_offset() {
        assert!(date_time("2026-12-20T08:00:00Z").is_ok());
        assert!(date_time("2026-12-20T08:00:00.5+01:00").is_ok());
        assert!(date_time("2026-12-20T08:00:00-23:59").is_ok());
        for bad in [
            "2026-12-20",
            "2026-12-20T08:00:00",
            "2026-12-20T08:00Z",
            "2026-12-20 08:00:00Z",
            "2026-13-20T08:00:00Z",
            "2026-12-20T25:00:00Z",
            "9999-12-31T23:59:59Z",
            "2026-12-20T08:00:00+0100",
            "2026-12-20T08:00:00+24:00",
            "2026-12-20T08:00:00-25:59",
            "2026-12-20T08:00:00+01:60",
        ] {
            assert!(date_time(bad).is_err(), "{bad}");
        }
        assert!(date_or_date_time("2026-12-20").is_ok());
        assert!(date_or_date_time("2026-12-20T08:00:00Z").is_ok());
        assert!(date_or_date_time("2026-02-30").is_err());
    }

    #[test]
    fn time_zones_come_from_the_bundled_database() {
        for ok in ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"] {
            assert!(time_zone(ok).is_ok(), "{ok}");
        }
        for bad in ["Mars/Olympus", "", "Etc/Unknown", "+02:00", "Europe/"] {
            assert!(time_zone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn integral_floats_become_integers() {
        let mut v = serde_json::json!({"a": 20.0, "b": [1.5, 3.0], "c": 1e300});
        normalize_numbers(&mut v);
        assert_eq!(v, serde_json::json!({"a": 20, "b": [1.5, 3], "c": 1e300}));
    }

    /// A property the schema marks read-only is refused in user params,
    /// with its pointer, and allowed in params gate sets itself.
    #[test]
    fn read_only_params_are_gates_own() {
        let schema = r#"{"type":"object","properties":{"mode":{"enum":["evaluate","compile"],"readOnly":true},"n":{"type":"integer"}}}"#;
        let user = serde_json::json!({"mode": "compile", "n": 1});
        match validate(schema, &user) {
            Err(ParamsProblem::Invalid(issues)) => {
                assert_eq!(issues.len(), 1);
                assert_eq!(issues[0].pointer, "/mode");
                assert!(issues[0].message.contains("read-only"));
            }
            other => panic!("{other:?}"),
        }
        assert!(validate(schema, &serde_json::json!({"n": 1})).is_ok());
        assert!(validate_host_set(schema, &user).is_ok());
    }
}
