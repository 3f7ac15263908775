//! What the library tells its caller while it works. It never prints:
//! notes, warnings and transfer progress go to an [`Observer`] that the
//! caller implements (gate's CLI writes them to stderr and draws progress
//! bars only on a terminal).

use crate::error::RegistryError;
use std::fmt;
use std::io::Read;
use std::path::PathBuf;

/// Something worth telling the user, as it happens. `Display` gives the
/// line gate prints (with its `note:`/`warning:` prefix).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Note {
    /// A reference is being resolved online: a status line, only worth
    /// showing next to progress bars.
    Resolving { reference: String },
    /// A tag resolved to another digest than `gate.lock` recorded, and the
    /// lock file was updated.
    LockMoved {
        reference: String,
        from: String,
        to: String,
    },
    /// Offline: the pack came from the cache.
    OfflineFromCache { reference: String, digest: String },
    /// The pack's signatures could not be listed; nothing in this run
    /// needed them (no trusted keys).
    SignaturesUnavailable {
        reference: String,
        error: RegistryError,
    },
    /// A cache entry did not match its digest and was removed.
    CorruptBlobRemoved { digest: String, cache: PathBuf },
}

impl Note {
    /// Whether the note is a transient status line rather than something
    /// a log should keep.
    pub fn is_status(&self) -> bool {
        matches!(self, Note::Resolving { .. })
    }

    /// Whether the note is a warning.
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            Note::SignaturesUnavailable { .. } | Note::CorruptBlobRemoved { .. }
        )
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Resolving { reference } => write!(f, "resolving {reference}"),
            Note::LockMoved {
                reference,
                from,
                to,
            } => write!(
                f,
                "note: {reference} moved from {from} to {to}; gate.lock updated"
            ),
            Note::OfflineFromCache { reference, digest } => {
                write!(f, "offline: using cached pack {reference} ({digest})")
            }
            Note::SignaturesUnavailable { reference, error } => write!(
                f,
                "warning: {reference}: cannot list the pack's signatures: {error}"
            ),
            Note::CorruptBlobRemoved { digest, cache } => write!(
                f,
                "warning: cached blob {digest} is corrupted; removed it from {}",
                cache.display()
            ),
        }
    }
}

/// One blob transfer in progress.
pub trait Transfer {
    /// `n` more bytes moved.
    fn advance(&mut self, n: u64);
    /// The transfer completed.
    fn finish(self: Box<Self>);
}

/// Receives what the library has to say. Both methods default to silence.
pub trait Observer {
    /// A note or warning, as it happens.
    fn note(&self, note: Note) {
        let _ = note;
    }

    /// A transfer of `total` bytes starts (`label` says which blob and
    /// which way); the handle is advanced as bytes move.
    fn transfer(&self, label: &str, total: u64) -> Box<dyn Transfer> {
        let _ = (label, total);
        Box::new(Unseen)
    }
}

/// An observer that drops everything (tests, benches, library callers that
/// do not show progress).
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Observer for Silent {}

struct Unseen;

impl Transfer for Unseen {
    fn advance(&mut self, _: u64) {}
    fn finish(self: Box<Self>) {}
}

/// A reader that advances a transfer as it is read.
pub(crate) struct Counting<'a, R> {
    pub(crate) inner: R,
    pub(crate) transfer: &'a mut dyn Transfer,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.transfer.advance(n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_read_as_gate_prints_them() {
        let n = Note::LockMoved {
            reference: "oci://h/a:1".into(),
            from: "sha256:a".into(),
            to: "sha256:b".into(),
        };
        assert_eq!(
            n.to_string(),
            "note: oci://h/a:1 moved from sha256:a to sha256:b; gate.lock updated"
        );
        assert!(!n.is_warning() && !n.is_status());
        let w = Note::SignaturesUnavailable {
            reference: "oci://h/a:1".into(),
            error: RegistryError::new("boom"),
        };
        assert_eq!(
            w.to_string(),
            "warning: oci://h/a:1: cannot list the pack's signatures: boom"
        );
        assert!(w.is_warning());
        assert!(
            Note::Resolving {
                reference: "x".into()
            }
            .is_status()
        );
    }

    #[test]
    fn counting_readers_advance_their_transfer() {
        struct Tally(std::rc::Rc<std::cell::Cell<u64>>);
        impl Transfer for Tally {
            fn advance(&mut self, n: u64) {
                self.0.set(self.0.get() + n);
            }
            fn finish(self: Box<Self>) {}
        }
        let seen = std::rc::Rc::new(std::cell::Cell::new(0));
        let mut t = Tally(seen.clone());
        let mut out = Vec::new();
        Counting {
            inner: &b"hello world"[..],
            transfer: &mut t,
        }
        .read_to_end(&mut out)
        .unwrap();
        assert_eq!(seen.get(), 11);
    }
}
