//! Path globs as users write them in CI config: `*` within a segment, `**`
//! across segments, `?` one character, `{a,b}` alternatives. Small on
//! purpose (no regex engine in every policy).

/// Whether `path` matches `pattern`. Both use `/` separators.
pub fn matches(pattern: &str, path: &str) -> bool {
    expand_braces(pattern)
        .iter()
        .any(|p| match_segments(&split(p), &split(path)))
}

/// The most paths one pattern's `{a,b}` groups may expand to: a pattern
/// must not cost a policy more to match than the user can read.
pub const MAX_ALTERNATIVES: usize = 256;

/// Whether `pattern` is a glob [`matches`] reads as meant: not empty, every
/// `{` closed by a `}` with no group inside another, and at most
/// [`MAX_ALTERNATIVES`] expansions. `Err` says what is wrong.
pub fn check(pattern: &str) -> Result<(), String> {
    if pattern.trim().is_empty() {
        return Err("an empty glob matches nothing".into());
    }
    let mut open = false;
    let mut alternatives: usize = 1;
    let mut group: usize = 1;
    for c in pattern.chars() {
        match c {
            '{' if open => return Err(format!("`{pattern}`: `{{…}}` groups cannot be nested")),
            '{' => {
                open = true;
                group = 1;
            }
            ',' if open => group = group.saturating_add(1),
            '}' if !open => return Err(format!("`{pattern}`: `}}` without a `{{`")),
            '}' => {
                open = false;
                alternatives = alternatives.saturating_mul(group);
                if alternatives > MAX_ALTERNATIVES {
                    return Err(format!(
                        "`{pattern}` expands to more than {MAX_ALTERNATIVES} alternatives"
                    ));
                }
            }
            _ => {}
        }
    }
    if open {
        return Err(format!("`{pattern}`: `{{` is never closed"));
    }
    Ok(())
}

/// `invalid-params` at `pointer/i` for the first of `patterns` that
/// [`check`] refuses: the check every param that holds a list of globs
/// needs before the globs are used.
pub fn check_all<S: AsRef<str>>(
    pointer: &str,
    patterns: &[S],
) -> Result<(), crate::bindings::gate::policy::types::PolicyError> {
    for (i, p) in patterns.iter().enumerate() {
        check(p.as_ref()).map_err(|e| crate::params::invalid(&format!("{pointer}/{i}"), e))?;
    }
    Ok(())
}

/// A checked list of globs from a param that remembers which of them
/// matched: a glob that never matches is usually a typo worth a finding.
#[derive(Debug, Clone, Default)]
pub struct Globs {
    patterns: Vec<String>,
    used: Vec<bool>,
}

impl Globs {
    /// The globs of the param at `pointer`, each [`check`]ed.
    pub fn new<S: AsRef<str>>(
        pointer: &str,
        patterns: &[S],
    ) -> Result<Globs, crate::bindings::gate::policy::types::PolicyError> {
        check_all(pointer, patterns)?;
        Ok(Globs {
            patterns: patterns.iter().map(|p| p.as_ref().to_string()).collect(),
            used: vec![false; patterns.len()],
        })
    }

    /// Whether there are none (then nothing matches: a caller that reads an
    /// empty include list as "everything" says so itself).
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether any glob matches `path`; every glob that does is marked used.
    pub fn matches(&mut self, path: &str) -> bool {
        let mut any = false;
        for (p, used) in self.patterns.iter().zip(&mut self.used) {
            if matches(p, path) {
                *used = true;
                any = true;
            }
        }
        any
    }

    /// The globs that matched no path so far, with their index.
    pub fn unused(&self) -> impl Iterator<Item = (usize, &str)> {
        self.patterns
            .iter()
            .zip(&self.used)
            .enumerate()
            .filter(|(_, (_, used))| !**used)
            .map(|(i, (p, _))| (i, p.as_str()))
    }
}

fn split(s: &str) -> Vec<&str> {
    s.split('/')
        .filter(|seg| !seg.is_empty() && *seg != ".")
        .collect()
}

fn expand_braces(p: &str) -> Vec<String> {
    let (Some(open), Some(close)) = (p.find('{'), p.find('}')) else {
        return vec![p.to_string()];
    };
    if close < open {
        return vec![p.to_string()];
    }
    let (Some(head), Some(body), Some(tail)) =
        (p.get(..open), p.get(open + 1..close), p.get(close + 1..))
    else {
        return vec![p.to_string()];
    };
    body.split(',')
        .flat_map(|alt| expand_braces(&format!("{head}{alt}{tail}")))
        .collect()
}

fn match_segments(pat: &[&str], path: &[&str]) -> bool {
    match pat.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => {
            (0..=path.len()).any(|i| path.get(i..).is_some_and(|p| match_segments(rest, p)))
        }
        Some((seg, rest)) => match path.split_first() {
            Some((first, tail)) => {
                match_segment(seg.as_bytes(), first.as_bytes()) && match_segments(rest, tail)
            }
            None => false,
        },
    }
}

fn match_segment(pat: &[u8], s: &[u8]) -> bool {
    match pat.split_first() {
        None => s.is_empty(),
        Some((b'*', rest)) => {
            (0..=s.len()).any(|i| s.get(i..).is_some_and(|t| match_segment(rest, t)))
        }
        Some((b'?', rest)) => s.split_first().is_some_and(|(_, t)| match_segment(rest, t)),
        Some((c, rest)) => s
            .split_first()
            .is_some_and(|(d, t)| c == d && match_segment(rest, t)),
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn globs() {
        assert!(matches("src/**/*.rs", "src/a/b/c.rs"));
        assert!(matches("src/**/*.rs", "src/c.rs"));
        assert!(!matches("src/*.rs", "src/a/c.rs"));
        assert!(matches("**/generated/**", "x/generated/y/z.go"));
        assert!(matches("*.{js,ts}", "a.ts"));
        assert!(!matches("*.{js,ts}", "a.rs"));
        assert!(matches("test_?.py", "test_1.py"));
        assert!(!matches("vendor/**", "src/vendor.go"));
    }

    #[test]
    fn globs_that_cannot_match_as_meant_are_refused() {
        use super::check;
        assert!(check("src/**/*.{rs,go}").is_ok());
        assert!(check("{a,b}/{c,d}").is_ok());
        for (bad, says) in [
            ("", "empty"),
            ("  ", "empty"),
            ("src/{a,b", "never closed"),
            ("src/a}", "without a"),
            ("{a,{b,c}}", "nested"),
            ("{a,b,c,d}{a,b,c,d}{a,b,c,d}{a,b,c,d}{a,b}", "more than 256"),
        ] {
            let e = check(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn a_glob_list_is_checked_and_knows_its_unused_globs() {
        use super::{Globs, check_all};
        let Err(e) = check_all("/exclude", &["ok/**", "bad/{a"]) else {
            unreachable!("an unclosed group")
        };
        assert!(format!("{e:?}").contains("/exclude/1: `bad/{a`"), "{e:?}");
        let mut g = Globs::new("/include", &["src/**", "lib/*.rs", "docs/**"]).unwrap_or_default();
        assert!(g.matches("src/a/b.rs"));
        assert!(g.matches("lib/x.rs"));
        assert!(!g.matches("target/x"));
        assert_eq!(g.unused().collect::<Vec<_>>(), vec![(2, "docs/**")]);
        assert!(Globs::new("/x", &[""; 0]).is_ok_and(|g| g.is_empty()));
    }
}
