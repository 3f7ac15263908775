//! Errors on stderr, each once, with a stable code: config errors with
//! their place and source line, input errors one per line with file and
//! place.

use crate::codes::ErrorCode;
use crate::config::ConfigError;
use crate::error::GateError;
use crate::exit::Exit;

pub fn report(e: GateError) -> Exit {
    let exit = e.exit();
    match e {
        GateError::Config(c) => eprintln!("{}", render_config(&c)),
        GateError::Input(errors) => {
            for err in &errors {
                eprintln!("error[{}]: {err}", err.code());
            }
            eprintln!(
                "error: {} could not be read; nothing was evaluated",
                gate_codes::wording::count(errors.len(), "artifact", "artifacts")
            );
        }
        GateError::Registry(e) => eprintln!("error[{}]: {e}", e.code()),
        GateError::Output(m) => eprintln!("error[{}]: {m}", ErrorCode::OutputError),
        other => eprintln!("error: {other}"),
    }
    exit
}

/// A `gate test` run that could not be judged, with its code.
pub fn test_error(e: &crate::testing::TestError) -> Exit {
    use crate::testing::TestError;
    let code = match e {
        TestError::BadFile { .. } => ErrorCode::TestFile,
        TestError::BadFixture { .. } => ErrorCode::TestFixture,
        TestError::Runtime(_) => ErrorCode::TestPolicy,
    };
    eprintln!("error[{code}]: {e}");
    e.exit()
}

/// Widest excerpt of a source line shown (in characters).
const EXCERPT: usize = 100;

/// `error[config]: FILE:LINE:COL: message`, then the line with the place
/// marked, then the help: the message once, the place in the first line
/// for tools that grep it.
fn render_config(c: &ConfigError) -> String {
    let mut out = format!("error[{}]: {}: {}", c.code, c.place, c.message);
    if let Some(span) = c.span {
        let text = c.src.inner();
        if let Some(excerpt) = excerpt(text, span.offset(), span.len()) {
            out.push('\n');
            out.push_str(&excerpt);
        }
    }
    if let Some(help) = &c.help {
        out.push_str(&format!("\n  help: {help}"));
    }
    out
}

/// The line holding `offset`, numbered, with `^` under `len` bytes from
/// `offset`; a long line is cut to a window around the place.
fn excerpt(text: &str, offset: usize, len: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let before = text.get(..offset)?;
    let start = before.rfind('\n').map_or(0, |n| n + 1);
    let end = text
        .get(offset..)?
        .find('\n')
        .map_or(text.len(), |n| offset + n);
    let line_no = before.matches('\n').count() + 1;
    // Control characters (tabs, CR) would shift the marker; show spaces.
    let chars: Vec<char> = text
        .get(start..end)?
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let col = text.get(start..offset)?.chars().count();
    let marked = text
        .get(offset..offset.saturating_add(len).min(end))
        .map_or(0, |s| s.chars().count())
        .max(1);
    let from = col.saturating_sub(EXCERPT / 3);
    let to = chars.len().min(from + EXCERPT);
    let mut shown: String = chars.get(from..to)?.iter().collect();
    let mut pad = col - from;
    if from > 0 {
        shown.insert(0, '…');
        pad += 1;
    }
    if to < chars.len() {
        shown.push('…');
    }
    let marked = marked.min(to.saturating_sub(col).max(1));
    let num = line_no.to_string();
    let gutter = " ".repeat(num.len());
    Some(format!(
        " {num} | {}\n {gutter} | {}{}",
        shown.trim_end(),
        " ".repeat(pad),
        "^".repeat(marked)
    ))
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn excerpts_mark_the_place() {
        let text = "a = 1\nparms = {}\n";
        assert_eq!(excerpt(text, 6, 5).unwrap(), " 2 | parms = {}\n   | ^^^^^");
        // A 50k-character line is cut around the place.
        let long = format!("{}= 1\n", "a.".repeat(25_000));
        let e = excerpt(&long, 30_000, 1).unwrap();
        assert!(e.len() < 400, "{e}");
        let lines: Vec<&str> = e.lines().collect();
        let caret = lines[1].chars().position(|c| c == '^').unwrap();
        assert_eq!(lines[0].chars().nth(caret), Some('a'), "{e}");
    }
}
