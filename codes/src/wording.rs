//! Wording written once for every human output: a count with its noun in
//! the right number, and a word with its article. (`1 policies`,
//! `1 artifact(s)` and `a npm-audit report` read as mistakes.)

/// `1 policy`, `2 policies`, `0 policies`.
pub fn count<N: std::fmt::Display + PartialEq + From<u8>>(n: N, one: &str, many: &str) -> String {
    if n == N::from(1) {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `a coverage`, `an npm-audit`, `an 8-byte`: the article by the sound of
/// the word's start (a vowel letter, or a number read with a vowel sound).
pub fn a(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let digits: String = lower.chars().take_while(char::is_ascii_digit).collect();
    let vowel = if digits.is_empty() {
        // A name read letter by letter (`npm`, `lcov`) starts with a
        // vowel sound when its first letter's name does (en, el…).
        let spelled = lower.len() >= 2
            && lower
                .split(['-', ' ', '_'])
                .next()
                .is_some_and(|w| SPELLED.contains(&w));
        match lower.chars().next() {
            Some('a' | 'e' | 'i' | 'o') => true,
            Some('u') => !lower.starts_with("us") && !lower.starts_with("uni"),
            Some('f' | 'h' | 'l' | 'm' | 'n' | 'r' | 's' | 'x') => spelled,
            _ => false,
        }
    } else {
        // eight, eleven, eighteen, eighty…, eight hundred…
        digits.starts_with('8')
            || digits == "11"
            || digits == "18"
            || (digits.len() % 3 == 2 && (digits.starts_with("11") || digits.starts_with("18")))
    };
    if vowel {
        format!("an {word}")
    } else {
        format!("a {word}")
    }
}

/// Names gate writes that are read letter by letter.
const SPELLED: &[&str] = &[
    "npm", "osv", "lcov", "html", "sbom", "xml", "rbac", "hcl", "fifo",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_articles() {
        assert_eq!(count(1, "policy", "policies"), "1 policy");
        assert_eq!(count(0, "policy", "policies"), "0 policies");
        assert_eq!(count(3, "artifact", "artifacts"), "3 artifacts");
        for (word, says) in [
            ("npm-audit", "an npm-audit"),
            ("osv-scanner", "an osv-scanner"),
            ("istanbul", "an istanbul"),
            ("Ingress", "an Ingress"),
            ("coverage", "a coverage"),
            ("Deployment", "a Deployment"),
            ("lcov", "an lcov"),
            ("sarif", "a sarif"),
            ("user", "a user"),
            ("8-byte", "an 8-byte"),
            ("11-byte", "an 11-byte"),
            ("80-byte", "an 80-byte"),
            ("1-byte", "a 1-byte"),
            ("100-byte", "a 100-byte"),
            ("18000-byte", "an 18000-byte"),
        ] {
            assert_eq!(a(word), says);
        }
    }
}
