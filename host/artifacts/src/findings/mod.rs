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

use crate::{Document, FindingsReport, Format, ParseContext, ParseError};

/// Recognises a findings format from content.
pub fn sniff(doc: &Document<'_>) -> Option<Format> {
    let v = doc.as_json()?;
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

/// Parses a findings artifact of a known format.
pub fn parse(
    format: Format,
    doc: &Document<'_>,
    cx: &mut ParseContext<'_>,
) -> Result<FindingsReport, ParseError> {
    let Some(v) = doc.as_json() else {
        return Err(cx.error("invalid-json", None, format!("{format} reports are JSON")));
    };
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
    let mut findings = findings;
    for f in &mut findings {
        tidy(f);
    }
    fingerprint::disambiguate(&mut findings);
    Ok(FindingsReport { findings })
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
