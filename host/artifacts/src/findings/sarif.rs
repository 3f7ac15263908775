//! SARIF 2.1.0 from any tool (CodeQL, Semgrep, Trivy, Grype, gitleaks,
//! checkov, ...).
//!
//! Severity, most specific first: a numeric `security-severity` property (on
//! the result or its rule; CVSS bands) → the result's `level` → the rule's
//! `defaultConfiguration.level` → `warning` (the spec's default). Levels map
//! `error`→high, `warning`→medium, `note`→low, `none`→info. `ruleIndex`,
//! tool extensions' rules, `uriBaseId` via `originalUriBaseIds`, artifact
//! indexes and several runs are resolved; `suppressions` are kept.

use super::fingerprint;
use crate::model::{FindingCategory, Location, SecurityFinding, Severity, SeveritySource};
use crate::{ParseContext, ParseError, Position};
use serde_json::Value;

pub fn sniff(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    o.get("runs").is_some_and(Value::is_array)
        && (o.get("version").is_some_and(Value::is_string)
            || o.get("$schema")
                .and_then(Value::as_str)
                .is_some_and(|s| s.contains("sarif")))
}

fn text(v: Option<&Value>) -> Option<String> {
    let v = v?;
    v.get("text")
        .or_else(|| v.get("markdown"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn level_severity(level: &str) -> Option<Severity> {
    Some(match level {
        "error" => Severity::High,
        "warning" => Severity::Medium,
        "note" => Severity::Low,
        "none" => Severity::Info,
        _ => return None,
    })
}

fn security_severity(props: Option<&Value>) -> Option<f64> {
    let v = props?.get("security-severity")?;
    match v {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite() && (0.0..=10.0).contains(f))
}

/// `external/cwe/cwe-079`, `CWE-79`, `cwe:79` → `CWE-79`.
fn cwe(tag: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let idx = lower.rfind("cwe")?;
    let digits: String = lower
        .get(idx + 3..)?
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    let n: u32 = digits.parse().ok()?;
    Some(format!("CWE-{n}"))
}

pub fn parse(v: &Value, cx: &mut ParseContext<'_>) -> Result<Vec<SecurityFinding>, ParseError> {
    let name = cx.name;
    let err = |ptr: String, msg: String| {
        ParseError::new(name, "invalid-sarif", Some(Position::Pointer(ptr)), msg)
    };
    match v.get("version").and_then(Value::as_str) {
        Some("2.1.0") | None => {}
        Some(other) => {
            return Err(cx.error(
                "unsupported-version",
                Some(Position::Pointer("/version".into())),
                format!("sarif version {other} is not supported; gate reads sarif 2.1.0"),
            ));
        }
    }
    let runs = v
        .get("runs")
        .and_then(Value::as_array)
        .ok_or_else(|| err("/runs".into(), "`runs` must be an array".into()))?;
    let mut out = Vec::new();
    for (ri, run) in runs.iter().enumerate() {
        let rp = format!("/runs/{ri}");
        let driver = run.get("tool").and_then(|t| t.get("driver"));
        let tool = match driver.and_then(|d| d.get("name")).and_then(Value::as_str) {
            Some(n) => n.to_string(),
            None => {
                cx.warn(
                    "sarif-no-tool",
                    format!(
                        "{rp} has no tool.driver.name (schema-invalid); tool recorded as `unknown`"
                    ),
                );
                "unknown".to_string()
            }
        };
        let rules: Vec<&Value> = driver
            .and_then(|d| d.get("rules"))
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let ext_rules: Vec<&Value> = run
            .get("tool")
            .and_then(|t| t.get("extensions"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|e| e.get("rules").and_then(Value::as_array))
            .flatten()
            .collect();
        let bases = run.get("originalUriBaseIds");
        let artifacts = run.get("artifacts").and_then(Value::as_array);
        for inv in run
            .get("invocations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let failed = inv.get("executionSuccessful") == Some(&Value::Bool(false));
            let notes = inv
                .get("toolExecutionNotifications")
                .and_then(Value::as_array)
                .into_iter()
                .flatten();
            for n in notes.filter(|n| n.get("level").and_then(Value::as_str) == Some("error")) {
                cx.warn(
                    "sarif-tool-error",
                    format!("{tool}: {}", text(n.get("message")).unwrap_or_default()),
                );
            }
            if failed {
                cx.warn(
                    "sarif-execution-failed",
                    format!(
                        "{tool} reports its run did not succeed; its results may be incomplete"
                    ),
                );
            }
        }
        let results = match run.get("results") {
            None | Some(Value::Null) => continue,
            Some(Value::Array(a)) => a,
            Some(_) => {
                return Err(err(
                    format!("{rp}/results"),
                    "`results` must be an array".into(),
                ));
            }
        };
        for (i, r) in results.iter().enumerate() {
            let ptr = format!("{rp}/results/{i}");
            // Rule: by index (result.ruleIndex or result.rule.index, into the
            // driver's or an extension's rules), else by id.
            let index = r
                .get("ruleIndex")
                .or_else(|| r.get("rule").and_then(|x| x.get("index")))
                .and_then(Value::as_u64);
            let ext_index = r
                .get("rule")
                .and_then(|x| x.get("toolComponent"))
                .and_then(|t| t.get("index"))
                .is_some();
            let pool: &[&Value] = if ext_index { &ext_rules } else { &rules };
            // An index past the rules array is schema-invalid; fall back to
            // the id when there is one rather than drop the result.
            let mut rule =
                index.and_then(|idx| usize::try_from(idx).ok().and_then(|k| pool.get(k)).copied());
            if let (Some(idx), None) = (index, rule) {
                cx.warn(
                    "sarif-bad-rule-index",
                    format!("{ptr}: rule index {idx} is out of range; the rule is looked up by id"),
                );
            }
            let id = r
                .get("ruleId")
                .and_then(Value::as_str)
                .or_else(|| {
                    r.get("rule")
                        .and_then(|x| x.get("id"))
                        .and_then(Value::as_str)
                })
                .or_else(|| rule.and_then(|x| x.get("id")).and_then(Value::as_str))
                .map(str::to_string);
            if rule.is_none()
                && let Some(id) = &id
            {
                rule = rules
                    .iter()
                    .chain(ext_rules.iter())
                    .copied()
                    .find(|x| x.get("id").and_then(Value::as_str) == Some(id));
            }
            let id = id.unwrap_or_else(|| {
                cx.warn(
                    "sarif-no-rule",
                    format!("{ptr}: result names no rule; recorded as `unspecified`"),
                );
                "unspecified".to_string()
            });
            let message = text(r.get("message"))
                .or_else(|| {
                    let mid = r.get("message")?.get("id")?.as_str()?;
                    text(rule?.get("messageStrings")?.get(mid))
                })
                .unwrap_or_default();
            let title = rule
                .and_then(|x| text(x.get("shortDescription")))
                .or_else(|| {
                    rule.and_then(|x| x.get("name"))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .unwrap_or_else(|| id.clone());
            let (severity, source, cvss) = if let Some(score) =
                security_severity(r.get("properties"))
                    .or_else(|| security_severity(rule.and_then(|x| x.get("properties"))))
            {
                (
                    Severity::from_cvss(score),
                    SeveritySource::SarifSecuritySeverity,
                    Some(score),
                )
            } else if let Some(l) = r.get("level").and_then(Value::as_str) {
                let s = level_severity(l)
                    .ok_or_else(|| err(format!("{ptr}/level"), format!("unknown level `{l}`")))?;
                (s, SeveritySource::SarifLevel, None)
            } else {
                let l = rule
                    .and_then(|x| x.get("defaultConfiguration"))
                    .and_then(|d| d.get("level"))
                    .and_then(Value::as_str)
                    .unwrap_or("warning");
                (
                    level_severity(l).unwrap_or(Severity::Medium),
                    SeveritySource::SarifRuleDefault,
                    None,
                )
            };
            let location = r
                .get("locations")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .and_then(|l| l.get("physicalLocation"))
                .and_then(|pl| {
                    let al = pl.get("artifactLocation")?;
                    let uri = al
                        .get("uri")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .or_else(|| {
                            let idx = usize::try_from(al.get("index")?.as_u64()?).ok()?;
                            artifacts?
                                .get(idx)?
                                .get("location")?
                                .get("uri")?
                                .as_str()
                                .map(str::to_string)
                        })?;
                    let base = al
                        .get("uriBaseId")
                        .and_then(Value::as_str)
                        .and_then(|b| bases?.get(b)?.get("uri")?.as_str())
                        .filter(|_| !uri.contains("://"))
                        .map(|b| format!("{}/{}", b.trim_end_matches('/'), uri))
                        .unwrap_or(uri);
                    let region = pl.get("region");
                    let num = |k: &str| {
                        region
                            .and_then(|g| g.get(k))
                            .and_then(Value::as_u64)
                            .and_then(|n| u32::try_from(n).ok())
                    };
                    Some((base, num("startLine"), num("endLine"), num("startColumn")))
                })
                .map(|(path, line, end, col)| Location {
                    path: cx.path(&path),
                    line,
                    end_line: end,
                    column: col,
                });
            let tags: Vec<&str> = rule
                .and_then(|x| x.get("properties"))
                .and_then(|p| p.get("tags"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let mut cwes: Vec<String> = tags.iter().filter_map(|t| cwe(t)).collect();
            cwes.sort();
            cwes.dedup();
            let upper = id.to_ascii_uppercase();
            let category = if tool.eq_ignore_ascii_case("gitleaks")
                || tags.iter().any(|t| t.eq_ignore_ascii_case("secret"))
            {
                FindingCategory::Secret
            } else if upper.starts_with("CVE-") || upper.starts_with("GHSA-") {
                FindingCategory::Vulnerability
            } else {
                FindingCategory::Code
            };
            let suppressed = r
                .get("suppressions")
                .and_then(Value::as_array)
                .is_some_and(|s| {
                    s.iter()
                        .any(|x| x.get("status").and_then(Value::as_str) != Some("rejected"))
                });
            let prints = |k: &str| -> Option<String> {
                let m = r.get(k)?.as_object()?;
                let mut kv: Vec<String> = m
                    .iter()
                    .map(|(a, b)| format!("{a}={}", b.as_str().unwrap_or("")))
                    .collect();
                kv.sort();
                (!kv.is_empty()).then(|| kv.join(";"))
            };
            let path = location.as_ref().map(|l| l.path.as_str()).unwrap_or("");
            let fp = prints("fingerprints")
                .or_else(|| prints("partialFingerprints"))
                .map(|p| fingerprint::of(&[&tool, &id, &p]))
                .unwrap_or_else(|| fingerprint::of(&[&tool, &id, path, &message]));
            out.push(SecurityFinding {
                tool: tool.clone(),
                rule: id,
                category,
                severity,
                severity_source: source,
                cvss,
                title,
                message,
                location,
                package: None,
                cwes,
                aliases: Vec::new(),
                fingerprint: fp,
                suppressed,
            });
        }
    }
    Ok(out)
}
