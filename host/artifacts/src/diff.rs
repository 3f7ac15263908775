//! Unified diffs (`git diff`, `diff -u`) → the lines each file gains or
//! changes in the new version, for patch coverage.

use crate::error::{ParseCode, WarningCode};
use crate::{ParseError, Position, Warning};
use std::collections::BTreeMap;

/// Added or modified lines of one file in the new version, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedLines {
    pub path: String,
    pub lines: Vec<u32>,
}

/// Parses a diff file the user gave (`--diff FILE`): like [`parse`], and an
/// empty file is an error too. `git diff` of an unchanged tree prints
/// nothing, but a file given as "the change" that holds nothing is more
/// likely a failed or misdirected step than a change without changes; with
/// `--base REF` gate runs git itself and an empty diff is a real "no
/// change".
///
/// A hunk that the end of the file cuts short (fewer body lines than its
/// header declares) is an error (`truncated-diff`): a file cut by a failed
/// copy or upload would otherwise be evaluated as the whole change. Any
/// other hunk whose body disagrees with its header is `invalid-diff`: the
/// lenient reading (and its `diff-hunk-mismatch` warning) is kept for the
/// diffs gate computes itself.
pub fn parse_file(name: &str, text: &str) -> Result<(Vec<ChangedLines>, Vec<Warning>), ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError::new(
            name,
            ParseCode::EmptyDiff,
            None,
            "the diff file is empty; give the change as a unified diff (git diff BASE...HEAD), or use --base REF, where no change is a legitimate empty diff",
        ));
    }
    parse_with(name, text, true)
}

/// Parses a unified diff. Deleted files and pure deletions contribute no
/// lines; renamed files are keyed by their new path. Text that is not empty
/// yet has no diff header at all (`diff --git`, `+++ `, `@@ -`) is
/// not a diff, and an error (`not-a-diff`): read as "no change" it would
/// quietly turn patch coverage off.
///
/// Like diff-cover, hunk bodies are read by their line markers, not only by
/// the counts in the `@@` header: hand-edited and truncated diffs are common
/// (several of diff-cover's own fixtures disagree with their headers). Where
/// the counts and the body disagree, a `diff-hunk-mismatch` warning says so.
pub fn parse(name: &str, text: &str) -> Result<(Vec<ChangedLines>, Vec<Warning>), ParseError> {
    parse_with(name, text, false)
}

fn parse_with(
    name: &str,
    text: &str,
    strict_end: bool,
) -> Result<(Vec<ChangedLines>, Vec<Warning>), ParseError> {
    // What only a diff has: a git header, a new-file header or a hunk
    // header (a lone `--- ` is a Markdown rule or a YAML document start).
    let is_header =
        |l: &str| l.starts_with("diff --git ") || l.starts_with("+++ ") || l.starts_with("@@ -");
    if !text.trim().is_empty() && !text.lines().any(is_header) {
        let first = text.lines().position(|l| !l.trim().is_empty()).unwrap_or(0);
        return Err(ParseError::new(
            name,
            ParseCode::NotADiff,
            Some(Position::Line(
                u32::try_from(first.saturating_add(1)).unwrap_or(u32::MAX),
            )),
            "this is not a unified diff: no `diff --git`, `+++` or `@@` header in it",
        ));
    }
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
            ParseCode::InvalidDiff,
            Some(Position::Line(
                u32::try_from(line.saturating_add(1)).unwrap_or(u32::MAX),
            )),
            msg,
        )
    };
    let close = |in_hunk: &mut bool, at: usize, old: i64, new: i64, warnings: &mut Vec<Warning>| {
        if *in_hunk && (old != 0 || new != 0) {
            let mut w = Warning::new(
                WarningCode::DiffHunkMismatch,
                format!(
                    "{name}: the hunk at line {} does not match its header ({} old, {} new lines {})",
                    at.saturating_add(1),
                    old.abs(),
                    new.abs(),
                    if old > 0 || new > 0 {
                        "missing"
                    } else {
                        "too many"
                    }
                ),
            );
            w.location = Some(crate::Location::new(
                name,
                u32::try_from(at.saturating_add(1)).ok(),
            ));
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
                                hunk_line.saturating_add(1)
                            ),
                        ));
                    }
                    if let Some(path) = &current {
                        files.entry(path.clone()).or_default().push(new_line);
                    }
                    new_line = new_line.saturating_add(1);
                    remaining_new = remaining_new.saturating_sub(1);
                    continue;
                }
                Some(b'-') => {
                    remaining_old = remaining_old.saturating_sub(1);
                    continue;
                }
                Some(b'\\') => continue, // "\ No newline at end of file"
                Some(b' ') => {
                    new_line = new_line.saturating_add(1);
                    remaining_new = remaining_new.saturating_sub(1);
                    remaining_old = remaining_old.saturating_sub(1);
                    continue;
                }
                // An empty line inside a hunk is a context line whose space
                // an editor trimmed.
                None if !exhausted => {
                    new_line = new_line.saturating_add(1);
                    remaining_new = remaining_new.saturating_sub(1);
                    remaining_old = remaining_old.saturating_sub(1);
                    continue;
                }
                _ => {}
            }
        }
        if in_hunk && strict_end && (remaining_old != 0 || remaining_new != 0) {
            return Err(err(
                hunk_line,
                format!(
                    "the hunk does not match its header: it ends at line {} with {} old and {} new lines {}",
                    i.saturating_add(1),
                    remaining_old.abs(),
                    remaining_new.abs(),
                    if remaining_old > 0 || remaining_new > 0 {
                        "missing"
                    } else {
                        "too many"
                    }
                ),
            ));
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
    if strict_end && in_hunk && (remaining_old < 0 || remaining_new < 0) {
        return Err(err(
            hunk_line,
            format!(
                "the hunk does not match its header: it has {} old and {} new lines too many",
                remaining_old.min(0).abs(),
                remaining_new.min(0).abs()
            ),
        ));
    }
    if strict_end && in_hunk && (remaining_old > 0 || remaining_new > 0) {
        return Err(ParseError::new(
            name,
            ParseCode::TruncatedDiff,
            Some(Position::Line(
                u32::try_from(hunk_line.saturating_add(1)).unwrap_or(u32::MAX),
            )),
            format!(
                "the file ends inside the hunk at line {}: {} old and {} new lines its header declares are missing (a cut or incomplete diff?)",
                hunk_line.saturating_add(1),
                remaining_old.max(0),
                remaining_new.max(0)
            ),
        ));
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

    #[test]
    fn text_that_is_not_a_diff_is_an_error_not_an_empty_change() {
        for not_a_diff in [
            "hello\nworld\n",
            "{\"version\": 1}\n",
            "\n\nSF:src/a.rs\nDA:1,1\nend_of_record\n",
            "+added looking line\n-removed looking line\n",
            "---\ntitle: a markdown front matter\n---\n--- not a header either\n",
            "diff is what this sentence is about\n",
        ] {
            let e = parse("d.diff", not_a_diff).unwrap_err();
            assert_eq!(e.code, "not-a-diff", "{not_a_diff:?}");
            assert!(e.to_string().starts_with("d.diff:"), "{e}");
        }
        assert_eq!(
            parse("d.diff", "\n\nnope\n").unwrap_err().position,
            Some(Position::Line(3))
        );
        // An empty diff is a change without changes (git diff of an
        // unchanged tree) when gate computed it, an error as a given file.
        assert_eq!(parse("git diff", "").unwrap().0, vec![]);
        assert_eq!(parse_file("d.diff", "").unwrap_err().code, "empty-diff");
        assert_eq!(parse_file("d.diff", " \n").unwrap_err().code, "empty-diff");
        // A diff of a mode change or a binary file has no hunks: no lines.
        let mode = "diff --git a/x.sh b/x.sh\nold mode 100644\nnew mode 100755\n";
        assert_eq!(parse_file("d.diff", mode).unwrap().0, vec![]);
    }
}
