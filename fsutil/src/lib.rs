//! Files gate reads and writes, handled in one place.
//!
//! Reading: every file a user can point gate at (artifacts, `--diff`,
//! `gate.toml`, policy components, keys, lock files, OCI layouts, `go.mod`)
//! is read by [`read`]: it must be a regular file (a device, FIFO or
//! directory is refused, never read or waited on), and at most the input
//! size limit is read ([`InputLimit`]: `GATE_MAX_INPUT_MIB`, else
//! `[limits] max-input-mib` of gate.toml, else 1 GiB). The handle is opened
//! first and then checked (`fstat`), so the file checked is the file read.
//!
//! Writing: [`write_file`] writes reports and `gate.lock`. A regular file
//! (or a path that does not exist yet) is replaced atomically: a temp file
//! in the same directory, written, synced, renamed over the target, and the
//! directory synced; on any failure the previous file is left as it was.
//! The new file's mode is 0666 less the umask, as a shell redirect gives. A
//! character device or FIFO (`/dev/null`, `/dev/stdout`, a named pipe) is
//! written through, never replaced. A symlink is followed: its final target
//! is written by the same rules, the link itself is kept.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::RwLock;

/// Bytes in a MiB.
const MIB: u64 = 1 << 20;

/// The default input size limit (1 GiB).
pub const DEFAULT_MAX_INPUT_MIB: u64 = 1024;

/// The environment variable that sets the input size limit in MiB.
pub const MAX_INPUT_ENV: &str = "GATE_MAX_INPUT_MIB";

/// The most gate reads from one file, and who set it (for the message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputLimit {
    pub bytes: u64,
    pub source: LimitSource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitSource {
    Default,
    /// `GATE_MAX_INPUT_MIB`.
    Env,
    /// `[limits] max-input-mib` at this place (`gate.toml:LINE:COL`).
    Config(String),
    /// A limit of the file's own kind (e.g. a blob's size from its
    /// descriptor), described in words.
    Fixed(&'static str),
}

impl InputLimit {
    pub const DEFAULT: InputLimit = InputLimit {
        bytes: DEFAULT_MAX_INPUT_MIB * MIB,
        source: LimitSource::Default,
    };

    /// A limit given in MiB; `None` when 0 or too large to count in bytes.
    pub fn mib(mib: u64, source: LimitSource) -> Option<InputLimit> {
        let bytes = mib.checked_mul(MIB).filter(|_| mib > 0)?;
        Some(InputLimit { bytes, source })
    }
}

impl fmt::Display for InputLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.bytes.is_multiple_of(MIB) {
            write!(f, "{} MiB", self.bytes / MIB)?;
        } else {
            write!(f, "{} bytes", self.bytes)?;
        }
        match &self.source {
            LimitSource::Default => write!(
                f,
                " (the default; raise it with {MAX_INPUT_ENV} or [limits] max-input-mib)"
            ),
            LimitSource::Env => write!(f, " (set by {MAX_INPUT_ENV})"),
            LimitSource::Config(place) => write!(f, " (set by [limits] max-input-mib at {place})"),
            LimitSource::Fixed(what) => write!(f, " ({what})"),
        }
    }
}

/// The limit in force for this process. A process reads one set of inputs
/// under one limit, and the limit's sources (environment, gate.toml) are
/// process-wide, so it lives here rather than in every reader's arguments.
static LIMIT: RwLock<Option<InputLimit>> = RwLock::new(None);

/// The input size limit in force.
pub fn input_limit() -> InputLimit {
    LIMIT
        .read()
        .ok()
        .and_then(|l| l.clone())
        .unwrap_or(InputLimit::DEFAULT)
}

fn set_limit(limit: InputLimit) {
    if let Ok(mut l) = LIMIT.write() {
        *l = Some(limit);
    }
}

/// Applies `GATE_MAX_INPUT_MIB` when set; a value that is not a whole
/// number of MiB ≥ 1 is an error (the message names the variable).
pub fn limit_from_env() -> Result<(), String> {
    let Some(v) = std::env::var_os(MAX_INPUT_ENV).filter(|v| !v.is_empty()) else {
        return Ok(());
    };
    let limit = v
        .to_str()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .and_then(|m| InputLimit::mib(m, LimitSource::Env))
        .ok_or_else(|| {
            format!(
                "{MAX_INPUT_ENV}={} is not a size in MiB (a whole number from 1)",
                v.to_string_lossy()
            )
        })?;
    set_limit(limit);
    Ok(())
}

/// Applies `[limits] max-input-mib` of a config unless the environment
/// already set the limit (the CI operator's setting wins over the
/// repository's). The value was validated when the config was loaded.
pub fn limit_from_config(limit: InputLimit) {
    if input_limit().source != LimitSource::Env {
        set_limit(limit);
    }
}

gate_codes::names! {
    /// The stable code of a [`ReadError`], printed as `error[CODE]`.
    /// Codes are a contract: never rename one.
    pub enum ReadCode {
        UnreadableArtifact = "unreadable-artifact",
        NotARegularFile = "not-a-regular-file",
        InputTooLarge = "input-too-large",
        InvalidUtf8 = "invalid-utf8",
    }
}

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    Io(io::Error),
    /// Not a regular file: what it is instead (`a directory`, `a fifo`…).
    NotRegular(&'static str),
    TooLarge(InputLimit),
    /// Not UTF-8 ([`read_to_string`]): the offset of the first bad byte.
    NotUtf8(usize),
}

impl ReadError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == io::ErrorKind::NotFound)
    }

    /// A stable kebab-case code for input diagnostics.
    pub fn code(&self) -> ReadCode {
        match self {
            ReadError::Io(_) => ReadCode::UnreadableArtifact,
            ReadError::NotRegular(_) => ReadCode::NotARegularFile,
            ReadError::TooLarge(_) => ReadCode::InputTooLarge,
            ReadError::NotUtf8(_) => ReadCode::InvalidUtf8,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read: {}", lower(e)),
            ReadError::NotRegular(what) => {
                write!(f, "is {what}, not a regular file; refusing to read it")
            }
            ReadError::TooLarge(limit) => write!(f, "larger than the input size limit of {limit}"),
            ReadError::NotUtf8(at) => write!(f, "not valid UTF-8 (byte {at})"),
        }
    }
}

impl std::error::Error for ReadError {}

/// An I/O error's text in the lowercase our messages use, with a plain
/// cause only: the OS error number (`(os error 2)`) says nothing more to a
/// user than "no such file or directory" does.
pub fn lower(e: &io::Error) -> String {
    plain(&e.to_string())
}

/// An error text from a library (an I/O error, or one that wraps one) as
/// our messages show it: lowercase, without ` (os error N)`.
pub fn plain(text: &str) -> String {
    let mut out = text.to_lowercase();
    while let Some(at) = out.find(" (os error ") {
        let end = out
            .get(at + 1..)
            .and_then(|rest| rest.find(')'))
            .map_or(out.len(), |n| at + 1 + n + 1);
        out.replace_range(at..end, "");
    }
    out
}

/// What a file type is, in words, when it is not a regular file.
fn kind_of(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a fifo";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Opens a regular file for reading, checking the handle (not the path).
/// Non-blocking, so a FIFO without a writer is refused, not waited on.
pub fn open_regular(path: &Path) -> Result<(File, u64), ReadError> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = match options.open(path) {
        Ok(f) => f,
        Err(e) => {
            // A socket cannot be opened at all (ENXIO); say what it is.
            return Err(match std::fs::metadata(path) {
                Ok(m) if !m.is_file() && !m.is_dir() => {
                    ReadError::NotRegular(kind_of(&m.file_type()))
                }
                _ => ReadError::Io(e),
            });
        }
    };
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta.file_type())));
    }
    Ok((file, meta.len()))
}

/// A regular file's bytes, at most the input size limit in force.
pub fn read(path: &Path) -> Result<Vec<u8>, ReadError> {
    read_limited(path, &input_limit())
}

/// A regular file's bytes, at most `limit` instead of the input size limit:
/// for files with a bound of their own (an OCI blob has its descriptor's
/// size, gate's caches have their own content), which a small input size
/// limit must not make unreadable.
pub fn read_limited(path: &Path, limit: &InputLimit) -> Result<Vec<u8>, ReadError> {
    let (file, len) = open_regular(path)?;
    if len > limit.bytes {
        return Err(ReadError::TooLarge(limit.clone()));
    }
    // The size is only a hint (a file can grow while read, /proc files say
    // 0): the read itself stops one byte past the limit.
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(limit.bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit.bytes {
        return Err(ReadError::TooLarge(limit.clone()));
    }
    Ok(bytes)
}

/// A regular file's text (UTF-8), at most the input size limit in force.
pub fn read_to_string(path: &Path) -> Result<String, ReadError> {
    String::from_utf8(read(path)?).map_err(|e| ReadError::NotUtf8(e.utf8_error().valid_up_to()))
}

// ---- where gate caches --------------------------------------------------

/// gate's cache directory (compiled components, pulled packs):
/// `$GATE_CACHE_DIR`, else `$XDG_CACHE_HOME/gate`, else `$HOME/.cache/gate`.
/// An empty variable counts as unset (an empty path would be the working
/// directory). `None` when none is known.
pub fn cache_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    var("GATE_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| var("XDG_CACHE_HOME").map(|x| PathBuf::from(x).join("gate")))
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".cache").join("gate")))
}

// ---- writing ------------------------------------------------------------

/// Writes `bytes` to `path` as described in the module docs, with mode
/// 0666 less the umask for a new file.
pub fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_file_mode(path, bytes, 0o666)
}

/// [`write_file`] with another mode for the new file (still less the
/// umask), e.g. 0600 for a secret key.
pub fn write_file_mode(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    write_with_mode(path, mode, |w| w.write_all(bytes))
}

/// [`write_file`] for a text made as it is written: `write` writes it
/// (buffered) into the file, so a big report is never held whole in
/// memory. It is called once, or not at all when the path is refused.
pub fn write_file_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    write_with_mode(path, 0o666, write)
}

fn write_with_mode(
    path: &Path,
    mode: u32,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    // What the kernel finds at the path (through any links, including
    // /dev/stdout's /proc links to a pipe) decides how it is written.
    match std::fs::metadata(path) {
        Ok(m) if is_stream(&m.file_type()) => write_through(path, write, mode),
        Ok(m) if m.is_file() => write_atomic(&follow_symlinks(path)?, write, mode),
        Ok(m) => Err(io::Error::other(format!(
            "is {}; refusing to replace it",
            kind_of(&m.file_type())
        ))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            write_atomic(&follow_symlinks(path)?, write, mode)
        }
        Err(e) => Err(e),
    }
}

/// A character device or FIFO: written through, never replaced.
fn is_stream(t: &std::fs::FileType) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        t.is_char_device() || t.is_fifo()
    }
    #[cfg(not(unix))]
    {
        let _ = t;
        false
    }
}

/// The path a chain of symlinks ends at (the path itself when it is not a
/// symlink; a dangling link's target, which is then created).
fn follow_symlinks(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    // Linux's own limit on links followed in one lookup.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Writes into an existing device or FIFO, without creating or truncating.
fn write_through(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    mode: u32,
) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: a FIFO with no reader is ENXIO at once instead of an
        // open that blocks forever; the flag is cleared before writing.
        options.custom_flags(libc::O_NOCTTY | libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| {
        if e.raw_os_error() == Some(libc::ENXIO) {
            io::Error::new(e.kind(), "is a FIFO with no reader")
        } else {
            e
        }
    })?;
    #[cfg(unix)]
    clear_nonblock(&file)?;
    // The path was checked before opening; if it was swapped for a regular
    // file since, replace that atomically as usual instead.
    if !is_stream(&file.metadata()?.file_type()) {
        drop(file);
        return write_atomic(&follow_symlinks(path)?, write, mode);
    }
    let mut out = io::BufWriter::new(file);
    write(&mut out)?;
    out.flush()
}

/// Makes writes to `file` block again (it was opened with O_NONBLOCK).
#[cfg(unix)]
#[allow(unsafe_code)]
fn clear_nonblock(file: &File) -> io::Result<()> {
    use std::os::unix::io::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function borrows open; F_GETFL and
    // F_SETFL read and set its status flags only.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Temp file beside the target, write, fsync, rename, fsync the directory.
fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    mode: u32,
) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let (tmp_path, tmp) = create_temp(dir, mode)?;
    let mut out = io::BufWriter::new(tmp);
    let written = write(&mut out)
        .and_then(|()| out.into_inner().map_err(io::IntoInnerError::into_error))
        .and_then(|tmp| tmp.sync_all())
        .and_then(|()| std::fs::rename(&tmp_path, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp_path);
        return Err(e);
    }
    sync_dir(dir)
}

/// A new file in `dir` with a name no one else uses. The kernel applies the
/// umask to `mode`, so a report is 0644 under the usual umask 022 (unlike a
/// `tempfile` file, which is always 0600).
fn create_temp(dir: &Path, mode: u32) -> io::Result<(PathBuf, File)> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut last = None;
    for _ in 0..64 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let p = dir.join(format!(".gate-{}-{nanos:x}-{n}.tmp", std::process::id()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        match options.open(&p) {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("cannot create a temp file")))
}

/// Makes a rename durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_error_text_is_a_plain_cause_once() {
        let e = std::fs::read("/nonexistent/gate-test").unwrap_err();
        assert_eq!(lower(&e), "no such file or directory");
        assert_eq!(
            plain("io: Connection refused (os error 111) (is it up?)"),
            "io: connection refused (is it up?)"
        );
    }

    #[test]
    fn limits_read_one_byte_past_and_say_which_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"12345").unwrap();
        let five = InputLimit {
            bytes: 5,
            source: LimitSource::Fixed("test limit"),
        };
        assert_eq!(read_limited(&p, &five).unwrap(), b"12345");
        let four = InputLimit { bytes: 4, ..five };
        let e = read_limited(&p, &four).unwrap_err();
        assert_eq!(
            e.to_string(),
            "larger than the input size limit of 4 bytes (test limit)"
        );
        assert_eq!(e.code(), "input-too-large");
    }

    #[test]
    fn devices_fifos_and_directories_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let e = read(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(e.code(), "not-a-regular-file", "{e}");
        assert!(e.to_string().contains("a character device"), "{e}");
        let e = read(dir.path()).unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");
        assert!(
            read(&dir.path().join("missing"))
                .unwrap_err()
                .is_not_found()
        );
    }

    #[test]
    fn mib_limits_reject_zero_and_overflow() {
        assert_eq!(InputLimit::mib(0, LimitSource::Env), None);
        assert_eq!(InputLimit::mib(u64::MAX, LimitSource::Env), None);
        assert_eq!(InputLimit::mib(2, LimitSource::Env).unwrap().bytes, 2 << 20);
    }

    #[test]
    fn atomic_writes_replace_and_leave_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/report.json");
        write_file(&p, b"one").unwrap();
        write_file(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["report.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        std::fs::write(&target, b"old").unwrap();
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        write_file(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
    }
}
