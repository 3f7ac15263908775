//! A verdict's findings while its policy runs (issue 11: memory bounded by
//! the input's size). A big input can give hundreds of thousands of
//! findings (a 30 MB Terraform plan: 423 000, with 50 MB of text in no
//! input) while the artifacts' models, the input and the guest's memory
//! are all still alive; measured, holding them as `verdict::Finding`s
//! then was the peak of `gate check`. So each accepted finding is encoded
//! compactly (lengths and bytes, no per-finding structure, nothing
//! shared) into a buffer, and once the buffer passes [`SPILL_AT`] into an
//! anonymous temporary file (`TMPDIR`, removed by the system when closed).
//! The evaluation core reads them back ([`Spilled::load`]) after every
//! policy has run and the models are gone, in the order they came: the
//! verdict, and every report of it, is the same as if they had stayed in
//! memory. A small verdict never touches the disk.
//!
//! Fail closed: a temporary file that cannot be created, written or read
//! back makes [`Spilled::load`] an error (the run's exit 3), never a
//! verdict with findings missing.

use super::bindings::types as wit;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};

/// Bytes of encoded findings kept in memory before they go to a file.
pub const SPILL_AT: usize = 4 << 20;

/// The findings of one verdict, encoded, in order.
#[derive(Debug)]
pub struct Spilled {
    /// Encoded findings not yet in `file`.
    buf: Vec<u8>,
    /// Everything before `buf`, once there was more than `spill_at`.
    file: Option<File>,
    /// Bytes in `file`.
    flushed: u64,
    /// How many findings.
    count: usize,
    /// The first I/O error; nothing is kept after it.
    error: Option<String>,
    spill_at: usize,
}

impl Default for Spilled {
    fn default() -> Self {
        Self::spilling_at(SPILL_AT)
    }
}

impl Spilled {
    /// A store that goes to a file past `spill_at` bytes (tests use a few).
    pub fn spilling_at(spill_at: usize) -> Self {
        Self {
            buf: Vec::new(),
            file: None,
            flushed: 0,
            count: 0,
            error: None,
            spill_at,
        }
    }

    /// How many findings.
    pub fn len(&self) -> usize {
        self.count
    }

    /// No findings.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Appends `f`; returns where its record starts (for [`Self::fingerprint_is`]).
    pub fn push(&mut self, f: &wit::Finding) -> u64 {
        let at = self.flushed.saturating_add(self.buf.len() as u64);
        self.count = self.count.saturating_add(1);
        encode(&mut self.buf, f);
        if self.buf.len() >= self.spill_at {
            self.flush();
        }
        at
    }

    /// Whether the finding recorded at `at` has fingerprint `fp` (the
    /// fingerprint is a record's first field). Rare: only when two
    /// fingerprints' hashes meet.
    pub fn fingerprint_is(&mut self, at: u64, fp: &str) -> bool {
        if let Some(local) = at.checked_sub(self.flushed) {
            let Ok(local) = usize::try_from(local) else {
                return false;
            };
            let mut rest = self.buf.get(local..).unwrap_or_default();
            return read_str(&mut rest).is_ok_and(|s| s == fp);
        }
        let Some(file) = self.file.as_mut() else {
            return false;
        };
        let read = (|| {
            file.seek(SeekFrom::Start(at))?;
            let s = read_str(&mut BufReader::new(&mut *file))?;
            file.seek(SeekFrom::End(0))?;
            Ok::<_, std::io::Error>(s)
        })();
        match read {
            Ok(s) => s == fp,
            Err(e) => {
                self.failed(&e);
                false
            }
        }
    }

    /// Moves the buffer to the file, creating it the first time.
    fn flush(&mut self) {
        if self.error.is_some() {
            self.buf = Vec::new();
            return;
        }
        let written = (|| {
            let file = match self.file.as_mut() {
                Some(f) => f,
                None => self.file.insert(tempfile::tempfile()?),
            };
            file.write_all(&self.buf)
        })();
        match written {
            Ok(()) => {
                self.flushed = self.flushed.saturating_add(self.buf.len() as u64);
                self.buf.clear();
            }
            Err(e) => {
                self.failed(&e);
                self.buf = Vec::new();
            }
        }
    }

    fn failed(&mut self, e: &std::io::Error) {
        if self.error.is_none() {
            self.error = Some(format!(
                "cannot keep a verdict's findings in a temporary file in {}: {e}",
                std::env::temp_dir().display()
            ));
        }
    }

    /// Every finding, in the order given, in the verdict's form (texts
    /// repeated across findings shared again). An error when the file
    /// could not be written or read back.
    pub fn load(mut self) -> Result<Vec<crate::verdict::Finding>, String> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let mut texts = crate::verdict::Interner::default();
        let mut out = Vec::with_capacity(self.count);
        let corrupt = |e: std::io::Error| {
            format!(
                "cannot read a verdict's findings back from a temporary file in {}: {e}",
                std::env::temp_dir().display()
            )
        };
        if let Some(mut file) = self.file.take() {
            file.seek(SeekFrom::Start(0)).map_err(corrupt)?;
            let mut r = BufReader::with_capacity(1 << 16, file.take(self.flushed));
            while !r.fill_buf().map_err(corrupt)?.is_empty() {
                let f = decode(&mut r).map_err(corrupt)?;
                out.push(super::convert::finding(f, &mut texts));
            }
        }
        let mut rest = self.buf.as_slice();
        while !rest.is_empty() {
            let f = decode(&mut rest).map_err(corrupt)?;
            out.push(super::convert::finding(f, &mut texts));
        }
        if out.len() != self.count {
            return Err(corrupt(std::io::Error::other(format!(
                "{} findings read, {} written",
                out.len(),
                self.count
            ))));
        }
        Ok(out)
    }
}

// The record: fingerprint first (see `fingerprint_is`), then the fields in
// the contract's order. Strings are a u32 length and UTF-8 bytes (every
// text was checked against the limits, far below 4 GiB); an option is a
// 0/1 byte, then the value.

fn put_str(out: &mut Vec<u8>, s: &str) {
    let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(s.as_bytes().get(..len as usize).unwrap_or_default());
}

fn put_opt_str(out: &mut Vec<u8>, s: Option<&String>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
    }
}

fn put_opt_u32(out: &mut Vec<u8>, n: Option<u32>) {
    match n {
        None => out.push(0),
        Some(n) => {
            out.push(1);
            out.extend_from_slice(&n.to_le_bytes());
        }
    }
}

fn encode(out: &mut Vec<u8>, f: &wit::Finding) {
    put_str(out, &f.fingerprint);
    put_str(out, &f.rule);
    out.push(match f.severity {
        wit::Severity::Unknown => 0,
        wit::Severity::Info => 1,
        wit::Severity::Low => 2,
        wit::Severity::Medium => 3,
        wit::Severity::High => 4,
        wit::Severity::Critical => 5,
    });
    put_str(out, &f.message);
    match &f.location {
        None => out.push(0),
        Some(l) => {
            out.push(1);
            put_str(out, &l.path);
            put_opt_u32(out, l.line);
            put_opt_u32(out, l.end_line);
            put_opt_u32(out, l.column);
        }
    }
    put_opt_str(out, f.resource.as_ref());
    let aliases = u32::try_from(f.aliases.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&aliases.to_le_bytes());
    for a in f.aliases.iter().take(aliases as usize) {
        put_str(out, a);
    }
    put_opt_str(out, f.remediation.as_ref());
    put_opt_str(out, f.evidence.as_ref());
    out.push(match f.status {
        wit::FindingStatus::Open => 0,
        wit::FindingStatus::Waived => 1,
        wit::FindingStatus::Suppressed => 2,
        wit::FindingStatus::Fixed => 3,
    });
    out.push(u8::from(f.blocking));
}

fn bad(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, format!("bad {what}"))
}

fn read_u8<R: Read + ?Sized>(r: &mut R) -> std::io::Result<u8> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b)?;
    Ok(b[0])
}

fn read_u32<R: Read + ?Sized>(r: &mut R) -> std::io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn read_str<R: Read + ?Sized>(r: &mut R) -> std::io::Result<String> {
    let len = read_u32(r)? as usize;
    let mut bytes = Vec::new();
    r.take(len as u64).read_to_end(&mut bytes)?;
    if bytes.len() != len {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    String::from_utf8(bytes).map_err(|_| bad("text"))
}

fn read_opt<T, R: Read + ?Sized>(
    r: &mut R,
    read: impl FnOnce(&mut R) -> std::io::Result<T>,
) -> std::io::Result<Option<T>> {
    match read_u8(r)? {
        0 => Ok(None),
        1 => read(r).map(Some),
        _ => Err(bad("option")),
    }
}

fn decode<R: Read + ?Sized>(r: &mut R) -> std::io::Result<wit::Finding> {
    let fingerprint = read_str(r)?;
    let rule = read_str(r)?;
    let severity = match read_u8(r)? {
        0 => wit::Severity::Unknown,
        1 => wit::Severity::Info,
        2 => wit::Severity::Low,
        3 => wit::Severity::Medium,
        4 => wit::Severity::High,
        5 => wit::Severity::Critical,
        _ => return Err(bad("severity")),
    };
    let message = read_str(r)?;
    let location = read_opt(r, |r| {
        Ok(wit::Location {
            path: read_str(r)?,
            line: read_opt(r, |r| read_u32(r))?,
            end_line: read_opt(r, |r| read_u32(r))?,
            column: read_opt(r, |r| read_u32(r))?,
        })
    })?;
    let resource = read_opt(r, |r| read_str(r))?;
    let n = read_u32(r)?;
    let mut aliases = Vec::new();
    for _ in 0..n {
        aliases.push(read_str(r)?);
    }
    let remediation = read_opt(r, |r| read_str(r))?;
    let evidence = read_opt(r, |r| read_str(r))?;
    let status = match read_u8(r)? {
        0 => wit::FindingStatus::Open,
        1 => wit::FindingStatus::Waived,
        2 => wit::FindingStatus::Suppressed,
        3 => wit::FindingStatus::Fixed,
        _ => return Err(bad("status")),
    };
    let blocking = match read_u8(r)? {
        0 => false,
        1 => true,
        _ => return Err(bad("flag")),
    };
    Ok(wit::Finding {
        rule,
        severity,
        message,
        location,
        resource,
        aliases,
        remediation,
        evidence,
        status,
        blocking,
        fingerprint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(i: usize) -> wit::Finding {
        wit::Finding {
            rule: format!("rule/{}", i % 3),
            severity: wit::Severity::High,
            message: format!("message {i} ✓"),
            location: i.is_multiple_of(2).then(|| wit::Location {
                path: "src/a.rs".into(),
                line: Some(u32::try_from(i).unwrap_or(0)),
                end_line: None,
                column: Some(7),
            }),
            resource: i.is_multiple_of(3).then(|| format!("aws_s3_bucket.b{i}")),
            aliases: if i.is_multiple_of(4) {
                vec!["CVE-1".into(), String::new()]
            } else {
                vec![]
            },
            remediation: Some("fix it".into()),
            evidence: i.is_multiple_of(5).then(String::new),
            status: match i % 4 {
                0 => wit::FindingStatus::Open,
                1 => wit::FindingStatus::Waived,
                2 => wit::FindingStatus::Suppressed,
                _ => wit::FindingStatus::Fixed,
            },
            blocking: i % 2 == 1,
            fingerprint: format!("fp-{i}"),
        }
    }

    #[test]
    fn findings_come_back_in_order_from_memory_and_from_the_file() {
        let mut texts = crate::verdict::Interner::default();
        let expected: Vec<_> = (0..200)
            .map(|i| super::super::convert::finding(finding(i), &mut texts))
            .collect();
        // In memory only, spilled after every few, and after every one.
        for spill_at in [usize::MAX, 300, 1] {
            let mut s = Spilled::spilling_at(spill_at);
            let at: Vec<u64> = (0..200).map(|i| s.push(&finding(i))).collect();
            assert_eq!(s.len(), 200);
            for (i, at) in at.iter().enumerate().rev() {
                assert!(s.fingerprint_is(*at, &format!("fp-{i}")), "{spill_at} {i}");
                assert!(!s.fingerprint_is(*at, "fp-x"));
            }
            // Writes after a read still append.
            s.push(&finding(200));
            let mut all = expected.clone();
            all.push(super::super::convert::finding(finding(200), &mut texts));
            assert_eq!(s.load().as_ref(), Ok(&all), "{spill_at}");
        }
    }
}
