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
type Row = (
    String,
    Option<u64>,
    String,
    String,
    String,
    String,
    Option<Value>,
);

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
                (!evidence.is_empty()).then_some(Value::Object(evidence)),
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
                    out.push(
                        p.strip_prefix(corpus)
                            .unwrap()
                            .to_string_lossy()
                            .to_string(),
                    );
                }
            }
        }
    }
    out.sort();
    out
}

/// Runs one set with gate and with OPA; returns (documents, messages,
/// exceptions) compared.
fn compare(corpus: &Path, opa: &Path, set: &Set, cache: &Path) -> (usize, usize, usize) {
    let mut t = TestDir::new();
    // One compile cache for every set: the component is compiled once.
    t.cache = cache.to_path_buf();
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
    let mut opa_rows: Vec<Row> = serde_json::from_value(theirs["results"].clone()).unwrap();
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
    let cache = TestDir::new();
    let mut totals = BTreeMap::new();
    let (mut docs, mut messages, mut exceptions) = (0, 0, 0);
    for set in &sets {
        let (d, m, e) = compare(&corpus, &opa, set, &cache.cache);
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
    assert!(
        messages >= 100 && exceptions > 0,
        "{messages} messages, {exceptions} exceptions"
    );
}

/// A conftest project: policy/ with the modules, the inputs, gate.toml.
fn project(modules: &[(&str, &str)], inputs: &[(&str, &str)], params: &str) -> TestDir {
    let t = TestDir::new();
    for (name, text) in modules {
        t.write(&format!("policy/{name}"), text);
    }
    for (name, text) in inputs {
        t.write(name, text);
    }
    let names: Vec<&str> = inputs.iter().map(|(n, _)| *n).collect();
    t.write("gate.toml", config(&["policy/*.rego"], &[], &names, params));
    t
}

const K8S: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx:latest\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: kube-system\nspec:\n  type: LoadBalancer\n";

#[test]
fn conftest_rules_become_findings_with_file_line_rule_and_evidence() {
    let t = project(
        &[(
            "k8s.rego",
            r#"package main

deny contains {"msg": sprintf("%s uses latest", [c.image]), "id": "latest-tag", "container": c.name} if {
	some c in input.spec.template.spec.containers
	endswith(c.image, ":latest")
}

violation_kind contains sprintf("%s found", [input.kind]) if input.kind == "Deployment"

warn_lb contains "a load balancer" if input.spec.type == "LoadBalancer"

warn_ns contains "kube-system is reviewed elsewhere" if input.metadata.namespace == "kube-system"

exception contains ["ns"] if input.metadata.namespace == "kube-system"
"#,
        )],
        &[("deploy/app.yaml", K8S)],
        "",
    );
    let v = t.run(&["check", "--format", "json"]).expect_code(1).json();
    let p = &v["policies"][0];
    assert_eq!(p["outcome"], "fail");
    let rows: Vec<(String, String, String, u64)> = p["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "latest-tag".into(),
                "high".into(),
                "nginx:latest uses latest".into(),
                1
            ),
            (
                "main.violation_kind".into(),
                "high".into(),
                "Deployment found".into(),
                1
            ),
            (
                "main.warn_lb".into(),
                "medium".into(),
                "a load balancer".into(),
                12
            ),
        ]
    );
    let evidence: Value =
        serde_json::from_str(p["findings"][0]["evidence"].as_str().unwrap()).unwrap();
    assert_eq!(
        evidence,
        json!({"query": "data.main.deny", "id": "latest-tag", "container": "app"})
    );
    assert_eq!(p["findings"][0]["location"]["path"], "deploy/app.yaml");
    assert_eq!(crate::metric(&v, "rego-exceptions"), 1.0);
    // Severities are params; only warnings: the outcome is warn, exit 0.
    let t2 = project(
        &[(
            "w.rego",
            "package main\n\nwarn contains \"w\" if input.kind\n",
        )],
        &[("a.yaml", K8S)],
        "warn-severity = \"low\"",
    );
    let v = t2.run(&["check", "--format", "json"]).expect_code(0).json();
    assert_eq!(v["policies"][0]["outcome"], "warn");
    assert_eq!(v["policies"][0]["findings"][0]["severity"], "low");
}

#[test]
fn rego_v0_is_accepted_when_asked_and_a_parse_error_names_file_line_col() {
    let v0 = "package main\n\ndeny[msg] {\n  input.kind == \"Deployment\"\n  msg := \"no deployments\"\n}\n";
    let t = project(
        &[("v0.rego", v0)],
        &[("a.yaml", K8S)],
        "rego-version = \"v0\"",
    );
    t.run(&["check"]).expect_code(1);
    // The same module as v1 does not parse: a config error (exit 2) with
    // the module's file:line:col, never a pass.
    let t = project(&[("v0.rego", v0)], &[("a.yaml", K8S)], "");
    t.run(&["check"])
        .expect_code(2)
        .expect_stderr("error[invalid-params]: gate.toml:")
        .expect_stderr("policy/v0.rego:3:");
    let t = project(
        &[(
            "bad.rego",
            "package main\n\ndeny contains msg if {\n  input.kind ==\n}\n",
        )],
        &[("a.yaml", K8S)],
        "",
    );
    t.run(&["check"])
        .expect_code(2)
        .expect_stderr("policy/bad.rego:5:1: expecting expression");
}

#[test]
fn a_missing_builtin_is_an_error_naming_it_never_undefined() {
    let t = project(
        &[(
            "jwt.rego",
            "package main\n\ndeny contains \"bad token\" if {\n  [_, payload, _] := io.jwt.decode(input.token)\n  payload.admin\n}\n",
        )],
        &[("a.json", r#"{"token": "x.y.z"}"#)],
        "",
    );
    t.run(&["check"])
        .expect_code(4)
        .expect_stderr("policy/jwt.rego:4:")
        .expect_stderr("`io.jwt.decode` is not a built-in function of gate's Rego engine");
}

#[test]
fn configuration_mistakes_fail_closed_with_their_place() {
    // A glob that matches nothing.
    let t = project(
        &[("a.rego", "package main\n\ndeny contains \"x\" if input.a\n")],
        &[("a.json", "{}")],
        "",
    );
    t.write(
        "gate.toml",
        config(&["policy/*.rego"], &["data/*.json"], &["a.json"], ""),
    );
    t.run(&["check"])
        .expect_code(2)
        .expect_stderr("gate.toml:4:9: `data/*.json` matches no file");
    // A namespace no module declares (conftest would pass silently).
    let t = project(
        &[("a.rego", "package main\n\ndeny contains \"x\" if input.a\n")],
        &[("a.json", "{\"a\": 1}")],
        "namespaces = [\"main\", \"k8s\"]",
    );
    t.run(&["check"])
        .expect_code(2)
        .expect_stderr("/namespaces/1: no module declares `package k8s` (declared: main)");
    // No rule conftest would evaluate.
    let t = project(
        &[("a.rego", "package main\n\nallow if input.a\n")],
        &[("a.json", "{}")],
        "",
    );
    t.run(&["check"])
        .expect_code(2)
        .expect_stderr("no deny, violation or warn rule");
    // rego keys on another policy.
    let t = TestDir::new();
    t.write("a.rego", "package main\n");
    t.write(
        "gate.toml",
        "[[policy]]\nuse = \"builtin:iac\"\nrego = [\"a.rego\"]\n",
    );
    t.run(&["check"])
        .expect_code(2)
        .expect_stderr("are for `use = \"builtin:rego\"` only");
    // Input that is not what its name says: an input error with its place.
    let t = project(
        &[("a.rego", "package main\n\ndeny contains \"x\" if input.a\n")],
        &[("a.yaml", "a: [\n")],
        "",
    );
    t.run(&["check"]).expect_code(3).expect_stderr("a.yaml:");
}

#[test]
fn dockerfiles_are_read_in_conftests_structure() {
    let t = project(
        &[(
            "d.rego",
            r#"package main

deny contains sprintf("%s|%s|%v|%v|%d", [c.Cmd, concat(",", c.Flags), c.JSON, concat(" ", c.Value), c.Stage]) if some c in input
"#,
        )],
        &[(
            "Dockerfile",
            "FROM golang:1.22 AS build\nRUN --mount=type=cache,target=/root/.cache go build \\\n  ./...\nFROM scratch\nCOPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n",
        )],
        "",
    );
    let v = t.run(&["check", "--format", "json"]).expect_code(1).json();
    let mut msgs: Vec<&str> = v["policies"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    msgs.sort();
    assert_eq!(
        msgs,
        [
            "copy|--from=build|false|/app /app|1",
            "entrypoint||true|/app|1",
            "from||false|golang:1.22 AS build|0",
            "from||false|scratch|1",
            "run|--mount=type=cache,target=/root/.cache|false|go build   ./...|0",
        ]
    );
}

#[test]
fn gate_new_policy_lang_rego_scaffolds_a_project_gate_checks() {
    let t = TestDir::new();
    t.run(&["new", "policy", "no-root", "--lang", "rego"])
        .expect_code(0);
    let dir = t.path().join("no-root");
    assert!(dir.join("policy/no_root.rego").is_file());
    let run = t.run(&[
        "check",
        "--config",
        dir.join("gate.toml").to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v = run.expect_code(1).json();
    let rules: Vec<&str> = v["policies"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["main.deny", "main.warn_memory"]);
    // Its `gate test` suite: the unit tests (like `opa test`) and the cases pass...
    let tests = dir.join("tests");
    let out = t
        .run(&["test", tests.to_str().unwrap()])
        .expect_code(0)
        .stdout();
    assert!(out.contains("5 cases: 5 passed, 0 failed"), "{out}");
    assert!(out.contains("data.main.test_root_is_denied"), "{out}");
    assert!(out.contains("2/2 (100%)"), "{out}");
    // ...and a deny rule edited so it never fires fails both, by name.
    let module = dir.join("policy/no_root.rego");
    let text = std::fs::read_to_string(&module).unwrap();
    assert!(text.contains("input.kind == \"Deployment\"\n\tnot input"));
    std::fs::write(
        &module,
        text.replace(
            "input.kind == \"Deployment\"\n\tnot input",
            "input.kind == \"Nothing\"\n\tnot input",
        ),
    )
    .unwrap();
    let out = t
        .run(&["test", tests.to_str().unwrap()])
        .expect_code(1)
        .stdout();
    assert!(
        out.contains("FAIL") && out.contains("data.main.test_root_is_denied"),
        "{out}"
    );
    assert!(
        out.contains("FAIL")
            && out.contains("the example deployment runs as root")
            && out.contains("main.deny"),
        "{out}"
    );
}

/// The fixture pack (`tests/fixtures/rego/pack`) copied into `t` as
/// `pack/`, with `edit` applied to its files (name, new text).
fn rego_pack(t: &TestDir, edit: &[(&str, &str)]) -> PathBuf {
    let src = fixture("pack");
    for f in ["pack.toml", "policy/k8s.rego", "data/registries.json"] {
        t.write(
            &format!("pack/{f}"),
            std::fs::read(src.join(f)).expect("fixture file"),
        );
    }
    for (name, text) in edit {
        t.write(&format!("pack/{name}"), text);
    }
    t.path().join("pack")
}

/// The first layer of an OCI layout `gate pack build` wrote.
fn first_layer(layout: &Path) -> (String, PathBuf) {
    let read =
        |p: PathBuf| -> Value { serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap() };
    let index = read(layout.join("index.json"));
    let m = index["manifests"][0]["digest"].as_str().unwrap();
    let manifest = read(layout.join("blobs/sha256").join(&m[7..]));
    let layer = manifest["layers"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let file = layout.join("blobs/sha256").join(&layer[7..]);
    (layer, file)
}

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: docker.io/nginx:latest\n      - name: sidecar\n        image: ghcr.io/acme/proxy:1.4.2\n";

#[test]
fn a_pack_embeds_rego_modules_and_data_and_runs_them_through_builtin_rego() {
    let t = TestDir::new();
    let dir = rego_pack(&t, &[]);
    let built = t
        .run(&["pack", "build", dir.to_str().unwrap(), "-o", "p.oci"])
        .expect_code(0);
    assert!(
        built.stdout().contains("  k8s: rego "),
        "{}",
        built.stdout()
    );
    let shown = t.run(&["pack", "inspect", "p.oci"]).expect_code(0).stdout();
    assert!(
        shown.contains("      rego: policy/k8s.rego\n      data: data/registries.json\n"),
        "{shown}"
    );
    let inspected = t
        .run(&["pack", "inspect", "p.oci", "--json"])
        .expect_code(0)
        .json();
    let rego = &inspected["policies"][0]["metadata"]["policy"]["rego"];
    assert_eq!(rego["modules"][0]["path"], "policy/k8s.rego");
    assert!(
        rego["modules"][0]["text"]
            .as_str()
            .unwrap()
            .contains("deny_root contains msg if")
    );
    assert_eq!(
        serde_json::from_str::<Value>(rego["data"][0]["text"].as_str().unwrap()).unwrap(),
        json!({"registries": {"allowed": ["registry.acme.example/", "ghcr.io/acme/"]}})
    );

    // The layer is builtin:rego with the files: run as a file policy, it
    // judges the manifest with the pack's modules, data and defaults.
    let (layer, file) = first_layer(&t.path().join("p.oci"));
    t.write("deploy.yaml", DEPLOY);
    let v = t
        .run(&[
            "eval",
            "--policy",
            file.to_str().unwrap(),
            "deploy.yaml",
            "--format",
            "json",
        ])
        .expect_code(1)
        .json();
    let found: Vec<(String, String, String)> = v["policies"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = |r: &str, s: &str, m: &str| (r.to_string(), s.to_string(), m.to_string());
    assert_eq!(
        found,
        [
            want(
                "main.deny",
                "high",
                "container app: image docker.io/nginx:latest is not from an allowed registry"
            ),
            want(
                "main.deny_root",
                "high",
                "deployment web must set securityContext.runAsNonRoot"
            ),
            // The pack's default params: warn-severity = "low".
            want("latest-tag", "low", "container app uses a :latest image"),
        ]
    );

    // The digest covers the modules and the data: a change of either is
    // another layer.
    let dir = rego_pack(
        &t,
        &[(
            "data/registries.json",
            r#"{"registries": {"allowed": ["docker.io/"]}}"#,
        )],
    );
    t.run(&["pack", "build", dir.to_str().unwrap(), "-o", "q.oci"])
        .expect_code(0);
    let (other, file) = first_layer(&t.path().join("q.oci"));
    assert_ne!(layer, other);
    let v = t
        .run(&[
            "eval",
            "--policy",
            file.to_str().unwrap(),
            "deploy.yaml",
            "--format",
            "json",
        ])
        .expect_code(1)
        .json();
    let rules: Vec<&str> = v["policies"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["main.deny", "main.deny_root", "latest-tag"]);
}

#[test]
fn pack_build_refuses_a_rego_module_that_does_not_parse_with_its_place() {
    let t = TestDir::new();
    let dir = rego_pack(
        &t,
        &[(
            "policy/bad.rego",
            "package main\n\ndeny contains msg if {\n  input.kind ==\n}\n",
        )],
    );
    t.run(&["pack", "build", dir.to_str().unwrap(), "-o", "p.oci"])
        .expect_code(2)
        .expect_stderr("error: policy `k8s`: policy/bad.rego:5:1: expecting expression");
    assert!(!t.path().join("p.oci").exists(), "nothing is written");
    // v0 syntax parses when the pack's params ask for it, and only then.
    let v0 = "package main\n\ndeny[msg] {\n  input.kind == \"Pod\"\n  msg := \"no bare pods\"\n}\n";
    let dir = rego_pack(&t, &[("policy/bad.rego", v0)]);
    t.run(&["pack", "build", dir.to_str().unwrap(), "-o", "p.oci"])
        .expect_code(2)
        .expect_stderr("policy/bad.rego:3:");
    let toml = std::fs::read_to_string(dir.join("pack.toml"))
        .unwrap()
        .replace(
            "params = { warn-severity = \"low\" }",
            "params = { rego-version = \"v0\" }",
        );
    t.write("pack/pack.toml", toml);
    // k8s.rego is v1: with v0 asked, it is the one that fails.
    t.run(&["pack", "build", dir.to_str().unwrap(), "-o", "p.oci"])
        .expect_code(2)
        .expect_stderr("policy/k8s.rego:");
    // A data document that is not JSON, a glob that matches nothing, and
    // a policy that is both a component and Rego.
    let dir = rego_pack(&t, &[("data/broken.json", "{\"a\": ")]);
    t.run(&["pack", "build", dir.to_str().unwrap(), "-o", "p.oci"])
        .expect_code(2)
        .expect_stderr("data/broken.json:1:");
    std::fs::remove_file(dir.join("data/broken.json")).unwrap();
    std::fs::remove_file(dir.join("policy/bad.rego")).unwrap();
    let toml = std::fs::read_to_string(dir.join("pack.toml")).unwrap();
    t.write(
        "pack/pack.toml",
        toml.replace("policy/*.rego", "nope/*.rego"),
    );
    t.run(&["pack", "build", dir.to_str().unwrap(), "-o", "p.oci"])
        .expect_code(2)
        .expect_stderr("`nope/*.rego` matches no file (relative to pack.toml)");
    t.write(
        "pack/pack.toml",
        toml.replace("rego = [", "component = \"k8s.wasm\"\nrego = ["),
    );
    t.run(&["pack", "build", dir.to_str().unwrap(), "-o", "p.oci"])
        .expect_code(2)
        .expect_stderr("policy `k8s`: give either `component` or `rego`, not both");
}

/// Regression (review of the Rego pack and test modes): `mode` is gate's to
/// set. With `mode = "compile"` in a user's params builtin:rego judged no
/// document and passed; now gate.toml, `--params` and a pack's defaults
/// refuse it (exit 2, with its pointer), and the policy itself refuses a
/// compile or test mode that is handed documents.
#[test]
fn regression_a_user_set_rego_mode_never_skips_judging() {
    let deny = "package main\n\ndeny contains \"root\" if input.root\n";
    let t = project(&[("a.rego", deny)], &[("a.json", "{\"root\": true}")], "");
    t.run(&["check"]).expect_code(1);
    for mode in ["compile", "test"] {
        let t = project(
            &[("a.rego", deny)],
            &[("a.json", "{\"root\": true}")],
            &format!("mode = \"{mode}\""),
        );
        t.run(&["check"])
            .expect_code(2)
            .expect_stderr("/mode: set by gate itself, not by params (read-only)");
    }
    // A pack whose defaults set it is refused when it is built.
    let t = TestDir::new();
    let dir = rego_pack(&t, &[]);
    let toml = std::fs::read_to_string(dir.join("pack.toml"))
        .unwrap()
        .replace(
            "params = { warn-severity = \"low\" }",
            "params = { mode = \"compile\" }",
        );
    assert!(toml.contains("mode = \"compile\""));
    t.write("pack/pack.toml", toml);
    t.run(&["pack", "build", dir.to_str().unwrap(), "-o", "p.oci"])
        .expect_code(2)
        .expect_stderr("read-only");
    assert!(!t.path().join("p.oci").exists(), "nothing is written");
}
