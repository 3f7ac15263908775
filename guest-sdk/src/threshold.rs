//! Thresholds compared exactly: a ratio against a percentage without
//! rounding either (79.996% is below 80%, however it prints), and
//! severities against a "fail at or above" param.

use crate::bindings::gate::policy::types::{PolicyError, Severity};
use crate::params;

/// `covered/total` as a percentage; `None` when `total` is 0 (nothing to
/// measure is not 0% and not 100%).
pub fn percent(covered: u64, total: u64) -> Option<f64> {
    (total > 0).then(|| covered as f64 * 100.0 / total as f64)
}

/// Whether `covered/total` is below `min_percent`, exactly: compared as
/// `covered * 100 < min_percent * total`, never through a rounded
/// percentage. False when `total` is 0 (see [`percent`]).
pub fn below_percent(covered: u64, total: u64, min_percent: f64) -> bool {
    total > 0 && (covered as f64) * 100.0 < min_percent * total as f64
}

/// A severity param (`critical|high|medium|low|info|unknown`); the
/// schema's `enum` (see [`params::SEVERITIES`]) has already refused other
/// names, so `Err` only guards a schema looser than the code.
pub fn severity(pointer: &str, name: &str) -> Result<Severity, PolicyError> {
    Severity::parse(name)
        .ok_or_else(|| params::invalid(pointer, format!("unknown severity `{name}`")))
}

/// A "fail at or above" param (see [`params::FAIL_ON`]): `None` for
/// `none` (never by severity), `default` when absent.
pub fn fail_on(
    pointer: &str,
    value: Option<&str>,
    default: &str,
) -> Result<Option<Severity>, PolicyError> {
    match value.unwrap_or(default) {
        "none" => Ok(None),
        name => severity(pointer, name).map(Some),
    }
}

/// Whether `severity` reaches `fail_on` (none: never), a finding of
/// unknown severity ranking as `unknown_as`.
pub fn reaches(severity: Severity, fail_on: Option<Severity>, unknown_as: Severity) -> bool {
    fail_on.is_some_and(|t| severity.rank(unknown_as) >= t.rank(unknown_as))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_compared_unrounded() {
        // 7999/10000 prints as 80.0% with one decimal, and is below 80.
        assert!(below_percent(7_999, 10_000, 80.0));
        assert!(!below_percent(8_000, 10_000, 80.0));
        assert!(below_percent(2, 3, 66.67));
        assert!(!below_percent(2, 3, 66.66));
        assert!(
            !below_percent(0, 0, 100.0),
            "nothing to measure is not below"
        );
        assert_eq!(percent(1, 4), Some(25.0));
        assert_eq!(percent(0, 0), None);
    }

    #[test]
    fn severity_params_name_their_pointer() {
        assert!(matches!(severity("/x", "HIGH"), Ok(Severity::High)));
        let Err(PolicyError::InvalidParams(e)) = severity("/fail-on", "severe") else {
            unreachable!("not a severity")
        };
        assert_eq!(e, "/fail-on: unknown severity `severe`");
        assert!(matches!(
            fail_on("/f", None, "high"),
            Ok(Some(Severity::High))
        ));
        assert!(matches!(fail_on("/f", Some("none"), "high"), Ok(None)));
        assert!(matches!(
            fail_on("/f", Some("low"), "high"),
            Ok(Some(Severity::Low))
        ));
    }

    #[test]
    fn reaching_a_threshold_ranks_unknown_as_told() {
        use Severity::*;
        assert!(reaches(Critical, Some(High), High));
        assert!(reaches(High, Some(High), High));
        assert!(!reaches(Medium, Some(High), High));
        assert!(reaches(Unknown, Some(High), High));
        assert!(!reaches(Unknown, Some(High), Low));
        assert!(!reaches(Critical, None, High));
    }
}
