//! `gate parse`: the normalized model, as policies would see it.

use super::{ParseArgs, output};
use crate::config::Role;
use crate::error::GateError;
use crate::exit::Exit;
use crate::inputs::{self, ArtifactSpec, LoadedArtifact};
use gate_artifacts::{
    CoverageReport, FileCoverage, Format, IacResource, Measurement, Model, ParseOptions,
    SecurityFinding, TestCase, TestReport, TestSuite, Warning,
};
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde_json::{Value, json};
use std::borrow::Cow;

pub fn run(args: ParseArgs) -> Result<Exit, GateError> {
    let format: Option<Format> = match &args.format {
        Some(f) => Some(f.parse().map_err(GateError::Usage)?),
        None => None,
    };
    let root = match &args.root {
        Some(r) => Some(
            super::check::root_dir(r)
                .map_err(|m| GateError::Usage(format!("--root {}: {m}", r.display())))?,
        ),
        None => std::env::current_dir().ok(),
    };
    let go_module = match root.as_deref() {
        Some(r) => inputs::go_module(r).map_err(|e| GateError::Input(vec![e]))?,
        None => None,
    };
    let options = ParseOptions {
        go_module,
        root: root.map(|r| std::fs::canonicalize(&r).unwrap_or(r)),
    };
    let specs: Vec<ArtifactSpec> = args
        .artifacts
        .iter()
        .map(|p| ArtifactSpec {
            display: p.display().to_string(),
            path: p.clone(),
            format,
            role: Role::Current,
        })
        .collect();
    let loaded = inputs::load_all(&specs, &options).map_err(GateError::Input)?;
    let doc = model_json(&loaded);
    if args.json {
        // Never print an empty or partial model as if it were the model.
        let mut s = serde_json::to_string_pretty(&doc)
            .map_err(|e| GateError::Output(format!("cannot serialize the model: {e}")))?;
        s.push('\n');
        output::print(s)?;
    } else {
        output::print(summary(&doc))?;
    }
    Ok(Exit::Pass)
}

/// The stable JSON of one or more parsed artifacts. Coverage reports are
/// merged into one model; other families list one object per artifact.
///
/// Built lazily: the models are serialized one file, finding or resource at
/// a time (each through a `Value`, whose maps keep keys sorted as this
/// output always had), so printing a large model never holds a second,
/// `Value`-sized copy of it (200 000 LCOV records took 1.3 GB that way).
pub fn model_json(loaded: &[LoadedArtifact]) -> ModelJson<'_> {
    let all_coverage = loaded
        .iter()
        .all(|a| matches!(a.parsed.model, Model::Coverage(_)));
    if all_coverage && loaded.len() > 1 {
        let merged = CoverageReport::merged(loaded.iter().filter_map(|a| match &a.parsed.model {
            Model::Coverage(c) => Some(c),
            _ => None,
        }));
        let mut warnings = Vec::new();
        let mut formats: Vec<&str> = Vec::new();
        for a in loaded {
            warnings.extend(a.parsed.warnings.iter().cloned());
            if !formats.contains(&a.parsed.format.as_str()) {
                formats.push(a.parsed.format.as_str());
            }
        }
        return ModelJson::One(coverage_json(
            &formats.join("+"),
            merged,
            Cow::Owned(warnings),
        ));
    }
    let mut docs: Vec<Doc<'_>> = loaded.iter().map(one).collect();
    match docs.len() {
        1 => match docs.pop() {
            Some(d) => ModelJson::One(d),
            None => ModelJson::Many(docs),
        },
        _ => ModelJson::Many(docs),
    }
}

/// What `gate parse` prints: one artifact's object, or a list of them.
pub enum ModelJson<'a> {
    One(Doc<'a>),
    Many(Vec<Doc<'a>>),
}

impl Serialize for ModelJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ModelJson::One(d) => d.serialize(s),
            ModelJson::Many(docs) => s.collect_seq(docs),
        }
    }
}

/// One artifact's object: its fields in key order, and what the one-line
/// summary says about it.
pub struct Doc<'a> {
    fields: Vec<(String, Field<'a>)>,
    kind: &'static str,
    format: String,
    path: Option<&'a str>,
    count: String,
    warnings: Cow<'a, [Warning]>,
}

/// A field's value: small ones as a `Value`, the model's big lists
/// serialized element by element when printed.
enum Field<'a> {
    Value(Value),
    Files(Cow<'a, CoverageReport>),
    Findings(&'a [SecurityFinding]),
    Resources(&'a [IacResource]),
    Measurements(&'a [Measurement]),
    Warnings(Cow<'a, [Warning]>),
    Suites(&'a [TestSuite]),
    Cases(&'a [TestCase]),
    Series(&'a [gate_artifacts::Series]),
}

impl Serialize for Doc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.fields.len()))?;
        for (k, v) in &self.fields {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Serializes `items` as a list, each through its own `Value` (sorted keys).
fn each_as_value<S: Serializer, T: Serialize>(
    s: S,
    items: impl ExactSizeIterator<Item = T>,
) -> Result<S::Ok, S::Error> {
    let mut seq = s.serialize_seq(Some(items.len()))?;
    for item in items {
        let v = serde_json::to_value(item).map_err(serde::ser::Error::custom)?;
        seq.serialize_element(&v)?;
    }
    seq.end()
}

impl Serialize for Field<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Value(v) => v.serialize(s),
            Field::Files(c) => each_as_value(s, c.files.iter().map(file_json)),
            Field::Findings(f) => s.collect_seq(f.iter().map(SortedFinding)),
            Field::Resources(r) => s.collect_seq(r.iter().map(SortedResource)),
            Field::Measurements(m) => each_as_value(s, m.iter()),
            Field::Warnings(w) => each_as_value(s, w.iter()),
            Field::Suites(x) => each_as_value(s, x.iter()),
            Field::Cases(x) => each_as_value(s, x.iter()),
            Field::Series(x) => each_as_value(s, x.iter()),
        }
    }
}

/// A finding written with its keys sorted, as its `Value` would print,
/// without building that `Value`: findings are the big list of a scanner's
/// report (90 000 of them in a 47 MB SARIF), and the `Value` round trip was
/// a tenth of `gate parse --json`. The test below holds it to the `Value`.
struct SortedFinding<'a>(&'a SecurityFinding);

impl Serialize for SortedFinding<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("aliases", &f.aliases)?;
        m.serialize_entry("category", &f.category)?;
        if let Some(cvss) = &f.cvss {
            m.serialize_entry("cvss", cvss)?;
        }
        m.serialize_entry("cwes", &f.cwes)?;
        m.serialize_entry("fingerprint", &f.fingerprint)?;
        if let Some(l) = &f.location {
            m.serialize_entry("location", &SortedLocation(l))?;
        }
        m.serialize_entry("message", &f.message)?;
        if let Some(p) = &f.package {
            m.serialize_entry("package", &SortedPackage(p))?;
        }
        m.serialize_entry("rule", &f.rule)?;
        m.serialize_entry("severity", &f.severity)?;
        m.serialize_entry("severity_source", &f.severity_source)?;
        m.serialize_entry("suppressed", &f.suppressed)?;
        m.serialize_entry("title", &f.title)?;
        m.serialize_entry("tool", &f.tool)?;
        m.end()
    }
}

/// A finding's location, keys sorted (see [`SortedFinding`]).
struct SortedLocation<'a>(&'a gate_artifacts::Location);

impl Serialize for SortedLocation<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let l = self.0;
        let mut m = s.serialize_map(None)?;
        if let Some(c) = &l.column {
            m.serialize_entry("column", c)?;
        }
        if let Some(e) = &l.end_line {
            m.serialize_entry("end_line", e)?;
        }
        if let Some(n) = &l.line {
            m.serialize_entry("line", n)?;
        }
        m.serialize_entry("path", &l.path)?;
        m.end()
    }
}

/// A finding's package, keys sorted (see [`SortedFinding`]).
struct SortedPackage<'a>(&'a gate_artifacts::AffectedPackage);

impl Serialize for SortedPackage<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let mut m = s.serialize_map(None)?;
        if let Some(e) = &p.ecosystem {
            m.serialize_entry("ecosystem", e)?;
        }
        m.serialize_entry("fixed_versions", &p.fixed_versions)?;
        m.serialize_entry("name", &p.name)?;
        if let Some(u) = &p.purl {
            m.serialize_entry("purl", u)?;
        }
        if let Some(v) = &p.version {
            m.serialize_entry("version", v)?;
        }
        m.end()
    }
}

/// A resource written with its keys sorted, its attributes' too, as its
/// `Value` would print, without building that `Value`: a plan's 11 000
/// resources went through one each (B-tree nodes and owned keys for every
/// attribute), a quarter of `gate parse --json` of an 8.5 MB plan. The test
/// below holds it to the `Value`.
struct SortedResource<'a>(&'a IacResource);

impl Serialize for SortedResource<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut m = s.serialize_map(None)?;
        if let Some(a) = &r.action {
            m.serialize_entry("action", a)?;
        }
        m.serialize_entry("address", &r.address)?;
        m.serialize_entry("attributes", &SortedJson(r.attributes.json()))?;
        if let Some(l) = &r.location {
            m.serialize_entry("location", &SortedLocation(l))?;
        }
        m.serialize_entry("name", &r.name)?;
        if let Some(n) = &r.namespace {
            m.serialize_entry("namespace", n)?;
        }
        m.serialize_entry("provider", &r.provider)?;
        m.serialize_entry("resource_type", &r.resource_type)?;
        m.end()
    }
}

/// JSON text written with every object's keys sorted, as its `Value` would
/// print: read into a tree that borrows its keys, objects as sorted lists
/// (scalars are `Value`s, so numbers and strings print exactly as before).
struct SortedJson<'a>(&'a str);

impl Serialize for SortedJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde_json::from_str::<Node<'_>>(self.0)
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }
}

enum Node<'a> {
    Scalar(Value),
    List(Vec<Node<'a>>),
    /// Sorted by key, a repeated key's last value kept (as a map's insert).
    Map(Vec<(Cow<'a, str>, Node<'a>)>),
}

impl<'de> serde::Deserialize<'de> for Node<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> serde::de::Visitor<'de> for NodeVisitor {
    type Value = Node<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(Value::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(Value::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(
            serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number),
        ))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(Value::String(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(Value::String(v)))
    }
    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(Value::Null))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(n) = seq.next_element()? {
            items.push(n);
        }
        Ok(Node::List(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let mut entries: Vec<(Cow<'de, str>, Node<'de>)> = Vec::new();
        while let Some(Key(k)) = map.next_key()? {
            entries.push((k, map.next_value()?));
        }
        // Reversed, then a stable sort: of a repeated key's entries the
        // last comes first, and is the one `dedup_by` keeps.
        entries.reverse();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|later, kept| later.0 == kept.0);
        Ok(Node::Map(entries))
    }
}

/// An object key, borrowed from the text unless it has escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Scalar(v) => v.serialize(s),
            Node::List(items) => s.collect_seq(items),
            Node::Map(entries) => s.collect_map(entries.iter().map(|(k, v)| (k, v))),
        }
    }
}

impl<'a> Doc<'a> {
    fn new(
        kind: &'static str,
        format: &str,
        count: String,
        warnings: Cow<'a, [Warning]>,
        mut fields: Vec<(String, Field<'a>)>,
    ) -> Self {
        fields.push(("kind".into(), Field::Value(json!(kind))));
        fields.push(("format".into(), Field::Value(json!(format))));
        fields.push(("warnings".into(), Field::Warnings(warnings.clone())));
        let mut doc = Doc {
            fields,
            kind,
            format: format.to_string(),
            path: None,
            count,
            warnings,
        };
        doc.sort();
        doc
    }

    fn sort(&mut self) {
        self.fields.sort_by(|a, b| a.0.cmp(&b.0));
    }
}

fn one(a: &LoadedArtifact) -> Doc<'_> {
    let format = a.parsed.format.as_str();
    let warnings = Cow::Borrowed(a.parsed.warnings.as_slice());
    let mut d = match &a.parsed.model {
        Model::Coverage(c) => coverage_json(format, Cow::Borrowed(c), warnings),
        Model::Findings(f) => {
            let counts: serde_json::Map<String, Value> = f
                .counts()
                .iter()
                .map(|(s, n)| (s.as_str().to_string(), json!(n)))
                .collect();
            Doc::new(
                "findings",
                format,
                gate_codes::wording::count(f.findings.len(), "finding", "findings"),
                warnings,
                vec![
                    ("counts".into(), Field::Value(Value::Object(counts))),
                    ("findings".into(), Field::Findings(&f.findings)),
                ],
            )
        }
        Model::Iac(r) => Doc::new(
            "iac",
            format,
            gate_codes::wording::count(r.resources.len(), "resource", "resources"),
            warnings,
            vec![("resources".into(), Field::Resources(&r.resources))],
        ),
        Model::Performance(r) => Doc::new(
            "performance",
            format,
            format!("{} measurements", r.measurements.len()),
            warnings,
            vec![
                ("tool".into(), Field::Value(json!(r.tool))),
                ("tool_version".into(), Field::Value(json!(r.tool_version))),
                ("measurements".into(), Field::Measurements(&r.measurements)),
            ],
        ),
        Model::Metrics(r) => {
            // The series one at a time, when printed (issue 11: a range
            // query's samples as `Value`s all at once took 26 × the
            // response, even for the summary).
            let head = gate_artifacts::MetricsReport {
                name: r.name.clone(),
                query: r.query.clone(),
                result_type: r.result_type,
                series: Vec::new(),
                string: r.string.clone(),
                side: r.side,
                server_warnings: r.server_warnings.clone(),
            };
            let mut fields: Vec<(String, Field<'_>)> = match serde_json::to_value(&head) {
                Ok(Value::Object(obj)) => obj
                    .into_iter()
                    .filter(|(k, _)| k != "series")
                    .map(|(k, v)| (k, Field::Value(v)))
                    .collect(),
                _ => Vec::new(),
            };
            fields.push(("series".into(), Field::Series(&r.series)));
            Doc::new(
                "metrics",
                format,
                gate_codes::wording::count(r.series.len(), "series", "series"),
                warnings,
                fields,
            )
        }
        Model::Approvals(s) => {
            let fields = match serde_json::to_value(s) {
                Ok(Value::Object(obj)) => {
                    obj.into_iter().map(|(k, v)| (k, Field::Value(v))).collect()
                }
                _ => Vec::new(),
            };
            Doc::new(
                "approvals",
                format,
                gate_codes::wording::count(s.reviews.len(), "review", "reviews"),
                warnings,
                fields,
            )
        }
        Model::Tests(t) => tests_json(format, t, warnings),
    };
    d.path = Some(&a.spec.display);
    d.fields
        .push(("path".into(), Field::Value(json!(a.spec.display))));
    d.fields
        .push(("sha256".into(), Field::Value(json!(a.sha256))));
    d.sort();
    d
}

fn file_json(f: &FileCoverage) -> Value {
    let mut file = json!({
        "path": f.path,
        "lines": f.line_counter(),
        "branches": f.branch_counter(),
        "functions": f.function_counter(),
        "line_hits": f.lines.iter().map(|(l, h)| json!([l, h])).collect::<Vec<_>>(),
        "branch_hits": f.branches.iter().map(|(l, b)| json!([l, b.covered, b.total])).collect::<Vec<_>>(),
        "function_hits": f.functions,
    });
    if let (Some(s), Some(obj)) = (f.statements, file.as_object_mut()) {
        obj.insert("statements".into(), json!(s));
    }
    file
}

fn coverage_json<'a>(
    format: &str,
    c: Cow<'a, CoverageReport>,
    warnings: Cow<'a, [Warning]>,
) -> Doc<'a> {
    let t = c.totals();
    let mut totals = json!({"lines": t.lines, "branches": t.branches, "functions": t.functions});
    if let (Some(s), Some(obj)) = (t.statements, totals.as_object_mut()) {
        obj.insert("statements".into(), json!(s));
    }
    let count = format!(
        "{}, lines {}/{}",
        gate_codes::wording::count(c.files.len(), "file", "files"),
        t.lines.covered,
        t.lines.total
    );
    Doc::new(
        "coverage",
        format,
        count,
        warnings,
        vec![
            ("totals".into(), Field::Value(totals)),
            ("files".into(), Field::Files(c)),
        ],
    )
}

/// Test results: totals, then suites and cases as the model lists them
/// (cases point at their suite by index).
fn tests_json<'a>(format: &str, t: &'a TestReport, warnings: Cow<'a, [Warning]>) -> Doc<'a> {
    let n = t.totals;
    let count = format!(
        "{} tests: {} passed, {} failed, {} errored, {} skipped",
        n.tests, n.passed, n.failed, n.errored, n.skipped
    );
    Doc::new(
        "tests",
        format,
        count,
        warnings,
        vec![
            ("totals".into(), Field::Value(json!(n))),
            ("suites".into(), Field::Suites(&t.suites)),
            ("cases".into(), Field::Cases(&t.cases)),
        ],
    )
}

fn summary(doc: &ModelJson<'_>) -> String {
    let docs = match doc {
        ModelJson::One(d) => std::slice::from_ref(d),
        ModelJson::Many(d) => d.as_slice(),
    };
    let mut out = String::new();
    for d in docs {
        out.push_str(&format!(
            "{} [{} {}]: {}\n",
            d.path.unwrap_or("(merged)"),
            d.kind,
            d.format,
            d.count
        ));
        for w in d.warnings.iter() {
            out.push_str(&format!("  warning[{}]: {}\n", w.code, w.message));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use gate_artifacts::{AffectedPackage, FindingCategory, Location, Severity, SeveritySource};

    /// A resource prints exactly as its sorted `Value` did: nested
    /// objects, escapes in keys and strings, numbers of every kind, a
    /// repeated key (the last value wins), with and without the optional
    /// fields.
    #[test]
    fn sorted_resource_prints_as_its_value() -> Result<(), serde_json::Error> {
        let attributes = [
            r#"{"b":1,"a":{"z":[1,-2,3.5,1e300,{"y":null,"x":true}],"\u0041\n":"\u00e9\t\"q\""},"c":[],"d":{},"b":2}"#,
            r#"{}"#,
            r#"{"tags":{"Name":"x","Env":"prod"},"n":18446744073709551615,"m":-9223372036854775808,"f":0.1}"#,
        ];
        for (i, text) in attributes.iter().enumerate() {
            let raw = serde_json::value::RawValue::from_string((*text).to_string())?;
            let full = IacResource {
                address: "module.a.aws_s3_bucket.b[\"k\"]".into(),
                resource_type: "aws_s3_bucket".into(),
                provider: "aws".into(),
                name: "b".into(),
                namespace: Some("ns".into()),
                action: Some(gate_artifacts::PlannedAction::Replace),
                attributes: gate_artifacts::Attributes::from_raw(raw),
                location: Some(Location {
                    path: "main.tf".into(),
                    line: Some(i as u32 + 1),
                    end_line: None,
                    column: None,
                }),
            };
            let bare = IacResource {
                namespace: None,
                action: None,
                location: None,
                ..full.clone()
            };
            for r in [&full, &bare] {
                let via_value = serde_json::to_string_pretty(&serde_json::to_value(r)?)?;
                assert_eq!(serde_json::to_string_pretty(&SortedResource(r))?, via_value);
            }
        }
        Ok(())
    }

    /// A finding prints exactly as its sorted `Value` did, with every
    /// optional field set and with none (a field added to the model and not
    /// to `SortedFinding` fails to compile here, or differs).
    #[test]
    fn sorted_finding_prints_as_its_value() -> Result<(), serde_json::Error> {
        let full = SecurityFinding {
            tool: "grype".into(),
            rule: "CVE-2024-1".into(),
            category: FindingCategory::Vulnerability,
            severity: Severity::High,
            severity_source: SeveritySource::Cvss,
            cvss: Some(7.5),
            title: "t \"quoted\"".into(),
            message: "m\nline".into(),
            location: Some(Location {
                path: "src/a.rs".into(),
                line: Some(3),
                end_line: Some(4),
                column: Some(5),
            }),
            package: Some(Box::new(AffectedPackage {
                name: "openssl".into(),
                version: Some("1.0".into()),
                ecosystem: Some("deb".into()),
                purl: Some("pkg:deb/openssl@1.0".into()),
                fixed_versions: vec!["1.1".into()],
            })),
            cwes: vec!["CWE-79".into()],
            aliases: vec!["GHSA-x".into()],
            fingerprint: "abc".into(),
            suppressed: true,
        };
        let bare = SecurityFinding {
            cvss: None,
            location: Some(Location {
                path: "b".into(),
                line: None,
                end_line: None,
                column: None,
            }),
            package: Some(Box::default()),
            ..full.clone()
        };
        let none = SecurityFinding {
            location: None,
            package: None,
            cvss: Some(f64::NAN),
            ..bare.clone()
        };
        for f in [&full, &bare, &none] {
            let via_value = serde_json::to_string_pretty(&serde_json::to_value(f)?)?;
            assert_eq!(serde_json::to_string_pretty(&SortedFinding(f))?, via_value);
        }
        Ok(())
    }
}
