//! findings formats. One file per format; this module detects and dispatches.

use crate::{Document, FindingsReport, Format, ParseContext, ParseError};

/// Recognises a findings format from content.
pub fn sniff(_doc: &Document<'_>) -> Option<Format> {
    None
}

/// Parses a findings artifact of a known format.
pub fn parse(
    format: Format,
    _doc: &Document<'_>,
    cx: &mut ParseContext<'_>,
) -> Result<FindingsReport, ParseError> {
    Err(cx.error(
        "unsupported-format",
        None,
        format!("{format} is not supported yet"),
    ))
}
