//! The one error type of the parsers: which file, where in it, what is wrong.

use std::fmt;

/// Where in an artifact a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// 1-based line and column.
    LineCol { line: u32, column: u32 },
    /// 1-based line only.
    Line(u32),
    /// A JSON pointer (RFC 6901) into the document, e.g. `/runs/0/results/3`.
    Pointer(String),
    /// Byte offset (XML parsers report these).
    Offset(u64),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::LineCol { line, column } => write!(f, "{line}:{column}"),
            Position::Line(line) => write!(f, "{line}"),
            Position::Pointer(p) => write!(f, "{}", if p.is_empty() { "/" } else { p }),
            Position::Offset(o) => write!(f, "byte {o}"),
        }
    }
}

/// A file that could not be read as the format it claims or was forced to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}{}: {message}", position.as_ref().map(|p| format!(":{p}")).unwrap_or_default())]
pub struct ParseError {
    /// The artifact's path as given.
    pub path: String,
    pub position: Option<Position>,
    /// Lowercase, no final period.
    pub message: String,
    /// Stable kebab-case code, e.g. `invalid-json`, `unknown-format`.
    pub code: &'static str,
}

impl ParseError {
    pub fn new(
        path: impl Into<String>,
        code: &'static str,
        position: Option<Position>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            path: path.into(),
            position,
            message: message.into(),
            code,
        }
    }
}
