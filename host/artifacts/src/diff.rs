//! Unified diffs (`git diff`, `diff -u`) → the lines each file gains or
//! changes in the new version, for patch coverage.

use crate::{ParseError, Position, Warning};
use std::collections::BTreeMap;

/// Added or modified lines of one file in the new version, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedLines {
    pub path: String,
    pub lines: Vec<u32>,
}

/// Parses a unified diff. Deleted files and pure deletions contribute no
/// lines; renamed files are keyed by their new path.
///
/// Like diff-cover, hunk bodies are read by their line markers, not only by
/// the counts in the `@@` header: hand-edited and truncated diffs are common
/// (several of diff-cover's own fixtures disagree with their headers). Where
/// the counts and the body disagree, a `diff-hunk-mismatch` warning says so.
pub fn parse(name: &str, text: &str) -> Result<(Vec<ChangedLines>, Vec<Warning>), ParseError> {
    let mut files: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut warnings = Vec::new();
    let mut current: Option<String> = None;
    let mut in_hunk = false;
    let mut hunk_line = 0usize;
    let mut new_line: u32 = 0;
    let (mut remaining_new, mut remaining_old): (i64, i64) = (0, 0);
    let err = |line: usize, msg: String| {
        ParseError::new(
            name,
            "invalid-diff",
            Some(Position::Line(u32::try_from(line + 1).unwrap_or(u32::MAX))),
            msg,
        )
    };
    let close = |in_hunk: &mut bool, at: usize, old: i64, new: i64, warnings: &mut Vec<Warning>| {
        if *in_hunk && (old != 0 || new != 0) {
            let mut w = Warning::new(
                "diff-hunk-mismatch",
                format!(
                    "{name}: the hunk at line {} does not match its header ({} old, {} new line(s) {})",
                    at + 1,
                    old.abs(),
                    new.abs(),
                    if old > 0 || new > 0 {
                        "missing"
                    } else {
                        "too many"
                    }
                ),
            );
            w.location = Some(crate::Location::new(name, u32::try_from(at + 1).ok()));
            warnings.push(w);
        }
        *in_hunk = false;
    };
    for (i, raw) in text.lines().enumerate() {
        let exhausted = remaining_new <= 0 && remaining_old <= 0;
        let header = raw.starts_with("diff ")
            || raw.starts_with("@@ ")
            || (exhausted
                && (raw.starts_with("--- ")
                    || raw.starts_with("+++ ")
                    || raw.starts_with("index ")));
        if in_hunk && !header {
            match raw.as_bytes().first() {
                Some(b'+') => {
                    // Only a header saying the new side is empty (`+0,0`)
                    // starts at line 0: an added line there contradicts it.
                    if new_line == 0 {
                        return Err(err(
                            i,
                            format!(
                                "added line in the hunk at line {}, whose new range is empty",
                                hunk_line + 1
                            ),
                        ));
                    }
                    if let Some(path) = &current {
                        files.entry(path.clone()).or_default().push(new_line);
                    }
                    new_line = new_line.saturating_add(1);
                    remaining_new -= 1;
                    continue;
                }
                Some(b'-') => {
                    remaining_old -= 1;
                    continue;
                }
                Some(b'\\') => continue, // "\ No newline at end of file"
                Some(b' ') => {
                    new_line = new_line.saturating_add(1);
                    remaining_new -= 1;
                    remaining_old -= 1;
                    continue;
                }
                // An empty line inside a hunk is a context line whose space
                // an editor trimmed.
                None if !exhausted => {
                    new_line = new_line.saturating_add(1);
                    remaining_new -= 1;
                    remaining_old -= 1;
                    continue;
                }
                _ => {}
            }
        }
        if in_hunk {
            close(
                &mut in_hunk,
                hunk_line,
                remaining_old,
                remaining_new,
                &mut warnings,
            );
        }
        if let Some(rest) = raw.strip_prefix("+++ ") {
            let path = rest.split('\t').next().unwrap_or(rest).trim();
            let path = if path == "/dev/null" {
                None
            } else {
                Some(path.strip_prefix("b/").unwrap_or(path))
            };
            if path.is_some_and(str::is_empty) {
                return Err(err(i, "`+++` file header without a path".into()));
            }
            current = path.map(str::to_string);
        } else if let Some(rest) = raw.strip_prefix("@@ ") {
            // @@ -a,b +c,d @@
            let mut parts = rest.split_whitespace();
            let old = parts
                .next()
                .and_then(|s| s.strip_prefix('-'))
                .ok_or_else(|| err(i, format!("malformed hunk header `{raw}`")))?;
            let new = parts
                .next()
                .and_then(|s| s.strip_prefix('+'))
                .ok_or_else(|| err(i, format!("malformed hunk header `{raw}`")))?;
            let range = |s: &str| -> Option<(u32, u32)> {
                match s.split_once(',') {
                    Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
                    None => Some((s.parse().ok()?, 1)),
                }
            };
            let (_, old_len) =
                range(old).ok_or_else(|| err(i, format!("malformed hunk range `{old}`")))?;
            let (start, new_len) =
                range(new).ok_or_else(|| err(i, format!("malformed hunk range `{new}`")))?;
            if current.is_none() && !text.contains("+++ ") {
                return Err(err(i, "hunk without a `+++` file header".into()));
            }
            new_line = start;
            remaining_new = i64::from(new_len);
            remaining_old = i64::from(old_len);
            in_hunk = true;
            hunk_line = i;
        }
    }
    close(
        &mut in_hunk,
        hunk_line,
        remaining_old,
        remaining_new,
        &mut warnings,
    );
    let changes = files
        .into_iter()
        .map(|(path, mut lines)| {
            lines.sort_unstable();
            lines.dedup();
            ChangedLines { path, lines }
        })
        .collect();
    Ok((changes, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_diff_with_rename_new_and_deleted_files() {
        let d = "diff --git a/src/a.rs b/src/a.rs\nindex 1..2 100644\n--- a/src/a.rs\n+++ b/src/a.rs\n@@ -1,4 +1,5 @@\n fn a() {\n-    old();\n+    new();\n+    more();\n }\n \n@@ -10 +11,2 @@\n-x\n+y\n+z\ndiff --git a/gone.rs b/gone.rs\n--- a/gone.rs\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\ndiff --git a/new.rs b/new.rs\n--- /dev/null\n+++ b/new.rs\n@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file\n";
        let (c, w) = parse("d.diff", d).unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(
            c,
            vec![
                ChangedLines {
                    path: "new.rs".into(),
                    lines: vec![1, 2]
                },
                ChangedLines {
                    path: "src/a.rs".into(),
                    lines: vec![2, 3, 11, 12]
                },
            ]
        );
    }

    /// Found by fuzzing (`diff` target): `+` lines after a `@@ -1,2 +0,0 @@`
    /// header were recorded as changed line 0.
    #[test]
    fn added_line_in_an_empty_new_range_is_an_error() {
        let e = parse("d.diff", "+++ b/a\n@@ -1,2 +0,0 @@\n-a\n+b\n").unwrap_err();
        assert_eq!(e.code, "invalid-diff");
        assert_eq!(e.position, Some(Position::Line(4)));
        assert_eq!(
            e.message,
            "added line in the hunk at line 2, whose new range is empty"
        );
    }

    /// Found by fuzzing (`diff` target): `+++ ` (or `+++ b/`) made the
    /// following hunks the changes of a file named "".
    #[test]
    fn file_header_without_a_path_is_an_error() {
        for header in ["+++ ", "+++ b/", "+++ \t2024-01-01"] {
            let e = parse("d.diff", &format!("{header}\n@@ -1 +1 @@\n-a\n+b\n")).unwrap_err();
            assert_eq!(e.code, "invalid-diff", "{header:?}");
            assert_eq!(e.position, Some(Position::Line(1)));
            assert_eq!(e.message, "`+++` file header without a path");
        }
    }

    #[test]
    fn truncated_hunks_are_read_and_reported() {
        let (c, w) = parse("d", "+++ b/a\n@@ -1,3 +1,4 @@\n a\n+b\n").unwrap();
        assert_eq!(
            c,
            vec![ChangedLines {
                path: "a".into(),
                lines: vec![2]
            }]
        );
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].code, "diff-hunk-mismatch");
        assert!(w[0].message.contains("missing"), "{}", w[0].message);
        assert_eq!(
            parse("d", "+++ b/a\n@@ -x +1 @@\n").unwrap_err().code,
            "invalid-diff"
        );
    }
}
