//! A small RFC 4180 reader for the CSV reports of hyperfine and Locust:
//! comma-separated, `"`-quoted fields with `""` for a quote, quoted fields
//! may span lines, rows end with LF or CRLF. Rows are read one at a time
//! into a reused buffer and fields borrow the text, so memory does not grow
//! with the number of rows.
//!
//! Fail closed: the tools end every row with a newline, so a last row
//! without one, or a quote still open at the end, is `truncated-csv`; a
//! row whose field count differs from the header's is `invalid-csv` (or
//! `truncated-csv` when it is the last row), at its line.

use crate::error::ParseCode;
use crate::{ParseContext, ParseError, Position};
use std::borrow::Cow;

/// Whether the first line of `text` is a header starting with `header`
/// (a whole column name at its end).
pub(crate) fn header_starts(text: &str, header: &str) -> bool {
    let first = text.split('\n').next().unwrap_or("").trim_end_matches('\r');
    first
        .strip_prefix(header)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(','))
}

/// One row: its first line and its fields with their columns (1-based).
#[derive(Default)]
pub(crate) struct Row<'a> {
    pub line: u32,
    fields: Vec<(Cow<'a, str>, u32)>,
}

impl<'a> Row<'a> {
    /// Field `i` (empty when the row has no such field).
    pub fn get(&self, i: usize) -> &str {
        self.fields.get(i).map(|(f, _)| f.as_ref()).unwrap_or("")
    }

    /// The place of field `i`.
    pub fn place(&self, i: usize) -> Position {
        Position::LineCol {
            line: self.line,
            column: self.fields.get(i).map(|(_, c)| *c).unwrap_or(1),
        }
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// The fields as text.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|(f, _)| f.as_ref())
    }
}

/// A reader over the rows of `text`.
pub(crate) struct Reader<'a> {
    text: &'a str,
    pos: usize,
    line: u32,
    /// The header's field count, once read.
    width: Option<usize>,
    /// Rows read, and the most allowed (each makes a measurement).
    rows: usize,
    limit: usize,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Self {
        Reader {
            text,
            pos: 0,
            line: 1,
            width: None,
            rows: 0,
            limit: super::budget(text.len()).saturating_add(1),
        }
    }

    /// Reads the next row into `row`; `false` at the end. The first row is
    /// the header, whose width every later row must have.
    pub fn next(&mut self, cx: &ParseContext<'_>, row: &mut Row<'a>) -> Result<bool, ParseError> {
        loop {
            if self.pos >= self.text.len() {
                return Ok(false);
            }
            self.read_row(cx, row)?;
            // Blank lines (a trailing one) are not rows.
            if row.len() == 1 && row.get(0).is_empty() {
                continue;
            }
            let ended = self.text.as_bytes().get(self.pos.saturating_sub(1)) == Some(&b'\n');
            if !ended {
                return Err(cx.error(
                    ParseCode::TruncatedCsv,
                    Some(Position::Line(row.line)),
                    "the last row does not end with a newline: the file was cut short",
                ));
            }
            self.rows = self.rows.saturating_add(1);
            if self.rows > self.limit {
                return Err(super::too_many(
                    cx,
                    Some(Position::Line(row.line)),
                    self.limit.saturating_sub(1),
                ));
            }
            match self.width {
                None => self.width = Some(row.len()),
                Some(w) if w != row.len() => {
                    let last = self.pos >= self.text.len();
                    return Err(cx.error(
                        if last {
                            ParseCode::TruncatedCsv
                        } else {
                            ParseCode::InvalidCsv
                        },
                        Some(Position::Line(row.line)),
                        format!("row has {} fields, the header has {w}", row.len()),
                    ));
                }
                Some(_) => {}
            }
            return Ok(true);
        }
    }

    fn read_row(&mut self, cx: &ParseContext<'_>, row: &mut Row<'a>) -> Result<(), ParseError> {
        let bytes = self.text.as_bytes();
        row.fields.clear();
        row.line = self.line;
        // Where the current line starts, for columns.
        let mut line_start = self
            .text
            .get(..self.pos)
            .map_or(0, |b| b.rfind('\n').map_or(0, |i| i.saturating_add(1)));
        loop {
            let start = self.pos;
            let column = u32::try_from(start.saturating_sub(line_start).saturating_add(1))
                .unwrap_or(u32::MAX);
            let place = |line| Position::LineCol { line, column };
            let field: Cow<'a, str>;
            if bytes.get(start) == Some(&b'"') {
                let mut i = start.saturating_add(1);
                let mut escaped = false;
                loop {
                    match bytes.get(i) {
                        None => {
                            return Err(cx.error(
                                ParseCode::TruncatedCsv,
                                Some(place(row.line)),
                                "a quoted field is still open at the end of the file",
                            ));
                        }
                        Some(b'"') if bytes.get(i.saturating_add(1)) == Some(&b'"') => {
                            escaped = true;
                            i = i.saturating_add(2);
                        }
                        Some(b'"') => break,
                        Some(b'\n') => {
                            self.line = self.line.saturating_add(1);
                            line_start = i.saturating_add(1);
                            i = i.saturating_add(1);
                        }
                        Some(_) => i = i.saturating_add(1),
                    }
                }
                let inner = self.text.get(start.saturating_add(1)..i).unwrap_or("");
                field = if escaped {
                    Cow::Owned(inner.replace("\"\"", "\""))
                } else {
                    Cow::Borrowed(inner)
                };
                self.pos = i.saturating_add(1);
                match bytes.get(self.pos) {
                    None | Some(b',' | b'\n') => {}
                    Some(b'\r') if bytes.get(self.pos.saturating_add(1)) == Some(&b'\n') => {
                        self.pos = self.pos.saturating_add(1);
                    }
                    Some(_) => {
                        return Err(cx.error(
                            ParseCode::InvalidCsv,
                            Some(place(self.line)),
                            "text after the closing quote of a field",
                        ));
                    }
                }
            } else {
                let end = bytes
                    .get(start..)
                    .and_then(|rest| rest.iter().position(|b| matches!(b, b',' | b'\n')))
                    .map_or(bytes.len(), |i| start.saturating_add(i));
                let mut text = self.text.get(start..end).unwrap_or("");
                if bytes.get(end) == Some(&b'\n') {
                    text = text.strip_suffix('\r').unwrap_or(text);
                }
                field = Cow::Borrowed(text);
                self.pos = end;
            }
            row.fields.push((field, column));
            match bytes.get(self.pos) {
                Some(b',') => self.pos = self.pos.saturating_add(1),
                Some(b'\n') => {
                    self.pos = self.pos.saturating_add(1);
                    self.line = self.line.saturating_add(1);
                    return Ok(());
                }
                _ => return Ok(()),
            }
        }
    }
}

/// The header's columns, looked up by name.
pub(crate) struct Header {
    names: Vec<String>,
}

impl Header {
    /// Reads the header row.
    pub fn read<'a>(
        cx: &ParseContext<'_>,
        reader: &mut Reader<'a>,
        row: &mut Row<'a>,
    ) -> Result<Header, ParseError> {
        if !reader.next(cx, row)? {
            return Err(cx.error(ParseCode::EmptyFile, None, "file is empty"));
        }
        Ok(Header {
            names: row.fields().map(str::to_string).collect(),
        })
    }

    /// The index of column `name`, or `missing-field` at the header.
    pub fn column(&self, cx: &ParseContext<'_>, name: &str) -> Result<usize, ParseError> {
        self.find(name).ok_or_else(|| {
            cx.error(
                ParseCode::MissingField,
                Some(Position::Line(1)),
                format!("the header has no `{name}` column"),
            )
        })
    }

    pub fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Column names with their index.
    pub fn names(&self) -> impl Iterator<Item = (usize, &str)> {
        self.names.iter().map(String::as_str).enumerate()
    }
}

/// Field `i` of `row` as a number: finite and not negative (empty and
/// `N/A` read as absent when `absent_ok`).
pub(crate) fn number(
    cx: &ParseContext<'_>,
    row: &Row<'_>,
    i: usize,
    what: &str,
) -> Result<Option<f64>, ParseError> {
    let raw = row.get(i).trim();
    if raw.is_empty() || raw == "N/A" {
        return Ok(None);
    }
    let v: f64 = raw.parse().map_err(|_| {
        cx.error(
            ParseCode::InvalidMeasurement,
            Some(row.place(i)),
            format!("{what} `{raw}` is not a number"),
        )
    })?;
    super::non_negative(cx, v, what, || row.place(i)).map(Some)
}

/// Field `i` of `row` as a count (a non-negative integer).
pub(crate) fn count(
    cx: &ParseContext<'_>,
    row: &Row<'_>,
    i: usize,
    what: &str,
) -> Result<u64, ParseError> {
    let raw = row.get(i).trim();
    raw.parse().map_err(|_| {
        cx.error(
            ParseCode::InvalidMeasurement,
            Some(row.place(i)),
            format!("{what} `{raw}` is not a whole number"),
        )
    })
}
