//! Everything gate prints on stdout goes through [`print`].
//!
//! Rust ignores SIGPIPE, so a write to a closed pipe is an `EPIPE` error,
//! which `print!` turns into a panic (exit 101). Here a closed pipe ends
//! the output quietly (the reader has what it wanted, as with `| head`) and
//! the command still ends with its own exit code: the gate's verdict is
//! never lost to a closed pipe. Any other write error (a full disk,
//! `/dev/full`, an I/O error) is an `output-error`, exit 3.

use crate::error::GateError;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once stdout's reader has gone: later output is dropped.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `text` to stdout, all of it, and flushes.
pub fn print(text: impl AsRef<[u8]>) -> Result<(), GateError> {
    print_with(|out| out.write_all(text.as_ref()))
}

/// Writes to stdout what `write` writes (buffered, as it is made: a big
/// report is never held whole), and flushes.
pub fn print_with(
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), GateError> {
    if CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(GateError::Output(format!(
            "cannot write to stdout: {}",
            crate::fsutil::lower(&e)
        ))),
    }
}
