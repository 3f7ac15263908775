//! The crate's file access, through `gate-fsutil` (regular files only,
//! bounded reads, atomic writes), with errors in the crate's terms.

use crate::error::{RegistryError, Result};
use gate_fsutil::ReadError;
use std::path::Path;

/// An I/O failure as a generic registry error.
pub(crate) fn io(what: &str, path: &Path, e: std::io::Error) -> RegistryError {
    RegistryError::new(format!(
        "cannot {what} {}: {}",
        path.display(),
        gate_fsutil::lower(&e)
    ))
}

/// A failed read as a generic registry error naming the file.
pub(crate) fn read_error(path: &Path, e: &ReadError) -> RegistryError {
    RegistryError::new(format!("{}: {e}", path.display()))
}

/// Writes a file atomically ([`gate_fsutil::write_file`]: temp file, fsync,
/// rename; mode from the umask).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    gate_fsutil::write_file(path, bytes).map_err(|e| io("write", path, e))
}
