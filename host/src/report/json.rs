//! The JSON verdict document, pretty-printed with a trailing newline.

use crate::verdict::VerdictDoc;
use std::io::Write;

/// Writes the document to `out` as it is serialized.
pub fn write(doc: &VerdictDoc, out: &mut dyn Write) -> std::io::Result<()> {
    // Serialization of our own types cannot fail (no maps with non-string
    // keys, no non-finite floats: the contract check rejects NaN); only
    // the writer can.
    serde_json::to_writer_pretty(&mut *out, doc).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}
