//! Stable names written once. [`names!`] declares an enum whose variants
//! each carry their stable text (a diagnostic code such as `invalid-json`,
//! or a value such as a finding's `waived`); from that one table it derives
//! `as_str`, `from_name`, `ALL`, `NAMES`, `Display`, comparisons with `&str`,
//! ordering by the text and serde (the text is the serialized form).
//! [`check`] is the one test of a family of codes: unique, kebab-case and
//! documented in a section of the README.

pub mod canary;
pub mod wording;

/// Re-exported for the serde impls [`names!`] generates.
#[doc(hidden)]
pub use serde;

/// Declares an enum of stable names:
///
/// ```
/// gate_codes::names! {
///     /// Why a thing failed.
///     pub enum Code {
///         /// Nothing there.
///         Missing = "missing-thing",
///         Broken = "broken",
///     }
/// }
/// assert_eq!(Code::Missing.as_str(), "missing-thing");
/// assert_eq!(Code::NAMES, ["missing-thing", "broken"]);
/// assert_eq!(Code::from_name("broken"), Some(Code::Broken));
/// ```
#[macro_export]
macro_rules! names {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $text:literal
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; Self::NAMES.len()] = [$($name::$variant),+];
            /// Every value's text, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The stable text.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The value whose text is `s`.
            pub fn from_name(s: &str) -> Option<Self> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::core::cmp::PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl ::core::cmp::PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.as_str()
            }
        }

        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as $crate::serde::Deserialize>::deserialize(
                    deserializer,
                )?;
                Self::from_name(&s).ok_or_else(|| {
                    <D::Error as $crate::serde::de::Error>::unknown_variant(&s, Self::NAMES)
                })
            }
        }
    };
}

/// Checks one family of codes (codes that share a namespace, such as
/// everything printed as `error[CODE]`), given as groups of codes each with
/// the README text that documents the group: each code unique across the
/// family, kebab-case, and written in backquotes in its group's text.
/// Returns the problems found, empty when none.
pub fn check(family: &[(&[&str], &str)]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (codes, docs) in family {
        for code in *codes {
            if !seen.insert(*code) {
                problems.push(format!("`{code}` is defined twice"));
            }
            if !is_kebab_case(code) {
                problems.push(format!("`{code}` is not kebab-case"));
            }
            if !docs.contains(&format!("`{code}`")) {
                problems.push(format!("`{code}` is not documented"));
            }
        }
    }
    problems
}

/// Lowercase ASCII words of letters and digits joined by single hyphens.
fn is_kebab_case(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The part of `text` from the first `start` to the next `end` after it
/// (to the end without one); empty when `start` is not there.
pub fn section<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let Some(from) = text.find(start) else {
        return "";
    };
    let rest = text.get(from..).unwrap_or_default();
    let to = rest.get(start.len()..).and_then(|r| r.find(end));
    match to {
        Some(n) => rest.get(..start.len() + n).unwrap_or(rest),
        None => rest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    names! {
        #[derive(PartialOrd, Ord)]
        enum Sample {
            Zeta = "zeta",
            Alpha = "alpha-2",
        }
    }

    #[test]
    fn the_text_is_the_name_everywhere() {
        assert_eq!(Sample::Zeta.to_string(), "zeta");
        assert_eq!(Sample::NAMES, ["zeta", "alpha-2"]);
        assert_eq!(Sample::ALL, [Sample::Zeta, Sample::Alpha]);
        assert_eq!(Sample::from_name("alpha-2"), Some(Sample::Alpha));
        assert_eq!(Sample::from_name("Alpha"), None);
        assert_eq!(Sample::Zeta, "zeta");
        assert_eq!("zeta", Sample::Zeta);
        assert_ne!(Sample::Alpha, "zeta");
        // A derived order is the order of declaration.
        assert!(Sample::Zeta < Sample::Alpha);
        assert_eq!(
            serde_json::to_string(&Sample::Alpha).ok().as_deref(),
            Some("\"alpha-2\"")
        );
        let back: Result<Sample, _> = serde_json::from_str("\"zeta\"");
        assert_eq!(back.ok(), Some(Sample::Zeta));
        let unknown = serde_json::from_str::<Sample>("\"beta\"").map_err(|e| e.to_string());
        assert_eq!(
            unknown.err().as_deref(),
            Some("unknown variant `beta`, expected `zeta` or `alpha-2`")
        );
    }

    #[test]
    fn check_finds_duplicates_case_and_missing_docs() {
        let readme = "# Codes\n| `a-b` | x |\n| `c` | y |\n# Next\n`d`";
        let docs = section(readme, "# Codes", "# Next");
        assert!(check(&[(&["a-b"], docs), (&["c"], docs)]).is_empty());
        assert_eq!(
            check(&[(&["a-b", "Bad_Code", "d"], docs), (&["a-b"], docs)]),
            [
                "`Bad_Code` is not kebab-case",
                "`Bad_Code` is not documented",
                "`d` is not documented",
                "`a-b` is defined twice",
            ]
        );
        assert!(!is_kebab_case("a--b") && !is_kebab_case("-a") && is_kebab_case("cvss-v4"));
        assert_eq!(section(readme, "# Nowhere", "x"), "");
    }
}
