//! `builtin:rego`: conftest's conventions, errors that never pass, and the
//! same answers as the real OPA engine on the corpus.

use crate::corpus::under_ci;
use crate::{TestDir, corpus_or_skip, repo};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(dir: &str) -> PathBuf {
    repo().join("tests/fixtures/rego").join(dir)
}

/// A gate.toml for `builtin:rego` with these modules, data, inputs and
/// params (inline TOML).
fn config(rego: &[&str], data: &[&str], input: &[&str], params: &str) -> String {
    let list = |v: &[&str]| {
        v.iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "[[policy]]\nuse = \"builtin:rego\"\nrego = [{}]\ndata = [{}]\ninput = [{}]\nparams = {{ {params} }}\n",
        list(rego),
        list(data),
        list(input)
    )
}

/// One message as both engines report it: (path, line, namespace, rule,
/// kind, message, extra fields).
type Row = (String, Option<u64>, String, String, String, String, Option<Value>);

/// The messages of a gate verdict's first policy.
fn gate_rows(verdict: &Value, combined: bool) -> Vec<Row> {
    let mut rows: Vec<Row> = verdict["policies"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let mut evidence: serde_json::Map<String, Value> =
                serde_json::from_str(f["evidence"].as_str().unwrap()).unwrap();
            let query = evidence.remove("query").unwrap();
            let (ns, rule) = query
                .as_str()
                .unwrap()
                .strip_prefix("data.")
                .unwrap()
                .rsplit_once('.')
                .unwrap();
            let kind = match f["severity"].as_str().unwrap() {
                "high" => "failure",
                "medium" => "warning",
                other => panic!("severity {other}"),
            };
            let (path, line) = if combined {
                ("Combined".to_string(), None)
            } else {
                (
                    f["location"]["path"].as_str().unwrap().to_string(),
                    f["location"]["line"].as_u64(),
                )
            };
            (
                path,
                line,
                ns.to_string(),
                rule.to_string(),
                kind.to_string(),
                f["message"].as_str().unwrap().to_string(),
                (!evidence.is_empty()).then(|| Value::Object(evidence)),
            )
        })
        .collect();
    rows.sort_by_key(|r| serde_json::to_string(&json!(r)).unwrap());
    rows
}

/// The unpacked opa-golib-python-bindings wheel, or `None` (one line on
/// stderr) outside CI when it is absent; under CI its absence fails.
fn opa_or_skip() -> Option<PathBuf> {
    let dir = std::env::var_os("OPA_BINDINGS").map(PathBuf::from);
    if let Some(d) = dir.filter(|d| d.join("opa_bindings/libopabridge.so").is_file()) {
        return Some(d);
    }
    assert!(
        !under_ci(),
        "OPA_BINDINGS does not name the unpacked opa-golib-python-bindings wheel; it is mandatory under CI (see .ci/run)"
    );
    let _ = writeln!(
        std::io::stderr(),
        "skipped: OPA bindings not found (set OPA_BINDINGS to the unpacked opa-golib-python-bindings wheel; mandatory under CI)"
    );
    None
}

/// A comparison: the modules gate runs (`dir`), the v1 modules OPA runs
/// (`opa_dir`, the same checks: OPA's library parses v1 only), data,
/// inputs (corpus paths) and params.
struct Set {
    name: &'static str,
    dir: &'static str,
    opa_dir: &'static str,
    data: &'static [&'static str],
    inputs: Vec<String>,
    /// `None`: all namespaces.
    namespaces: Option<&'static [&'static str]>,
    combine: bool,
    v0: bool,
}

fn corpus_files(corpus: &Path, dir: &str, exts: &[&str], skip: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![corpus.join(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let name = p.file_name().unwrap().to_string_lossy().to_string();
                if exts.iter().any(|x| name.ends_with(x)) && !skip.iter().any(|s| name.contains(s))
                {
                    out.push(p.strip_prefix(corpus).unwrap().to_string_lossy().to_string());
                }
            }
        }
    }
    out.sort();
    out
}

/// Runs one set with gate and with OPA; returns (documents, messages,
/// exceptions) compared.
fn compare(corpus: &Path, opa: &Path, set: &Set) -> (usize, usize, usize) {
    let t = TestDir::new();
    let mut inputs = Vec::new();
    let mut documents = Vec::new();
    for (i, rel) in set.inputs.iter().enumerate() {
        let name = rel.rsplit('/').next().unwrap();
        // A Dockerfile keeps its name (conftest picks the parser by name).
        let display = format!("in/{i}/{name}");
        let path = t.corpus_file(corpus, rel, &display);
        inputs.push(display.clone());
        let bytes = std::fs::read(&path).unwrap();
        let kind = gate_artifacts::conftest::Kind::of(&display).unwrap();
        for d in gate_artifacts::conftest::documents(&display, &bytes, kind).unwrap() {
            documents.push(json!({
                "path": display,
                "line": d.line,
                "input": serde_json::from_str::<Value>(&d.json).unwrap(),
            }));
        }
    }
    let rego = format!("{}/*.rego", fixture(set.dir).display());
    let data: Vec<String> = set
        .data
        .iter()
        .map(|d| fixture(set.dir).join(d).display().to_string())
        .collect();
    let mut params = vec![format!(
        "rego-version = \"{}\"",
        if set.v0 { "v0" } else { "v1" }
    )];
    match set.namespaces {
        Some(ns) => params.push(format!("namespaces = {ns:?}")),
        None => params.push("all-namespaces = true".into()),
    }
    if set.combine {
        params.push("combine = true".into());
    }
    let data_refs: Vec<&str> = data.iter().map(String::as_str).collect();
    let input_refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    t.write(
        "gate.toml",
        config(&[&rego], &data_refs, &input_refs, &params.join(", ")),
    );
    let run = t.run(&["check", "--format", "json"]);
    assert!(
        matches!(run.code(), 0 | 1),
        "{}: gate failed\n{}",
        set.name,
        run.stderr()
    );
    let verdict = run.json();
    let ours = gate_rows(&verdict, set.combine);

    // OPA on the same documents.
    let mut modules = Vec::new();
    for e in std::fs::read_dir(fixture(set.opa_dir)).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "rego") {
            modules.push(json!({
                "path": p.file_name().unwrap().to_string_lossy(),
                "source": std::fs::read_to_string(&p).unwrap(),
            }));
        }
    }
    let data_docs: Vec<Value> = data
        .iter()
        .map(|d| serde_json::from_str(&std::fs::read_to_string(d).unwrap()).unwrap())
        .collect();
    let case = json!({
        "modules": modules,
        "data": data_docs,
        "documents": documents,
        "namespaces": set.namespaces,
        "combine": set.combine,
    });
    let case_file = t.write("case.json", case.to_string());
    let python = std::env::var("GATE_OPA_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(python)
        .arg(repo().join("tests/peers/opa/conftest_opa.py"))
        .arg(&case_file)
        .env("OPA_BINDINGS", opa)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: OPA runner failed: {}",
        set.name,
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut opa_rows: Vec<Row> =
        serde_json::from_value(theirs["results"].clone()).unwrap();
    opa_rows.sort_by_key(|r| serde_json::to_string(&json!(r)).unwrap());
    if ours != opa_rows {
        let a: std::collections::BTreeSet<String> =
            ours.iter().map(|r| json!(r).to_string()).collect();
        let b: std::collections::BTreeSet<String> =
            opa_rows.iter().map(|r| json!(r).to_string()).collect();
        panic!(
            "{}: gate and OPA disagree\nonly gate:\n{}\nonly OPA:\n{}",
            set.name,
            a.difference(&b).cloned().collect::<Vec<_>>().join("\n"),
            b.difference(&a).cloned().collect::<Vec<_>>().join("\n"),
        );
    }
    let exceptions = theirs["exceptions"].as_array().unwrap().len();
    assert_eq!(
        crate::metric(&verdict, "rego-exceptions") as usize,
        exceptions,
        "{}: exceptions",
        set.name
    );
    let docs = if set.combine { 1 } else { documents.len() };
    (docs, ours.len(), exceptions)
}

#[test]
fn gate_and_opa_give_the_same_answers_on_the_corpus() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let Some(opa) = opa_or_skip() else {
        return;
    };
    let k8s: Vec<String> = ["peers/conftest-examples/kubernetes", "iac/kubernetes"]
        .iter()
        .flat_map(|d| corpus_files(&corpus, d, &[".yaml", ".yml"], &[]))
        .chain(corpus_files(
            &corpus,
            "iac/helm-rendered",
            &[".yaml"],
            &["invalid"],
        ))
        .collect();
    let plans = corpus_files(
        &corpus,
        "iac/terraform-plan",
        &[".json"],
        &["edge-corrupted", "edge-utf16"],
    );
    let dockerfiles: Vec<String> = corpus_files(&corpus, "iac/dockerfile", &[".Dockerfile"], &[])
        .into_iter()
        .chain(["peers/conftest-examples/docker/Dockerfile".to_string()])
        .collect();
    let compose = corpus_files(&corpus, "peers/conftest-examples/compose", &[".yml"], &[]);
    let sets = vec![
        Set {
            name: "kubernetes, v1, main",
            dir: "k8s",
            opa_dir: "k8s",
            data: &[],
            inputs: k8s.clone(),
            namespaces: Some(&["main"]),
            combine: false,
            v0: false,
        },
        Set {
            name: "kubernetes, v1, two namespaces",
            dir: "k8s",
            opa_dir: "k8s",
            data: &[],
            inputs: k8s.clone(),
            namespaces: Some(&["main", "labels"]),
            combine: false,
            v0: false,
        },
        Set {
            name: "kubernetes, v0",
            dir: "k8s-v0",
            opa_dir: "k8s",
            data: &[],
            inputs: k8s.clone(),
            namespaces: Some(&["main"]),
            combine: false,
            v0: true,
        },
        Set {
            name: "terraform plans with data",
            dir: "plan",
            opa_dir: "plan",
            data: &["public.json"],
            inputs: plans,
            namespaces: Some(&["main"]),
            combine: false,
            v0: false,
        },
        Set {
            name: "dockerfiles, all namespaces",
            dir: "docker",
            opa_dir: "docker",
            data: &[],
            inputs: dockerfiles,
            namespaces: None,
            combine: false,
            v0: false,
        },
        Set {
            name: "compose",
            dir: "compose",
            opa_dir: "compose",
            data: &[],
            inputs: compose,
            namespaces: Some(&["main"]),
            combine: false,
            v0: false,
        },
        Set {
            name: "kubernetes, combined",
            dir: "combine",
            opa_dir: "combine",
            data: &[],
            inputs: k8s[..k8s.len().min(12)].to_vec(),
            namespaces: Some(&["main"]),
            combine: true,
            v0: false,
        },
    ];
    let mut totals = BTreeMap::new();
    let (mut docs, mut messages, mut exceptions) = (0, 0, 0);
    for set in &sets {
        let (d, m, e) = compare(&corpus, &opa, set);
        totals.insert(set.name, (d, m, e));
        docs += d;
        messages += m;
        exceptions += e;
    }
    let _ = writeln!(
        std::io::stderr(),
        "gate = OPA on {docs} documents, {messages} messages, {exceptions} exceptions: {totals:?}"
    );
    assert!(docs >= 50, "{docs} documents compared");
    assert!(messages >= 100 && exceptions > 0, "{messages} messages, {exceptions} exceptions");
}
