//! `gate test`: runs policies' declarative test cases (see
//! [`crate::testing`]) and prints the results and rule coverage.

use super::diagnostics;
use super::output::print;
use crate::error::GateError;
use crate::exit::Exit;
use crate::testing::{self, Report};
use clap::Args;
use quick_xml::Writer;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use std::path::PathBuf;

/// `gate test`'s exit codes, after `--help`.
pub(super) const EXIT_HELP: &str = "\
Exit codes: 0 every case passed (and rule coverage met --min-rule-coverage), \
1 a case failed or coverage is below the minimum, 2 a test file is wrong, \
3 a fixture cannot be read or parsed, 4 a policy could not be loaded or run.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum TestFormat {
    /// One line per case, failures explained, then rule coverage
    Human,
    /// Cases and coverage as JSON
    Json,
    /// JUnit XML: one testsuite per test file
    Junit,
}

#[derive(Debug, Args)]
pub(crate) struct TestArgs {
    /// Test files, or directories searched for `*.test.toml` (default: .)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format on stdout
    #[arg(long, value_enum, default_value = "human")]
    pub format: TestFormat,
    /// Run only the cases whose `FILE: NAME` contains PATTERN
    #[arg(long, value_name = "PATTERN")]
    pub run: Option<String>,
    /// Fail (exit 1) when a policy's rule coverage is below N percent
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub min_rule_coverage: Option<u8>,
    /// Do not read or write the compiled-component cache
    #[arg(long)]
    pub no_cache: bool,
}

pub fn run(args: TestArgs) -> Result<Exit, GateError> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let options = testing::Options {
        filter: args.run.clone(),
        no_cache: args.no_cache,
    };
    let report = match testing::discover(&paths).and_then(|files| testing::run(&files, &options)) {
        Ok(r) => r,
        Err(e) => return Ok(diagnostics::test_error(&e)),
    };
    if report.cases.is_empty() {
        // A filter that selects nothing tests nothing: not a pass.
        return Ok(diagnostics::test_error(&testing::TestError::BadFile {
            file: paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            message: format!(
                "no case matches --run `{}`",
                args.run.as_deref().unwrap_or_default()
            ),
        }));
    }
    let min = args.min_rule_coverage.map(f64::from);
    let text = match args.format {
        TestFormat::Human => human(&report, min),
        TestFormat::Json => json(&report)?,
        TestFormat::Junit => junit(&report)?,
    };
    print(text)?;
    let cases_ok = report.cases.iter().all(|c| c.passed);
    let coverage_ok = min.is_none_or(|m| report.coverage.iter().all(|c| c.percent() >= m));
    Ok(if cases_ok && coverage_ok {
        Exit::Pass
    } else {
        Exit::GateFailed
    })
}

fn human(report: &Report, min: Option<f64>) -> String {
    let mut out = String::new();
    for c in &report.cases {
        let mark = if c.passed { "ok  " } else { "FAIL" };
        out.push_str(&format!("{mark} {}: {}\n", c.file, c.name));
        for f in &c.failures {
            out.push_str(&format!("       {f}\n"));
        }
    }
    let failed = report.cases.iter().filter(|c| !c.passed).count();
    out.push_str(&format!(
        "\n{} case{}: {} passed, {failed} failed\n",
        report.cases.len(),
        if report.cases.len() == 1 { "" } else { "s" },
        report.cases.len() - failed,
    ));
    for cov in &report.coverage {
        let below = min.is_some_and(|m| cov.percent() < m);
        out.push_str(&format!(
            "rule coverage {}: {}/{} ({:.0}%){}",
            cov.policy,
            cov.exercised.len(),
            cov.rules.len(),
            cov.percent(),
            if below { ", below the minimum" } else { "" },
        ));
        let missing = cov.missing();
        if !missing.is_empty() {
            out.push_str(&format!("; never fired: {}", missing.join(", ")));
        }
        out.push('\n');
    }
    out
}

fn json(report: &Report) -> Result<String, GateError> {
    let coverage: Vec<serde_json::Value> = report
        .coverage
        .iter()
        .map(|c| {
            serde_json::json!({
                "policy": c.policy,
                "rules": c.rules,
                "exercised": c.exercised,
                "missing": c.missing(),
                "percent": c.percent(),
            })
        })
        .collect();
    let doc = serde_json::json!({ "cases": report.cases, "coverage": coverage });
    serde_json::to_string_pretty(&doc)
        .map(|s| s + "\n")
        .map_err(|e| GateError::Output(format!("cannot render JSON: {e}")))
}

fn junit(report: &Report) -> Result<String, GateError> {
    let xml_error = |e: std::io::Error| GateError::Output(format!("cannot render JUnit: {e}"));
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(quick_xml::events::BytesDecl::new(
        "1.0",
        Some("UTF-8"),
        None,
    )))
    .map_err(xml_error)?;
    let total = report.cases.len().to_string();
    let failed = report
        .cases
        .iter()
        .filter(|c| !c.passed)
        .count()
        .to_string();
    let mut root = BytesStart::new("testsuites");
    root.push_attribute(("name", "gate test"));
    root.push_attribute(("tests", total.as_str()));
    root.push_attribute(("failures", failed.as_str()));
    w.write_event(Event::Start(root)).map_err(xml_error)?;
    let mut files: Vec<&str> = report.cases.iter().map(|c| c.file.as_str()).collect();
    files.dedup();
    for file in files {
        let cases: Vec<_> = report.cases.iter().filter(|c| c.file == file).collect();
        let n = cases.len().to_string();
        let f = cases.iter().filter(|c| !c.passed).count().to_string();
        let mut suite = BytesStart::new("testsuite");
        suite.push_attribute(("name", file));
        suite.push_attribute(("tests", n.as_str()));
        suite.push_attribute(("failures", f.as_str()));
        w.write_event(Event::Start(suite)).map_err(xml_error)?;
        for c in cases {
            let mut case = BytesStart::new("testcase");
            case.push_attribute(("name", c.name.as_str()));
            case.push_attribute(("classname", c.policy.as_str()));
            if c.passed {
                w.write_event(Event::Empty(case)).map_err(xml_error)?;
                continue;
            }
            w.write_event(Event::Start(case)).map_err(xml_error)?;
            let mut failure = BytesStart::new("failure");
            let first = c.failures.first().map(String::as_str).unwrap_or_default();
            failure.push_attribute(("message", first));
            w.write_event(Event::Start(failure)).map_err(xml_error)?;
            w.write_event(Event::Text(BytesText::new(&c.failures.join("\n"))))
                .map_err(xml_error)?;
            w.write_event(Event::End(BytesEnd::new("failure")))
                .map_err(xml_error)?;
            w.write_event(Event::End(BytesEnd::new("testcase")))
                .map_err(xml_error)?;
        }
        w.write_event(Event::End(BytesEnd::new("testsuite")))
            .map_err(xml_error)?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuites")))
        .map_err(xml_error)?;
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    String::from_utf8(bytes).map_err(|e| GateError::Output(format!("cannot render JUnit: {e}")))
}
