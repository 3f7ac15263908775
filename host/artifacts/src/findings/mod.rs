//! Security findings formats. One file per format; this module detects and
//! dispatches. Severity labels are mapped in one place (`severity.rs`) and
//! each finding records where its severity came from. After a parser ran,
//! every finding gets the same clean-up here: CWEs as `CWE-n` (sorted,
//! unique), aliases sorted and unique without the finding's own id, and
//! fingerprints unique within the report (`fingerprint.rs`).

pub mod cargo_audit;
pub mod cvss;
pub mod fingerprint;
pub mod gitleaks;
pub mod grype;
pub mod npm_audit;
pub mod osv;
pub mod pip_audit;
pub mod sarif;
pub mod severity;
pub mod trivy;

use crate::{Document, FindingsReport, Format, ParseContext, ParseError, Position};
use serde_json::Value;

/// Recognises a findings format from content.
pub fn sniff(doc: &Document<'_>) -> Option<Format> {
    let v = doc.shape()?;
    if sarif::sniff(v) {
        Some(Format::Sarif)
    } else if grype::sniff(v) {
        Some(Format::Grype)
    } else if npm_audit::sniff(v) {
        Some(Format::NpmAudit)
    } else if osv::sniff(v) {
        Some(Format::OsvScanner)
    } else if trivy::sniff(v) {
        Some(Format::Trivy)
    } else if cargo_audit::sniff(v) {
        Some(Format::CargoAudit)
    } else if pip_audit::sniff(v) {
        Some(Format::PipAudit)
    } else if gitleaks::sniff(v) {
        Some(Format::Gitleaks)
    } else {
        None
    }
}

/// Whether `doc` carries the markers of `format` (see
/// [`Format::markers`]): the same tests as [`sniff`], one format at a time.
pub fn conforms(format: Format, doc: &Document<'_>) -> bool {
    let Some(v) = doc.shape() else { return false };
    match format {
        Format::Sarif => sarif::sniff(v),
        Format::Grype => grype::sniff(v),
        Format::NpmAudit => npm_audit::sniff(v),
        Format::OsvScanner => osv::sniff(v),
        Format::Trivy => trivy::sniff(v),
        Format::CargoAudit => cargo_audit::sniff(v),
        Format::PipAudit => pip_audit::sniff(v),
        Format::Gitleaks => gitleaks::sniff(v),
        _ => false,
    }
}

/// Parses a findings artifact of a known format.
pub fn parse(
    format: Format,
    doc: &Document<'_>,
    cx: &mut ParseContext<'_>,
) -> Result<FindingsReport, ParseError> {
    let Some(json) = doc.as_json() else {
        return Err(cx.error("invalid-json", None, format!("{format} reports are JSON")));
    };
    // Not yet read into typed structures: the whole document as a Value.
    let v = &json.value(cx.name)?;
    let findings = match format {
        Format::Sarif => sarif::parse(v, cx)?,
        Format::Grype => grype::parse(v, cx)?,
        Format::NpmAudit => npm_audit::parse(v, cx)?,
        Format::OsvScanner => osv::parse(v, cx)?,
        Format::Trivy => trivy::parse(v, cx)?,
        Format::CargoAudit => cargo_audit::parse(v, cx)?,
        Format::PipAudit => pip_audit::parse(v, cx)?,
        Format::Gitleaks => gitleaks::parse(v, cx)?,
        other => {
            return Err(cx.error(
                "unsupported-format",
                None,
                format!("{other} is not supported yet"),
            ));
        }
    };
    if format != Format::Sarif {
        check_scores(v, cx);
    }
    let mut findings = findings;
    let mut truncated = 0usize;
    for (i, f) in findings.iter_mut().enumerate() {
        // Every parser checks its ids where it reads them (with the
        // pointer); this is the net that keeps the promise for all of them.
        if let Some(why) = id_problem(&f.rule) {
            return Err(cx.error(
                "invalid-field",
                None,
                format!("finding {i}: its rule id {why}"),
            ));
        }
        let version = f.package.as_mut().and_then(|p| p.version.as_mut());
        let cuts = [
            cut(&mut f.title, MAX_TEXT_BYTES),
            cut(&mut f.message, MAX_TEXT_BYTES),
            version.is_some_and(|v| cut(v, MAX_ID_BYTES)),
        ];
        truncated = truncated.saturating_add(cuts.iter().filter(|c| **c).count());
        tidy(f);
    }
    if truncated > 0 {
        cx.warn(
            "text-truncated",
            format!("{truncated} finding title(s), message(s) or version(s) were longer than a policy may report and were cut"),
        );
    }
    fingerprint::disambiguate(&mut findings);
    Ok(FindingsReport { findings })
}

/// Keys under which scanners write CVSS scores (trivy `V3Score`, grype
/// `baseScore`, npm `cvss.score`, osv-scanner `max_severity`).
const SCORE_KEYS: [&str; 5] = [
    "V2Score",
    "V3Score",
    "V40Score",
    "baseScore",
    "max_severity",
];

/// Warns (`invalid-cvss-score`, once, with the first pointer) about CVSS
/// scores that are not numbers from 0 to 10: the parsers ignore them and
/// fall back to the label, which should not go unnoticed.
fn check_scores(v: &Value, cx: &mut ParseContext<'_>) {
    fn walk(v: &Value, path: &mut Vec<String>, under_cvss: bool, bad: &mut (usize, String)) {
        fn hit(bad: &mut (usize, String), path: &[String], key: &str) {
            if bad.0 == 0 {
                let base = path.iter().fold(String::new(), |p, k| pointer(&p, k));
                bad.1 = pointer(&base, key);
            }
            bad.0 = bad.0.saturating_add(1);
        }
        match v {
            Value::Object(map) => {
                for (k, x) in map {
                    let is_score = SCORE_KEYS.contains(&k.as_str()) || (under_cvss && k == "score");
                    if is_score && !valid_score(x) {
                        hit(bad, path, k);
                    }
                    if x.is_object() || x.is_array() {
                        path.push(k.clone());
                        walk(x, path, k.eq_ignore_ascii_case("cvss"), bad);
                        path.pop();
                    }
                }
            }
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    if x.is_object() || x.is_array() {
                        path.push(i.to_string());
                        walk(x, path, false, bad);
                        path.pop();
                    }
                }
            }
            _ => {}
        }
    }
    let mut bad = (0, String::new());
    walk(v, &mut Vec::new(), false, &mut bad);
    if bad.0 > 0 {
        cx.warn(
            "invalid-cvss-score",
            format!(
                "{} cvss score(s) are not numbers from 0 to 10 and were ignored (first: {})",
                bad.0, bad.1
            ),
        );
    }
}

/// A CVSS score as scanners write it: a number (or numeric string) from 0
/// to 10; null means "none".
fn valid_score(v: &Value) -> bool {
    let n = match v {
        Value::Null => return true,
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    n.is_some_and(|n| n.is_finite() && (0.0..=10.0).contains(&n))
}

/// The longest title or message kept: a policy's finding text may not
/// exceed 64 KiB and a policy adds the package and its own words to it.
pub const MAX_TEXT_BYTES: usize = 16 << 10;

/// Cuts `s` to at most `max` bytes (on a char boundary, ending in `…`);
/// whether it was cut. Only free text is cut, after the fingerprints.
fn cut(s: &mut String, max: usize) -> bool {
    if s.len() <= max {
        return false;
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while !s.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    s.truncate(end);
    s.push('…');
    true
}

/// The longest identifier a policy may pass on as a rule id.
pub const MAX_ID_BYTES: usize = 256;

/// What is wrong with an identifier that reaches a policy (a finding's rule
/// id): empty, longer than [`MAX_ID_BYTES`], or with a control character.
/// Such ids are refused, never escaped: a policy's verdict may not carry
/// them, and an escaped id would no longer match waivers and baselines.
pub(crate) fn id_problem(id: &str) -> Option<String> {
    if id.trim().is_empty() {
        Some("is empty".into())
    } else if id.len() > MAX_ID_BYTES {
        Some(format!(
            "is {} bytes long, more than {MAX_ID_BYTES}",
            id.len()
        ))
    } else {
        id.chars()
            .find(|c| c.is_control())
            .map(|c| format!("contains control character u+{:04x}", u32::from(c)))
    }
}

/// `base` + `/key`, escaped per RFC 6901.
/// A JSON pointer one key below `base` (the approvals parsers' helper).
pub(crate) use crate::approvals::join as pointer;

/// Checks an identifier read from `ptr` (see [`id_problem`]).
pub(crate) fn check_id<'s>(
    cx: &ParseContext<'_>,
    id: &'s str,
    ptr: &str,
) -> Result<&'s str, ParseError> {
    match id_problem(id) {
        None => Ok(id),
        Some(why) => Err(cx.error(
            "invalid-field",
            Some(Position::Pointer(ptr.to_string())),
            format!("identifier {why}"),
        )),
    }
}

/// A required identifier: `obj[key]` must be a string that passes
/// [`check_id`]. `base` is the JSON pointer of `obj`.
pub(crate) fn required_id<'v>(
    cx: &ParseContext<'_>,
    obj: &'v Value,
    key: &str,
    base: &str,
) -> Result<&'v str, ParseError> {
    let ptr = pointer(base, key);
    match obj.get(key) {
        Some(Value::String(s)) => check_id(cx, s, &ptr),
        None | Some(Value::Null) => Err(cx.error(
            "missing-field",
            Some(Position::Pointer(ptr)),
            format!("missing required field `{key}`"),
        )),
        Some(other) => Err(cx.error(
            "invalid-field",
            Some(Position::Pointer(ptr)),
            format!(
                "`{key}` must be a string, found {}",
                crate::document::json_type(other)
            ),
        )),
    }
}

/// A required name (a package's): a string without control characters;
/// unlike an id it may be empty (osv-scanner writes `""` for some sources).
pub(crate) fn required_name<'v>(
    cx: &ParseContext<'_>,
    obj: &'v Value,
    key: &str,
    base: &str,
) -> Result<&'v str, ParseError> {
    if obj
        .get(key)
        .and_then(Value::as_str)
        .is_some_and(str::is_empty)
    {
        return Ok("");
    }
    required_id(cx, obj, key, base)
}

/// An optional string: absent or null is `None`, another type is an error.
pub(crate) fn optional_str<'v>(
    cx: &ParseContext<'_>,
    obj: &'v Value,
    key: &str,
    base: &str,
) -> Result<Option<&'v str>, ParseError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(cx.error(
            "invalid-field",
            Some(Position::Pointer(pointer(base, key))),
            format!(
                "`{key}` must be a string, found {}",
                crate::document::json_type(other)
            ),
        )),
    }
}

fn tidy(f: &mut crate::SecurityFinding) {
    let mut cwes: Vec<String> = f.cwes.iter().filter_map(|c| severity::cwe(c)).collect();
    cwes.sort();
    cwes.dedup();
    f.cwes = cwes;
    let rule = f.rule.as_str();
    f.aliases.retain(|a| !a.trim().is_empty() && a != rule);
    f.aliases.sort();
    f.aliases.dedup();
}
