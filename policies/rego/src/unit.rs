//! The modes besides judging input: `compile` (parse the modules and data,
//! list the conftest rules: `gate pack build`'s check and `gate test`'s
//! coverage catalog) and `test` (the `test_*` rules, like `opa test`). Both
//! run here, in the sandbox, with the same engine as a real evaluation.

use crate::conftest::{Params, internal, load, module_package, one_line, rule_name};
use crate::media::Bundle;
use gate_sdk::*;

/// Parses every module and data document; one info finding per conftest
/// rule of the selected namespaces (`main.deny`), in declared order.
pub fn compile(bundle: &Bundle<'_>, params: &Params) -> Result<Verdict, PolicyError> {
    let loaded = load(bundle, params)?;
    let mut findings = Vec::new();
    for (ns, rules) in loaded.rules() {
        for rule in rules {
            let path = format!("{ns}.{rule}");
            findings.push(
                Finding::new(&path, Severity::Info, format!("rule data.{path}"))
                    .blocking(false)
                    .evidence(serde_json::json!({"query": format!("data.{path}")}).to_string()),
            );
        }
    }
    let mut v = Verdict::new(
        Outcome::Pass,
        format!(
            "{} parsed, {}",
            gate_codes::wording::count(bundle.modules.len(), "module", "modules"),
            gate_codes::wording::count(findings.len(), "rule", "rules")
        ),
    );
    v.findings = findings;
    Ok(v)
}

/// One `test_*` rule: where it is and what it is called.
struct Test {
    path: String,
    line: u32,
    /// `data.PACKAGE.test_NAME`
    query: String,
}

/// Evaluates every `test_*` rule of every module (no input: a test gives
/// its own with `with input as …`). True passes; false, undefined, another
/// value or an error fails. No test at all is an error: a suite that runs
/// nothing must not pass.
pub fn test(bundle: &Bundle<'_>, params: &Params) -> Result<Verdict, PolicyError> {
    let mut loaded = load(bundle, params)?;
    let mut tests: Vec<Test> = Vec::new();
    for module in loaded.engine.get_modules().iter() {
        let package = module_package(module);
        for rule in &module.policy {
            let Some(name) = rule_name(rule) else {
                continue;
            };
            if !name.starts_with("test_") {
                continue;
            }
            let query = format!("data.{package}.{name}");
            // A test defined by several bodies is one test (as in OPA).
            if tests.iter().any(|t| t.query == query) {
                continue;
            }
            let span = rule.span();
            tests.push(Test {
                path: span.source.get_path().clone(),
                line: span.line,
                query,
            });
        }
    }
    if tests.is_empty() {
        return Err(PolicyError::InvalidParams(
            "mode `test`: the modules define no `test_*` rule, so no test would run".into(),
        ));
    }
    loaded.engine.clear_data();
    for d in &loaded.data {
        loaded
            .engine
            .add_data(d.clone())
            .map_err(|e| PolicyError::InvalidParams(format!("data documents conflict: {e}")))?;
    }
    let mut findings = Vec::new();
    let mut failed = 0usize;
    for t in &tests {
        let result = loaded.engine.eval_rule(t.query.clone());
        let (status, detail) = match result {
            Ok(regorus::Value::Bool(true)) => ("pass", String::new()),
            Ok(regorus::Value::Bool(false)) => ("fail", "is false".to_string()),
            Ok(regorus::Value::Undefined) => ("fail", "is undefined".to_string()),
            Ok(other) => (
                "fail",
                format!(
                    "is {}, not true",
                    other.to_json_str().map_err(internal)?.trim()
                ),
            ),
            Err(e) => (
                "error",
                format!("failed with an error: {}", one_line(&e.to_string())),
            ),
        };
        let passed = status == "pass";
        if !passed {
            failed += 1;
        }
        let message = if passed {
            format!("{} passed", t.query)
        } else {
            format!("{} {detail}", t.query)
        };
        findings.push(
            Finding::new(
                "rego/test",
                if passed {
                    Severity::Info
                } else {
                    Severity::High
                },
                message,
            )
            .at(&t.path, Some(t.line))
            .blocking(!passed)
            .evidence(
                serde_json::json!({"test": t.query, "result": status, "detail": detail})
                    .to_string(),
            ),
        );
    }
    for line in loaded.prints() {
        log(LogLevel::Info, &line);
    }
    let outcome = if failed > 0 {
        Outcome::Fail
    } else {
        Outcome::Pass
    };
    let mut v = Verdict::new(
        outcome,
        format!(
            "{}: {} passed, {} failed",
            gate_codes::wording::count(tests.len(), "test", "tests"),
            tests.len() - failed,
            failed
        ),
    );
    v.findings = findings;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle<'a>(modules: &'a [(&'a str, &'a str)]) -> Bundle<'a> {
        Bundle {
            modules: modules.to_vec(),
            data: Vec::new(),
            inputs: Vec::new(),
        }
    }

    const POLICY: &str = "package main\n\ndeny contains \"root\" if input.user == \"root\"\n\nwarn_latest contains \"latest\" if endswith(input.image, \":latest\")\n";

    #[test]
    fn compile_lists_the_conftest_rules() {
        let v = compile(&bundle(&[("p.rego", POLICY)]), &Params::default()).unwrap();
        let rules: Vec<&str> = v.findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules, ["main.deny", "main.warn_latest"]);
        let e = compile(
            &bundle(&[("bad.rego", "package main\n\ndeny contains msg if {\n")]),
            &Params::default(),
        )
        .unwrap_err();
        assert!(
            matches!(&e, PolicyError::InvalidParams(m) if m.starts_with("bad.rego:")),
            "{e:?}"
        );
    }

    #[test]
    fn tests_pass_fail_and_name_their_place() {
        let tests = "package main\n\ntest_root_denied if {\n  deny[\"root\"] with input as {\"user\": \"root\"}\n}\n\ntest_wrong if {\n  deny[\"root\"] with input as {\"user\": \"alice\"}\n}\n\ntest_false := false\n\ntest_error if {\n  1 / 0 == 1\n}\n";
        let v = test(
            &bundle(&[("p.rego", POLICY), ("p_test.rego", tests)]),
            &Params::default(),
        )
        .unwrap();
        let got: Vec<(String, bool, Option<u32>)> = v
            .findings
            .iter()
            .map(|f| {
                (
                    f.message.clone(),
                    f.blocking,
                    f.location.as_ref().and_then(|l| l.line),
                )
            })
            .collect();
        assert_eq!(
            got[0],
            ("data.main.test_root_denied passed".into(), false, Some(3))
        );
        assert_eq!(
            got[1],
            ("data.main.test_wrong is undefined".into(), true, Some(7))
        );
        assert_eq!(
            got[2],
            ("data.main.test_false is false".into(), true, Some(11))
        );
        assert!(
            got[3].0.starts_with("data.main.test_error "),
            "{:?}",
            got[3]
        );
        assert!(got[3].1);
        assert_eq!(v.outcome, Outcome::Fail);
        // No test at all is an error, never a pass.
        let e = test(&bundle(&[("p.rego", POLICY)]), &Params::default()).unwrap_err();
        assert!(matches!(e, PolicyError::InvalidParams(_)), "{e:?}");
    }
}
