//! gitleaks JSON reports, v8 (`RuleID`, `File`, `StartLine`, `Secret`) and
//! v7 (`rule`, `file`, `lineNumber`, `offender`). Secrets are never copied
//! into the model: `Secret`, `Match`, `Line` (v8) and `offender`, `line`
//! (v7) are not read at all; only the rule, the place and the commit are
//! kept. An empty report is `[]`, which names no producer: detection says
//! `unknown-format`, `--format gitleaks` reads it as zero findings. gitleaks has no
//! severity; leaked secrets are `high` by tool convention (source `tool`) and
//! the security policy fails on any secret regardless.

use super::{fingerprint, optional_str, required_id};
use crate::model::{FindingCategory, Location, SecurityFinding, Severity, SeveritySource};
use crate::{ParseContext, ParseError, Position};
use serde_json::Value;

fn is_leak(v: &Value) -> bool {
    (v.get("RuleID").is_some() && v.get("File").is_some())
        || (v.get("rule").is_some() && v.get("offender").is_some())
}

pub fn sniff(v: &Value) -> bool {
    v.as_array().is_some_and(|a| a.first().is_some_and(is_leak))
}

pub fn parse(v: &Value, cx: &mut ParseContext<'_>) -> Result<Vec<SecurityFinding>, ParseError> {
    let mut out = Vec::new();
    for (i, leak) in v.as_array().into_iter().flatten().enumerate() {
        let ptr = format!("/{i}");
        if !is_leak(leak) {
            return Err(cx.error(
                "invalid-gitleaks",
                Some(Position::Pointer(ptr)),
                "not a gitleaks finding: expected `RuleID` and `File` (v8) or `rule` and `offender` (v7)",
            ));
        }
        let v8 = leak.get("RuleID").is_some();
        // The rule and the file identify a leak: required, checked.
        let (rule_key, file_key) = if v8 {
            ("RuleID", "File")
        } else {
            ("rule", "file")
        };
        required_id(cx, leak, rule_key, &ptr)?;
        optional_str(cx, leak, file_key, &ptr)?;
        let s = |k: &str| leak.get(k).and_then(Value::as_str).unwrap_or("");
        let n = |k: &str| {
            leak.get(k)
                .and_then(Value::as_u64)
                .and_then(|x| u32::try_from(x).ok())
                .filter(|x| *x > 0)
        };
        let (rule, file, line, end, column, title, commit) = if v8 {
            let d = s("Description");
            (
                s("RuleID"),
                s("File"),
                n("StartLine"),
                n("EndLine"),
                n("StartColumn"),
                if d.is_empty() { s("RuleID") } else { d },
                s("Commit"),
            )
        } else {
            (
                s("rule"),
                s("file"),
                n("lineNumber"),
                None,
                None,
                s("rule"),
                s("commit"),
            )
        };
        let path = cx.path(file);
        out.push(SecurityFinding {
            tool: "gitleaks".into(),
            rule: rule.to_string(),
            category: FindingCategory::Secret,
            severity: Severity::High,
            severity_source: SeveritySource::Tool,
            cvss: None,
            title: title.to_string(),
            message: format!(
                "{title} secret in {file}{}",
                if commit.is_empty() {
                    String::new()
                } else {
                    format!(" (commit {})", commit.get(..12).unwrap_or(commit))
                }
            ),
            location: Some(Location {
                path: path.clone(),
                line,
                end_line: end,
                column,
            }),
            package: None,
            cwes: vec!["CWE-798".into()],
            aliases: Vec::new(),
            // gitleaks' own fingerprint is commit:file:rule:line; ours leaves
            // out the line so a moved secret is still the same finding.
            fingerprint: fingerprint::of(&["gitleaks", rule, &path, commit]),
            suppressed: false,
        });
    }
    Ok(out)
}
