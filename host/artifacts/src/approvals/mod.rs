//! Approvals formats. One file per format; this module detects and
//! dispatches. The sources' own counters (approvals left, approved flags)
//! are never trusted: policies count the reviews.

pub mod github;
pub mod gitlab;
pub mod neutral;

use crate::{ApprovalSet, Document, Format, ParseContext, ParseError};

/// Recognises an approvals format from content.
pub fn sniff(doc: &Document<'_>) -> Option<Format> {
    let v = doc.as_json()?;
    if github::sniff_reviews(v) {
        Some(Format::GithubReviews)
    } else if github::sniff_event(v) {
        Some(Format::GithubEvent)
    } else if neutral::sniff(v) {
        Some(Format::GateApprovals)
    } else if gitlab::sniff(v) {
        Some(Format::GitlabApprovals)
    } else {
        None
    }
}

/// Parses an approvals artifact of a known format.
pub fn parse(
    format: Format,
    doc: &Document<'_>,
    cx: &mut ParseContext<'_>,
) -> Result<ApprovalSet, ParseError> {
    let Some(v) = doc.as_json() else {
        return Err(cx.error("invalid-json", None, format!("{format} documents are JSON")));
    };
    match format {
        Format::GithubReviews => github::parse_reviews(v, cx),
        Format::GithubEvent => github::parse_event(v, cx),
        Format::GitlabApprovals => gitlab::parse(v, cx),
        Format::GateApprovals => neutral::parse(v, cx),
        other => Err(cx.error(
            "unsupported-format",
            None,
            format!("{other} is not supported yet"),
        )),
    }
}
