//! `builtin:security`: fail on security findings at or above a severity,
//! report everything, gate only on what is new against the baseline, and
//! honour waivers with reasons and expiry dates.

mod judge;
mod waivers;

pub use judge::{Params, judge};
pub use waivers::Waiver;

use gate_sdk::*;

pub struct SecurityPolicy;

impl Policy for SecurityPolicy {
    fn info() -> PolicyInfo {
        PolicyInfo::new(
            "security",
            env!("CARGO_PKG_VERSION"),
            "Security findings: severity, CVSS and count thresholds, new-vs-baseline gating, waivers",
        )
        .consumes(&[ArtifactKind::Findings])
        .params_schema(PARAMS_SCHEMA)
        .rules(rules())
    }

    fn evaluate(request: Request) -> Result<Verdict, PolicyError> {
        let params: Params = params::parse(&request.params)?;
        let current: Vec<&FindingsReport> = request.findings(ArtifactRole::Current).collect();
        let baseline: Vec<&FindingsReport> = request.findings(ArtifactRole::Baseline).collect();
        judge(&current, &baseline, &request.context.now, &params)
    }
}

/// The rule catalog: the policy's own rules. The findings it judges keep
/// their tool's rule ids (CVEs, SAST rules...), which no catalog can list.
pub fn rules() -> Vec<RuleInfo> {
    vec![
        RuleInfo::new(
            "security/waiver-expired",
            Severity::Medium,
            "a waiver has expired",
        )
        .full("A waiver whose `expires` date has passed no longer waives anything; the finding it covered counts again.")
        .help("fix the finding or renew the waiver with a new expiry date")
        .tags(["security", "waiver"]),
        RuleInfo::new(
            "security/waiver-expiring",
            Severity::Info,
            "a waiver in use expires soon",
        )
        .full("A waiver that still waives a finding expires within `expiring-within-days` (14 by default).")
        .help("fix the finding before the waiver expires, or renew it")
        .tags(["security", "waiver"]),
        RuleInfo::new(
            "security/waiver-unused",
            Severity::Info,
            "a waiver matches no finding",
        )
        .full("A waiver that matched no finding of the current reports is probably stale or mistyped.")
        .help("remove the waiver if the finding is gone")
        .tags(["security", "waiver"]),
    ]
}

/// The params' JSON Schema as `info()` reports it: `src/params.schema.json`,
/// which a test keeps equal to [`params_schema`]. Shipped as text, so the
/// component neither carries the derivation nor runs it on every load.
pub const PARAMS_SCHEMA: &str = include_str!("params.schema.json");

/// The params' JSON Schema, derived from [`Params`] (written out as
/// `src/params.schema.json` with `GATE_WRITE_SCHEMAS=1`, for review, for
/// the fuzz driver and for [`PARAMS_SCHEMA`]).
pub fn params_schema() -> String {
    params::schema::<Params>("builtin:security params")
}

gate_sdk::export!(SecurityPolicy);

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole policy on the real grype fixtures, read by gate's parsers
    /// (gate-sdk-testing) as `gate check` reads them.
    #[test]
    fn real_reports_judged_natively() {
        use gate_sdk_testing::Fixture;
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let run = |fixture: Fixture| {
            let request = fixture.request().unwrap();
            gate_sdk::evaluate::<SecurityPolicy>(request).unwrap()
        };
        let current = Fixture::new().artifact(fixtures.join("grype.json"));

        let v = run(current.clone());
        assert_eq!(v.outcome, Outcome::Fail);
        let rce = v
            .findings
            .iter()
            .find(|f| f.rule == "CVE-2099-1001")
            .unwrap();
        assert!(rce.blocking);
        assert_eq!(rce.resource.as_deref(), Some("widget@2.0.0"));
        assert_eq!(rce.aliases, ["GHSA-wid1-wid2-wid3"]);
        let at = rce.location.as_ref().map(|l| l.path.as_str());
        assert_eq!(at, Some("web/package-lock.json"));
        // The fingerprint is the parser's, so baselines and waivers match it.
        let request = current.request().unwrap();
        let parsed = request.findings(ArtifactRole::Current).next().unwrap();
        let first = parsed.findings.read(0, 1);
        assert_eq!(rce.fingerprint, first[0].fingerprint);

        // Waived until a day after `now`: no longer blocking, and reported
        // as expiring.
        let waived = current.clone().now("2026-01-01T00:00:00Z").params(
            r#"{"fail-on": "critical", "waivers": [{"id": "CVE-2099-1001", "reason": "no fix deployed yet", "expires": "2026-01-02"}]}"#,
        );
        let v = run(waived);
        assert_eq!(v.outcome, Outcome::Pass, "{}", v.summary);
        assert!(
            v.findings
                .iter()
                .any(|f| f.rule == "security/waiver-expiring")
        );

        // Against its baseline only new findings block.
        let v = run(current.baseline(fixtures.join("grype-baseline.json")));
        assert!(
            v.findings
                .iter()
                .filter(|f| f.blocking)
                .all(|f| f.rule != "CVE-2099-1001")
        );
    }

    /// `src/params.schema.json` is the schema derived from `Params`.
    #[test]
    fn the_written_schema_is_the_derived_one() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/params.schema.json");
        if let Err(e) = params::check_written(&path, &params_schema()) {
            panic!("{e}");
        }
    }

    /// The catalog lists every rule the source reports, once, described.
    #[test]
    fn the_catalog_lists_every_rule_once() {
        assert_eq!(
            catalog_problems(
                &rules(),
                &[include_str!("judge.rs"), include_str!("waivers.rs")],
                "security/",
                &[]
            ),
            Vec::<String>::new()
        );
    }
}
