//! The tests policy's logic over the SDK's types (tested natively).
//!
//! The current reports' cases are read twice: once to count (whether the
//! failures exceed `max-failures` decides whether each one blocks), once
//! to emit a finding per failing or flaky test. The baseline's cases are
//! read once into a map from test id to what they did.

use crate::quarantine::{self, Quarantine};
use gate_codes::wording::count;
use gate_sdk::waiver;
use gate_sdk::*;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The params; their JSON Schema is derived from this struct
/// (`gate_sdk::params::schema`), doc comments as descriptions.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Params {
    /// Failed and errored tests allowed; more and all of them block
    #[schemars(range(min = 0, max = 1_000_000), extend("default" = 0))]
    pub max_failures: Option<u64>,
    /// Fail when more than this share of the tests was skipped (to-do tests not counted)
    #[schemars(range(min = 0, max = 100))]
    pub max_skipped_percent: Option<f64>,
    /// Fail when fewer tests than this were executed (skipped ones do not count); a run that executed nothing never passes
    #[schemars(range(min = 1, max = 100_000_000), extend("default" = 1))]
    pub min_tests: Option<u64>,
    /// With a baseline report, only failures new since the baseline count against max-failures; known ones are reported
    #[serde(default)]
    pub new_only: bool,
    /// With a baseline report, tests of the baseline missing now block (they are always reported)
    #[serde(default)]
    pub block_disappeared: bool,
    /// Tests that passed only after a retry block, unless quarantined or flaky on the baseline too
    #[schemars(extend("default" = true))]
    pub block_flaky: Option<bool>,
    /// With a baseline report, fail when a suite took more than this percentage longer than on the baseline
    #[schemars(range(min = 0, max = 100_000))]
    pub max_suite_slowdown_percent: Option<f64>,
    /// Suites that took less than this in the current run are not judged for slowdowns
    #[schemars(range(min = 0, max = 86_400_000), extend("default" = 1000))]
    pub min_suite_duration_ms: Option<u64>,
    /// Report quarantines in use that expire within this many days
    #[schemars(range(min = 0, max = 36_500), extend("default" = 14))]
    pub expiring_within_days: Option<i64>,
    /// Tests whose failures and flakiness are waived until the entry expires
    #[serde(default)]
    pub quarantine: Vec<Quarantine>,
}

/// What the schema cannot say (or what a looser caller could slip past
/// it): every quarantine's `expires` is a day that exists (an unreadable
/// date must never mean "waives forever"), and `min-tests` is at least 1
/// (a run that executed nothing never passes).
pub fn validate(p: &Params) -> Result<(), PolicyError> {
    for (i, q) in p.quarantine.iter().enumerate() {
        waiver::check_expires(&format!("/quarantine/{i}/expires"), q.expires.as_deref())?;
        if q.reason.trim().is_empty() {
            return Err(params::invalid(
                &format!("/quarantine/{i}/reason"),
                "a quarantine needs a reason",
            ));
        }
    }
    if p.min_tests == Some(0) {
        return Err(params::invalid(
            "/min-tests",
            "must be at least 1: a run that executed nothing never passes",
        ));
    }
    Ok(())
}

/// The id a test is known by across runs, in findings and in quarantine
/// entries: `CLASSNAME::NAME`, or `SUITE > SUITE::NAME` when the report has
/// no class name (or repeats the name there, as mocha-junit-reporter does).
pub fn test_id(report: &TestReport, c: &TestCase) -> String {
    if !c.classname.is_empty() && c.classname != c.name {
        return format!("{}::{}", c.classname, c.name);
    }
    let path = report.suite_path(c.suite).join(" > ");
    if path.is_empty() {
        c.name.clone()
    } else {
        format!("{path}::{}", c.name)
    }
}

/// Where a finding about a test points: the test's own file and line,
/// else the file of its nearest suite that names one.
fn place(report: &TestReport, c: &TestCase) -> Option<Location> {
    if let Some(l) = &c.location {
        return Some(l.clone());
    }
    let mut at = Some(c.suite);
    let mut steps = report.suites.len();
    while let (Some(i), true) = (at, steps > 0) {
        let s = report.suites.get(i as usize)?;
        if let Some(f) = &s.file {
            return Some(Location {
                path: f.clone(),
                line: None,
                end_line: None,
                column: None,
            });
        }
        at = s.parent.filter(|p| *p < i);
        steps -= 1;
    }
    None
}

fn failing(s: TestStatus) -> bool {
    matches!(s, TestStatus::Failed | TestStatus::Errored)
}

/// What the baseline run says about one test.
#[derive(Debug, Clone, Copy, Default)]
struct BaseTest {
    failing: bool,
    flaky: bool,
}

/// The baseline reports, read once.
#[derive(Debug, Default)]
struct Base {
    /// By test id, sorted (so disappeared tests come out in a stable order).
    tests: BTreeMap<String, BaseTest>,
    /// Suite durations in microseconds, by suite path.
    suites: HashMap<String, u64>,
}

impl Base {
    fn read(baseline: &[&TestReport], with_suites: bool) -> Base {
        let mut b = Base::default();
        for r in baseline {
            let mut sums = vec![0u64; if with_suites { r.suites.len() } else { 0 }];
            for c in r.cases.iter() {
                let t = b.tests.entry(test_id(r, &c)).or_default();
                t.failing |= failing(c.status);
                t.flaky |= c.flaky;
                if let Some(s) = sums.get_mut(c.suite as usize) {
                    *s = s.saturating_add(c.duration_us.unwrap_or(0));
                }
            }
            if with_suites {
                for (i, d) in suite_durations(r, &sums) {
                    b.suites.insert(suite_key(r, i), d);
                }
            }
        }
        b
    }
}

fn suite_key(r: &TestReport, suite: u32) -> String {
    r.suite_path(suite).join(" > ")
}

/// Each suite's duration: the report's own, else the sum of its cases'.
fn suite_durations<'a>(
    r: &'a TestReport,
    sums: &'a [u64],
) -> impl Iterator<Item = (u32, u64)> + 'a {
    r.suites.iter().enumerate().filter_map(|(i, s)| {
        let d = s
            .duration_us
            .or_else(|| sums.get(i).copied().filter(|d| *d > 0))?;
        Some((u32::try_from(i).ok()?, d))
    })
}

/// The thresholds of a run, read from the params and the context.
struct Rules<'p> {
    p: &'p Params,
    today: i64,
    has_baseline: bool,
    max_failures: u64,
    min_tests: u64,
    block_flaky: bool,
}

/// What one current test is, the same in both passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Passed,
    Skipped,
    /// Failed or errored; `known` when it failed on the baseline too.
    Failing {
        known: bool,
    },
    /// Passed after a retry; `known` when flaky on the baseline too.
    Flaky {
        known: bool,
    },
}

#[derive(Debug, Clone, Copy)]
struct Class {
    kind: Kind,
    /// The quarantine entry that waives it.
    quarantine: Option<usize>,
    /// A failure that counts against `max-failures`.
    gating: bool,
    /// A flaky test that blocks.
    flaky_blocks: bool,
}

impl<'p> Rules<'p> {
    fn new(p: &'p Params, now: &str, has_baseline: bool) -> Result<Self, PolicyError> {
        validate(p)?;
        let today = waiver::today(now)?;
        Ok(Rules {
            p,
            today,
            has_baseline,
            max_failures: p.max_failures.unwrap_or(0),
            min_tests: p.min_tests.unwrap_or(1),
            block_flaky: p.block_flaky.unwrap_or(true),
        })
    }

    /// The first quarantine entry that names `id` and has not expired.
    fn quarantine(&self, id: &str) -> Option<usize> {
        self.p
            .quarantine
            .iter()
            .position(|q| q.covers(id) && q.expiry(self.today).waives())
    }

    fn classify(&self, c: &TestCase, id: &str, base: &Base) -> Class {
        let was = base.tests.get(id).copied();
        let kind = match c.status {
            TestStatus::Failed | TestStatus::Errored => Kind::Failing {
                known: was.is_some_and(|b| b.failing),
            },
            TestStatus::Passed if c.flaky => Kind::Flaky {
                known: was.is_some_and(|b| b.flaky),
            },
            TestStatus::Passed => Kind::Passed,
            TestStatus::Skipped => Kind::Skipped,
        };
        let quarantine = match kind {
            Kind::Failing { .. } | Kind::Flaky { .. } => self.quarantine(id),
            _ => None,
        };
        let open = quarantine.is_none();
        Class {
            kind,
            quarantine,
            gating: open && matches!(kind, Kind::Failing { known } if !(known && self.p.new_only)),
            flaky_blocks: open && self.block_flaky && kind == Kind::Flaky { known: false },
        }
    }
}

/// The first pass over the current reports.
#[derive(Debug, Default)]
struct Tally {
    tests: u64,
    passed: u64,
    failed: u64,
    errored: u64,
    skipped: u64,
    todo: u64,
    flaky: u64,
    /// Failures counted against `max-failures`.
    gating: u64,
    new_failures: u64,
    known_failures: u64,
    flaky_blocking: u64,
    quarantined: u64,
    /// Per quarantine entry: whether it waived anything.
    used: Vec<bool>,
    /// Ids of the current tests (only with a baseline).
    seen: HashSet<String>,
    /// Per current report, the sum of each suite's case durations (only
    /// when slowdowns are judged).
    suite_sums: Vec<Vec<u64>>,
}

impl Tally {
    fn executed(&self) -> u64 {
        self.passed + self.failed + self.errored
    }

    /// Skipped tests (to-do ones not counted) as a share of all, in %.
    fn skipped_percent(&self) -> f64 {
        if self.tests == 0 {
            return 0.0;
        }
        self.skipped.saturating_sub(self.todo) as f64 * 100.0 / self.tests as f64
    }
}

fn tally(current: &[&TestReport], rules: &Rules, base: &Base, suites: bool) -> Tally {
    let mut t = Tally {
        used: vec![false; rules.p.quarantine.len()],
        ..Tally::default()
    };
    for r in current {
        let mut sums = vec![0u64; if suites { r.suites.len() } else { 0 }];
        for c in r.cases.iter() {
            let id = test_id(r, &c);
            let class = rules.classify(&c, &id, base);
            t.tests += 1;
            match c.status {
                TestStatus::Passed => t.passed += 1,
                TestStatus::Failed => t.failed += 1,
                TestStatus::Errored => t.errored += 1,
                TestStatus::Skipped => t.skipped += 1,
            }
            t.todo += u64::from(c.todo);
            t.flaky += u64::from(c.flaky);
            t.gating += u64::from(class.gating);
            t.flaky_blocking += u64::from(class.flaky_blocks);
            if let Kind::Failing { known } = class.kind {
                if known {
                    t.known_failures += 1;
                } else {
                    t.new_failures += 1;
                }
            }
            if let Some(q) = class.quarantine {
                t.quarantined += 1;
                if let Some(u) = t.used.get_mut(q) {
                    *u = true;
                }
            }
            if let Some(s) = sums.get_mut(c.suite as usize) {
                *s = s.saturating_add(c.duration_us.unwrap_or(0));
            }
            if rules.has_baseline {
                t.seen.insert(id);
            }
        }
        t.suite_sums.push(sums);
    }
    t
}

fn millis(us: u64) -> String {
    let ms = us as f64 / 1000.0;
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        format!("{ms:.0} ms")
    }
}

/// The first line of a test's message, for the finding's one-line text.
fn headline(message: Option<&str>) -> &str {
    message
        .and_then(|m| m.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("")
}

/// The finding of one failing or flaky current test; `None` for the rest.
fn case_finding(
    r: &TestReport,
    c: &TestCase,
    id: String,
    class: Class,
    rules: &Rules,
    failures_block: bool,
) -> Option<Finding> {
    let (rule, severity, what, blocking) = match class.kind {
        Kind::Passed | Kind::Skipped => return None,
        Kind::Failing { known: true } => (
            "tests/known-failure",
            Severity::Medium,
            "failed again (it fails on the baseline too)",
            class.gating && failures_block,
        ),
        Kind::Failing { known: false } if c.status == TestStatus::Errored => (
            "tests/errored",
            Severity::High,
            "errored",
            class.gating && failures_block,
        ),
        Kind::Failing { known: false } => (
            "tests/failed",
            Severity::High,
            "failed",
            class.gating && failures_block,
        ),
        Kind::Flaky { known } => (
            "tests/flaky",
            Severity::Medium,
            if known {
                "is flaky (on the baseline too): it passed only after a retry"
            } else {
                "is flaky: it passed only after a retry"
            },
            class.flaky_blocks,
        ),
    };
    let head = headline(c.message.as_deref());
    let message = if head.is_empty() || matches!(class.kind, Kind::Flaky { .. }) {
        format!("{id} {what}")
    } else {
        format!("{id} {what}: {head}")
    };
    let mut facts = vec![format!("status: {}", status_name(c.status))];
    if let Some(d) = c.duration_us {
        facts.push(format!("duration: {}", millis(d)));
    }
    if c.retries > 0 {
        facts.push(count(u64::from(c.retries), "retry", "retries"));
    }
    if rules.has_baseline && matches!(class.kind, Kind::Failing { known: false }) {
        facts.push("new since baseline".into());
    }
    let quarantined = class.quarantine.and_then(|i| rules.p.quarantine.get(i));
    if let Some(q) = quarantined {
        facts.push(format!("waived: {} ({})", q.reason, q.describe()));
    }
    if let Some(m) = &c.message {
        facts.push(format!("message: {m}"));
    }
    let mut f = Finding::new(rule, severity, message)
        .resource(id.clone())
        .blocking(blocking)
        .evidence(facts.join("; "))
        .fingerprint(gate_sdk::fingerprint::of(&["gate-tests", rule, &id]))
        .status(if quarantined.is_some() {
            FindingStatus::Waived
        } else {
            FindingStatus::Open
        });
    f.location = place(r, c);
    Some(f)
}

fn status_name(s: TestStatus) -> &'static str {
    match s {
        TestStatus::Passed => "passed",
        TestStatus::Skipped => "skipped",
        TestStatus::Failed => "failed",
        TestStatus::Errored => "errored",
    }
}

/// The second pass: a finding per failing or flaky test, emitted.
fn emit_cases(current: &[&TestReport], rules: &Rules, base: &Base, failures_block: bool) {
    for r in current {
        for c in r.cases.iter() {
            let id = test_id(r, &c);
            let class = rules.classify(&c, &id, base);
            if let Some(f) = case_finding(r, &c, id, class, rules, failures_block) {
                gate_sdk::emit(f);
            }
        }
    }
}

/// Baseline tests missing from the current reports, emitted; how many.
fn emit_disappeared(base: &Base, seen: &HashSet<String>, block: bool) -> u64 {
    let mut n = 0;
    for id in base.tests.keys().filter(|id| !seen.contains(*id)) {
        n += 1;
        gate_sdk::emit(
            Finding::new(
                "tests/disappeared",
                Severity::Medium,
                format!("{id} ran on the baseline and is missing now"),
            )
            .resource(id.clone())
            .blocking(block)
            .fingerprint(gate_sdk::fingerprint::of(&["gate-tests", "tests/disappeared", id]))
            .remediation("if the test was removed on purpose, refresh the baseline; otherwise find out why it no longer runs"),
        );
    }
    n
}

/// Suites slower than the baseline allows, emitted; how many.
fn emit_slower(current: &[&TestReport], t: &Tally, base: &Base, rules: &Rules) -> u64 {
    let Some(max) = rules.p.max_suite_slowdown_percent else {
        return 0;
    };
    let min_us = rules
        .p
        .min_suite_duration_ms
        .unwrap_or(1000)
        .saturating_mul(1000);
    let mut n = 0;
    for (r, sums) in current.iter().zip(&t.suite_sums) {
        for (i, now) in suite_durations(r, sums) {
            let key = suite_key(r, i);
            let Some(&was) = base.suites.get(&key) else {
                continue;
            };
            if now < min_us || was == 0 {
                continue;
            }
            let change = (now as f64 - was as f64) * 100.0 / was as f64;
            if change <= max {
                continue;
            }
            n += 1;
            let mut f = Finding::new(
                "tests/suite-slower",
                Severity::Medium,
                format!(
                    "suite {key} took {}, {change:.1} % longer than on the baseline ({}; at most {max} % allowed)",
                    millis(now),
                    millis(was)
                ),
            )
            .resource(key.clone())
            .blocking(true)
            .evidence(format!("current: {now} us; baseline: {was} us; change: {change:.1} %; limit: {max} %"))
            .fingerprint(gate_sdk::fingerprint::of(&["gate-tests", "tests/suite-slower", &key]));
            if let Some(file) = r.suites.get(i as usize).and_then(|s| s.file.clone()) {
                f = f.at(&file, None);
            }
            gate_sdk::emit(f);
        }
    }
    n
}

/// The parser's warnings about the current reports (counter mismatches
/// and the like), reported, never blocking.
fn emit_warnings(current: &[&TestReport]) {
    for r in current {
        for w in &r.warnings {
            let mut f = Finding::new(
                "tests/report-warning",
                Severity::Low,
                format!("{}: {}", r.meta.path, w.message),
            )
            .evidence(format!("warning: {}", w.code))
            .resource(r.meta.path.clone());
            f.location = w.location.clone();
            gate_sdk::emit(f);
        }
    }
}

/// Judges the current test reports against the thresholds, the baseline
/// and the quarantine. Findings about tests are [`emit`]ted; the run-wide
/// ones (too few tests, too many skipped, quarantine entries) returned.
pub fn judge(
    current: &[&TestReport],
    baseline: &[&TestReport],
    now: &str,
    p: &Params,
) -> Result<Verdict, PolicyError> {
    let rules = Rules::new(p, now, !baseline.is_empty())?;
    let slowdowns = rules.has_baseline && p.max_suite_slowdown_percent.is_some();
    let base = Base::read(baseline, slowdowns);
    let t = tally(current, &rules, &base, slowdowns);
    let failures_block = t.gating > rules.max_failures;

    emit_cases(current, &rules, &base, failures_block);
    let disappeared = if rules.has_baseline {
        emit_disappeared(&base, &t.seen, p.block_disappeared)
    } else {
        0
    };
    let slower = emit_slower(current, &t, &base, &rules);
    emit_warnings(current);

    let mut v = Verdict::pass("");
    let mut reasons = Vec::new();
    if failures_block {
        let scope = if rules.has_baseline && p.new_only {
            "new "
        } else {
            ""
        };
        reasons.push(format!(
            "{} (at most {} allowed)",
            count(
                t.gating,
                &format!("{scope}failing test"),
                &format!("{scope}failing tests")
            ),
            rules.max_failures
        ));
    }
    if t.flaky_blocking > 0 {
        reasons.push(count(
            t.flaky_blocking,
            "newly flaky test",
            "newly flaky tests",
        ));
    }
    let executed = t.executed();
    if executed < rules.min_tests {
        let ran = count(executed, "test", "tests");
        let msg = format!(
            "{ran} executed, at least {} required{}",
            rules.min_tests,
            if t.tests > executed {
                format!(" ({} skipped)", t.tests - executed)
            } else {
                String::new()
            }
        );
        v.findings.push(
            Finding::new("tests/too-few-tests", Severity::High, msg.clone())
                .blocking(true)
                .remediation("check that the test step found and ran the tests (filters, paths, a crashed runner)"),
        );
        reasons.push(msg);
    }
    let skipped_percent = t.skipped_percent();
    if let Some(max) = p.max_skipped_percent
        && skipped_percent > max
    {
        let msg = format!(
            "{:.1} % of the tests skipped ({} of {}), at most {max} % allowed",
            skipped_percent,
            t.skipped.saturating_sub(t.todo),
            t.tests
        );
        v.findings.push(
            Finding::new("tests/too-many-skipped", Severity::Medium, msg.clone())
                .blocking(true)
                .remediation("run the skipped tests or remove them"),
        );
        reasons.push(msg);
    }
    if disappeared > 0 && p.block_disappeared {
        reasons.push(count(disappeared, "test disappeared", "tests disappeared"));
    }
    if slower > 0 {
        reasons.push(count(
            slower,
            "suite slower than allowed",
            "suites slower than allowed",
        ));
    }
    v.findings.extend(quarantine::findings(
        &p.quarantine,
        &t.used,
        rules.today,
        p.expiring_within_days.unwrap_or(14),
    ));

    metrics(&mut v, &rules, &t, skipped_percent, disappeared);
    let failures = t.failed + t.errored;
    if reasons.is_empty() {
        v.outcome = Outcome::Pass;
        v.summary = format!(
            "{}: {} passed, {failures} failing{}, {} skipped, {} flaky",
            count(t.tests, "test", "tests"),
            t.passed,
            if failures > 0 { " (none blocking)" } else { "" },
            t.skipped,
            t.flaky
        );
    } else {
        v.outcome = Outcome::Fail;
        v.summary = format!("blocking: {}", reasons.join("; "));
    }
    Ok(v)
}

fn metrics(v: &mut Verdict, rules: &Rules, t: &Tally, skipped_percent: f64, disappeared: u64) {
    let n = |name: &str, value: u64| Metric::new(name, value as f64).unit("count");
    v.metrics.push(n("tests", t.tests));
    v.metrics
        .push(n("executed", t.executed()).condition(Comparator::Ge, rules.min_tests as f64));
    v.metrics.push(n("passed", t.passed));
    v.metrics.push(n("failed", t.failed));
    v.metrics.push(n("errored", t.errored));
    v.metrics.push(n("skipped", t.skipped));
    v.metrics.push(n("flaky", t.flaky));
    v.metrics
        .push(n("failures", t.gating).condition(Comparator::Le, rules.max_failures as f64));
    let mut skipped = Metric::new("skipped-percent", skipped_percent).unit("%");
    if let Some(max) = rules.p.max_skipped_percent {
        skipped = skipped.condition(Comparator::Le, max);
    }
    v.metrics.push(skipped);
    v.metrics.push(n("quarantined", t.quarantined));
    if rules.has_baseline {
        v.metrics.push(n("new-failures", t.new_failures));
        v.metrics.push(n("known-failures", t.known_failures));
        v.metrics.push(n("disappeared", disappeared));
    }
}
