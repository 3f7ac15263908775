//! gitleaks JSON reports, v8 (`RuleID`, `File`, `StartLine`, `Secret`) and
//! v7 (`rule`, `file`, `lineNumber`, `offender`). Secrets are never copied
//! into the model: `Secret`, `Match`, `Line` (v8) and `offender`, `line`
//! (v7) are not read at all; only the rule, the place and the commit are
//! kept. An empty report is `[]`, which names no producer: detection says
//! `unknown-format`, `--format gitleaks` reads it as zero findings. gitleaks has no
//! severity; leaked secrets are `high` by tool convention (source `tool`) and
//! the security policy fails on any secret regardless.

use super::{fingerprint, optional_str, required_id};
use crate::error::ParseCode;
use crate::json::{self, Leaf, Obj, Slot, Stop, each};
use crate::model::{FindingCategory, Location, SecurityFinding, Severity, SeveritySource};
use crate::{ParseContext, ParseError, Position};
use serde::{Deserialize, Deserializer as _};
use serde_json::Value;

fn is_leak(v: &Value) -> bool {
    (v.get("RuleID").is_some() && v.get("File").is_some())
        || (v.get("rule").is_some() && v.get("offender").is_some())
}

pub fn sniff(v: &Value) -> bool {
    v.as_array().is_some_and(|a| a.first().is_some_and(is_leak))
}

/// A key that is only checked for presence: its value (a secret) is
/// skipped, never read.
#[derive(Default)]
struct Present;

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| Present)
    }
}

/// One leak, v8 or v7 keys.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Leak<'a> {
    #[serde(borrow, rename = "RuleID")]
    rule_id: Slot<Leaf<'a>>,
    #[serde(borrow, rename = "File")]
    file_v8: Slot<Leaf<'a>>,
    #[serde(borrow, rename = "Description")]
    description: Leaf<'a>,
    #[serde(borrow, rename = "StartLine")]
    start_line: Leaf<'a>,
    #[serde(borrow, rename = "EndLine")]
    end_line: Leaf<'a>,
    #[serde(borrow, rename = "StartColumn")]
    start_column: Leaf<'a>,
    #[serde(borrow, rename = "Commit")]
    commit_v8: Leaf<'a>,
    #[serde(borrow)]
    rule: Slot<Leaf<'a>>,
    #[serde(borrow)]
    file: Leaf<'a>,
    offender: Slot<Present>,
    #[serde(borrow, rename = "lineNumber")]
    line_number: Leaf<'a>,
    #[serde(borrow)]
    commit: Leaf<'a>,
}

fn field<'s>(v: &'s Slot<Leaf<'_>>) -> &'s Leaf<'s> {
    static NULL: Leaf<'static> = Leaf::Null;
    v.get().unwrap_or(&NULL)
}

pub(crate) fn parse(
    text: &str,
    cx: &mut ParseContext<'_>,
) -> Result<Vec<SecurityFinding>, ParseError> {
    let name = cx.name;
    let mut out = Vec::new();
    let mut stop: Stop = None;
    json::read(
        name,
        text,
        text,
        ParseCode::InvalidGitleaks,
        &mut stop,
        |de, stop| {
            de.deserialize_any(each::<Obj<Leak<'_>>, _>(stop, |i, leak| {
            let ptr = || format!("/{i}");
            let v8 = matches!(leak.rule_id, Slot::Here(_));
            let is_leak = (v8 && matches!(leak.file_v8, Slot::Here(_)))
                || (matches!(leak.rule, Slot::Here(_)) && matches!(leak.offender, Slot::Here(_)));
            if !is_leak {
                return Err(cx.error(
                    ParseCode::InvalidGitleaks,
                    Some(Position::Pointer(ptr())),
                    "not a gitleaks finding: expected `RuleID` and `File` (v8) or `rule` and `offender` (v7)",
                ));
            }
            // The rule and the file identify a leak: required, checked.
            let (rule_key, rule_field, file_key, file_field) = if v8 {
                ("RuleID", field(&leak.rule_id), "File", field(&leak.file_v8))
            } else {
                ("rule", field(&leak.rule), "file", &leak.file)
            };
            required_id(cx, rule_field, rule_key, ptr)?;
            optional_str(cx, file_field, file_key, ptr)?;
            let (rule, file, line, end, column, title, commit) = if v8 {
                let d = leak.description.str_or_empty();
                let rule = rule_field.str_or_empty();
                (
                    rule,
                    file_field.str_or_empty(),
                    leak.start_line.line(),
                    leak.end_line.line(),
                    leak.start_column.line(),
                    if d.is_empty() { rule } else { d },
                    leak.commit_v8.str_or_empty(),
                )
            } else {
                let rule = rule_field.str_or_empty();
                (
                    rule,
                    leak.file.str_or_empty(),
                    leak.line_number.line(),
                    None,
                    None,
                    rule,
                    leak.commit.str_or_empty(),
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
            Ok(())
        }))
        },
    )?;
    Ok(out)
}
