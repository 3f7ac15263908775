//! approvals formats. One file per format; this module detects and dispatches.

use crate::{ApprovalSet, Document, Format, ParseContext, ParseError};

/// Recognises a approvals format from content.
pub fn sniff(_doc: &Document<'_>) -> Option<Format> {
    None
}

/// Parses a approvals artifact of a known format.
pub fn parse(
    format: Format,
    _doc: &Document<'_>,
    cx: &mut ParseContext<'_>,
) -> Result<ApprovalSet, ParseError> {
    Err(cx.error(
        "unsupported-format",
        None,
        format!("{format} is not supported yet"),
    ))
}
