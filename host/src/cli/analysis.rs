//! `gate check --interval D --max-duration D`: the analysis loop. Every
//! interval the `[[metrics]]` queries run again and the policies judge the
//! answers; each round prints one line on stderr, and the loop stops at the
//! first decisive verdict, with Argo Rollouts' AnalysisRun semantics:
//!
//! - a round that fails counts as a failure; more than `--failure-limit`
//!   failures (default 0), or more than `--consecutive-failure-limit` in a
//!   row, rolls back at once (a violated failure limit wins over success);
//! - a round that warns is inconclusive; more than `--inconclusive-limit`
//!   (default 0) stops the analysis inconclusive;
//! - `--consecutive-success-limit N` promotes after N passing rounds in a
//!   row; without it the analysis promotes when `--max-duration` is
//!   reached with no limit violated (Argo's `count`);
//! - a round that cannot be judged (exit 2–5: the server unreachable, a
//!   policy error) ends the analysis with that exit code;
//! - SIGINT / SIGTERM end it with the verdict so far: inconclusive, exit 1,
//!   never a promotion.
//!
//! The last round's report is the one printed and written.

use super::check::{finish_doc, with_metrics};
use super::{CheckArgs, RunArgs};
use crate::error::GateError;
use crate::evaluate::{self, RunPlan};
use crate::exit::Exit;
use crate::fetch;
use crate::inputs::ArtifactSpec;
use crate::model::Outcome;
use gate_codes::canary::Decision;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Set by the signal handler: stop at the next check.
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    STOP.store(true, Ordering::SeqCst);
}

/// Makes SIGINT and SIGTERM set [`STOP`] instead of ending the process.
fn catch_signals() {
    let handler = on_signal as extern "C" fn(libc::c_int);
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: `signal` installs a handler for a valid signal number;
        // the handler only stores to a static atomic, which is
        // async-signal-safe, and it lives for the whole program.
        #[allow(unsafe_code)]
        unsafe {
            libc::signal(sig, handler as libc::sighandler_t);
        }
    }
}

/// The loop's limits (see the module docs).
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    pub interval: Duration,
    pub max_duration: Duration,
    pub failure: Option<u32>,
    pub consecutive_failure: Option<u32>,
    pub consecutive_success: Option<u32>,
    pub inconclusive: u32,
}

impl Limits {
    pub(super) fn from_args(a: &CheckArgs) -> Option<Limits> {
        let interval = a.interval?;
        Some(Limits {
            interval,
            max_duration: a.max_duration.unwrap_or(Duration::from_secs(15 * 60)),
            // With only a consecutive limit, failures in between are allowed.
            failure: a
                .failure_limit
                .or(a.consecutive_failure_limit.is_none().then_some(0)),
            consecutive_failure: a.consecutive_failure_limit,
            consecutive_success: a.consecutive_success_limit,
            inconclusive: a.inconclusive_limit.unwrap_or(0),
        })
    }
}

/// Counts of the rounds so far.
#[derive(Debug, Default)]
struct Tally {
    rounds: u32,
    failures: u32,
    inconclusive: u32,
    consecutive_failures: u32,
    consecutive_successes: u32,
}

/// Runs rounds until a decision; the last round's report is published.
pub(super) fn run(
    limits: Limits,
    args: &CheckArgs,
    queries: &[fetch::Query],
    mut plan: RunPlan,
    fixed: Vec<ArtifactSpec>,
    config: Option<&Path>,
) -> Result<Exit, GateError> {
    if queries.is_empty() {
        return Err(GateError::Usage(
            "--interval needs `[[metrics]]` entries in gate.toml to query again each round".into(),
        ));
    }
    if args.replay.is_some() {
        return Err(GateError::Usage(
            "--interval queries the server each round; it cannot replay a recording".into(),
        ));
    }
    if limits.interval.is_zero() {
        return Err(GateError::Usage("--interval must not be zero".into()));
    }
    catch_signals();
    let started = Instant::now();
    let mut t = Tally::default();
    let mut last = None;
    loop {
        if STOP.load(Ordering::SeqCst) {
            return interrupted(last, &t, &args.run, &plan, config);
        }
        t.rounds += 1;
        plan.context = super::check::context_now(&args.run)?;
        // With --record, each round's answers in their own directory.
        let record = args
            .record
            .as_ref()
            .map(|d| d.join(format!("round-{}", t.rounds)));
        let (artifacts, _scratch) = with_metrics(queries, &plan, record.as_deref(), &fixed)?;
        plan.artifacts = artifacts;
        let doc = evaluate::run(&plan)?;
        let outcome = doc.outcome;
        match outcome {
            Outcome::Fail => {
                t.failures += 1;
                t.consecutive_failures += 1;
                t.consecutive_successes = 0;
            }
            Outcome::Warn => {
                t.inconclusive += 1;
                t.consecutive_failures = 0;
                t.consecutive_successes = 0;
            }
            Outcome::Pass | Outcome::Skip => {
                t.consecutive_failures = 0;
                t.consecutive_successes += 1;
            }
            Outcome::Error => {
                eprintln!("round {}: error: the analysis stops", t.rounds);
                return finish_doc(&plan, &doc, &args.run, config);
            }
        }
        let decision = decide(&limits, &t, started.elapsed());
        eprintln!(
            "round {} at {}: {} · failures {}{} · inconclusive {}/{} · {}",
            t.rounds,
            plan.context.now,
            outcome.as_str(),
            t.failures,
            limits.failure.map(|f| format!("/{f}")).unwrap_or_default(),
            t.inconclusive,
            limits.inconclusive,
            match decision {
                Some(d) => d.as_str(),
                None => "continue",
            }
        );
        match decision {
            Some(Decision::RollBack) | Some(Decision::Inconclusive) => {
                return finish_doc(&plan, &doc, &args.run, config);
            }
            Some(Decision::Promote) => {
                let exit = finish_doc(&plan, &doc, &args.run, config)?;
                // Within the limits, a failed or inconclusive last round
                // does not undo the promotion (Argo's count semantics).
                return Ok(if exit == Exit::GateFailed {
                    Exit::Pass
                } else {
                    exit
                });
            }
            None => {}
        }
        last = Some(doc);
        // Sleep in small steps so a signal is noticed within 100 ms.
        let wake = Instant::now() + limits.interval;
        while Instant::now() < wake {
            if STOP.load(Ordering::SeqCst) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100).min(wake - Instant::now()));
        }
    }
}

/// The decision after a round, if any: failure limits first (they win
/// over success), then inconclusive, then success, then the deadline.
fn decide(l: &Limits, t: &Tally, elapsed: Duration) -> Option<Decision> {
    if l.failure.is_some_and(|f| t.failures > f)
        || l.consecutive_failure
            .is_some_and(|f| t.consecutive_failures > f)
    {
        return Some(Decision::RollBack);
    }
    if t.inconclusive > l.inconclusive {
        return Some(Decision::Inconclusive);
    }
    if l.consecutive_success
        .is_some_and(|s| t.consecutive_successes >= s)
    {
        return Some(Decision::Promote);
    }
    if elapsed + l.interval > l.max_duration {
        return Some(Decision::Promote);
    }
    None
}

/// Stopped by a signal: the last round's report, exit 1 (never a pass).
fn interrupted(
    last: Option<crate::verdict::VerdictDoc>,
    t: &Tally,
    run: &RunArgs,
    plan: &RunPlan,
    config: Option<&Path>,
) -> Result<Exit, GateError> {
    eprintln!(
        "interrupted after {} rounds: inconclusive, the canary is not promoted",
        t.rounds
    );
    if let Some(doc) = last {
        finish_doc(plan, &doc, run, config)?;
    }
    Ok(Exit::GateFailed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            interval: Duration::from_secs(60),
            max_duration: Duration::from_secs(600),
            failure: Some(0),
            consecutive_failure: None,
            consecutive_success: None,
            inconclusive: 0,
        }
    }

    #[test]
    fn a_violated_failure_limit_wins_over_success() {
        let t = Tally {
            rounds: 3,
            failures: 1,
            consecutive_successes: 3,
            ..Tally::default()
        };
        let l = Limits {
            consecutive_success: Some(3),
            ..limits()
        };
        assert_eq!(decide(&l, &t, Duration::ZERO), Some(Decision::RollBack));
    }

    #[test]
    fn consecutive_limits_and_the_deadline() {
        let l = Limits {
            failure: None,
            consecutive_failure: Some(1),
            ..limits()
        };
        let two_in_a_row = Tally {
            failures: 2,
            consecutive_failures: 2,
            ..Tally::default()
        };
        assert_eq!(
            decide(&l, &two_in_a_row, Duration::ZERO),
            Some(Decision::RollBack)
        );
        let apart = Tally {
            failures: 2,
            consecutive_failures: 1,
            ..Tally::default()
        };
        assert_eq!(decide(&l, &apart, Duration::ZERO), None);
        assert_eq!(
            decide(&l, &apart, Duration::from_secs(541)),
            Some(Decision::Promote)
        );
        let unsure = Tally {
            inconclusive: 1,
            ..Tally::default()
        };
        assert_eq!(
            decide(&l, &unsure, Duration::ZERO),
            Some(Decision::Inconclusive)
        );
    }
}
