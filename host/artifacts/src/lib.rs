//! Reading CI artifacts into typed, normalized models.
//!
//! One module per family (`coverage`, `findings`, `iac`, `approvals`,
//! `test_results`, `performance`, `metrics`), one
//! file per format inside it. The facade is [`parse`]: bytes in, a
//! [`Parsed`] model out, or a [`ParseError`] that names the file and the
//! place. Formats are detected from content, never from file names; a forced
//! format skips detection but the document must still carry that format's
//! own markers ([`Format::markers`]). Nothing half-parsed is ever returned.
//! Every JSON format is read with the one shared toolkit of `json` (lenient,
//! typed, borrowing, streaming), never as a whole-document `Value`.
//!
//! Numbers in an artifact are the author's, not ours: arithmetic on them is
//! checked or saturating (a lint enforces it), and no loop or allocation is
//! sized by them rather than by the input's length.

// Counts from artifacts are attacker-sized: no silent wrap, no overflow panic.
#![deny(clippy::arithmetic_side_effects)]

pub mod approvals;
/// Input documents for Rego policies, shaped as conftest shapes them.
pub mod conftest;
pub mod coverage;
pub mod diff;
pub mod document;
pub mod error;
pub mod findings;
pub mod format;
pub mod iac;
pub(crate) mod json;
pub mod metrics;
pub mod model;
pub mod paths;
pub mod performance;
pub mod test_results;

pub use document::Document;
pub use error::{ParseCode, ParseError, Position, WarningCode};
pub use format::Format;
/// Line and column of a byte offset: the one implementation, which the
/// host's config errors use too.
pub use json::line_col;
pub use model::*;

use std::path::PathBuf;

/// Options that apply to every parser.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// Repository root: absolute paths under it become repo-relative.
    pub root: Option<PathBuf>,
    /// Go module path (from `go.mod`) stripped from Go coverprofile paths.
    pub go_module: Option<String>,
}

/// State shared with a parser while it reads one artifact.
#[derive(Debug)]
pub struct ParseContext<'a> {
    /// The artifact's path as given (used in errors and warnings).
    pub name: &'a str,
    pub options: &'a ParseOptions,
    pub warnings: Vec<Warning>,
    /// Unmapped paths already warned about (one warning per path).
    unmapped: std::collections::BTreeSet<String>,
}

impl<'a> ParseContext<'a> {
    pub fn new(name: &'a str, options: &'a ParseOptions) -> Self {
        Self {
            name,
            options,
            warnings: Vec::new(),
            unmapped: Default::default(),
        }
    }

    /// An error about this artifact.
    pub fn error(
        &self,
        code: ParseCode,
        position: Option<Position>,
        message: impl Into<String>,
    ) -> ParseError {
        ParseError::new(self.name, code, position, message)
    }

    /// What [`ParseContext::rewind`] returns to: the warnings so far.
    pub(crate) fn mark(&self) -> Mark {
        Mark {
            warnings: self.warnings.len(),
            unmapped: self.unmapped.clone(),
        }
    }

    /// Forgets the warnings given since `mark` (for a reader that reads a
    /// document again another way).
    pub(crate) fn rewind(&mut self, mark: Mark) {
        self.warnings.truncate(mark.warnings);
        self.unmapped = mark.unmapped;
    }

    pub fn warn(&mut self, code: WarningCode, message: impl Into<String>) {
        self.warnings.push(Warning::new(code, message));
    }

    /// Normalizes a path found in the artifact (see [`paths::normalize`]);
    /// records an `unmapped-path` warning when it stays absolute.
    pub fn path(&mut self, raw: &str) -> String {
        let (p, mapped) = paths::normalize(raw, self.options.root.as_deref());
        if !mapped && self.unmapped.insert(p.clone()) {
            self.warn(
                WarningCode::UnmappedPath,
                format!("path `{raw}` is outside the repository root and was kept as is"),
            );
        }
        p
    }
}

/// A point in a [`ParseContext`]'s warnings (see [`ParseContext::mark`]).
pub(crate) struct Mark {
    warnings: usize,
    unmapped: std::collections::BTreeSet<String>,
}

/// A parsed model of one family.
// One per artifact, moved not copied: boxing the larger variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Model {
    Coverage(CoverageReport),
    Findings(FindingsReport),
    Iac(IacReport),
    Approvals(ApprovalSet),
    Tests(TestReport),
    Performance(PerformanceReport),
    Metrics(MetricsReport),
}

/// The result of parsing one artifact.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub format: Format,
    pub model: Model,
    pub warnings: Vec<Warning>,
}

impl Parsed {
    pub fn kind(&self) -> ArtifactKind {
        self.format.kind()
    }
}

/// Detects the format of `bytes` from their content.
pub fn detect(doc: &Document<'_>) -> Option<Format> {
    coverage::sniff(doc)
        .or_else(|| findings::sniff(doc))
        .or_else(|| iac::sniff(doc))
        .or_else(|| approvals::sniff(doc))
        .or_else(|| test_results::sniff(doc))
        .or_else(|| performance::sniff(doc))
        .or_else(|| metrics::sniff(doc))
}

/// Whether `doc` carries the markers of `format`, as its sniffer tests them.
/// A format's empty report is accepted too ([`Format::is_empty_report`]).
pub fn conforms(format: Format, doc: &Document<'_>) -> bool {
    if doc.shape().is_some_and(|v| format.is_empty_report(v)) {
        return true;
    }
    match format.kind() {
        ArtifactKind::Coverage => coverage::conforms(format, doc),
        ArtifactKind::Findings => findings::conforms(format, doc),
        ArtifactKind::Iac => iac::conforms(format, doc),
        ArtifactKind::Approvals => approvals::conforms(format, doc),
        ArtifactKind::Tests => test_results::conforms(format, doc),
        ArtifactKind::Performance => performance::conforms(format, doc),
        ArtifactKind::Metrics => metrics::conforms(format, doc),
        ArtifactKind::Raw => false,
    }
}

/// The error for a document forced as `format` that is not one; the place
/// is the whole document (its root, or its first line).
fn not_this_format(name: &str, format: Format, json: bool, why: &str) -> ParseError {
    let noun = match format.kind() {
        ArtifactKind::Coverage | ArtifactKind::Findings | ArtifactKind::Tests => "report",
        _ => "document",
    };
    let place = if json {
        Position::Pointer(String::new())
    } else {
        Position::LineCol { line: 1, column: 1 }
    };
    ParseError::new(
        name,
        ParseCode::FormatMismatch,
        Some(place),
        format!(
            "this is not {} {noun}: {why}",
            gate_codes::wording::a(&format.to_string())
        ),
    )
}

/// Parses one artifact. `name` is how errors refer to it; `format` forces a
/// format instead of detecting it, and the document must still carry that
/// format's markers (`format-mismatch` otherwise).
pub fn parse(
    name: &str,
    bytes: &[u8],
    format: Option<Format>,
    options: &ParseOptions,
) -> Result<Parsed, ParseError> {
    let text = document::decode(name, bytes)?;
    if let Some(f) = format
        && f.is_json()
        && !text.trim_start().starts_with(['{', '['])
        && !text.trim().is_empty()
        && serde_json::from_str::<serde::de::IgnoredAny>(&text).is_err()
    {
        return Err(not_this_format(name, f, false, "it is not json"));
    }
    // A stream of JSON lines is no JSON document: recognised before loading
    // (and never read as one when a JSON format is forced on it).
    if let Some(f) = format
        && f.is_json()
        && test_results::is_json_lines(&text)
    {
        return Err(not_this_format(name, f, false, f.markers()));
    }
    let lines = format
        .is_none()
        .then(|| test_results::json_lines(&text))
        .flatten();
    let doc = Document::load(name, &text, format.or(lines))?;
    let format = match format.or(lines) {
        Some(f) if conforms(f, &doc) => f,
        Some(f) => {
            let json = doc.as_json().is_some();
            return Err(not_this_format(name, f, json, f.markers()));
        }
        None => detect(&doc).ok_or_else(|| {
            ParseError::new(
                name,
                ParseCode::UnknownFormat,
                None,
                "could not recognise the artifact's format from its content; pass --format",
            )
        })?,
    };
    let mut cx = ParseContext::new(name, options);
    let model = match format.kind() {
        ArtifactKind::Coverage => {
            let mut report = coverage::parse(format, &doc, &mut cx)?;
            report.normalize();
            Model::Coverage(report)
        }
        ArtifactKind::Findings => Model::Findings(findings::parse(format, &doc, &mut cx)?),
        ArtifactKind::Iac => Model::Iac(iac::parse(format, &doc, &mut cx)?),
        ArtifactKind::Approvals => Model::Approvals(approvals::parse(format, &doc, &mut cx)?),
        ArtifactKind::Tests => Model::Tests(test_results::parse(format, &doc, &mut cx)?),
        ArtifactKind::Performance => Model::Performance(performance::parse(format, &doc, &mut cx)?),
        ArtifactKind::Metrics => Model::Metrics(metrics::parse(format, &doc, &mut cx)?),
        ArtifactKind::Raw => {
            return Err(cx.error(
                ParseCode::UnknownFormat,
                None,
                "raw artifacts are not parsed",
            ));
        }
    };
    Ok(Parsed {
        format,
        model,
        warnings: cx.warnings,
    })
}
