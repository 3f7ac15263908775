//! Metrics formats: query results of a metrics server, read from the
//! response bodies it sent (recorded by `gate check --record`, or by
//! `curl`). One file per server API; Prometheus's HTTP API is the one so
//! far (`prometheus.rs`).

mod prometheus;

use crate::{Document, Format, MetricsReport, ParseContext, ParseError, Side};

/// Recognises a metrics format from content.
pub fn sniff(doc: &Document<'_>) -> Option<Format> {
    conforms(Format::Prometheus, doc).then_some(Format::Prometheus)
}

/// Whether `doc` carries the markers of `format` (see [`Format::markers`]).
pub fn conforms(format: Format, doc: &Document<'_>) -> bool {
    match (format, doc) {
        (Format::Prometheus, Document::Json(j)) => prometheus::sniff(j.shape()),
        _ => false,
    }
}

/// Parses a metrics artifact of a known format.
pub fn parse(
    format: Format,
    doc: &Document<'_>,
    cx: &mut ParseContext<'_>,
) -> Result<MetricsReport, ParseError> {
    match (format, doc) {
        (Format::Prometheus, Document::Json(j)) => prometheus::parse(j.text(), cx),
        _ => Err(cx.error(
            crate::ParseCode::UnsupportedFormat,
            None,
            format!("{format} is not supported yet"),
        )),
    }
}

/// The query's name and side from an artifact's path: the file name
/// before `.query` (`.query.json`, `.query_range.json`,
/// `.query.stats-all.json`…), else before its first `.`
/// (`error-rate.json` → `error-rate`); a name ending `.canary` or
/// `.baseline` is that side's answer (how `gate check --record` names
/// what it fetched for one side).
pub fn name_of(path: &str) -> (String, Option<Side>) {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = match file.find(".query") {
        Some(i) => file.get(..i).unwrap_or(file),
        None => file.split('.').next().unwrap_or(file),
    };
    let (stem, side) = if let Some(s) = stem.strip_suffix(".canary") {
        (s, Some(Side::Canary))
    } else if let Some(s) = stem.strip_suffix(".baseline") {
        (s, Some(Side::Baseline))
    } else {
        (stem, None)
    };
    if stem.is_empty() {
        (file.to_string(), None)
    } else {
        (stem.to_string(), side)
    }
}

#[cfg(test)]
mod tests {
    use super::{Side, name_of};

    #[test]
    fn names_come_from_the_file_name() {
        let name = |p| name_of(p).0;
        assert_eq!(name("a/b/error-rate.query.json"), "error-rate");
        assert_eq!(name("p95.query_range.stats-all.json"), "p95");
        assert_eq!(name("x\\up.json"), "up");
        assert_eq!(name(".json"), ".json");
        assert_eq!(
            name_of("rec/p95.canary.query_range.json"),
            ("p95".to_string(), Some(Side::Canary))
        );
        assert_eq!(
            name_of("p95.baseline.query.json"),
            ("p95".to_string(), Some(Side::Baseline))
        );
        assert_eq!(name_of(".canary.query.json").1, None);
    }
}
