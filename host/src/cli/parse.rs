//! `gate parse`: the normalized model, as policies would see it.

use super::{ParseArgs, output};
use crate::config::Role;
use crate::error::GateError;
use crate::exit::Exit;
use crate::inputs::{self, ArtifactSpec, LoadedArtifact};
use gate_artifacts::{CoverageReport, Format, Model, ParseOptions, Warning};
use serde_json::{Value, json};

pub fn run(args: ParseArgs) -> Result<Exit, GateError> {
    let format: Option<Format> = match &args.format {
        Some(f) => Some(f.parse().map_err(GateError::Usage)?),
        None => None,
    };
    let root = args.root.clone().or_else(|| std::env::current_dir().ok());
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
        let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
        s.push('\n');
        output::print(s)?;
    } else {
        output::print(summary(&doc))?;
    }
    Ok(Exit::Pass)
}

/// The stable JSON of one or more parsed artifacts. Coverage reports are
/// merged into one model; other families list one object per artifact.
pub fn model_json(loaded: &[LoadedArtifact]) -> Value {
    let all_coverage = loaded
        .iter()
        .all(|a| matches!(a.parsed.model, Model::Coverage(_)));
    if all_coverage && loaded.len() > 1 {
        let mut merged = CoverageReport::default();
        let mut warnings = Vec::new();
        let mut formats: Vec<&str> = Vec::new();
        for a in loaded {
            if let Model::Coverage(c) = &a.parsed.model {
                merged.merge(c.clone());
            }
            warnings.extend(a.parsed.warnings.iter().cloned());
            if !formats.contains(&a.parsed.format.as_str()) {
                formats.push(a.parsed.format.as_str());
            }
        }
        return coverage_json(&formats.join("+"), &merged, &warnings);
    }
    let docs: Vec<Value> = loaded.iter().map(one).collect();
    match <[Value; 1]>::try_from(docs) {
        Ok([single]) => single,
        Err(many) => Value::Array(many),
    }
}

fn one(a: &LoadedArtifact) -> Value {
    let format = a.parsed.format.as_str();
    let warnings = &a.parsed.warnings;
    let mut v = match &a.parsed.model {
        Model::Coverage(c) => coverage_json(format, c, warnings),
        Model::Findings(f) => {
            let counts: serde_json::Map<String, Value> = f
                .counts()
                .iter()
                .map(|(s, n)| (s.as_str().to_string(), json!(n)))
                .collect();
            json!({"kind": "findings", "format": format, "counts": counts,
                   "findings": f.findings, "warnings": warnings})
        }
        Model::Iac(r) => json!({"kind": "iac", "format": format, "resources": r.resources,
                                "warnings": warnings}),
        Model::Approvals(s) => {
            let mut v = json!({"kind": "approvals", "format": format});
            if let (Some(obj), Ok(Value::Object(fields))) =
                (v.as_object_mut(), serde_json::to_value(s))
            {
                obj.extend(fields);
                obj.insert("warnings".into(), json!(warnings));
            }
            v
        }
    };
    if let Some(obj) = v.as_object_mut() {
        obj.insert("path".into(), json!(a.spec.display));
        obj.insert("sha256".into(), json!(a.sha256));
    }
    v
}

fn coverage_json(format: &str, c: &CoverageReport, warnings: &[Warning]) -> Value {
    let t = c.totals();
    let mut totals = json!({"lines": t.lines, "branches": t.branches, "functions": t.functions});
    if let (Some(s), Some(obj)) = (t.statements, totals.as_object_mut()) {
        obj.insert("statements".into(), json!(s));
    }
    let files: Vec<Value> = c
        .files
        .iter()
        .map(|f| {
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
        })
        .collect();
    json!({"kind": "coverage", "format": format, "totals": totals, "files": files, "warnings": warnings})
}

fn summary(doc: &Value) -> String {
    let docs = match doc {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    let mut out = String::new();
    for d in &docs {
        let kind = at(d, "kind").as_str().unwrap_or("?");
        let format = at(d, "format").as_str().unwrap_or("?");
        let what = match kind {
            "coverage" => {
                let l = at(at(d, "totals"), "lines");
                format!(
                    "{} files, lines {}/{}",
                    at(d, "files").as_array().map_or(0, Vec::len),
                    at(l, "covered"),
                    at(l, "total")
                )
            }
            "findings" => format!(
                "{} findings",
                at(d, "findings").as_array().map_or(0, Vec::len)
            ),
            "iac" => format!(
                "{} resources",
                at(d, "resources").as_array().map_or(0, Vec::len)
            ),
            _ => format!(
                "{} reviews",
                at(d, "reviews").as_array().map_or(0, Vec::len)
            ),
        };
        out.push_str(&format!(
            "{} [{kind} {format}]: {what}\n",
            at(d, "path").as_str().unwrap_or("(merged)")
        ));
        for w in at(d, "warnings").as_array().into_iter().flatten() {
            out.push_str(&format!(
                "  warning[{}]: {}\n",
                at(w, "code").as_str().unwrap_or(""),
                at(w, "message").as_str().unwrap_or("")
            ));
        }
    }
    out
}

/// A field of a JSON object, `null` when absent.
fn at<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key).unwrap_or(&Value::Null)
}
