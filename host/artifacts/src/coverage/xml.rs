//! Shared XML plumbing for the XML coverage formats (Cobertura, JaCoCo,
//! Clover): a strict event reader, attributes as text, errors with
//! line:column. External DTDs are never fetched (quick-xml does not resolve
//! entities).
//!
//! quick-xml is lenient: it stops quietly at the end of input with elements
//! still open, keeps going past malformed attributes and leaves entity
//! references to the caller. A coverage report read that way can lose its
//! tail and still pass a gate, so [`Reader`] enforces well-formedness
//! itself: legal characters only, one root element with nothing but
//! comments and processing instructions after it, every element closed with
//! its own name, attributes unique and well-quoted, and only the predefined
//! entities and character references to legal characters.

use crate::document::line_col;
use crate::error::ParseCode;
use crate::{ParseContext, ParseError};
use quick_xml::events::attributes::AttrError;
use quick_xml::events::{BytesStart, Event};

/// The root element's name, skipping the prolog, comments and DOCTYPE.
pub fn root_name(text: &str) -> Option<String> {
    let mut r = quick_xml::Reader::from_str(text);
    loop {
        match r.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return Some(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// The first character XML 1.0 forbids, with its offset. In UTF-8 text
/// those are the C0 controls but tab, LF and CR (single bytes) and U+FFFE,
/// U+FFFF (both start with 0xEF): a byte scan finds the candidates.
fn illegal_char(text: &str) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(i) = bytes
        .get(from..)?
        .iter()
        .position(|b| (*b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || *b == 0xEF)
    {
        let at = from.saturating_add(i);
        let c = text.get(at..)?.chars().next()?;
        if !legal_char(c) {
            return Some((at, c));
        }
        from = at.saturating_add(1);
    }
    None
}

/// Whether `c` may appear in an XML 1.0 document (production `Char`).
fn legal_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// A well-formedness-checking reader over one XML document.
pub struct Reader<'t> {
    inner: quick_xml::Reader<&'t [u8]>,
    text: &'t str,
    /// Open elements: the offset of their start tag and their name's length
    /// (the name is read back from the text only for an error).
    open: Vec<(u64, usize)>,
    seen_root: bool,
    /// Offset where the last event returned by [`Reader::next`] starts.
    start: u64,
}

impl<'t> Reader<'t> {
    /// Refuses characters XML forbids (NUL, other C0 controls, U+FFFE/FFFF)
    /// before reading anything.
    pub fn new(cx: &ParseContext<'_>, text: &'t str) -> Result<Self, ParseError> {
        if let Some((at, c)) = illegal_char(text) {
            return Err(invalid(
                cx,
                ParseCode::InvalidXml,
                text,
                at as u64,
                format!(
                    "not well-formed xml: character u+{:04x} is not allowed in xml",
                    u32::from(c)
                ),
            ));
        }
        Ok(Self {
            inner: quick_xml::Reader::from_str(text),
            text,
            open: Vec::new(),
            seen_root: false,
            start: 0,
        })
    }

    /// Offset where the last event returned started.
    pub fn event_start(&self) -> u64 {
        self.start
    }

    /// Offset just after the last event returned.
    pub fn position(&self) -> u64 {
        self.inner.buffer_position()
    }

    fn ill(&self, cx: &ParseContext<'_>, at: u64, msg: impl std::fmt::Display) -> ParseError {
        invalid(
            cx,
            ParseCode::InvalidXml,
            self.text,
            at,
            format!("not well-formed xml: {msg}"),
        )
    }

    /// The next event; [`Event::Eof`] only after a complete document.
    /// Entity references (`Event::GeneralRef`) are checked and passed on.
    pub fn next(&mut self, cx: &ParseContext<'_>) -> Result<Event<'t>, ParseError> {
        self.start = self.inner.buffer_position();
        let ev = self
            .inner
            .read_event()
            .map_err(|e| error(cx, self.text, self.inner.error_position(), e))?;
        let at = self.start;
        let outside = self.open.is_empty();
        match &ev {
            Event::Start(e) | Event::Empty(e) => {
                if outside && self.seen_root {
                    return Err(self.ill(cx, at, "content after the root element"));
                }
                self.seen_root = true;
                self.check_attributes(cx, e)?;
                if matches!(ev, Event::Start(_)) {
                    self.open.push((at, e.name().as_ref().len()));
                }
            }
            Event::End(_) => {
                // quick-xml already refuses a mismatched or unmatched end tag.
                self.open.pop();
            }
            Event::Text(t) if outside && !t.iter().all(u8::is_ascii_whitespace) => {
                let what = if self.seen_root {
                    "text after the root element"
                } else {
                    "text before the root element"
                };
                return Err(self.ill(cx, at, what));
            }
            Event::CData(_) | Event::GeneralRef(_) if outside => {
                return Err(self.ill(cx, at, "content outside the root element"));
            }
            Event::GeneralRef(r) => {
                let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                let ok = match r.resolve_char_ref() {
                    Ok(Some(c)) => legal_char(c),
                    Ok(None) => quick_xml::escape::resolve_xml_entity(&name).is_some(),
                    Err(_) => false,
                };
                if !ok {
                    return Err(self.ill(
                        cx,
                        at,
                        format!("undefined or illegal entity `&{name};`"),
                    ));
                }
            }
            Event::DocType(_) if self.seen_root => {
                return Err(self.ill(cx, at, "doctype after the root element"));
            }
            Event::Eof => {
                if let Some(&(opened, len)) = self.open.last() {
                    let from = to_usize(opened).saturating_add(1);
                    let name = self
                        .text
                        .get(from..from.saturating_add(len))
                        .unwrap_or_default();
                    let (line_col, n) = (line_col(self.text, to_usize(opened)), self.open.len());
                    return Err(invalid(
                        cx,
                        ParseCode::TruncatedXml,
                        self.text,
                        self.text.len() as u64,
                        format!(
                            "xml ends with {n} element{} still open (the innermost is `<{name}>` from {line_col})",
                            if n == 1 { "" } else { "s" }
                        ),
                    ));
                }
                if !self.seen_root {
                    return Err(self.ill(cx, at, "no root element"));
                }
            }
            _ => {}
        }
        Ok(ev)
    }

    /// Every attribute well-formed, unique and with a legal value.
    fn check_attributes(
        &self,
        cx: &ParseContext<'_>,
        e: &BytesStart<'_>,
    ) -> Result<(), ParseError> {
        for a in e.attributes().with_checks(true) {
            let a = a.map_err(|err| match err {
                // Offsets in attribute errors count from just after `<`.
                AttrError::Duplicated(at, _) => self.ill(
                    cx,
                    self.start.saturating_add(1).saturating_add(at as u64),
                    "duplicate attribute",
                ),
                other => self.ill(cx, self.start, other.to_string().to_lowercase()),
            })?;
            // Without `&` there is nothing to resolve, and the raw text was
            // checked for illegal characters already.
            if !a.value.contains(&b'&') {
                continue;
            }
            let v = a.unescape_value().map_err(|err| {
                self.ill(
                    cx,
                    self.start,
                    format!(
                        "attribute `{}`: {}",
                        String::from_utf8_lossy(a.key.as_ref()),
                        err.to_string().to_lowercase()
                    ),
                )
            })?;
            if let Some(c) = v.chars().find(|c| !legal_char(*c)) {
                return Err(self.ill(
                    cx,
                    self.start,
                    format!(
                        "attribute `{}` refers to character u+{:04x}, which is not allowed in xml",
                        String::from_utf8_lossy(a.key.as_ref()),
                        u32::from(c)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The text an entity reference stands for (the [`Reader`] has already
/// refused undefined ones).
pub fn resolve_ref(r: &quick_xml::events::BytesRef<'_>) -> String {
    match r.resolve_char_ref() {
        Ok(Some(c)) => c.to_string(),
        _ => quick_xml::escape::resolve_xml_entity(&String::from_utf8_lossy(r.as_ref()))
            .unwrap_or_default()
            .to_string(),
    }
}

fn to_usize(o: u64) -> usize {
    usize::try_from(o).unwrap_or(usize::MAX)
}

/// An attribute's unescaped value (the [`Reader`] has already refused
/// malformed, duplicate and badly escaped attributes).
pub fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    // Checked once by the reader: no need to track keys on every lookup.
    e.attributes()
        .with_checks(false)
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
        ParseCode::InvalidXml,
        Some(line_col(text, to_usize(offset))),
        format!("not well-formed xml: {e}").to_lowercase(),
    )
}

/// An error about content at `offset`.
pub fn invalid(
    cx: &ParseContext<'_>,
    code: ParseCode,
    text: &str,
    offset: u64,
    msg: String,
) -> ParseError {
    cx.error(code, Some(line_col(text, to_usize(offset))), msg)
}
