//! Metrics the host fetches: the `[[metrics]]` queries of gate.toml, run
//! against a Prometheus server's HTTP API, their responses saved as files
//! (a temporary directory, or `--record DIR` to keep them) and read like
//! any artifact; `--replay DIR` reads a recording instead of the network.
//! Only the host talks to the network; policies see the responses.
//!
//! A query with `canary` and `baseline` selectors runs once per side, its
//! `{{selector}}` replaced by that side's selector, and the response is
//! saved as `NAME.canary.query.json` / `NAME.baseline.query.json` (the
//! side is in the name, so a replay knows it); a query without them runs
//! once (`NAME.query.json`) and the policy tells the sides by their labels.
//! Range queries (`window`) end at the run's "now" and are saved as
//! `….query_range.json`.
//!
//! Every failure is an input error naming the query: the server
//! unreachable, a timeout, an HTTP error, an error answer (bad PromQL…)
//! with the server's own words. Never a pass.

use crate::inputs::{ArtifactSpec, InputError};
use crate::model::Role;
use gate_artifacts::Format;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One `[[metrics]]` entry, checked.
#[derive(Debug, Clone)]
pub struct Query {
    /// The name policies judge it by.
    pub name: String,
    /// The server's base URL (`http://prometheus:9090`).
    pub url: String,
    /// PromQL, with `{{selector}}` where a side's selector goes.
    pub query: String,
    /// The canary's and the baseline's selectors (both or neither).
    pub sides: Option<(String, String)>,
    /// A range query over this window ending now, at `step`.
    pub range: Option<(Duration, Duration)>,
    pub timeout: Duration,
    pub auth: Auth,
}

/// How requests authenticate.
#[derive(Debug, Clone, Default)]
pub enum Auth {
    #[default]
    None,
    /// `Authorization: Bearer` with the value of this environment variable.
    BearerEnv(String),
    /// HTTP basic auth; the password from this environment variable.
    Basic {
        username: String,
        password_env: String,
    },
}

/// The placeholder a side's selector replaces.
pub const SELECTOR: &str = "{{selector}}";

/// A duration as gate.toml writes it: `90s`, `5m`, `1h`, `250ms`.
pub fn duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (e.g. 30s, 5m, 1h)"))?;
    let secs = |k: u64| Duration::from_secs(n.saturating_mul(k));
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(secs(1)),
        "m" => Ok(secs(60)),
        "h" => Ok(secs(3600)),
        _ => Err(format!(
            "`{text}` is not a duration: the unit must be ms, s, m or h"
        )),
    }
}

/// One request: which side, the PromQL, and the file it is saved as.
struct Request {
    side: Option<&'static str>,
    promql: String,
    file: String,
}

fn requests(q: &Query) -> Vec<Request> {
    let kind = if q.range.is_some() {
        "query_range"
    } else {
        "query"
    };
    match &q.sides {
        Some((canary, baseline)) => [("canary", canary), ("baseline", baseline)]
            .into_iter()
            .map(|(side, sel)| Request {
                side: Some(side),
                promql: q.query.replace(SELECTOR, sel),
                file: format!("{}.{side}.{kind}.json", q.name),
            })
            .collect(),
        None => vec![Request {
            side: None,
            promql: q.query.clone(),
            file: format!("{}.{kind}.json", q.name),
        }],
    }
}

fn spec(dir: &Path, file: &str) -> ArtifactSpec {
    let path = dir.join(file);
    ArtifactSpec {
        display: path.display().to_string(),
        path,
        format: Some(Format::Prometheus),
        role: Role::Current,
    }
}

/// The recorded responses in `dir` for `queries`: every one must be there.
pub fn replay(queries: &[Query], dir: &Path) -> Result<Vec<ArtifactSpec>, Vec<InputError>> {
    let mut specs = Vec::new();
    let mut errors = Vec::new();
    for q in queries {
        for r in requests(q) {
            let s = spec(dir, &r.file);
            if s.path.is_file() {
                specs.push(s);
            } else {
                errors.push(InputError::Fetch {
                    name: q.name.clone(),
                    query: r.promql,
                    message: format!("no recorded response {}", s.display),
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(specs)
    } else {
        Err(errors)
    }
}

/// Runs every query at `now` (Unix seconds), saves each response in `dir`
/// and returns them as artifacts; all errors at once.
pub fn fetch(
    queries: &[Query],
    now: i64,
    dir: &Path,
) -> Result<Vec<ArtifactSpec>, Vec<InputError>> {
    let mut specs = Vec::new();
    let mut errors = Vec::new();
    for q in queries {
        for r in requests(q) {
            match fetch_one(q, &r, now) {
                Ok(body) => match crate::fsutil::write_file(&dir.join(&r.file), &body) {
                    Ok(()) => specs.push(spec(dir, &r.file)),
                    Err(e) => errors.push(InputError::Fetch {
                        name: q.name.clone(),
                        query: r.promql,
                        message: format!(
                            "cannot save the response in {}: {}",
                            dir.display(),
                            crate::fsutil::lower(&e)
                        ),
                    }),
                },
                Err(message) => errors.push(InputError::Fetch {
                    name: q.name.clone(),
                    query: r.promql,
                    message,
                }),
            }
        }
    }
    if errors.is_empty() {
        Ok(specs)
    } else {
        Err(errors)
    }
}

/// The most a response may be: the input limit's default (a range query
/// of 11,000 points per series over many series stays far below).
const MAX_BODY: u64 = 256 << 20;

/// One request; the body of a successful answer, else why not.
fn fetch_one(q: &Query, r: &Request, now: i64) -> Result<Vec<u8>, String> {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(q.timeout))
        .http_status_as_error(false)
        .build();
    let agent = ureq::Agent::new_with_config(config);
    let base = q.url.trim_end_matches('/');
    let timeout = format!("{}s", q.timeout.as_secs().max(1));
    let mut req = match q.range {
        Some((window, step)) => {
            let start = now.saturating_sub(i64::try_from(window.as_secs()).unwrap_or(i64::MAX));
            agent
                .get(format!("{base}/api/v1/query_range"))
                .query("query", &r.promql)
                .query("start", start.to_string())
                .query("end", now.to_string())
                .query("step", format!("{}", step.as_secs().max(1)))
                .query("timeout", &timeout)
        }
        None => agent
            .get(format!("{base}/api/v1/query"))
            .query("query", &r.promql)
            .query("time", now.to_string())
            .query("timeout", &timeout),
    };
    match &q.auth {
        Auth::None => {}
        Auth::BearerEnv(var) => {
            let token = std::env::var(var)
                .map_err(|_| format!("the bearer token variable `{var}` is not set"))?;
            req = req.header("Authorization", format!("Bearer {token}"));
        }
        Auth::Basic {
            username,
            password_env,
        } => {
            use base64::Engine as _;
            let password = std::env::var(password_env)
                .map_err(|_| format!("the password variable `{password_env}` is not set"))?;
            let pair =
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
            req = req.header("Authorization", format!("Basic {pair}"));
        }
    }
    let side = r.side.map(|s| format!(" ({s})")).unwrap_or_default();
    let mut response = req
        .call()
        .map_err(|e| format!("cannot query {base}{side}: {}", lower(&e.to_string())))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_vec()
        .map_err(|e| {
            format!(
                "cannot read the answer of {base}{side}: {}",
                lower(&e.to_string())
            )
        })?;
    // Prometheus answers errors as JSON with `errorType` (400 bad_data,
    // 422 execution, 503 timeout): its words are the message.
    let answer: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    let said = answer.as_ref().and_then(|v| {
        (v.get("status")?.as_str()? == "error").then(|| {
            format!(
                "{}: {}",
                v.get("errorType")
                    .and_then(|t| t.as_str())
                    .unwrap_or("error"),
                v.get("error")
                    .and_then(|t| t.as_str())
                    .unwrap_or("(no message)")
            )
        })
    });
    if let Some(said) = said {
        return Err(format!("the server answered HTTP {status}{side}: {said}"));
    }
    if !(200..300).contains(&status) {
        let text = String::from_utf8_lossy(&body);
        let excerpt: String = text.trim().chars().take(200).collect();
        return Err(format!(
            "the server answered HTTP {status}{side}: {excerpt}"
        ));
    }
    Ok(body)
}

/// An error message as gate words them: lowercase first letter.
fn lower(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Where fetched responses go when not recorded: a fresh directory under
/// the system's temporary directory (removed by the caller).
pub fn scratch_dir() -> std::io::Result<PathBuf> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("gate-metrics-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(duration("5").is_err());
        assert!(duration("m").is_err());
        assert!(duration("5d").is_err());
    }

    #[test]
    fn a_query_with_sides_runs_once_per_side() {
        let q = Query {
            name: "p95".into(),
            url: "http://x".into(),
            query: "up{job=\"a\",{{selector}}}".into(),
            sides: Some(("track=\"canary\"".into(), "track=\"stable\"".into())),
            range: Some((Duration::from_secs(600), Duration::from_secs(60))),
            timeout: Duration::from_secs(5),
            auth: Auth::None,
        };
        let r = requests(&q);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].promql, "up{job=\"a\",track=\"canary\"}");
        assert_eq!(r[0].file, "p95.canary.query_range.json");
        assert_eq!(r[1].file, "p95.baseline.query_range.json");
    }
}
