//! The JSON verdict document, pretty-printed with a trailing newline.

use crate::verdict::VerdictDoc;

pub fn render(doc: &VerdictDoc) -> String {
    // Serialization of our own types cannot fail (no maps with non-string
    // keys, no non-finite floats: the contract check rejects NaN).
    let mut s = serde_json::to_string_pretty(doc)
        .unwrap_or_else(|e| format!("{{\"error\": \"verdict could not be serialized: {e}\"}}"));
    s.push('\n');
    s
}
