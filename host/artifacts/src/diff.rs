//! Unified diffs (`git diff`, `diff -u`) → the lines each file gains or
//! changes in the new version, for patch coverage.

use crate::{ParseError, Position};
use std::collections::BTreeMap;

/// Added or modified lines of one file in the new version, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedLines {
    pub path: String,
    pub lines: Vec<u32>,
}

/// Parses a unified diff. Deleted files and pure deletions contribute no
/// lines; renamed files are keyed by their new path.
pub fn parse(name: &str, text: &str) -> Result<Vec<ChangedLines>, ParseError> {
    let mut files: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut new_line: u32 = 0;
    let mut remaining_new: u32 = 0;
    let mut remaining_old: u32 = 0;
    let err = |line: usize, msg: String| {
        ParseError::new(
            name,
            "invalid-diff",
            Some(Position::Line(u32::try_from(line + 1).unwrap_or(u32::MAX))),
            msg,
        )
    };
    for (i, raw) in text.lines().enumerate() {
        if remaining_new > 0 || remaining_old > 0 {
            match raw.as_bytes().first() {
                Some(b'+') => {
                    if let Some(path) = &current {
                        files.entry(path.clone()).or_default().push(new_line);
                    }
                    new_line += 1;
                    remaining_new = remaining_new.saturating_sub(1);
                }
                Some(b'-') => remaining_old = remaining_old.saturating_sub(1),
                Some(b'\\') => {} // "\ No newline at end of file"
                _ => {
                    // context line (a space, or an empty line some tools emit)
                    new_line += 1;
                    remaining_new = remaining_new.saturating_sub(1);
                    remaining_old = remaining_old.saturating_sub(1);
                }
            }
            continue;
        }
        if let Some(rest) = raw.strip_prefix("+++ ") {
            let path = rest.split('\t').next().unwrap_or(rest).trim();
            current = if path == "/dev/null" {
                None
            } else {
                Some(path.strip_prefix("b/").unwrap_or(path).to_string())
            };
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
            new_line = start;
            remaining_new = new_len;
            remaining_old = old_len;
        }
    }
    if remaining_new > 0 || remaining_old > 0 {
        return Err(ParseError::new(
            name,
            "truncated-diff",
            None,
            "the diff ends inside a hunk",
        ));
    }
    Ok(files
        .into_iter()
        .map(|(path, mut lines)| {
            lines.sort_unstable();
            lines.dedup();
            ChangedLines { path, lines }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_diff_with_rename_new_and_deleted_files() {
        let d = "diff --git a/src/a.rs b/src/a.rs\nindex 1..2 100644\n--- a/src/a.rs\n+++ b/src/a.rs\n@@ -1,4 +1,5 @@\n fn a() {\n-    old();\n+    new();\n+    more();\n }\n \n@@ -10 +11,2 @@\n-x\n+y\n+z\ndiff --git a/gone.rs b/gone.rs\n--- a/gone.rs\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\ndiff --git a/new.rs b/new.rs\n--- /dev/null\n+++ b/new.rs\n@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file\n";
        let c = parse("d.diff", d).unwrap();
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

    #[test]
    fn truncated_and_malformed() {
        assert_eq!(
            parse("d", "+++ b/a\n@@ -1,3 +1,3 @@\n a\n")
                .unwrap_err()
                .code,
            "truncated-diff"
        );
        assert_eq!(
            parse("d", "+++ b/a\n@@ -x +1 @@\n").unwrap_err().code,
            "invalid-diff"
        );
    }
}
