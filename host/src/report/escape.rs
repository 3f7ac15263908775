//! Escaping for the text formats CI systems read. Each function is the one
//! place its format's rules live.

use std::borrow::Cow;

/// XML 1.0 text and attribute content: control characters XML 1.0 forbids
/// replaced (a report must always parse). The writer (quick-xml) escapes
/// the five entities.
pub fn xml_chars(s: &str) -> Cow<'_, str> {
    let forbidden = |c: char| {
        !matches!(c, '\t' | '\n' | '\r')
            && ((c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}')
    };
    if !s.contains(forbidden) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| if forbidden(c) { '\u{FFFD}' } else { c })
            .collect(),
    )
}

/// GitHub workflow command data (the message after `::`).
pub fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub workflow command property values (`file=`, `title=`): data
/// escaping plus `:` and `,`, which would end the property.
pub fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Markdown table cells: no line breaks, no pipes.
pub fn md_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

/// HTML text and attribute content.
pub fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_strings() {
        let evil = "100% done\r\n::error file=x::pwned, a:b <tag> & \u{1}";
        assert_eq!(
            gh_data(evil),
            "100%25 done%0D%0A::error file=x::pwned, a:b <tag> & \u{1}"
        );
        assert_eq!(gh_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert!(!gh_data(evil).contains('\n'));
        assert_eq!(
            xml_chars("a<b\t\"c\" \u{1}\u{FFFF}"),
            "a<b\t\"c\" \u{FFFD}\u{FFFD}"
        );
        assert_eq!(md_cell("a|b\nc"), "a\\|b c");
        assert_eq!(html("<script>"), "&lt;script&gt;");
    }
}
