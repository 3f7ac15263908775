//! "Now" and the CI context. Policies never read the real clock: the host
//! decides the instant once (flag, `GATE_NOW`, `SOURCE_DATE_EPOCH`, else the
//! system clock), records where it came from, and passes it in.

use crate::model::RunContext;

/// Overrides from the command line.
#[derive(Debug, Clone, Default)]
pub struct ContextArgs {
    pub now: Option<String>,
    pub environment: Option<String>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Parses an RFC 3339 instant (any offset) to a UTC timestamp.
fn parse_now(s: &str) -> Result<jiff::Timestamp, String> {
    s.parse::<jiff::Timestamp>()
        .map_err(|e| format!("`{s}` is not an RFC 3339 timestamp: {e}"))
}

/// The run's context from the flags and the CI environment (GitHub
/// Actions or GitLab CI variables).
pub fn resolve(args: &ContextArgs) -> Result<RunContext, String> {
    let (now_ts, now_source) = if let Some(n) = &args.now {
        (parse_now(n)?, "flag")
    } else if let Some(n) = env("GATE_NOW") {
        (
            parse_now(&n).map_err(|e| format!("GATE_NOW: {e}"))?,
            "GATE_NOW",
        )
    } else if let Some(n) = env("SOURCE_DATE_EPOCH") {
        let secs: i64 = n
            .parse()
            .map_err(|_| format!("SOURCE_DATE_EPOCH `{n}` is not a number of seconds"))?;
        (
            jiff::Timestamp::from_second(secs).map_err(|e| format!("SOURCE_DATE_EPOCH: {e}"))?,
            "SOURCE_DATE_EPOCH",
        )
    } else {
        (jiff::Timestamp::now(), "system-clock")
    };
    // Second precision: sub-second noise would make replays differ.
    let now_ts = jiff::Timestamp::from_second(now_ts.as_second()).unwrap_or(now_ts);
    Ok(RunContext {
        now: now_ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        now_source,
        environment: args
            .environment
            .clone()
            .or_else(|| env("GATE_ENVIRONMENT"))
            .or_else(|| env("CI_ENVIRONMENT_NAME")),
        branch: env("GITHUB_HEAD_REF")
            .or_else(|| env("GITHUB_REF_NAME"))
            .or_else(|| env("CI_COMMIT_REF_NAME")),
        commit: env("GITHUB_SHA").or_else(|| env("CI_COMMIT_SHA")),
        author: env("GITHUB_ACTOR").or_else(|| env("GITLAB_USER_LOGIN")),
        base_ref: env("GITHUB_BASE_REF").or_else(|| env("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")),
        repository_url: match (env("GITHUB_SERVER_URL"), env("GITHUB_REPOSITORY")) {
            (Some(server), Some(repo)) => Some(format!("{}/{repo}", server.trim_end_matches('/'))),
            _ => env("CI_PROJECT_URL"),
        },
        now_ts,
    })
}
