//! JUnit XML as GitLab, Jenkins and Azure Pipelines read it: one
//! `<testsuite>` per policy, one `<testcase>` per rule (classname
//! `pack.policy`, e.g. `builtin.coverage`). A rule with blocking findings
//! fails (`type` = the most severe severity), one whose findings are all
//! waived or suppressed is skipped, a policy that could not evaluate is an
//! `<error>`. Times are 0: the verdict carries none, so output stays
//! byte-identical for the same inputs.
//!
//! The suites are computed first (counts go in the opening tags), then
//! written with quick-xml's writer, which escapes every text and attribute.

use super::escape::xml_chars;
use crate::verdict::{Finding, FindingStatus, Outcome, PolicyEntry, VerdictDoc};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use std::collections::BTreeMap;
use std::io;

/// What one `<testcase>` holds.
enum Result {
    Pass,
    Skipped {
        message: String,
    },
    /// `text` is `None` for an empty `<failure/>`.
    Failure {
        message: String,
        kind: String,
        text: Option<String>,
    },
    Error {
        message: String,
        kind: String,
        text: String,
    },
    /// Reported, not gating: visible in system-out.
    Out(String),
}

struct Case {
    name: String,
    result: Result,
}

struct Suite {
    name: String,
    classname: String,
    cases: Vec<Case>,
}

impl Suite {
    fn count(&self, pick: fn(&Result) -> bool) -> usize {
        self.cases.iter().filter(|c| pick(&c.result)).count()
    }
    fn failures(&self) -> usize {
        self.count(|r| matches!(r, Result::Failure { .. }))
    }
    fn errors(&self) -> usize {
        self.count(|r| matches!(r, Result::Error { .. }))
    }
    fn skipped(&self) -> usize {
        self.count(|r| matches!(r, Result::Skipped { .. }))
    }
}

fn detail(f: &Finding) -> String {
    let place = f.location.as_ref().map(|l| match l.line {
        Some(n) => format!("{}:{n}: ", l.path),
        None => format!("{}: ", l.path),
    });
    format!(
        "{}{} [{}]",
        place.unwrap_or_default(),
        f.message,
        f.severity.as_str()
    )
}

/// One case per rule with findings (fixed ones do not count).
fn rule_cases(p: &PolicyEntry) -> Vec<Case> {
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in p
        .findings
        .iter()
        .filter(|f| f.status != FindingStatus::Fixed)
    {
        by_rule.entry(&*f.rule).or_default().push(f);
    }
    by_rule
        .into_iter()
        .map(|(rule, findings)| Case {
            name: rule.to_string(),
            result: rule_result(&findings),
        })
        .collect()
}

fn rule_result(findings: &[&Finding]) -> Result {
    let blocking: Vec<&Finding> = findings.iter().copied().filter(|f| f.blocking).collect();
    if let Some(first) = blocking.iter().max_by_key(|f| f.severity) {
        let details: Vec<String> = blocking.iter().map(|f| detail(f)).collect();
        return Result::Failure {
            message: first.message.to_string(),
            kind: first.severity.as_str().to_string(),
            text: Some(details.join("\n")),
        };
    }
    if !findings.iter().any(|f| f.status == FindingStatus::Open) {
        let why = findings.first().map_or(FindingStatus::Waived, |f| f.status);
        return Result::Skipped {
            message: format!(
                "{} {why}",
                gate_codes::wording::count(findings.len(), "finding", "findings")
            ),
        };
    }
    let details: Vec<String> = findings.iter().map(|f| detail(f)).collect();
    Result::Out(details.join("\n"))
}

fn suite(p: &PolicyEntry) -> Suite {
    let mut cases = Vec::new();
    if let Some(e) = &p.error {
        cases.push(Case {
            name: "evaluation".to_string(),
            result: Result::Error {
                message: e.message.clone(),
                kind: e.kind.as_str().to_string(),
                text: p.summary.clone(),
            },
        });
    }
    let rules = rule_cases(p);
    if rules.is_empty() && p.error.is_none() {
        // No findings: the policy itself is the one case.
        let result = match p.outcome {
            Outcome::Skip => Result::Skipped {
                message: p.summary.clone(),
            },
            Outcome::Fail => Result::Failure {
                message: p.summary.clone(),
                kind: "fail".to_string(),
                text: None,
            },
            _ => Result::Pass,
        };
        cases.push(Case {
            name: p.name.clone(),
            result,
        });
    }
    cases.extend(rules);
    Suite {
        name: p.name.clone(),
        classname: p.reference.replace(':', "."),
        cases,
    }
}

/// A start tag; attribute values are cleaned of characters XML 1.0 forbids
/// (quick-xml escapes the rest).
fn tag<'a>(name: &'a str, attrs: &[(&str, &str)]) -> BytesStart<'a> {
    let mut start = BytesStart::new(name);
    for (key, value) in attrs {
        start.push_attribute((*key, xml_chars(value).as_ref()));
    }
    start
}

fn text(w: &mut Writer<Vec<u8>>, s: &str) -> io::Result<()> {
    w.write_event(Event::Text(BytesText::new(&xml_chars(s))))
}

/// `<name attrs>text</name>` on one line.
fn element(
    w: &mut Writer<Vec<u8>>,
    name: &str,
    attrs: &[(&str, &str)],
    body: &str,
) -> io::Result<()> {
    w.write_event(Event::Start(tag(name, attrs)))?;
    text(w, body)?;
    w.write_event(Event::End(BytesEnd::new(name)))
}

fn write_case(w: &mut Writer<Vec<u8>>, classname: &str, c: &Case) -> io::Result<()> {
    w.write_event(Event::Start(tag(
        "testcase",
        &[("classname", classname), ("name", &c.name), ("time", "0")],
    )))?;
    match &c.result {
        // An empty text keeps `</testcase>` on the opening tag's line.
        Result::Pass => text(w, "")?,
        Result::Skipped { message } => {
            w.write_event(Event::Empty(tag("skipped", &[("message", message)])))?
        }
        Result::Failure {
            message,
            kind,
            text: None,
        } => w.write_event(Event::Empty(tag(
            "failure",
            &[("message", message), ("type", kind)],
        )))?,
        Result::Failure {
            message,
            kind,
            text: Some(body),
        } => element(w, "failure", &[("message", message), ("type", kind)], body)?,
        Result::Error {
            message,
            kind,
            text: body,
        } => element(w, "error", &[("message", message), ("type", kind)], body)?,
        Result::Out(body) => element(w, "system-out", &[], body)?,
    }
    w.write_event(Event::End(BytesEnd::new("testcase")))
}

fn write(w: &mut Writer<Vec<u8>>, doc: &VerdictDoc, suites: &[Suite]) -> io::Result<()> {
    let sum = |f: fn(&Suite) -> usize| suites.iter().map(f).sum::<usize>().to_string();
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.write_event(Event::Start(tag(
        "testsuites",
        &[
            ("name", "gate"),
            ("tests", &sum(|s| s.cases.len())),
            ("failures", &sum(Suite::failures)),
            ("errors", &sum(Suite::errors)),
            ("skipped", &sum(Suite::skipped)),
            ("time", "0"),
        ],
    )))?;
    let timestamp = doc.now.trim_end_matches('Z');
    for s in suites {
        w.write_event(Event::Start(tag(
            "testsuite",
            &[
                ("name", &s.name),
                ("tests", &s.cases.len().to_string()),
                ("failures", &s.failures().to_string()),
                ("errors", &s.errors().to_string()),
                ("skipped", &s.skipped().to_string()),
                ("time", "0"),
                ("timestamp", timestamp),
            ],
        )))?;
        for c in &s.cases {
            write_case(w, &s.classname, c)?;
        }
        w.write_event(Event::End(BytesEnd::new("testsuite")))?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuites")))
}

pub fn render(doc: &VerdictDoc) -> String {
    let suites: Vec<Suite> = doc.policies.iter().map(suite).collect();
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    match write(&mut w, doc, &suites) {
        Ok(()) => {
            // Built from `&str` only, so always UTF-8.
            let mut out = String::from_utf8_lossy(&w.into_inner()).into_owned();
            out.push('\n');
            out
        }
        // Writing to a Vec cannot fail; should it, the report does not parse
        // (no root element) rather than read as a pass.
        Err(e) => format!("<!-- the JUnit report could not be written: {e} -->\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sarif::tests::doc;
    use crate::runtime::{PolicyErrorKind, PolicyFailure};

    /// One verdict with every kind of test case: an evaluation error, a
    /// policy without findings that passed, skipped or failed, a failing
    /// rule, a rule whose findings were all waived, a reported non-gating
    /// rule, fixed findings, and texts with markup and control characters.
    fn every_case() -> VerdictDoc {
        let mut d = doc(4);
        let base = d.policies[0].clone();
        let p = &mut d.policies[0];
        p.findings[1].status = FindingStatus::Waived;
        p.findings[1].rule = "W".into();
        p.findings[2].message = "a <b> & 'c' \"d\" \u{1} end".into();
        p.findings[3].status = FindingStatus::Fixed;
        let mut errored = base.clone();
        errored.name = "broken".into();
        errored.reference = "oci:reg/x:1".into();
        errored.findings.clear();
        errored.outcome = Outcome::Error;
        errored.summary = "could not <judge>".into();
        errored.error = Some(PolicyFailure::new(
            PolicyErrorKind::FuelExhausted,
            "ran out & \"stopped\"",
        ));
        let mut d2 = base.clone();
        d2.findings.clear();
        let mut passed = d2.clone();
        passed.name = "passed".into();
        passed.outcome = Outcome::Pass;
        let mut skipped = d2.clone();
        skipped.name = "skipped".into();
        skipped.outcome = Outcome::Skip;
        skipped.summary = "no input".into();
        let mut failed = d2;
        failed.name = "failed".into();
        failed.outcome = Outcome::Fail;
        failed.summary = "below 'min'".into();
        let mut errored_with_findings = base;
        errored_with_findings.name = "half".into();
        errored_with_findings.error = Some(PolicyFailure::new(PolicyErrorKind::Trap, "t"));
        d.policies
            .extend([errored, passed, skipped, failed, errored_with_findings]);
        d
    }

    /// Pinned from the `format!`-based writer this module replaced: every
    /// form of test case is byte-identical.
    #[test]
    fn every_kind_of_case_is_written_as_before() {
        insta::assert_snapshot!(render(&every_case()));
    }
}
