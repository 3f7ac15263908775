//! CTRF JSON (Common Test Report Format: `results.tool`, `results.summary`,
//! `results.tests`). Statuses: `passed`, `failed`, `skipped` and `pending`
//! (skipped), `other` (a `rawStatus` of `todo` is a todo skip; any other
//! `other` is errored: an outcome nobody can vouch for must not pass).
//! Suites are the tests' `suite` (a string, or a path of names in newer
//! producers), else their `filePath`. `retries` and `flaky` are the
//! producer's. The `summary` counters are checked against the tests.

use super::{Builder, Declared, millis};
use crate::error::ParseCode;
use crate::json::{self, Leaf, Obj, Slot, Stop, StrOrStrs, each};
use crate::model::{TestCase, TestReport, TestStatus, TestSuite};
use crate::{ParseContext, ParseError, Position};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::HashMap;

pub fn sniff(v: &Value) -> bool {
    v.get("results").is_some_and(|r| {
        r.get("tool").is_some_and(Value::is_object) && r.get("tests").is_some_and(Value::is_array)
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Root<'a> {
    #[serde(borrow)]
    results: Slot<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Results<'a> {
    #[serde(borrow)]
    tests: Slot<&'a RawValue>,
    #[serde(borrow)]
    summary: Obj<Summary<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Summary<'a> {
    #[serde(borrow)]
    tests: Leaf<'a>,
    #[serde(borrow)]
    passed: Leaf<'a>,
    #[serde(borrow)]
    failed: Leaf<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Test<'a> {
    #[serde(borrow)]
    name: Leaf<'a>,
    #[serde(borrow)]
    status: Leaf<'a>,
    #[serde(borrow)]
    raw_status: Leaf<'a>,
    #[serde(borrow)]
    duration: Leaf<'a>,
    #[serde(borrow)]
    message: Leaf<'a>,
    #[serde(borrow)]
    suite: StrOrStrs<'a>,
    #[serde(borrow)]
    file_path: Leaf<'a>,
    #[serde(borrow)]
    line: Leaf<'a>,
    #[serde(borrow)]
    retries: Leaf<'a>,
    #[serde(borrow)]
    flaky: Leaf<'a>,
}

fn invalid(cx: &ParseContext<'_>, pointer: String, msg: String) -> ParseError {
    cx.error(
        ParseCode::InvalidCtrf,
        Some(Position::Pointer(pointer)),
        msg,
    )
}

pub fn parse(text: &str, cx: &mut ParseContext<'_>) -> Result<TestReport, ParseError> {
    let name = cx.name;
    let mut stop: Stop = None;
    let root: Obj<Root<'_>> = json::read(
        name,
        text,
        text,
        ParseCode::InvalidCtrf,
        &mut stop,
        |de, _| Obj::deserialize(de),
    )?;
    let Some(results) = root.results.value() else {
        return Err(invalid(cx, String::new(), "no `results` object".into()));
    };
    let results: Obj<Results<'_>> = json::read(
        name,
        text,
        results.get(),
        ParseCode::InvalidCtrf,
        &mut stop,
        |de, _| Obj::deserialize(de),
    )?;
    let Some(tests) = results.tests.value().filter(|t| t.get().starts_with('[')) else {
        return Err(invalid(
            cx,
            "/results/tests".into(),
            "`results.tests` must be an array".into(),
        ));
    };
    let mut b = Builder::default();
    let mut suites: HashMap<String, u32> = HashMap::new();
    json::read(
        name,
        text,
        tests.get(),
        ParseCode::InvalidCtrf,
        &mut stop,
        |de, stop| {
            serde::Deserializer::deserialize_any(
                de,
                each::<Obj<Test<'_>>, _>(stop, |i, t| test(i, &t, cx, &mut b, &mut suites)),
            )
        },
    )?;
    let s = &results.summary;
    let declared = Declared {
        tests: s.tests.as_u64(),
        passed: s.passed.as_u64(),
        failed: s.failed.as_u64(),
        ..Default::default()
    };
    Ok(b.finish(cx, declared))
}

fn test(
    i: usize,
    t: &Obj<Test<'_>>,
    cx: &mut ParseContext<'_>,
    b: &mut Builder,
    suites: &mut HashMap<String, u32>,
) -> Result<(), ParseError> {
    let at = |field: &str| format!("/results/tests/{i}{field}");
    if !t.is_object {
        return Err(invalid(cx, at(""), "a test must be an object".into()));
    }
    let Some(name) = t.name.as_str() else {
        return Err(invalid(
            cx,
            at("/name"),
            "a test needs a string `name`".into(),
        ));
    };
    let raw = t.raw_status.as_str().unwrap_or_default();
    let (status, todo) = match t.status.as_str() {
        Some("passed") => (TestStatus::Passed, false),
        Some("failed") => (TestStatus::Failed, false),
        Some("skipped" | "pending") => (TestStatus::Skipped, false),
        Some("other") if raw.eq_ignore_ascii_case("todo") => (TestStatus::Skipped, true),
        Some("other") if matches!(raw, "disabled" | "ignored") => (TestStatus::Skipped, false),
        Some("other") => (TestStatus::Errored, false),
        Some(s) => {
            return Err(invalid(
                cx,
                at("/status"),
                format!(
                    "unknown status `{s}` (expected passed, failed, skipped, pending or other)"
                ),
            ));
        }
        None => {
            return Err(invalid(
                cx,
                at("/status"),
                "a test needs a string `status`".into(),
            ));
        }
    };
    let file = t.file_path.as_str().filter(|f| !f.is_empty());
    let suite_name = match &t.suite {
        StrOrStrs::One(s) => s.to_string(),
        StrOrStrs::Many(v) => v.join(" > "),
        StrOrStrs::None => file.unwrap_or_default().to_owned(),
    };
    let suite = match suites.get(&suite_name) {
        Some(s) => *s,
        None => {
            let s = b.suite(TestSuite {
                name: suite_name.clone(),
                file: file.map(|f| cx.path(f)),
                ..Default::default()
            });
            suites.insert(suite_name, s);
            s
        }
    };
    let message = match (status, t.message.as_str()) {
        (TestStatus::Errored, None) => b.message(&format!("status `other` (raw status `{raw}`)")),
        (_, Some(m)) => b.message(m),
        _ => None,
    };
    let line = t
        .line
        .as_u64()
        .and_then(|l| u32::try_from(l).ok())
        .filter(|l| *l > 0);
    let location = file.map(|f| Builder::location(cx, f, line));
    let retries = t
        .retries
        .as_u64()
        .map_or(0, |r| u32::try_from(r).unwrap_or(u32::MAX));
    let flaky = matches!(t.flaky, Leaf::Bool(true)) && status == TestStatus::Passed;
    b.case(TestCase {
        suite,
        name: name.to_owned(),
        status,
        duration_us: t.duration.as_f64().and_then(millis),
        message,
        location,
        retries,
        flaky,
        todo,
        ..Default::default()
    });
    Ok(())
}
