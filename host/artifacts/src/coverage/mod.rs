//! coverage formats. One file per format; this module detects and dispatches.

use crate::{Document, Format, ParseContext, ParseError, CoverageReport};

/// Recognises a coverage format from content.
pub fn sniff(_doc: &Document<'_>) -> Option<Format> {
    None
}

/// Parses a coverage artifact of a known format.
pub fn parse(format: Format, _doc: &Document<'_>, cx: &mut ParseContext<'_>) -> Result<CoverageReport, ParseError> {
    Err(cx.error("unsupported-format", None, format!("{format} is not supported yet")))
}
