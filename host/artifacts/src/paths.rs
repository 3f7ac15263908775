//! Path normalization: every path a policy sees is repository-relative with
//! `/` separators when it can be, so findings from different tools line up.

use std::borrow::Cow;
use std::path::Path;

/// Normalizes `raw`: strips `file://`, turns `\` into `/`, removes `./`
/// prefixes and makes absolute paths under `root` relative. Returns the
/// path and whether it is repository-relative (false: absolute, unmapped).
pub fn normalize(raw: &str, root: Option<&Path>) -> (String, bool) {
    let mut p = raw.trim();
    if let Some(rest) = p.strip_prefix("file://") {
        // file:///abs/path and file://host/path; only the local form matters.
        p = rest.strip_prefix("localhost").unwrap_or(rest);
    }
    // Other URI schemes (`resource://`, `webpack://`, `data:`) are names,
    // not paths: keep them as they are.
    if p.contains("://") || p.starts_with("data:") {
        return (p.to_string(), true);
    }
    let s = slashes(percent_decode(p));
    // Windows drive letters (C:/...) are absolute too.
    let is_abs = s.starts_with('/') || s.as_bytes().get(1) == Some(&b':');
    if is_abs {
        if let Some(root) = root {
            let root = slashes(root.to_string_lossy());
            let root = root.trim_end_matches('/');
            if let Some(rel) = s.strip_prefix(root).and_then(|r| r.strip_prefix('/')) {
                return (clean(rel), true);
            }
        }
        return (clean(&s), false);
    }
    (clean(&s), true)
}

/// `\` turned into `/` (a copy only when there is one).
fn slashes(s: Cow<'_, str>) -> Cow<'_, str> {
    if s.contains('\\') {
        Cow::Owned(s.replace('\\', "/"))
    } else {
        s
    }
}

/// Removes `./` segments and duplicate slashes, resolves `..` where possible.
fn clean(p: &str) -> String {
    let absolute = p.starts_with('/');
    // Most paths are clean already: no empty, `.` or `..` segment.
    let body = p.strip_prefix('/').unwrap_or(p);
    if !body.split('/').any(|seg| matches!(seg, "" | "." | "..")) {
        return p.to_owned();
    }
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." if out.last().is_some_and(|l| *l != "..") => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let joined = out.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i) == Some(&b'%') {
            let hex = bytes
                .get(i.saturating_add(1)..i.saturating_add(3))
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i = i.saturating_add(3);
                continue;
            }
        }
        if let Some(b) = bytes.get(i) {
            out.push(*b);
        }
        i = i.saturating_add(1);
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_file_uris_and_roots() {
        let root = Path::new("/home/ci/repo");
        assert_eq!(
            normalize("file:///home/ci/repo/src/a%20b.rs", Some(root)),
            ("src/a b.rs".to_string(), true)
        );
        assert_eq!(
            normalize("/elsewhere/x.rs", Some(root)),
            ("/elsewhere/x.rs".to_string(), false)
        );
        assert_eq!(
            normalize(".\\src\\main.c", None),
            ("src/main.c".to_string(), true)
        );
        assert_eq!(
            normalize("src/./a/../b.go", None),
            ("src/b.go".to_string(), true)
        );
    }

    #[test]
    fn clean_paths_are_kept_and_others_cleaned() {
        for (raw, want) in [
            ("src/a.rs", "src/a.rs"),
            ("/abs/a.rs", "/abs/a.rs"),
            ("", ""),
            ("/", "/"),
            ("a/", "a"),
            ("//a//b/", "/a/b"),
            ("./a", "a"),
            ("../a", "../a"),
            ("a/../../b", "../b"),
            ("/a/./b/..", "/a"),
            ("a\\b\\..\\c", "a/c"),
        ] {
            assert_eq!(normalize(raw, None).0, want, "{raw}");
        }
    }
}
