//! Coverage formats. One file per format; this module detects and dispatches.

pub mod clover;
pub mod cobertura;
pub mod coveragepy;
pub mod go;
pub mod istanbul;
pub mod istanbul_summary;
pub mod jacoco;
pub mod lcov;
// Shared with the JUnit reader of `test_results`.
pub(crate) mod xml;

use crate::error::ParseCode;
use crate::json::{self, Key, L, Lenient};
use crate::{CoverageReport, Document, FileCoverage, Format, ParseContext, ParseError};
use serde::de::{DeserializeSeed, MapAccess, Visitor};
use std::borrow::Cow;
use std::marker::PhantomData;

/// Most lines a coverage report of `input_len` bytes may produce where the
/// format describes ranges rather than lines (Go blocks): one line per 8
/// bytes plus 2^18. Real profiles need one line per 15–35 bytes; the cap
/// keeps the work and the model bounded by the input's size rather than by
/// numbers written in it (`x.go:1.1,4294967295.1`). The constant part is
/// what a tiny profile with a few huge blocks may claim: a line costs about
/// 75 bytes from parse to JSON, so 2^18 lines stay well inside the fixed
/// 64 MiB of the memory budget (2^20 did not: a 178-byte profile claiming
/// 967,295 lines grew the heap by 73 MB).
pub(crate) fn line_budget(input_len: usize) -> usize {
    (input_len / 8).saturating_add(1 << 18)
}

/// The paths of a JSON report's files, kept as written while the files are
/// read (in document order) and normalized afterwards in the order of their
/// keys, as the reports were read when they were `serde_json::Value` maps:
/// the `unmapped-path` warnings come in that order.
#[derive(Default)]
pub(crate) struct KeyedPaths<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'a> KeyedPaths<'a> {
    /// The next file's key and path (the `n`-th call for the `n`-th file).
    pub(crate) fn push(&mut self, key: Cow<'a, str>, path: Cow<'a, str>) {
        self.0.push((key, path));
    }

    /// Sets each file's normalized path.
    pub(crate) fn apply(self, cx: &mut ParseContext<'_>, files: &mut [FileCoverage]) {
        let mut order: Vec<usize> = (0..self.0.len()).collect();
        order.sort_by(|a, b| {
            let key = |i: &usize| self.0.get(*i).map(|(k, _)| k);
            key(a).cmp(&key(b))
        });
        for i in order {
            if let (Some((_, path)), Some(f)) = (self.0.get(i), files.get_mut(i)) {
                f.path = cx.path(path);
            }
        }
    }
}

/// Reads a JSON object of files (istanbul's `coverage-final.json` and
/// `coverage-summary.json`), each entry turned into the model by `file` as
/// soon as it is read, then normalizes the paths (see [`KeyedPaths`]).
/// `file` gets an entry's key and value and returns the file with the path
/// the entry gives (`None`: its key is its path). Entries under `skip` (a
/// summary's `total`) are passed over. The text must be an object.
pub(crate) fn read_file_map<'de, T, F>(
    text: &'de str,
    cx: &mut ParseContext<'_>,
    skip: Option<&str>,
    file: F,
) -> Result<CoverageReport, ParseError>
where
    T: Lenient<'de>,
    F: FnMut(
        &ParseContext<'_>,
        &str,
        T,
    ) -> Result<(FileCoverage, Option<Cow<'de, str>>), ParseError>,
{
    let mut files = Vec::new();
    let mut paths = KeyedPaths::default();
    let mut stop = None;
    let out = json::read_seed(
        text,
        FileMap {
            cx,
            skip,
            file,
            files: &mut files,
            paths: &mut paths,
            stop: &mut stop,
            entry: PhantomData,
        },
    );
    json::finish(cx.name, out, stop)?;
    paths.apply(cx, &mut files);
    Ok(CoverageReport { files })
}

/// The visitor of [`read_file_map`].
struct FileMap<'c, 'x, 'de, T, F> {
    cx: &'c ParseContext<'x>,
    skip: Option<&'c str>,
    file: F,
    files: &'c mut Vec<FileCoverage>,
    paths: &'c mut KeyedPaths<'de>,
    stop: &'c mut Option<ParseError>,
    entry: PhantomData<T>,
}

impl<'de, T, F> DeserializeSeed<'de> for FileMap<'_, '_, 'de, T, F>
where
    T: Lenient<'de>,
    F: FnMut(
        &ParseContext<'_>,
        &str,
        T,
    ) -> Result<(FileCoverage, Option<Cow<'de, str>>), ParseError>,
{
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T, F> Visitor<'de> for FileMap<'_, '_, 'de, T, F>
where
    T: Lenient<'de>,
    F: FnMut(
        &ParseContext<'_>,
        &str,
        T,
    ) -> Result<(FileCoverage, Option<Cow<'de, str>>), ParseError>,
{
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object of files")
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while let Some(Key(key)) = map.next_key()? {
            if self.skip.is_some_and(|s| s == key) {
                json::skip(&mut map)?;
                continue;
            }
            let L(entry) = map.next_value::<L<T>>()?;
            match (self.file)(self.cx, &key, entry) {
                Ok((f, path)) => {
                    let path = path.unwrap_or_else(|| key.clone());
                    self.paths.push(key, path);
                    self.files.push(f);
                }
                Err(e) => {
                    *self.stop = Some(e);
                    return Err(json::stopped());
                }
            }
        }
        Ok(())
    }
}

/// Recognises a coverage format from content.
pub fn sniff(doc: &Document<'_>) -> Option<Format> {
    match doc {
        Document::Text(t) if lcov::sniff(t) => Some(Format::Lcov),
        Document::Text(t) if go::sniff(t) => Some(Format::GoCover),
        Document::Text(t) if t.trim_start().starts_with('<') => {
            let root = xml::root_name(t)?;
            if cobertura::sniff(t, &root) {
                Some(Format::Cobertura)
            } else if clover::sniff(t, &root) {
                Some(Format::Clover)
            } else if jacoco::sniff(t, &root) {
                Some(Format::Jacoco)
            } else {
                None
            }
        }
        Document::Json(v) if coveragepy::sniff(v.shape()) => Some(Format::Coveragepy),
        Document::Json(v) if istanbul_summary::sniff(v.shape()) => Some(Format::IstanbulSummary),
        Document::Json(v) if istanbul::sniff(v.shape()) => Some(Format::Istanbul),
        _ => None,
    }
}

/// Whether `doc` carries the markers of `format` (see [`Format::markers`]):
/// the same tests as [`sniff`], one format at a time.
pub fn conforms(format: Format, doc: &Document<'_>) -> bool {
    match (format, doc) {
        (Format::Lcov, Document::Text(t)) => lcov::sniff(t),
        (Format::GoCover, Document::Text(t)) => go::sniff(t),
        (Format::Cobertura | Format::Clover | Format::Jacoco, Document::Text(t)) => {
            t.trim_start().starts_with('<')
                && xml::root_name(t).is_some_and(|root| match format {
                    Format::Cobertura => cobertura::sniff(t, &root),
                    Format::Clover => clover::sniff(t, &root),
                    _ => jacoco::sniff(t, &root),
                })
        }
        (Format::Coveragepy, Document::Json(v)) => coveragepy::sniff(v.shape()),
        (Format::IstanbulSummary, Document::Json(v)) => istanbul_summary::sniff(v.shape()),
        (Format::Istanbul, Document::Json(v)) => istanbul::sniff(v.shape()),
        _ => false,
    }
}

/// Parses a coverage artifact of a known format.
pub fn parse(
    format: Format,
    doc: &Document<'_>,
    cx: &mut ParseContext<'_>,
) -> Result<CoverageReport, ParseError> {
    match (format, doc) {
        (Format::Lcov, Document::Text(t)) => lcov::parse(t, cx),
        (Format::Cobertura, Document::Text(t)) => cobertura::parse(t, cx),
        (Format::GoCover, Document::Text(t)) => go::parse(t, cx),
        (Format::Jacoco, Document::Text(t)) => jacoco::parse(t, cx),
        (Format::Clover, Document::Text(t)) => clover::parse(t, cx),
        (Format::Istanbul, Document::Json(v)) => istanbul::parse(v.text(), cx),
        (Format::IstanbulSummary, Document::Json(v)) => istanbul_summary::parse(v.text(), cx),
        (Format::Coveragepy, Document::Json(v)) => coveragepy::parse(v.text(), cx),
        _ => Err(cx.error(
            ParseCode::UnsupportedFormat,
            None,
            format!("{format} is not supported yet"),
        )),
    }
}
