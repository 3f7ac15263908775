//! Security findings formats. One file per format; this module detects and
//! dispatches. Severity labels are mapped in one place (`severity.rs`) and
//! each finding records where its severity came from. After a parser ran,
//! every finding gets the same clean-up here: CWEs as `CWE-n` (sorted,
//! unique), aliases sorted and unique without the finding's own id, and
//! fingerprints unique within the report (`fingerprint.rs`).
//!
//! Parsers read the document's text once into typed structures that borrow
//! from it (`json.rs`), as leniently as each format is written; large
//! arrays (SARIF results, grype matches, ...) are streamed, each element
//! turned into a finding and dropped, so memory follows the findings, not
//! a tree of the document. CVSS scores out of range (`invalid-cvss-score`)
//! are counted where each parser reads its score fields.

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

use crate::error::{ParseCode, WarningCode};
use crate::json::Leaf;
use crate::{Document, FindingsReport, Format, ParseContext, ParseError, Position};

/// A package as the audit reports name one: `{name, version, ecosystem}`
/// (cargo-audit's `package`, npm's `fixAvailable`, osv's `package`; each
/// reads the fields it has).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct PackageRef<'a> {
    #[serde(borrow)]
    pub name: Leaf<'a>,
    #[serde(borrow)]
    pub version: Leaf<'a>,
    #[serde(borrow)]
    pub ecosystem: Leaf<'a>,
}

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
        return Err(cx.error(
            ParseCode::InvalidJson,
            None,
            format!("{format} reports are JSON"),
        ));
    };
    // Each parser reads the text into its own typed structures (never a
    // whole-document tree), checking the CVSS scores it meets.
    let text = json.text();
    let mut scores = cvss::Scores::default();
    let findings = match format {
        Format::Sarif => sarif::parse(text, cx)?,
        Format::Grype => grype::parse(text, cx, &mut scores)?,
        Format::NpmAudit => npm_audit::parse(text, cx, &mut scores)?,
        Format::OsvScanner => osv::parse(text, cx, &mut scores)?,
        Format::Trivy => trivy::parse(text, cx, &mut scores)?,
        Format::CargoAudit => cargo_audit::parse(text, cx)?,
        Format::PipAudit => pip_audit::parse(text, cx)?,
        Format::Gitleaks => gitleaks::parse(text, cx)?,
        other => {
            return Err(cx.error(
                ParseCode::UnsupportedFormat,
                None,
                format!("{other} is not supported yet"),
            ));
        }
    };
    // `invalid-cvss-score`: scores out of 0–10, which the parsers ignore
    // and fall back to the label; SARIF has its own warning.
    scores.report(cx);
    let mut findings = findings;
    let mut truncated = 0usize;
    for (i, f) in findings.iter_mut().enumerate() {
        // Every parser checks its ids where it reads them (with the
        // pointer); this is the net that keeps the promise for all of them.
        if let Some(why) = id_problem(&f.rule) {
            return Err(cx.error(
                ParseCode::InvalidField,
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
            WarningCode::TextTruncated,
            format!(
                "{} (titles, messages or versions) longer than a policy may report were cut",
                gate_codes::wording::count(truncated, "finding text", "finding texts")
            ),
        );
    }
    fingerprint::disambiguate(&mut findings);
    Ok(FindingsReport { findings })
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
    // Most ids start with a printable ASCII character: not blank.
    let blank = match id.as_bytes().first() {
        Some(&b) if (0x21..0x7f).contains(&b) => false,
        _ => id.trim().is_empty(),
    };
    if blank {
        Some("is empty".into())
    } else if id.len() > MAX_ID_BYTES {
        Some(format!(
            "is {} bytes long, more than {MAX_ID_BYTES}",
            id.len()
        ))
    } else if id.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        // Printable ASCII (nearly every id): no control character.
        None
    } else {
        id.chars()
            .find(|c| c.is_control())
            .map(|c| format!("contains control character u+{:04x}", u32::from(c)))
    }
}

/// `base` + `/key`, escaped per RFC 6901.
/// A JSON pointer one key below `base` (the approvals parsers' helper).
pub(crate) use crate::approvals::join as pointer;

/// Checks an identifier read from `ptr` (see [`id_problem`]). Pointers
/// are built only for an error (a report has one per finding).
pub(crate) fn check_id<'s>(
    cx: &ParseContext<'_>,
    id: &'s str,
    ptr: impl FnOnce() -> String,
) -> Result<&'s str, ParseError> {
    match id_problem(id) {
        None => Ok(id),
        Some(why) => Err(cx.error(
            ParseCode::InvalidField,
            Some(Position::Pointer(ptr())),
            format!("identifier {why}"),
        )),
    }
}

/// A required identifier: the field `key` (read as `v`) must be a string
/// that passes [`check_id`]. `base` gives the JSON pointer of its object.
pub(crate) fn required_id<'v>(
    cx: &ParseContext<'_>,
    v: &'v Leaf<'_>,
    key: &str,
    base: impl FnOnce() -> String,
) -> Result<&'v str, ParseError> {
    let ptr = || pointer(&base(), key);
    match v {
        Leaf::Str(s) => check_id(cx, s, ptr),
        Leaf::Null => Err(cx.error(
            ParseCode::MissingField,
            Some(Position::Pointer(ptr())),
            format!("missing required field `{key}`"),
        )),
        other => Err(cx.error(
            ParseCode::InvalidField,
            Some(Position::Pointer(ptr())),
            format!("`{key}` must be a string, found {}", other.type_name()),
        )),
    }
}

/// A required name (a package's): a string without control characters;
/// unlike an id it may be empty (osv-scanner writes `""` for some sources).
pub(crate) fn required_name<'v>(
    cx: &ParseContext<'_>,
    v: &'v Leaf<'_>,
    key: &str,
    base: impl FnOnce() -> String,
) -> Result<&'v str, ParseError> {
    if v.as_str().is_some_and(str::is_empty) {
        return Ok("");
    }
    required_id(cx, v, key, base)
}

/// An optional string: absent or null is `None`, another type is an error.
pub(crate) fn optional_str<'v>(
    cx: &ParseContext<'_>,
    v: &'v Leaf<'_>,
    key: &str,
    base: impl FnOnce() -> String,
) -> Result<Option<&'v str>, ParseError> {
    match v {
        Leaf::Null => Ok(None),
        Leaf::Str(s) => Ok(Some(s)),
        other => Err(cx.error(
            ParseCode::InvalidField,
            Some(Position::Pointer(pointer(&base(), key))),
            format!("`{key}` must be a string, found {}", other.type_name()),
        )),
    }
}

fn tidy(f: &mut crate::SecurityFinding) {
    if !f.cwes.iter().all(|c| severity::is_canonical_cwe(c)) {
        f.cwes = f.cwes.iter().filter_map(|c| severity::cwe(c)).collect();
    }
    // `cwe` of a canonical id is itself: nothing to map.
    f.cwes.sort();
    f.cwes.dedup();
    let rule = f.rule.as_str();
    f.aliases.retain(|a| !a.trim().is_empty() && a != rule);
    f.aliases.sort();
    f.aliases.dedup();
}
