//! JUnit XML as GitLab, Jenkins and Azure Pipelines read it: one
//! `<testsuite>` per policy, one `<testcase>` per rule (classname
//! `pack.policy`, e.g. `builtin.coverage`). A rule with blocking findings
//! fails (`type` = the most severe severity), one whose findings are all
//! waived or suppressed is skipped, a policy that could not evaluate is an
//! `<error>`. Times are 0: the verdict carries none, so output stays
//! byte-identical for the same inputs.

use super::escape::xml;
use crate::verdict::{Finding, Outcome, PolicyEntry, VerdictDoc};
use std::collections::BTreeMap;
use std::fmt::Write;

struct Case<'a> {
    name: String,
    findings: Vec<&'a Finding>,
}

fn cases(p: &PolicyEntry) -> Vec<Case<'_>> {
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in p.findings.iter().filter(|f| f.status != "fixed") {
        by_rule.entry(f.rule.as_str()).or_default().push(f);
    }
    by_rule
        .into_iter()
        .map(|(r, findings)| Case {
            name: r.to_string(),
            findings,
        })
        .collect()
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

pub fn render(doc: &VerdictDoc) -> String {
    let mut suites = String::new();
    let (mut t_tests, mut t_fail, mut t_err, mut t_skip) = (0, 0, 0, 0);
    for p in &doc.policies {
        let classname = p.reference.replace(':', ".");
        let mut body = String::new();
        let (mut tests, mut failures, mut errors, mut skipped) = (0, 0, 0, 0);
        if let Some(e) = &p.error {
            tests += 1;
            errors += 1;
            let _ = writeln!(
                body,
                "    <testcase classname=\"{}\" name=\"evaluation\" time=\"0\">\n      <error message=\"{}\" type=\"{}\">{}</error>\n    </testcase>",
                xml(&classname),
                xml(&e.message),
                xml(e.kind.as_str()),
                xml(&p.summary)
            );
        }
        let cs = cases(p);
        if cs.is_empty() && p.error.is_none() {
            tests += 1;
            let inner = match p.outcome {
                Outcome::Skip => {
                    skipped += 1;
                    format!("\n      <skipped message=\"{}\"/>\n    ", xml(&p.summary))
                }
                Outcome::Fail => {
                    failures += 1;
                    format!(
                        "\n      <failure message=\"{}\" type=\"fail\"/>\n    ",
                        xml(&p.summary)
                    )
                }
                _ => String::new(),
            };
            let _ = writeln!(
                body,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"0\">{inner}</testcase>",
                xml(&classname),
                xml(&p.name)
            );
        }
        for c in &cs {
            tests += 1;
            let blocking: Vec<&&Finding> = c.findings.iter().filter(|f| f.blocking).collect();
            let open = c.findings.iter().any(|f| f.status == "open");
            let inner = if let Some(first) = blocking.iter().max_by_key(|f| f.severity) {
                failures += 1;
                let details: Vec<String> = blocking.iter().map(|f| detail(f)).collect();
                format!(
                    "\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    ",
                    xml(&first.message),
                    first.severity.as_str(),
                    xml(&details.join("\n"))
                )
            } else if !open {
                skipped += 1;
                let why = c.findings.first().map(|f| f.status).unwrap_or("waived");
                format!(
                    "\n      <skipped message=\"{}\"/>\n    ",
                    xml(&format!("{} finding(s) {why}", c.findings.len()))
                )
            } else {
                // Reported, not gating: visible in system-out.
                let details: Vec<String> = c.findings.iter().map(|f| detail(f)).collect();
                format!(
                    "\n      <system-out>{}</system-out>\n    ",
                    xml(&details.join("\n"))
                )
            };
            let _ = writeln!(
                body,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"0\">{inner}</testcase>",
                xml(&classname),
                xml(&c.name)
            );
        }
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"0\" timestamp=\"{}\">\n{body}  </testsuite>",
            xml(&p.name),
            xml(doc.now.trim_end_matches('Z'))
        );
        t_tests += tests;
        t_fail += failures;
        t_err += errors;
        t_skip += skipped;
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"gate\" tests=\"{t_tests}\" failures=\"{t_fail}\" errors=\"{t_err}\" skipped=\"{t_skip}\" time=\"0\">\n{suites}</testsuites>\n"
    )
}
