//! SARIF 2.1.0 from any tool (CodeQL, Semgrep, Trivy, Grype, gitleaks,
//! checkov, ...).
//!
//! Severity, most specific first: a numeric `security-severity` property (on
//! the result, else its rule; CVSS bands, kept as `cvss`) → the result's
//! `level` → the rule's `defaultConfiguration.level` → `warning` (the spec's
//! default; `none` when the result's `kind` is not `fail`, §3.27.9). Levels
//! map `error`→high, `warning`→medium, `note`→low, `none`→info.
//!
//! Resolved: `ruleIndex`, `rule.index`/`rule.id`, rules of tool extensions
//! (`rule.toolComponent.index`), `uriBaseId` through `originalUriBaseIds`
//! (recursively), artifact `index`es, several runs, `message.id` with
//! `arguments`. `suppressions` are kept (any suppression whose status is not
//! `rejected` suppresses). Results whose `baselineState` is `absent` are gone
//! from the scanned code and are skipped.
//!
//! Decisions on broken logs: SARIF 1.x and 2.0 drafts are rejected
//! (`unsupported-version`); `runs: null` — the producer's way to say it could
//! not run (§3.13.4) — is an error (`sarif-no-runs`), never a clean report,
//! and so is a run whose `results` is absent or null (`sarif-no-results`,
//! §3.14.23: the tool produced none; a clean scan is `results: []`);
//! a run without `tool` (schema-invalid) is read with tool `unknown` and a
//! warning; out-of-range rule or artifact indexes are warnings (the rule is
//! looked up by id, the location dropped), reported once per run with the
//! JSON pointer of the first offender; error-level tool notifications and
//! `executionSuccessful: false` are warnings. A `results` that is not an
//! array, a result that is not an object or an unknown `level` are errors.

use super::{check_id, fingerprint, optional_str, pointer};
use crate::model::{FindingCategory, Location, SecurityFinding, Severity, SeveritySource};
use crate::{ParseContext, ParseError, Position};
use serde_json::{Map, Value};

pub fn sniff(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    let schema = o
        .get("$schema")
        .and_then(Value::as_str)
        .is_some_and(|s| s.to_ascii_lowercase().contains("sarif"));
    let runs = o.get("runs").is_some_and(|r| r.is_array() || r.is_null());
    let version = o
        .get("version")
        .and_then(Value::as_str)
        .is_some_and(|s| s.starts_with("1.") || s.starts_with("2."));
    schema || (runs && version)
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

/// The `security-severity` property: `Ok(None)` when absent, `Err(())`
/// when it is not a number from 0 to 10 (GitHub's definition). Real tools
/// write other things there (semgrep 1.69 writes labels such as `MEDIUM`),
/// so a bad value is a warning and the severity falls back to `level`.
fn security_severity(props: Option<&Value>) -> Result<Option<f64>, ()> {
    let Some(v) = props.and_then(|p| p.get("security-severity")) else {
        return Ok(None);
    };
    match v {
        Value::String(s) => s.trim().parse::<f64>().ok(),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite() && (0.0..=10.0).contains(f))
    .map(Some)
    .ok_or(())
}

/// `{0}`-style placeholders replaced by the message's `arguments`.
fn substitute(template: &str, args: &[Value]) -> String {
    if args.is_empty() || !template.contains('{') {
        return template.to_string();
    }
    let mut out = template.to_string();
    for (i, a) in args.iter().enumerate() {
        let value = match a {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        out = out.replace(&format!("{{{i}}}"), &value);
    }
    out
}

/// CVE and GHSA ids mentioned in a rule id such as `BDSA-2020-1001
/// (CVE-2020-11022)` or grype's `CVE-2008-0732-geronimo-jms_1.1_spec`.
fn advisory_ids(s: &str) -> Vec<String> {
    static RE: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)\b(?:CVE-\d{4}-\d{4,}|GHSA(?:-[0-9a-z]{4}){3})\b").ok()
    });
    let Some(re) = RE.as_ref() else {
        return Vec::new();
    };
    re.find_iter(s)
        .map(|m| {
            let id = m.as_str();
            match id.get(..5) {
                Some(p) if p.eq_ignore_ascii_case("GHSA-") => {
                    format!("GHSA-{}", id.get(5..).unwrap_or("").to_ascii_lowercase())
                }
                _ => id.to_ascii_uppercase(),
            }
        })
        .collect()
}

/// Tools whose non-CVE findings are configuration checks.
fn is_config_scanner(tool: &str) -> bool {
    let t = tool.to_ascii_lowercase();
    [
        "checkov",
        "tfsec",
        "kics",
        "terrascan",
        "dockle",
        "hadolint",
        "trivy",
        "kubesec",
    ]
    .iter()
    .any(|n| t.contains(n))
}

/// Counted per run and reported once, with the first offender's pointer.
#[derive(Default)]
struct Tally {
    count: usize,
    first: String,
}

impl Tally {
    fn hit(&mut self, ptr: &str) {
        if self.count == 0 {
            self.first = ptr.to_string();
        }
        self.count = self.count.saturating_add(1);
    }
}

struct Run<'v> {
    tool: String,
    /// Rules of the driver (index 0) and of each extension (index k + 1).
    components: Vec<&'v [Value]>,
    /// Rules by id, driver first (built once: results often carry only
    /// `ruleId`).
    by_id: std::collections::HashMap<&'v str, &'v Value>,
    bases: Option<&'v Map<String, Value>>,
    artifacts: &'v [Value],
}

impl<'v> Run<'v> {
    fn rule_by_id(&self, id: &str) -> Option<&'v Value> {
        self.by_id.get(id).copied()
    }

    /// `uri` made absolute (or root-relative) through its `uriBaseId` chain.
    fn resolve_uri(&self, uri: &str, base_id: Option<&str>) -> String {
        let mut uri = uri.to_string();
        let mut base_id = base_id.map(str::to_string);
        let mut depth: usize = 0;
        while let Some(id) = base_id.take() {
            if uri.contains("://") || uri.starts_with('/') || depth > 8 {
                break;
            }
            let Some(base) = self.bases.and_then(|b| b.get(&id)) else {
                // An unknown base (`%SRCROOT%` without a mapping) means "the
                // repository root" in practice: keep the relative uri.
                return uri;
            };
            if let Some(b) = base.get("uri").and_then(Value::as_str) {
                uri = if b.is_empty() {
                    uri
                } else {
                    format!("{}/{}", b.trim_end_matches('/'), uri)
                };
            }
            base_id = base
                .get("uriBaseId")
                .and_then(Value::as_str)
                .map(str::to_string);
            depth = depth.saturating_add(1);
        }
        uri
    }
}

pub fn parse(v: &Value, cx: &mut ParseContext<'_>) -> Result<Vec<SecurityFinding>, ParseError> {
    let name = cx.name;
    let err = |ptr: String, msg: String| {
        ParseError::new(name, "invalid-sarif", Some(Position::Pointer(ptr)), msg)
    };
    let Some(root) = v.as_object() else {
        return Err(err(String::new(), "a sarif log must be an object".into()));
    };
    match root.get("version") {
        Some(Value::String(s)) if s == "2.1.0" => {}
        None => cx.warn(
            "sarif-no-version",
            "the log has no `version` (schema-invalid); read as sarif 2.1.0",
        ),
        Some(Value::String(other)) => {
            return Err(cx.error(
                "unsupported-version",
                Some(Position::Pointer("/version".into())),
                format!("sarif version {other} is not supported; gate reads sarif 2.1.0"),
            ));
        }
        Some(_) => return Err(err("/version".into(), "`version` must be a string".into())),
    }
    let runs = match root.get("runs") {
        Some(Value::Array(a)) => a,
        Some(Value::Null) => {
            return Err(cx.error(
                "sarif-no-runs",
                Some(Position::Pointer("/runs".into())),
                "`runs` is null: the producer reports it could not run the analysis",
            ));
        }
        None => return Err(err("/runs".into(), "the log has no `runs`".into())),
        Some(_) => return Err(err("/runs".into(), "`runs` must be an array".into())),
    };
    if runs.is_empty() {
        cx.warn(
            "sarif-empty-runs",
            "the log has no runs: it records no analysis at all",
        );
    }
    let mut out = Vec::new();
    for (ri, run) in runs.iter().enumerate() {
        let rp = format!("/runs/{ri}");
        if !run.is_object() {
            return Err(err(rp, "a run must be an object".into()));
        }
        read_run(run, &rp, cx, &mut out)?;
    }
    Ok(out)
}

fn read_run(
    run: &Value,
    rp: &str,
    cx: &mut ParseContext<'_>,
    out: &mut Vec<SecurityFinding>,
) -> Result<(), ParseError> {
    let name = cx.name;
    let err = |ptr: String, msg: String| {
        ParseError::new(name, "invalid-sarif", Some(Position::Pointer(ptr)), msg)
    };
    let tool_obj = run.get("tool");
    let driver = tool_obj.and_then(|t| t.get("driver"));
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
    let mut components = vec![rules_of(driver)];
    for ext in tool_obj
        .and_then(|t| t.get("extensions"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        components.push(rules_of(Some(ext)));
    }
    let mut by_id = std::collections::HashMap::new();
    for r in components.iter().flat_map(|c| c.iter()) {
        if let Some(id) = r.get("id").and_then(Value::as_str) {
            by_id.entry(id).or_insert(r);
        }
    }
    let ctx = Run {
        tool,
        components,
        by_id,
        bases: run.get("originalUriBaseIds").and_then(Value::as_object),
        artifacts: run
            .get("artifacts")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice),
    };
    let tool = ctx.tool.as_str();
    for inv in run
        .get("invocations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for key in [
            "toolExecutionNotifications",
            "toolConfigurationNotifications",
        ] {
            for n in inv
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|n| n.get("level").and_then(Value::as_str) == Some("error"))
            {
                cx.warn(
                    "sarif-tool-error",
                    format!("{tool}: {}", text(n.get("message")).unwrap_or_default()),
                );
            }
        }
        if inv.get("executionSuccessful") == Some(&Value::Bool(false)) {
            cx.warn(
                "sarif-execution-failed",
                format!("{tool} reports its run did not succeed; its results may be incomplete"),
            );
        }
    }
    let results = match run.get("results") {
        // §3.14.23: absent or null results mean the tool produced none (it
        // failed or was not asked to); a clean scan is `results: []`. Read
        // as "no findings" it would pass a gate on a scan that never ran.
        None | Some(Value::Null) => {
            return Err(ParseError::new(
                name,
                "sarif-no-results",
                Some(Position::Pointer(rp.to_string())),
                format!(
                    "{tool}'s run has no `results` (absent or null: the tool produced no results); a scan that found nothing writes `\"results\": []`"
                ),
            ));
        }
        Some(Value::Array(a)) => a,
        Some(_) => {
            return Err(err(
                format!("{rp}/results"),
                "`results` must be an array".into(),
            ));
        }
    };
    let mut bad_severity = Tally::default();
    let (mut bad_rule, mut no_rule, mut bad_artifact, mut absent, mut odd_print) = (
        Tally::default(),
        Tally::default(),
        Tally::default(),
        Tally::default(),
        Tally::default(),
    );
    out.reserve(results.len());
    for (i, r) in results.iter().enumerate() {
        let ptr = format!("{rp}/results/{i}");
        if !r.is_object() {
            return Err(err(ptr, "a result must be an object".into()));
        }
        if r.get("baselineState").and_then(Value::as_str) == Some("absent") {
            absent.hit(&ptr);
            continue;
        }
        // Rule: by index (result.ruleIndex or result.rule.index, into the
        // driver's or the named extension's rules), else by id.
        let rule_ref = r.get("rule");
        let index = r
            .get("ruleIndex")
            .or_else(|| rule_ref.and_then(|x| x.get("index")))
            .and_then(Value::as_i64);
        let component = rule_ref
            .and_then(|x| x.get("toolComponent"))
            .and_then(|t| t.get("index"))
            .and_then(Value::as_u64)
            .and_then(|k| usize::try_from(k).ok())
            .map_or(0, |k| k.saturating_add(1));
        let pool = ctx.components.get(component).copied().unwrap_or(&[]);
        let mut rule = index
            .filter(|idx| *idx >= 0)
            .and_then(|idx| usize::try_from(idx).ok())
            .and_then(|k| pool.get(k));
        if index.is_some_and(|idx| idx >= 0) && rule.is_none() {
            bad_rule.hit(&ptr);
        }
        let rule_id = optional_str(cx, r, "ruleId", &ptr)?.map(|s| (s, pointer(&ptr, "ruleId")));
        let ref_id = match rule_ref {
            Some(x) => optional_str(cx, x, "id", &pointer(&ptr, "rule"))?
                .map(|s| (s, format!("{ptr}/rule/id"))),
            None => None,
        };
        // The id of the rule the index points to: where it is written.
        let indexed_id = rule
            .and_then(|x| x.get("id"))
            .and_then(Value::as_str)
            .map(|s| (s, format!("{ptr}/ruleIndex")));
        let id = match rule_id.or(ref_id).or(indexed_id) {
            Some((s, at)) => Some(check_id(cx, s, &at)?.to_string()),
            None => None,
        };
        if rule.is_none()
            && let Some(id) = &id
        {
            rule = ctx.rule_by_id(id);
        }
        let id = id.unwrap_or_else(|| {
            no_rule.hit(&ptr);
            "unspecified".to_string()
        });
        let msg = r.get("message");
        let args: &[Value] = msg
            .and_then(|m| m.get("arguments"))
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice);
        let message = text(msg)
            .or_else(|| {
                let mid = msg?.get("id")?.as_str()?;
                text(rule?.get("messageStrings")?.get(mid))
            })
            .map(|t| substitute(&t, args))
            .unwrap_or_default();
        let title = rule
            .and_then(|x| text(x.get("shortDescription")))
            .or_else(|| {
                rule.and_then(|x| x.get("name"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_else(|| id.clone());
        let on_result = security_severity(r.get("properties")).unwrap_or_else(|()| {
            bad_severity.hit(&format!("{ptr}/properties/security-severity"));
            None
        });
        let on_rule = || {
            security_severity(rule.and_then(|x| x.get("properties"))).unwrap_or_else(|()| {
                bad_severity.hit(&format!("{ptr} (its rule's properties/security-severity)"));
                None
            })
        };
        let (severity, source, cvss) = if let Some(score) = on_result.or_else(on_rule) {
            (
                Severity::from_cvss(score),
                SeveritySource::SarifSecuritySeverity,
                Some(score),
            )
        } else if let Some(l) = r.get("level") {
            let s = l.as_str().and_then(level_severity).ok_or_else(|| {
                err(
                    format!("{ptr}/level"),
                    format!("unknown level {l}; expected error, warning, note or none"),
                )
            })?;
            (s, SeveritySource::SarifLevel, None)
        } else {
            let not_fail = r
                .get("kind")
                .and_then(Value::as_str)
                .is_some_and(|k| k != "fail");
            let l = if not_fail {
                "none"
            } else {
                rule.and_then(|x| x.get("defaultConfiguration"))
                    .and_then(|d| d.get("level"))
                    .and_then(Value::as_str)
                    .unwrap_or("warning")
            };
            (
                level_severity(l).unwrap_or(Severity::Medium),
                SeveritySource::SarifRuleDefault,
                None,
            )
        };
        let location = location(r, &ctx, &ptr, &mut bad_artifact, cx);
        let props = rule.and_then(|x| x.get("properties"));
        let tags: Vec<&str> = props
            .and_then(|p| p.get("tags"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut cwes: Vec<String> = tags
            .iter()
            .filter(|t| t.to_ascii_lowercase().contains("cwe"))
            .map(|t| t.to_string())
            .collect();
        if let Some(c) = props.and_then(|p| p.get("cwe")) {
            match c {
                Value::String(s) => cwes.push(s.clone()),
                Value::Array(a) => {
                    cwes.extend(a.iter().filter_map(Value::as_str).map(String::from))
                }
                _ => {}
            }
        }
        // CWE taxa (`result.taxa`, `rule.relationships`) name the weakness.
        let is_cwe = |t: &Value| {
            t.get("toolComponent")
                .and_then(|c| c.get("name"))
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case("cwe"))
        };
        let taxa = r
            .get("taxa")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        let related = rule
            .and_then(|x| x.get("relationships"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|rel| rel.get("target"));
        for t in taxa.chain(related).filter(|t| is_cwe(t)) {
            if let Some(id) = t.get("id").and_then(Value::as_str) {
                cwes.push(id.to_string());
            }
        }
        let aliases = advisory_ids(&id);
        let category = if tool.eq_ignore_ascii_case("gitleaks")
            || tags.iter().any(|t| t.eq_ignore_ascii_case("secret"))
        {
            FindingCategory::Secret
        } else if !aliases.is_empty() {
            FindingCategory::Vulnerability
        } else if is_config_scanner(tool) {
            FindingCategory::Misconfiguration
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
        let prints = |k: &str, odd: &mut Tally| -> Option<String> {
            let m = r.get(k)?.as_object()?;
            let mut kv: Vec<String> = m
                .iter()
                .map(|(a, b)| match b {
                    Value::String(s) => format!("{a}={s}"),
                    other => {
                        odd.hit(&format!("{ptr}/{k}/{a}"));
                        format!("{a}={other}")
                    }
                })
                .collect();
            kv.sort();
            (!kv.is_empty()).then(|| kv.join(";"))
        };
        let path = location.as_ref().map_or("", |l| l.path.as_str());
        let fp = prints("fingerprints", &mut odd_print)
            .or_else(|| prints("partialFingerprints", &mut odd_print))
            .map(|p| fingerprint::of(&[tool, &id, &p]))
            .unwrap_or_else(|| {
                fingerprint::of(&[tool, &id, path, &fingerprint::normalize(&message)])
            });
        out.push(SecurityFinding {
            tool: tool.to_string(),
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
            aliases,
            fingerprint: fp,
            suppressed,
        });
    }
    let mut report = |t: Tally, code: &str, what: &str| {
        if t.count > 0 {
            cx.warn(
                code,
                format!("{} result(s) {what} (first: {})", t.count, t.first),
            );
        }
    };
    report(
        bad_rule,
        "sarif-bad-rule-index",
        "have a rule index outside the rules array; their rule was looked up by id",
    );
    report(
        no_rule,
        "sarif-no-rule",
        "name no rule; recorded as `unspecified`",
    );
    report(
        bad_artifact,
        "sarif-bad-artifact-index",
        "point at an artifact index outside the artifacts array; their location was dropped",
    );
    report(
        absent,
        "sarif-absent-results",
        "are `absent` from the current scan (baselineState) and were skipped",
    );
    report(
        bad_severity,
        "invalid-security-severity",
        "carry a `security-severity` that is not a number from 0 to 10; their severity comes from `level`",
    );
    report(
        odd_print,
        "sarif-bad-fingerprint",
        "carry a fingerprint that is not a string (schema-invalid); its JSON text is used",
    );
    Ok(())
}

fn rules_of(c: Option<&Value>) -> &[Value] {
    c.and_then(|c| c.get("rules"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The first physical location, its uri resolved and normalized.
fn location(
    r: &Value,
    ctx: &Run<'_>,
    ptr: &str,
    bad_artifact: &mut Tally,
    cx: &mut ParseContext<'_>,
) -> Option<Location> {
    let pl = r
        .get("locations")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(|l| l.get("physicalLocation"))?;
    let al = pl.get("artifactLocation")?;
    let artifact = al.get("index").and_then(Value::as_i64).map(|idx| {
        usize::try_from(idx)
            .ok()
            .and_then(|k| ctx.artifacts.get(k))
            .and_then(|a| a.get("location"))
    });
    if let Some(None) = artifact {
        bad_artifact.hit(ptr);
    }
    let artifact = artifact.flatten();
    let (uri, base) = match al.get("uri").and_then(Value::as_str) {
        Some(u) => (u, al.get("uriBaseId").and_then(Value::as_str)),
        None => {
            let a = artifact?;
            (
                a.get("uri").and_then(Value::as_str)?,
                a.get("uriBaseId")
                    .or_else(|| al.get("uriBaseId"))
                    .and_then(Value::as_str),
            )
        }
    };
    let resolved = ctx.resolve_uri(uri, base);
    let region = pl.get("region");
    let num = |k: &str| {
        region
            .and_then(|g| g.get(k))
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n > 0)
    };
    Some(Location {
        path: cx.path(&resolved),
        line: num("startLine"),
        end_line: num("endLine"),
        column: num("startColumn"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advisory_ids_in_rule_ids() {
        assert_eq!(
            advisory_ids("BDSA-2020-1001 (CVE-2020-11022)"),
            vec!["CVE-2020-11022".to_string()]
        );
        assert_eq!(
            advisory_ids("GHSA-c3h9-896r-86jm"),
            vec!["GHSA-c3h9-896r-86jm".to_string()]
        );
        assert!(advisory_ids("js/unused-local-variable").is_empty());
        assert!(advisory_ids("CVE-20-1").is_empty());
        assert_eq!(
            advisory_ids("CVE-2008-0732-geronimo-jms_1.1_spec"),
            vec!["CVE-2008-0732".to_string()]
        );
    }

    #[test]
    fn placeholders() {
        let args = vec![Value::from("x"), Value::from(3)];
        assert_eq!(substitute("{0} is {1}; {0}", &args), "x is 3; x");
        assert_eq!(substitute("no args {0}", &[]), "no args {0}");
    }
}
