//! `builtin:iac` measured against checkov (and kubeaudit, kubesec, Polaris
//! where rules overlap) on their own fixtures in the shared corpus. Each
//! comparison runs the real `gate eval --policy builtin:iac`, computes the
//! agreement with the peer's documented expectations (transcribed from the
//! peers' EXPECTED.md below) and holds it at or above what we achieve.
//! Every disagreement is explained in docs/iac-rules.md.

use crate::{TestDir, corpus_or_skip};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The findings of one `gate eval` over many files; files the host could not
/// parse are dropped (and reported) instead of failing the whole batch.
struct Eval {
    findings: Vec<Value>,
    unparsed: BTreeSet<String>,
}

fn eval_in(cwd: &Path, files: &[String], params: Option<&str>) -> Eval {
    let t = TestDir::new();
    let mut files: Vec<String> = files.to_vec();
    let mut unparsed = BTreeSet::new();
    loop {
        let mut cmd = t.command();
        cmd.current_dir(cwd)
            .args(["eval", "--policy", "builtin:iac", "--format", "json"]);
        if let Some(p) = params {
            cmd.args(["--params", p]);
        }
        let out = cmd.args(&files).output().unwrap();
        let code = out.status.code().unwrap_or(-1);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if code == 3 {
            let bad: Vec<String> = files
                .iter()
                .filter(|f| stderr.contains(&format!("{f}:")))
                .cloned()
                .collect();
            assert!(!bad.is_empty(), "input error naming no file:\n{stderr}");
            files.retain(|f| !bad.contains(f));
            unparsed.extend(bad);
            continue;
        }
        assert!(code == 0 || code == 1, "exit {code}\n{stderr}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let p = &v["policies"][0];
        assert!(p.get("error").is_none(), "policy error: {p}");
        let findings = p["findings"].as_array().cloned().unwrap_or_default();
        return Eval { findings, unparsed };
    }
}

impl Eval {
    /// Open findings of a rule (our id or a checkov alias) in a file, as
    /// distinct (resource, line) pairs.
    fn failing(&self, rule: &str, file: &str) -> BTreeSet<(String, u64)> {
        self.findings
            .iter()
            .filter(|f| f["status"] == "open")
            .filter(|f| f["location"]["path"] == file)
            .filter(|f| {
                f["rule"] == rule
                    || f["aliases"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|x| x == rule))
            })
            .map(|f| {
                (
                    f["resource"].as_str().unwrap_or("").to_string(),
                    f["location"]["line"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    }

    /// Open findings (not distinct resources) of a rule in a file.
    fn count(&self, rule: &str, file: &str) -> usize {
        self.findings
            .iter()
            .filter(|f| f["status"] == "open" && f["location"]["path"] == file)
            .filter(|f| {
                f["aliases"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x == rule))
                    || f["rule"] == rule
            })
            .count()
    }
}

/// Agreement over cases; prints every disagreement.
#[derive(Default)]
struct Score {
    cases: usize,
    agreed: usize,
    misses: Vec<String>,
}

impl Score {
    fn case(&mut self, ok: bool, what: String) {
        self.cases += 1;
        if ok {
            self.agreed += 1;
        } else {
            self.misses.push(what);
        }
    }

    fn rate(&self) -> f64 {
        self.agreed as f64 * 100.0 / self.cases.max(1) as f64
    }

    fn report(&self, name: &str, floor: f64) {
        eprintln!(
            "{name}: agreement {}/{} = {:.1}%",
            self.agreed,
            self.cases,
            self.rate()
        );
        for m in &self.misses {
            eprintln!("  disagree: {m}");
        }
        assert!(
            self.rate() >= floor,
            "{name}: agreement {:.1}% fell below {floor}%:\n{}",
            self.rate(),
            self.misses.join("\n")
        );
    }
}

// ------------------------------------------------------------------ checkov

/// checkov Kubernetes checks (peers/checkov-kubernetes/EXPECTED.md): (check,
/// file, failing resources). Directory totals from upstream's tests, split
/// per file by the author's per-file verdicts; the UNKNOWN files (check not
/// applicable) and `pod-runas1000-malformed-PASSED.yaml` (not counted in the
/// upstream total of 3 passes) are left out.
const CHECKOV_K8S: &[(&str, &str, usize)] = &[
    (
        "CKV_K8S_16",
        "PrivilegedContainers/nginx-deployment-PASSED.yaml",
        0,
    ),
    (
        "CKV_K8S_16",
        "PrivilegedContainers/privilegedDaemonSet-FAILED.yaml",
        1,
    ),
    (
        "CKV_K8S_16",
        "PrivilegedContainers/privilegedPod-FAILED.yaml",
        1,
    ),
    (
        "CKV_K8S_19",
        "ShareHost/cronjob-hostresources-FAILED.yaml",
        1,
    ),
    ("CKV_K8S_19", "ShareHost/jenkinsDeployment-PASSED.yaml", 0),
    (
        "CKV_K8S_19",
        "ShareHost/memcachedStatefulSet-PASSED.yaml",
        0,
    ),
    ("CKV_K8S_19", "ShareHost/privilegedDaemonSet-FAILED.yaml", 1),
    ("CKV_K8S_19", "ShareHost/privilegedPod-FAILED.yaml", 1),
    ("CKV_K8S_19", "ShareHost/privilegedPod-PASS.yaml", 0),
    (
        "CKV_K8S_17",
        "ShareHost/cronjob-hostresources-FAILED.yaml",
        1,
    ),
    ("CKV_K8S_17", "ShareHost/jenkinsDeployment-PASSED.yaml", 0),
    (
        "CKV_K8S_17",
        "ShareHost/memcachedStatefulSet-PASSED.yaml",
        0,
    ),
    ("CKV_K8S_17", "ShareHost/privilegedDaemonSet-FAILED.yaml", 1),
    ("CKV_K8S_17", "ShareHost/privilegedPod-FAILED.yaml", 1),
    ("CKV_K8S_17", "ShareHost/privilegedPod-PASS.yaml", 0),
    (
        "CKV_K8S_18",
        "ShareHost/cronjob-hostresources-FAILED.yaml",
        1,
    ),
    ("CKV_K8S_18", "ShareHost/jenkinsDeployment-PASSED.yaml", 0),
    (
        "CKV_K8S_18",
        "ShareHost/memcachedStatefulSet-PASSED.yaml",
        0,
    ),
    ("CKV_K8S_18", "ShareHost/privilegedDaemonSet-FAILED.yaml", 1),
    ("CKV_K8S_18", "ShareHost/privilegedPod-FAILED.yaml", 1),
    ("CKV_K8S_18", "ShareHost/privilegedPod-PASS.yaml", 0),
    ("CKV_K8S_14", "ImageTagFixed/imageWithDigest-PASSED.yaml", 0),
    (
        "CKV_K8S_14",
        "ImageTagFixed/imageWithTagAndDigest-PASSED.yaml",
        0,
    ),
    (
        "CKV_K8S_14",
        "ImageTagFixed/job-ImageTagLatest-FAILED.yaml",
        1,
    ),
    (
        "CKV_K8S_14",
        "ImageTagFixed/kafka-ImageWithRepo-PASSED.yaml",
        0,
    ),
    ("CKV_K8S_14", "ImageTagFixed/kafka-PASSED.yaml", 0),
    ("CKV_K8S_14", "ImageTagFixed/storm-zookeeper-FAILED.json", 1),
    (
        "CKV_K8S_11",
        "Requests_Limits/cronjob-request-limit-1FAILED.yaml",
        1,
    ),
    (
        "CKV_K8S_11",
        "Requests_Limits/pod-requests-limits-1FAILED1PASSED.yaml",
        1,
    ),
    (
        "CKV_K8S_11",
        "Requests_Limits/pod-requests-limits-2PASSED.yaml",
        0,
    ),
    (
        "CKV_K8S_11",
        "Requests_Limits/pod-requests-limits-UNKNOWN2.yaml",
        0,
    ),
    (
        "CKV_K8S_13",
        "Requests_Limits/cronjob-request-limit-1FAILED.yaml",
        1,
    ),
    (
        "CKV_K8S_13",
        "Requests_Limits/pod-requests-limits-1FAILED1PASSED.yaml",
        1,
    ),
    (
        "CKV_K8S_13",
        "Requests_Limits/pod-requests-limits-2PASSED.yaml",
        0,
    ),
    (
        "CKV_K8S_13",
        "Requests_Limits/pod-requests-limits-UNKNOWN2.yaml",
        0,
    ),
    ("CKV_K8S_23", "RootContainers/rootContainersFAILED.yaml", 5),
    (
        "CKV_K8S_23",
        "RootContainers/rootContainersFAILED_2.yaml",
        1,
    ),
    (
        "CKV_K8S_23",
        "RootContainers/rootContainersFAILED-malformed-spec.yaml",
        1,
    ),
    ("CKV_K8S_23", "RootContainers/rootContainersPASSED.yaml", 0),
    (
        "CKV_K8S_20",
        "AllowPrivilegeEscalation/ds-nginx-ingress-FAILED.yaml",
        1,
    ),
    (
        "CKV_K8S_20",
        "AllowPrivilegeEscalation/nginx-app-FAILED.json",
        1,
    ),
    (
        "CKV_K8S_20",
        "AllowPrivilegeEscalation/oc-deploymentConfig-FAILED.yml",
        1,
    ),
    (
        "CKV_K8S_20",
        "AllowPrivilegeEscalation/oc-deploymentConfig-PASSED.yml",
        0,
    ),
    (
        "CKV_K8S_20",
        "AllowPrivilegeEscalation/pod-runas1000-PASSED.yaml",
        0,
    ),
    (
        "CKV_K8S_20",
        "AllowPrivilegeEscalation/pod-to-node-FAILED.yaml",
        1,
    ),
    (
        "CKV_K8S_20",
        "AllowPrivilegeEscalation/rootDeployment-PASSED.yaml",
        0,
    ),
];

/// checkov Dockerfile checks (peers/checkov-dockerfile/EXPECTED.md): (check,
/// file, failing results). checkov counts one result per offending
/// instruction (UpdateNotAlone: 4 failing RUNs over two files).
const CHECKOV_DOCKER: &[(&str, &str, usize)] = &[
    (
        "CKV_DOCKER_7",
        "ReferenceLatestTag/failure_default_version_tag/Dockerfile",
        1,
    ),
    (
        "CKV_DOCKER_7",
        "ReferenceLatestTag/failure_latest_version_tag/Dockerfile",
        1,
    ),
    ("CKV_DOCKER_7", "ReferenceLatestTag/success/Dockerfile", 0),
    (
        "CKV_DOCKER_7",
        "ReferenceLatestTag/success_multi_stage/Dockerfile",
        0,
    ),
    (
        "CKV_DOCKER_7",
        "ReferenceLatestTag/success_multi_stage_capital/Dockerfile",
        0,
    ),
    (
        "CKV_DOCKER_7",
        "ReferenceLatestTag/success_multi_stage_platform/Dockerfile",
        0,
    ),
    (
        "CKV_DOCKER_7",
        "ReferenceLatestTag/success_multi_stage_scratch/Dockerfile",
        0,
    ),
    (
        "CKV_DOCKER_7",
        "ReferenceLatestTag/success_scratch/Dockerfile",
        0,
    ),
    ("CKV_DOCKER_8", "RootUser/failure/Dockerfile", 1),
    ("CKV_DOCKER_8", "RootUser/success/Dockerfile", 0),
    ("CKV_DOCKER_3", "UserExists/failure/Dockerfile", 1),
    ("CKV_DOCKER_3", "UserExists/success/Dockerfile", 0),
    ("CKV_DOCKER_2", "HealthcheckExists/failure/Dockerfile", 1),
    ("CKV_DOCKER_2", "HealthcheckExists/success/Dockerfile", 0),
    ("CKV_DOCKER_1", "ExposePort22/failure/Dockerfile", 1),
    ("CKV_DOCKER_1", "ExposePort22/failure_tcp/Dockerfile", 1),
    ("CKV_DOCKER_1", "ExposePort22/success/Dockerfile", 0),
    ("CKV_DOCKER_4", "AddExists/failure/Dockerfile", 1),
    ("CKV_DOCKER_5", "UpdateNotAlone/failure/Dockerfile", 3),
    (
        "CKV_DOCKER_5",
        "UpdateNotAlone/failure/Dockerfile.simple",
        1,
    ),
    ("CKV_DOCKER_5", "UpdateNotAlone/success/Dockerfile", 0),
    ("CKV_DOCKER_9", "RunUsingAPT/failure/Dockerfile", 1),
    ("CKV_DOCKER_9", "RunUsingAPT/failure2/Dockerfile", 1),
    ("CKV_DOCKER_9", "RunUsingAPT/failure3/Dockerfile", 1),
    ("CKV_DOCKER_9", "RunUsingAPT/success/Dockerfile", 0),
    ("CKV_DOCKER_9", "RunUsingAPT/success2/Dockerfile", 0),
    ("CKV_DOCKER_9", "RunUsingAPT/success3/Dockerfile", 0),
];

const EKS: [&str; 3] = ["CKV_AWS_37", "CKV_AWS_39", "CKV_AWS_58"];

/// The upstream EKS plans, whose clusters have a public endpoint with
/// `public_access_cidrs` computed (unknown at plan time). checkov fails
/// CKV_AWS_38 on them; gate does not judge unknown values (documented
/// difference, docs/iac-rules.md), which is asserted apart from the score.
const EKS_PLANS: [&str; 3] = [
    "plan_root_module_resources_no_values.json",
    "plan_data_resource_partial_values.json",
    "plan_nested_child_modules.json",
];

/// checkov terraform_plan runner (peers/checkov-terraform-plan/EXPECTED.md):
/// (plan, checks, failing resource addresses). Only the runs whose check ids
/// we implement: CKV_AWS_21 alone, the EKS failures of the "all checks" runs
/// (ids given upstream, but CKV_AWS_38: see [`EKS_PLANS`]), CKV2_AWS_6 alone,
/// and the lifecycle plan where no check fails.
fn checkov_plan_cases() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    let mut v = vec![(
        "plan-tfplan.json",
        vec!["CKV_AWS_21"],
        vec![
            "aws_s3_bucket.data",
            "aws_s3_bucket.financials",
            "aws_s3_bucket.flowbucket",
        ],
    )];
    for id in EKS {
        v.push((
            "plan_root_module_resources_no_values.json",
            vec![id],
            vec!["aws_eks_cluster.cluster"],
        ));
        v.push((
            "plan_data_resource_partial_values.json",
            vec![id],
            // The data source `module.child.module.b.data.aws_eks_cluster.cluster`
            // must not be scanned.
            vec!["module.child.module.a.aws_eks_cluster.cluster"],
        ));
        v.push((
            "plan_nested_child_modules.json",
            vec![id],
            vec![
                "module.child_0.module.child_1_a.aws_eks_cluster.cluster",
                "module.child_0.module.child_1_b.aws_eks_cluster.cluster",
                "module.child_0.module.child_1_c.aws_eks_cluster.cluster",
            ],
        ));
    }
    v.push((
        "plan_with_resource_reference_graph.json",
        vec!["CKV2_AWS_6"],
        vec![],
    ));
    v
}

#[test]
fn checkov_kubernetes_agreement() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let dir = corpus.join("peers/checkov-kubernetes");
    let files: Vec<String> = CHECKOV_K8S
        .iter()
        .map(|(_, f, _)| f.to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let e = eval_in(&dir, &files, None);
    let mut s = Score::default();
    for (check, file, want) in CHECKOV_K8S {
        if e.unparsed.contains(*file) {
            s.case(
                false,
                format!("{check} {file}: gate could not parse the file"),
            );
            continue;
        }
        let got = e.failing(check, file).len();
        s.case(
            got == *want,
            format!("{check} {file}: checkov fails {want} resource(s), gate {got}"),
        );
    }
    s.report("checkov kubernetes", 97.0);
}

#[test]
fn checkov_dockerfile_agreement() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let dir = corpus.join("peers/checkov-dockerfile");
    let files: Vec<String> = CHECKOV_DOCKER
        .iter()
        .map(|(_, f, _)| f.to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let e = eval_in(&dir, &files, None);
    let mut s = Score::default();
    for (check, file, want) in CHECKOV_DOCKER {
        if e.unparsed.contains(*file) {
            s.case(
                false,
                format!("{check} {file}: gate could not parse the file"),
            );
            continue;
        }
        let got = e.count(check, file);
        s.case(
            got == *want,
            format!("{check} {file}: checkov fails {want}, gate {got}"),
        );
    }
    s.report("checkov dockerfile", 100.0);
}

#[test]
fn checkov_terraform_plan_agreement() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let dir = corpus.join("peers/checkov-terraform-plan");
    let cases = checkov_plan_cases();
    let mut files: Vec<String> = cases.iter().map(|c| c.0.to_string()).collect();
    files.push("plan_with_lifecycle_check.json".into());
    files.sort();
    files.dedup();
    let e = eval_in(&dir, &files, None);
    assert!(e.unparsed.is_empty(), "{:?}", e.unparsed);
    let mut s = Score::default();
    for (file, checks, want) in &cases {
        for check in checks {
            let got: BTreeSet<String> = e.failing(check, file).into_iter().map(|r| r.0).collect();
            let want: BTreeSet<String> = want.iter().map(|w| w.to_string()).collect();
            s.case(
                got == want,
                format!("{check} {file}: checkov fails {want:?}, gate {got:?}"),
            );
        }
    }
    // "All checks" on the lifecycle plan: checkov fails nothing; none of our
    // checkov-aliased rules may fire.
    let fired: Vec<&str> = e
        .findings
        .iter()
        .filter(|f| f["location"]["path"] == "plan_with_lifecycle_check.json")
        .filter(|f| f["aliases"].as_array().is_some_and(|a| !a.is_empty()))
        .filter_map(|f| f["rule"].as_str())
        .collect();
    s.case(
        fired.is_empty(),
        format!("all checks plan_with_lifecycle_check.json: checkov fails none, gate {fired:?}"),
    );
    s.report("checkov terraform plan", 100.0);
    for file in EKS_PLANS {
        let got = e.failing("CKV_AWS_38", file);
        assert!(
            got.is_empty(),
            "{file}: a computed public_access_cidrs must not be judged, gate fails {got:?}"
        );
        // The public endpoint itself is known and still reported.
        assert!(!e.failing("CKV_AWS_39", file).is_empty(), "{file}");
    }
}

// ------------------------------------------------------------------- others

/// kubeaudit auditor fixtures (peers/kubeaudit/EXPECTED.md): (file, our rule,
/// whether kubeaudit reports the violation). `…Allowed` results are
/// violations kubeaudit reports under an override label: we report them
/// too (kubeaudit's override labels are not ours). `PrivilegedNil` is only a
/// warning that the field is unset; unset is not privileged, so we agree
/// with "no PrivilegedTrue" there.
const KUBEAUDIT: &[(&str, &str, bool)] = &[
    ("hostns/host-network-true.yml", "iac/k8s-host-network", true),
    ("hostns/host-ipc-true.yml", "iac/k8s-host-ipc", true),
    ("hostns/host-pid-true.yml", "iac/k8s-host-pid", true),
    (
        "hostns/host-network-true-allowed.yml",
        "iac/k8s-host-network",
        true,
    ),
    (
        "hostns/namespaces-all-true.yml",
        "iac/k8s-host-network",
        true,
    ),
    ("hostns/namespaces-all-true.yml", "iac/k8s-host-ipc", true),
    ("hostns/namespaces-all-true.yml", "iac/k8s-host-pid", true),
    (
        "hostns/namespaces-redundant-override.yml",
        "iac/k8s-host-network",
        false,
    ),
    (
        "hostns/namespaces-redundant-override.yml",
        "iac/k8s-host-ipc",
        false,
    ),
    (
        "hostns/namespaces-redundant-override.yml",
        "iac/k8s-host-pid",
        false,
    ),
    ("privileged/privileged-nil.yml", "iac/k8s-privileged", false),
    ("privileged/privileged-true.yml", "iac/k8s-privileged", true),
    (
        "privileged/privileged-true-allowed.yml",
        "iac/k8s-privileged",
        true,
    ),
    (
        "privileged/privileged-true-allowed-multi-containers-single-label.yml",
        "iac/k8s-privileged",
        true,
    ),
    (
        "privileged/privileged-redundant-override.yml",
        "iac/k8s-privileged",
        false,
    ),
    ("limits/resources-limit-nil.yml", "iac/k8s-cpu-limits", true),
    (
        "limits/resources-limit-nil.yml",
        "iac/k8s-memory-limits",
        true,
    ),
    (
        "limits/resources-limit-no-cpu.yml",
        "iac/k8s-cpu-limits",
        true,
    ),
    (
        "limits/resources-limit-no-cpu.yml",
        "iac/k8s-memory-limits",
        false,
    ),
    (
        "limits/resources-limit-no-memory.yml",
        "iac/k8s-memory-limits",
        true,
    ),
    (
        "limits/resources-limit-no-memory.yml",
        "iac/k8s-cpu-limits",
        false,
    ),
    ("limits/resources-limit.yml", "iac/k8s-cpu-limits", false),
    ("limits/resources-limit.yml", "iac/k8s-memory-limits", false),
    ("image/image-tag-missing.yml", "iac/k8s-image-tag", true),
    ("image/image-tag-present.yml", "iac/k8s-image-tag", false),
    (
        "mounts/docker-sock-mounted.yml",
        "iac/k8s-docker-socket",
        true,
    ),
    ("mounts/proc-mounted.yml", "iac/k8s-host-path", true),
    (
        "privesc/allow-privilege-escalation-nil.yml",
        "iac/k8s-privilege-escalation",
        true,
    ),
    (
        "privesc/allow-privilege-escalation-true.yml",
        "iac/k8s-privilege-escalation",
        true,
    ),
    (
        "privesc/allow-privilege-escalation-true-single-allowed-multi-containers.yml",
        "iac/k8s-privilege-escalation",
        true,
    ),
    (
        "rootfs/read-only-root-filesystem-false.yml",
        "iac/k8s-readonly-rootfs",
        true,
    ),
    (
        "rootfs/read-only-root-filesystem-nil.yml",
        "iac/k8s-readonly-rootfs",
        true,
    ),
];

#[test]
fn kubeaudit_agreement() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let dir = corpus.join("peers/kubeaudit");
    let files: Vec<String> = KUBEAUDIT
        .iter()
        .map(|c| c.0.to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let e = eval_in(&dir, &files, None);
    let mut s = Score::default();
    for (file, rule, want) in KUBEAUDIT {
        let got = !e.unparsed.contains(*file) && !e.failing(rule, file).is_empty();
        s.case(
            got == *want,
            format!("{rule} {file}: kubeaudit {want}, gate {got}"),
        );
    }
    s.report("kubeaudit", 100.0);
}

/// Polaris check ids and our corresponding rules.
const POLARIS: &[(&str, &str)] = &[
    ("runAsPrivileged", "iac/k8s-privileged"),
    ("hostNetworkSet", "iac/k8s-host-network"),
    ("hostPIDSet", "iac/k8s-host-pid"),
    ("hostIPCSet", "iac/k8s-host-ipc"),
    ("hostPathSet", "iac/k8s-host-path"),
    ("tagNotSpecified", "iac/k8s-image-tag"),
    ("cpuLimitsMissing", "iac/k8s-cpu-limits"),
    ("memoryLimitsMissing", "iac/k8s-memory-limits"),
    ("privilegeEscalationAllowed", "iac/k8s-privilege-escalation"),
    ("runAsRootAllowed", "iac/k8s-run-as-root"),
    ("dangerousCapabilities", "iac/k8s-dangerous-capabilities"),
    ("pullPolicyNotAlways", "iac/k8s-image-pull-policy"),
];

#[test]
fn polaris_agreement() -> anyhow::Result<()> {
    let Some(corpus) = corpus_or_skip() else {
        return Ok(());
    };
    // Polaris' convention: `failure*` files fail the check of their
    // directory, `success*` files pass it.
    let dir = corpus.join("peers/polaris-checks");
    let mut cases = Vec::new();
    for (check, rule) in POLARIS {
        let mut names: Vec<String> = std::fs::read_dir(dir.join(check))?
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("failure") || n.starts_with("success"))
            .collect();
        names.sort();
        for n in names {
            cases.push((format!("{check}/{n}"), *rule, n.starts_with("failure")));
        }
    }
    let files: Vec<String> = cases.iter().map(|c| c.0.clone()).collect();
    let e = eval_in(&dir, &files, None);
    let mut s = Score::default();
    for (file, rule, want) in &cases {
        let got = !e.unparsed.contains(file) && !e.failing(rule, file).is_empty();
        s.case(
            got == *want,
            format!("{rule} {file}: polaris {want}, gate {got}"),
        );
    }
    s.report("polaris", 90.0);
    Ok(())
}

/// kubesec's expected score sign (peers/kubesec/EXPECTED.md): "< 0" means a
/// critical finding (privileged, host network/PID, runtime socket,
/// CAP_SYS_ADMIN, unconfined seccomp/AppArmor, allowPrivilegeEscalation:
/// true). We compare with whether one of our corresponding rules fires.
const KUBESEC: &[(&str, bool)] = &[
    ("allowPrivilegeEscalation.yaml", true),
    ("score-0-cap-chown.yml", false),
    ("score-0-cap-sys-admin-and-cap-chown.yml", true),
    ("score-0-cap-sys-admin.yml", true),
    ("score-0-daemonset-host-network.yml", true),
    ("score-0-daemonset-host-pid.yml", true),
    ("score-0-daemonset-mount-docker-socket.yml", true),
    ("score-0-daemonset-securitycontext-privileged.yml", true),
    ("score-0-daemonset-volume-host-docker-socket.yml", true),
    ("score-0-dep-apparmor-empty-securitycontext.yml", false),
    ("score-0-dep-apparmor-unconfined-container.yml", true),
    (
        "score-0-dep-apparmor-unconfined-ephemeralcontainer.yml",
        true,
    ),
    ("score-0-dep-apparmor-unconfined-initcontainer.yml", true),
    (
        "score-0-dep-apparmor-unconfined-spec-securitycontext.yml",
        true,
    ),
    ("score-0-dep-seccomp-empty-securitycontext.yml", false),
    ("score-0-dep-seccomp-unconfined-container.yml", true),
    (
        "score-0-dep-seccomp-unconfined-ephemeralcontainer.yml",
        true,
    ),
    ("score-0-dep-seccomp-unconfined-initcontainer.yml", true),
    (
        "score-0-dep-seccomp-unconfined-spec-securitycontext.yml",
        true,
    ),
    ("score-0-statefulset-no-sec.yml", false),
    ("score-1-cap-drop-all.yml", false),
    ("score-1-dep-apparmor-nonunconfined-container.yml", false),
    (
        "score-1-dep-apparmor-nonunconfined-ephemeralcontainer.yml",
        false,
    ),
    (
        "score-1-dep-apparmor-nonunconfined-initcontainer.yml",
        false,
    ),
    (
        "score-1-dep-apparmor-nonunconfined-spec-securitycontext.yml",
        false,
    ),
    ("score-1-dep-empty-security-context.yml", false),
    ("score-1-dep-podseccon-run-as-group-1.yml", false),
    ("score-1-dep-podseccon-run-as-group-10001.yml", false),
    ("score-1-dep-podseccon-run-as-non-root.yml", false),
    ("score-1-dep-podseccon-run-as-user-1.yml", false),
    ("score-1-dep-podseccon-run-as-user-10001.yml", false),
    ("score-1-dep-resource-limit-cpu.yml", false),
    ("score-1-dep-resource-limit-memory.yml", false),
    ("score-1-dep-ro-root-fs.yml", false),
    ("score-1-dep-seccomp-nonunconfined-container.yml", false),
    (
        "score-1-dep-seccomp-nonunconfined-ephemeralcontainer.yml",
        false,
    ),
    ("score-1-dep-seccomp-nonunconfined-initcontainer.yml", false),
    (
        "score-1-dep-seccomp-nonunconfined-spec-securitycontext.yml",
        false,
    ),
    ("score-1-dep-seccon-run-as-group-1.yml", false),
    ("score-1-dep-seccon-run-as-group-10001.yml", false),
    ("score-1-dep-seccon-run-as-non-root.yml", false),
    ("score-1-dep-seccon-run-as-user-1.yml", false),
    ("score-1-dep-seccon-run-as-user-10001.yml", false),
    ("score-1-pod-automount-sa-set-to-false.yml", false),
    ("score-1-pod-hostUsers-set-to-false.yml", false),
    ("score-1-statefulset-novolumeclaimtemplate.yml", false),
    ("score-1-statefulset-volumeclaimtemplate.yml", false),
    ("score-2-dep-serviceaccount.yml", false),
    ("score-2-pod-serviceaccount.yml", false),
];

const KUBESEC_CRITICAL: &[&str] = &[
    "iac/k8s-privileged",
    "iac/k8s-host-network",
    "iac/k8s-host-pid",
    "iac/k8s-docker-socket",
    "iac/k8s-dangerous-capabilities",
    "iac/k8s-seccomp-unconfined",
    "iac/k8s-apparmor-unconfined",
];

#[test]
fn kubesec_agreement() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let dir = corpus.join("peers/kubesec");
    let files: Vec<String> = KUBESEC.iter().map(|c| c.0.to_string()).collect();
    let e = eval_in(&dir, &files, None);
    let mut s = Score::default();
    for (file, want) in KUBESEC {
        let critical: Vec<&str> = e
            .findings
            .iter()
            .filter(|f| f["status"] == "open" && f["location"]["path"] == *file)
            .filter(|f| {
                let rule = f["rule"].as_str().unwrap_or("");
                KUBESEC_CRITICAL.contains(&rule)
                    || (rule == "iac/k8s-privilege-escalation"
                        && f["evidence"] == "allowPrivilegeEscalation=true")
            })
            .filter_map(|f| f["rule"].as_str())
            .collect();
        let got = !e.unparsed.contains(*file) && !critical.is_empty();
        s.case(
            got == *want,
            format!("{file}: kubesec critical {want}, gate {critical:?}"),
        );
    }
    s.report("kubesec", 90.0);
}

// ------------------------------------------------------------ behaviour

#[test]
fn findings_carry_ids_aliases_locations_and_resources() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let dir = corpus.join("peers/checkov-kubernetes");
    let e = eval_in(
        &dir,
        &["PrivilegedContainers/privilegedPod-FAILED.yaml".into()],
        None,
    );
    let f = e
        .findings
        .iter()
        .find(|f| f["rule"] == "iac/k8s-privileged")
        .expect("privileged finding");
    // The whole finding; the fingerprint is a hash, checked for its form.
    let mut f = f.clone();
    let fingerprint = f["fingerprint"].take();
    assert!(
        fingerprint
            .as_str()
            .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())),
        "{fingerprint}"
    );
    assert_eq!(
        f,
        serde_json::json!({
            "rule": "iac/k8s-privileged",
            "severity": "critical",
            "message": "Pod/privileged: container \"busybox\" sets securityContext.privileged: true",
            "location": {"path": "PrivilegedContainers/privilegedPod-FAILED.yaml", "line": 2},
            "resource": "Pod/privileged",
            "aliases": ["CKV_K8S_16"],
            "remediation": "remove securityContext.privileged (or set it to false); grant specific capabilities instead",
            "status": "open",
            "blocking": true,
            "fingerprint": null
        })
    );
}

#[test]
fn params_select_rules_override_severity_and_skip_resources() -> anyhow::Result<()> {
    let Some(corpus) = corpus_or_skip() else {
        return Ok(());
    };
    let dir = corpus.join("peers/checkov-terraform-plan");
    let files = vec!["plan-tfplan.json".to_string()];
    let e = eval_in(
        &dir,
        &files,
        Some(
            r#"{"rules": {"enable": ["iac/aws-s3-*"]}, "skip-rules": ["CKV_AWS_18"], "severity": {"iac/aws-s3-public-acl": "low"}, "skip-resources": ["aws_s3_bucket.fin*"]}"#,
        ),
    );
    let rules: BTreeSet<&str> = e
        .findings
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(
        rules.iter().all(|r| r.starts_with("iac/aws-s3-")),
        "{rules:?}"
    );
    assert!(!rules.contains("iac/aws-s3-access-logging"));
    assert!(
        e.findings
            .iter()
            .all(|f| f["resource"] != "aws_s3_bucket.financials")
    );
    let acl = e
        .findings
        .iter()
        .find(|f| f["rule"] == "iac/aws-s3-public-acl")
        .unwrap();
    assert_eq!(acl["severity"], "low");

    // Required tags and fail-on.
    let t = TestDir::new();
    let r = t
        .command()
        .current_dir(&dir)
        .args(["eval", "--policy", "builtin:iac", "--format", "json", "--params"])
        .arg(r#"{"rules": {"enable": ["iac/required-tags"]}, "required-tags": ["Owner"], "fail-on": "low"}"#)
        .arg("plan-tfplan.json")
        .output()?;
    assert_eq!(r.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&r.stdout)?;
    let f = v["policies"][0]["findings"].as_array().unwrap();
    // Every one of the plan's 39 resources lacks the tag.
    assert_eq!(f.len(), 39);
    for f in f {
        assert_eq!(f["rule"], "iac/required-tags", "{f}");
        let resource = f["resource"].as_str().unwrap();
        assert_eq!(
            f["message"],
            format!("{resource}: missing required tag Owner"),
            "{f}"
        );
    }

    // Bad params are a usage error.
    let r = t
        .command()
        .current_dir(&dir)
        .args([
            "eval",
            "--policy",
            "builtin:iac",
            "--params",
            r#"{"fail-on": "bogus"}"#,
            "plan-tfplan.json",
        ])
        .output()?;
    let r = crate::Run { out: r }.expect_code(2);
    let _s = t.snapshots();
    insta::assert_snapshot!(r.transcript());
    Ok(())
}

#[test]
fn annotations_suppress_but_keep_findings_visible() {
    let t = TestDir::new();
    t.write(
        "pod.yaml",
        r#"apiVersion: v1
kind: Pod
metadata:
  name: agent
  namespace: ops
  annotations:
    gate.io/skip-k8s-privileged: "node agent needs it"
    checkov.io/skip1: CKV_K8S_19=host networking by design
spec:
  hostNetwork: true
  containers:
    - name: agent
      image: registry.example.com/agent:1.2.3
      securityContext:
        privileged: true
"#,
    );
    let r = t.run(&[
        "eval",
        "--policy",
        "builtin:iac",
        "--format",
        "json",
        "pod.yaml",
    ]);
    let v = r.json();
    let findings = v["policies"][0]["findings"].as_array().unwrap();
    let by_rule: BTreeMap<&str, &Value> = findings
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f))
        .collect();
    let p = by_rule["iac/k8s-privileged"];
    assert_eq!(p["status"], "suppressed");
    assert!(
        p["evidence"]
            .as_str()
            .unwrap()
            .contains("node agent needs it")
    );
    assert_eq!(by_rule["iac/k8s-host-network"]["status"], "suppressed");
    assert_eq!(by_rule["iac/k8s-run-as-root"]["status"], "open");
}

#[test]
fn cloudformation_rules_and_metadata_skips() {
    let t = TestDir::new();
    t.write(
        "template.yaml",
        r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Metadata:
      checkov:
        skip:
          - id: CKV_AWS_18
            comment: logs go to CloudTrail data events
    Properties:
      AccessControl: PublicRead
  Ssh:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      PubliclyAccessible: true
      StorageEncrypted: false
"#,
    );
    let r = t.run(&[
        "eval",
        "--policy",
        "builtin:iac",
        "--format",
        "json",
        "template.yaml",
    ]);
    let v = r.expect_code(1).json();
    let findings = v["policies"][0]["findings"].as_array().unwrap();
    let has = |rule: &str, res: &str, status: &str| {
        findings
            .iter()
            .any(|f| f["rule"] == rule && f["resource"] == res && f["status"] == status)
    };
    assert!(has("iac/aws-s3-public-acl", "Bucket", "open"));
    assert!(has("iac/aws-s3-access-logging", "Bucket", "suppressed"));
    assert!(has("iac/aws-sg-open-ssh", "Ssh", "open"));
    assert!(has("iac/aws-rds-public", "Db", "open"));
    assert!(has("iac/aws-rds-encryption", "Db", "open"));
    let ssh = findings
        .iter()
        .find(|f| f["rule"] == "iac/aws-sg-open-ssh")
        .unwrap();
    assert!(ssh["location"]["line"].as_u64().is_some());
}

#[test]
fn real_corpus_files_evaluate_without_errors() -> anyhow::Result<()> {
    let Some(corpus) = corpus_or_skip() else {
        return Ok(());
    };
    // Every IaC family of the corpus goes through the pack end to end.
    let root = corpus.join("iac");
    let files = [
        "terraform-plan/checkov/tags.json",
        "terraform-plan/regula/tfplan.0.15.json",
        "terraform-plan/conftest/gke-show.json",
        "kubernetes/kubernetes-goat",
        "cloudformation/cfn_nag-ip6_security_groups_open_to_world.json",
        "cloudformation/cfn_nag-iam_role_with_administratoraccess_policy.json",
        "dockerfile/kubernetes-goat-health-check.Dockerfile",
    ];
    let mut list = Vec::new();
    for f in files {
        let p = root.join(f);
        if p.is_dir() {
            let mut inner: Vec<String> = std::fs::read_dir(&p)?
                .map(|e| format!("{f}/{}", e.unwrap().file_name().to_string_lossy()))
                .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
                .collect();
            inner.sort();
            list.extend(inner.into_iter().take(8));
        } else {
            list.push(f.to_string());
        }
    }
    let e = eval_in(&root, &list, None);
    let rules: BTreeSet<&str> = e
        .findings
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    // cfn_nag's four IPv6 spellings: three are ::/0, one is a /21.
    let ssh: BTreeSet<&str> = e
        .findings
        .iter()
        .filter(|f| f["rule"] == "iac/aws-sg-open-ssh")
        .filter_map(|f| f["resource"].as_str())
        .filter(|r| r.starts_with("InstanceSecurityGroup"))
        .collect();
    assert_eq!(
        ssh,
        BTreeSet::from([
            "InstanceSecurityGroup",
            "InstanceSecurityGroup2",
            "InstanceSecurityGroup3"
        ])
    );
    assert!(
        rules.contains("iac/aws-iam-administrator-access"),
        "{rules:?}"
    );
    assert!(
        rules.iter().any(|r| r.starts_with("iac/docker-")),
        "{rules:?}"
    );
    assert!(rules.iter().any(|r| r.starts_with("iac/k8s-")), "{rules:?}");
    Ok(())
}
