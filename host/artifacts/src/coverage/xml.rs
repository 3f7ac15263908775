//! Shared XML plumbing for the XML coverage formats (Cobertura, JaCoCo,
//! Clover): streaming events, attributes as text, errors with line:column.
//! External DTDs are never fetched (quick-xml does not resolve entities).

use crate::document::line_col;
use crate::{ParseContext, ParseError};
use quick_xml::events::BytesStart;

/// The root element's name, skipping the prolog, comments and DOCTYPE.
pub fn root_name(text: &str) -> Option<String> {
    let mut r = quick_xml::Reader::from_str(text);
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                return Some(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
            }
            Ok(quick_xml::events::Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// An attribute's unescaped value.
pub fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name.as_bytes())
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

pub fn attr_num<T: std::str::FromStr>(e: &BytesStart<'_>, name: &str) -> Option<T> {
    attr(e, name).and_then(|v| v.trim().parse().ok())
}

/// A quick-xml error at `offset` as a parse error with line and column.
pub fn error(
    cx: &ParseContext<'_>,
    text: &str,
    offset: u64,
    e: impl std::fmt::Display,
) -> ParseError {
    cx.error(
        "invalid-xml",
        Some(line_col(
            text,
            usize::try_from(offset).unwrap_or(usize::MAX),
        )),
        format!("not well-formed xml: {e}").to_lowercase(),
    )
}

/// An error about content at `offset`.
pub fn invalid(
    cx: &ParseContext<'_>,
    code: &'static str,
    text: &str,
    offset: u64,
    msg: String,
) -> ParseError {
    cx.error(
        code,
        Some(line_col(
            text,
            usize::try_from(offset).unwrap_or(usize::MAX),
        )),
        msg,
    )
}
