//! Corpus tests: iac (Terraform plans, Kubernetes manifests, CloudFormation
//! templates, Dockerfiles).

use crate::{corpus_or_skip, parse};
use gate_artifacts::iac::kubernetes::pod_spec;
use gate_artifacts::{
    Document, Format, IacReport, IacResource, Model, ParseOptions, Parsed, PlannedAction, Position,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out)
        } else {
            out.push(p)
        }
    }
}

fn files(rel_dir: &str) -> Vec<String> {
    let root = crate::root();
    let mut out = Vec::new();
    walk(&root.join(rel_dir), &mut out);
    let mut v: Vec<String> = out
        .iter()
        .map(|p| {
            p.strip_prefix(&root)
                .unwrap()
                .to_str()
                .unwrap()
                .replace('\\', "/")
        })
        .collect();
    v.sort();
    v
}

fn report(p: &Parsed) -> &IacReport {
    match &p.model {
        Model::Iac(r) => r,
        other => panic!("not an iac model: {other:?}"),
    }
}

fn ok(rel: &str) -> (Parsed, Vec<IacResource>) {
    let p = parse(rel).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let resources = report(&p).resources.clone();
    (p, resources)
}

fn parse_bytes(name: &str, text: &str) -> Result<Parsed, gate_artifacts::ParseError> {
    gate_artifacts::parse(name, text.as_bytes(), None, &ParseOptions::default())
}

fn addresses(rs: &[IacResource]) -> Vec<&str> {
    rs.iter().map(|r| r.address.as_str()).collect()
}

fn warning_codes(p: &Parsed) -> Vec<&str> {
    p.warnings.iter().map(|w| w.code.as_str()).collect()
}

fn line(r: &IacResource) -> Option<u32> {
    r.location.as_ref().and_then(|l| l.line)
}

// ---------------------------------------------------------------- whole corpus

/// Every file of `corpus/iac/**` and of the IaC peer suites: which format it
/// is detected as, how many resources it yields, or which error it gives.
#[test]
fn every_iac_corpus_file_parses_or_fails_as_expected() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let expected_errors: BTreeMap<&str, &str> = [
        // a `terraform show -json` of state, not of a plan
        (
            "iac/terraform-plan/checkov/edge-corrupted.json",
            "invalid-plan",
        ),
        // helm template --debug output with the render error appended
        (
            "iac/helm-rendered/edge-helm-template-invalid-yaml-debug.txt",
            "invalid-yaml",
        ),
        // a double-quoted scalar whose continuation lines are less indented
        // than its block sequence: not YAML 1.2 (libyaml tolerates it)
        (
            "peers/checkov-kubernetes/ImageTagFixed/kafka-ImageWithRepo-PASSED.yaml",
            "invalid-yaml",
        ),
        // docker-compose files are not an IaC format gate reads
        (
            "peers/conftest-examples/compose/docker-compose.yml",
            "unknown-format",
        ),
        (
            "peers/conftest-examples/compose/docker-compose-valid.yml",
            "unknown-format",
        ),
    ]
    .into_iter()
    .collect();
    let dirs = [
        "iac",
        "peers/checkov-terraform-plan",
        "peers/checkov-kubernetes",
        "peers/checkov-dockerfile",
        "peers/kubeaudit",
        "peers/kubesec",
        "peers/polaris-checks",
        "peers/cfn-lint-snapshots/templates",
        "peers/conftest-examples",
        "peers/regula-terraform-plan",
        "peers/terraform-compliance",
    ];
    let mut seen = 0;
    let mut by_format: BTreeMap<Format, (usize, usize)> = BTreeMap::new();
    for dir in dirs {
        for rel in files(dir) {
            if rel.ends_with(".md") || (rel.ends_with(".txt") && !rel.starts_with("iac/")) {
                continue;
            }
            seen += 1;
            let result = parse(&rel);
            // raw HCL is never mis-detected
            if rel.ends_with(".tf") {
                assert_eq!(result.unwrap_err().code, "unknown-format", "{rel}");
                continue;
            }
            if let Some(code) = expected_errors.get(rel.as_str()) {
                let e = result.expect_err(&rel);
                assert_eq!(e.code.as_str(), *code, "{rel}: {e}");
                continue;
            }
            let p = result.unwrap_or_else(|e| panic!("{rel}: {e}"));
            let want = if rel.contains("terraform-plan/")
                || rel.contains("terraform-compliance/")
                || rel.ends_with(".json") && rel.contains("conftest-examples/terraform")
            {
                Format::TerraformPlan
            } else if rel.contains("cloudformation/") || rel.contains("cfn-lint-snapshots/") {
                Format::Cloudformation
            } else if rel.contains("ockerfile") {
                Format::Dockerfile
            } else {
                Format::Kubernetes
            };
            assert_eq!(p.format, want, "{rel}");
            let e = by_format.entry(p.format).or_default();
            e.0 += 1;
            e.1 += report(&p).resources.len();
        }
    }
    assert_eq!(seen, 369);
    // files and resources per format
    assert_eq!(by_format[&Format::TerraformPlan], (64, 387));
    assert_eq!(by_format[&Format::Kubernetes], (195, 430));
    assert_eq!(by_format[&Format::Cloudformation], (21, 345));
    assert_eq!(by_format[&Format::Dockerfile], (39, 61));
}

/// IaC sniffing must not claim any coverage, security or approvals file.
#[test]
fn iac_sniff_claims_no_other_family() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let root = corpus;
    let mut checked = 0;
    for dir in ["coverage", "security", "approvals"] {
        for rel in files(dir) {
            let bytes = std::fs::read(root.join(&rel)).unwrap();
            let Ok(text) = gate_artifacts::document::decode(&rel, &bytes) else {
                continue;
            };
            let Ok(doc) = Document::load(&rel, &text, None) else {
                continue;
            };
            assert_eq!(gate_artifacts::iac::sniff(&doc), None, "{rel}");
            checked += 1;
        }
    }
    // 247 files; the few that are not valid text or JSON are skipped
    assert!(checked >= 240, "{checked}");
}

// ---------------------------------------------------------------- terraform

#[test]
fn terraform_0_1_plan_with_55_creates() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (p, rs) = ok("iac/terraform-plan/checkov/tags.json");
    assert_eq!(p.format, Format::TerraformPlan);
    assert_eq!(rs.len(), 55);
    assert!(rs.iter().all(|r| r.action == Some(PlannedAction::Create)));
    assert!(rs.iter().all(|r| r.location.is_none()));
    assert_eq!(rs.iter().filter(|r| r.provider == "aws").count(), 54);
    assert_eq!(rs.iter().filter(|r| r.provider == "null").count(), 1);
    let db = &rs[0];
    assert_eq!(db.address, "aws_db_instance.default");
    assert_eq!(db.resource_type, "aws_db_instance");
    assert_eq!(db.name, "default");
    assert_eq!(db.namespace, None);
    // unknown-at-plan-time values are marked
    assert_eq!(db.attributes.value()["id"], json!("(known after apply)"));
    assert_eq!(db.attributes.value()["engine"], json!("mysql"));
}

#[test]
fn terraform_after_unknown_fills_missing_values_only() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, rs) = ok("iac/terraform-plan/checkov/after_unknown.json");
    assert_eq!(rs.len(), 1);
    assert_eq!(rs[0].address, "aws_cloudfront_distribution.cloudfront");
    // `after` is null; after_unknown = {logging_config: [{bucket: true}]}
    assert_eq!(
        rs[0].attributes.value(),
        json!({"logging_config": [{"bucket": "(known after apply)"}]})
    );
}

#[test]
fn terraform_actions() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, rs) = ok("iac/terraform-plan/checkov/deleted_resources.json");
    assert_eq!(addresses(&rs), ["aws_secretsmanager_secret.default"]);
    assert_eq!(rs[0].action, Some(PlannedAction::Replace));
    assert_eq!(
        rs[0].attributes.value()["recovery_window_in_days"],
        json!(30)
    );

    let (_, rs) = ok("iac/terraform-plan/terraform-compliance/issue-249-large.json");
    let count = |a| rs.iter().filter(|r| r.action == Some(a)).count();
    assert_eq!(
        (
            count(PlannedAction::NoOp),
            count(PlannedAction::Update),
            count(PlannedAction::Create)
        ),
        (18, 4, 2)
    );

    let (_, rs) = ok("peers/terraform-compliance/actions_regular/plan.out.json");
    let mut actions: Vec<_> = rs.iter().map(|r| r.action.unwrap()).collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            PlannedAction::Create,
            PlannedAction::Update,
            PlannedAction::NoOp
        ]
    );
}

#[test]
fn terraform_delete_uses_before_and_unknown_actions_warn() {
    let plan = json!({
        "format_version": "1.2", "terraform_version": "1.7.0",
        "resource_changes": [
            {"address": "aws_s3_bucket.gone", "mode": "managed", "type": "aws_s3_bucket", "name": "gone",
             "provider_name": "registry.terraform.io/hashicorp/aws",
             "change": {"actions": ["delete"], "before": {"bucket": "old"}, "after": null, "after_unknown": {}}},
            {"address": "aws_s3_bucket.forgotten", "mode": "managed", "type": "aws_s3_bucket", "name": "forgotten",
             "provider_name": "registry.terraform.io/hashicorp/aws",
             "change": {"actions": ["forget"], "before": {"bucket": "x"}, "after": null}}
        ]
    });
    let p = parse_bytes("plan.json", &plan.to_string()).unwrap();
    let rs = &report(&p).resources;
    assert_eq!(rs[0].action, Some(PlannedAction::Delete));
    assert_eq!(rs[0].attributes.value(), json!({"bucket": "old"}));
    assert_eq!(rs[1].action, None);
    assert_eq!(warning_codes(&p), ["unknown-action"]);
}

#[test]
fn terraform_data_sources_are_reads_and_modules_keep_addresses() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, rs) = ok("iac/terraform-plan/checkov/github_actions_oidc_trust_policy.json");
    assert_eq!(rs.len(), 9);
    let reads: Vec<_> = rs
        .iter()
        .filter(|r| r.action == Some(PlannedAction::Read))
        .map(|r| r.address.as_str())
        .collect();
    assert_eq!(
        reads,
        [
            "module.poc.data.aws_iam_policy_document.r4[\"p1\"]",
            "module.poc.data.aws_iam_policy_document.r4[\"p2\"]",
            "module.poc.data.aws_iam_policy_document.r3[\"p1\"]",
            "module.poc.data.aws_iam_policy_document.r3[\"p2\"]",
        ]
    );
    assert_eq!(
        rs[4].address,
        "module.poc.aws_iam_openid_connect_provider.r5"
    );
    assert_eq!(rs[4].action, Some(PlannedAction::Create));

    let (_, rs) = ok("iac/terraform-plan/terraform-compliance/multi-module-referencing.json");
    assert_eq!(rs.len(), 14);
    assert_eq!(
        rs[6].address,
        "module.first_layer.module.second_layer.module.third_layer.aws_s3_bucket.test"
    );
    assert_eq!(rs[6].name, "test");

    let (_, rs) = ok("iac/terraform-plan/checkov/for_each.json");
    assert_eq!(
        addresses(&rs),
        [
            "aws_route53_zone.example[\"example.com\"]",
            "aws_route53_zone.example[\"example2.eu\"]",
            "module.sg[\"awful_example\"].aws_security_group.bad",
            "module.sg[\"bad_example\"].aws_security_group.bad",
            "module.sg[\"terrible_example\"].aws_security_group.bad",
        ]
    );

    // checkov: the data source must not be scanned as a managed resource
    let (_, rs) = ok("peers/checkov-terraform-plan/plan_data_resource_partial_values.json");
    let actions: Vec<_> = rs.iter().map(|r| r.action).collect();
    assert!(actions.contains(&Some(PlannedAction::Read)));
    assert!(actions.contains(&Some(PlannedAction::Create)));
}

#[test]
fn terraform_encodings_bom_and_utf16() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (a, ra) = ok("iac/terraform-plan/checkov/edge-utf16-encoded.json");
    let (b, rb) = ok("iac/terraform-plan/checkov/edge-windows-utf8.json");
    assert_eq!(
        (a.format, b.format),
        (Format::TerraformPlan, Format::TerraformPlan)
    );
    assert_eq!(addresses(&ra), ["aws_s3_bucket.data"]);
    assert_eq!(ra, rb);
    assert_eq!(ra[0].provider, "aws");
}

#[test]
fn terraform_corrupted_and_empty_plans() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let e = parse("iac/terraform-plan/checkov/edge-corrupted.json").unwrap_err();
    assert_eq!(e.code.as_str(), "invalid-plan");
    assert_eq!(e.position, Some(Position::Pointer(String::new())));
    assert_eq!(
        e.message,
        "this looks like terraform state (it has `values`), not a plan"
    );

    let (_, rs) = ok("iac/terraform-plan/trivy/plan_no_resource_changes.json");
    assert!(rs.is_empty());
    // no resource_changes and an empty planned_values root module
    let (_, rs) = ok("iac/terraform-plan/checkov/multiple_providers.json");
    assert!(rs.is_empty());

    // truncated JSON is a JSON error with a position
    let text = std::fs::read_to_string(corpus.join("iac/terraform-plan/trivy/plan.json")).unwrap();
    let e = parse_bytes("cut.json", &text[..text.len() / 2]).unwrap_err();
    assert_eq!(e.code.as_str(), "truncated-json");
    assert!(matches!(e.position, Some(Position::LineCol { .. })));

    let e = parse_bytes(
        "bad.json",
        r#"{"format_version":"1.0","terraform_version":"1.0.0","resource_changes":{}}"#,
    )
    .unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.position),
        (
            "invalid-plan",
            Some(Position::Pointer("/resource_changes".into()))
        )
    );
    let e = parse_bytes(
        "bad.json",
        r#"{"format_version":"1.0","terraform_version":"1.0.0","resource_changes":[{"address":"a.b","type":"a","change":{}}]}"#,
    )
    .unwrap_err();
    assert_eq!(
        e.position,
        Some(Position::Pointer(
            "/resource_changes/0/change/actions".into()
        ))
    );
}

#[test]
fn terraform_plan_without_resource_changes_uses_planned_values() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, rs) = ok("peers/checkov-terraform-plan/plan_with_resource_reference_graph.json");
    assert_eq!(
        addresses(&rs),
        [
            "aws_s3_bucket.example",
            "aws_s3_bucket_public_access_block.example"
        ]
    );
    assert!(rs.iter().all(|r| r.action.is_none() && r.provider == "aws"));
    assert_eq!(rs[0].attributes.value()["bucket"], json!("example"));
}

#[test]
fn checkov_plan_buckets_and_versioning() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    // CKV_AWS_21: failing = data, financials, flowbucket; passing = data_science, logs, operations
    let (_, rs) = ok("peers/checkov-terraform-plan/plan-tfplan.json");
    assert_eq!(rs.len(), 55);
    let mut versioned = Vec::new();
    let mut unversioned = Vec::new();
    for r in rs.iter().filter(|r| r.resource_type == "aws_s3_bucket") {
        let on = r.attributes.value()["versioning"]
            .as_array()
            .and_then(|v| v.first())
            .is_some_and(|v| v["enabled"] == json!(true));
        if on { &mut versioned } else { &mut unversioned }.push(r.name.as_str());
    }
    versioned.sort();
    unversioned.sort();
    assert_eq!(versioned, ["data_science", "logs", "operations"]);
    assert_eq!(unversioned, ["data", "financials", "flowbucket"]);
}

#[test]
fn regula_and_conftest_plans() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, rs) = ok("peers/regula-terraform-plan/bucket_sse_infra.json");
    let buckets: Vec<_> = rs
        .iter()
        .filter(|r| r.resource_type == "aws_s3_bucket")
        .map(|r| r.address.as_str())
        .collect();
    assert_eq!(
        buckets,
        [
            "aws_s3_bucket.aes_encrypted",
            "aws_s3_bucket.kms_encrypted",
            "aws_s3_bucket.unencrypted"
        ]
    );
    let (_, rs) = ok("peers/regula-terraform-plan/ec2_t2_only_infra.json");
    let instances = rs
        .iter()
        .filter(|r| r.resource_type == "aws_instance")
        .count();
    assert_eq!(instances, 7);
    let (_, rs) = ok("peers/conftest-examples/terraform/gke-show.json");
    assert_eq!(
        addresses(&rs),
        [
            "google_container_cluster.primary",
            "google_container_node_pool.primary_preemptible_nodes"
        ]
    );
    assert!(
        rs.iter()
            .all(|r| r.provider == "google" && r.action == Some(PlannedAction::Create))
    );
}

// ---------------------------------------------------------------- kubernetes

#[test]
fn kubernetes_multi_document_addresses_and_lines() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (p, rs) = ok("iac/kubernetes/kubeaudit-all-resources/cronjob.yml");
    assert_eq!(p.format, Format::Kubernetes);
    assert_eq!(
        addresses(&rs),
        ["Namespace/cronjob", "CronJob/cronjob/cronjob"]
    );
    assert_eq!(rs[0].namespace, None);
    assert_eq!(rs[1].namespace.as_deref(), Some("cronjob"));
    assert_eq!(rs[1].provider, "batch/v1beta1");
    assert_eq!(rs[1].resource_type, "CronJob");
    assert_eq!((line(&rs[0]), line(&rs[1])), (Some(1), Some(7)));
    assert_eq!(
        rs[1].location.as_ref().unwrap().path,
        "iac/kubernetes/kubeaudit-all-resources/cronjob.yml"
    );
    // per-container lines
    assert_eq!(
        rs[1].attributes.value()["__lines"],
        json!({"/spec/jobTemplate/spec/template/spec/containers/0": 23})
    );
    let spec = pod_spec(&rs[1]).unwrap();
    assert_eq!(spec["hostPID"], json!(true));
    assert_eq!(spec["containers"][0]["image"], json!("scratch"));
}

#[test]
fn kubernetes_pod_spec_for_every_workload_kind() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let cases = [
        ("cronjob.yml", "CronJob"),
        ("daemonset-v1.yml", "DaemonSet"),
        ("deployment-apps-v1.yml", "Deployment"),
        ("job.yml", "Job"),
        ("pod.yml", "Pod"),
        ("podtemplate.yml", "PodTemplate"),
        ("replicationcontroller.yml", "ReplicationController"),
        ("statefulset-v1.yml", "StatefulSet"),
    ];
    for (file, kind) in cases {
        let (_, rs) = ok(&format!("iac/kubernetes/kubeaudit-all-resources/{file}"));
        assert_eq!(rs.len(), 2, "{file}");
        assert_eq!(rs[0].resource_type, "Namespace");
        assert!(pod_spec(&rs[0]).is_none());
        assert_eq!(rs[1].resource_type, kind);
        let spec = pod_spec(&rs[1]).unwrap_or_else(|| panic!("{file}"));
        assert!(spec["containers"].is_array(), "{file}");
        let attributes = rs[1].attributes.value();
        let lines = attributes["__lines"].as_object().unwrap();
        assert_eq!(lines.len(), 1, "{file}");
    }
}

#[test]
fn kubernetes_argo_cd_install() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, rs) = ok("iac/kubernetes/argo-cd/install.yaml");
    assert_eq!(rs.len(), 59);
    assert_eq!(rs[0].resource_type, "CustomResourceDefinition");
    assert_eq!(
        rs[0].address,
        "CustomResourceDefinition/applications.argoproj.io"
    );
    assert_eq!(line(&rs[0]), Some(2));
    let deployments = rs
        .iter()
        .filter(|r| r.resource_type == "Deployment")
        .count();
    assert!(deployments >= 5);
    assert!(rs.iter().all(|r| line(r).is_some()));
    let (_, rs) = ok("iac/kubernetes/argo-cd/namespace-install.yaml");
    assert_eq!(rs.len(), 50);
}

#[test]
fn kubernetes_json_manifests_have_no_line() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (p, rs) = ok("peers/checkov-kubernetes/ImageTagFixed/storm-zookeeper-FAILED.json");
    assert_eq!(p.format, Format::Kubernetes);
    assert_eq!(addresses(&rs), ["Pod/zookeeper"]);
    assert_eq!(line(&rs[0]), None);
    assert!(pod_spec(&rs[0]).is_some());
}

#[test]
fn kubernetes_helm_outputs() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    // helm install --dry-run: a status header document, then manifests
    let (p, rs) = ok("iac/helm-rendered/helm-golden-install-dry-run-with-secret.yaml");
    assert_eq!(
        addresses(&rs),
        ["Secret/test-secret", "ConfigMap/test-configmap"]
    );
    assert_eq!(warning_codes(&p), ["not-a-kubernetes-object"]);
    // a render error trailer makes the stream invalid YAML: clear error with line:col
    let e = parse("iac/helm-rendered/edge-helm-template-invalid-yaml-debug.txt").unwrap_err();
    assert_eq!(e.code.as_str(), "invalid-yaml");
    assert_eq!(
        e.position,
        Some(Position::LineCol {
            line: 13,
            column: 1
        })
    );
    // ingress-nginx static manifests
    let (_, rs) = ok("iac/helm-rendered/ingress-nginx-cloud-deploy.yaml");
    assert_eq!(rs.len(), 19);
    assert_eq!(rs[0].address, "Namespace/ingress-nginx");
    let controller = rs.iter().find(|r| r.resource_type == "Deployment").unwrap();
    assert_eq!(
        controller.address,
        "Deployment/ingress-nginx/ingress-nginx-controller"
    );
}

#[test]
fn kubernetes_lists_empty_documents_and_odd_objects() {
    let text = "---\n# only a comment\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: a\n    namespace: ns\n  spec:\n    containers:\n    - name: c\n      image: x\n- apiVersion: v1\n  kind: Service\n  metadata:\n    generateName: svc-\n---\nfoo: bar\n---\napiVersion: v1\nkind: ConfigMap\n";
    let p = parse_bytes("list.yaml", text).unwrap();
    assert_eq!(p.format, Format::Kubernetes);
    let rs = &report(&p).resources;
    assert_eq!(addresses(rs), ["Pod/ns/a", "Service/svc-", "ConfigMap/#4"]);
    assert_eq!(line(&rs[0]), Some(7));
    assert_eq!(line(&rs[1]), Some(16));
    assert_eq!(
        rs[0].attributes.value()["__lines"],
        json!({"/spec/containers/0": 14})
    );
    assert_eq!(
        warning_codes(&p),
        ["not-a-kubernetes-object", "missing-name"]
    );
}

#[test]
fn kubernetes_yaml_features() {
    // anchors, aliases and merge keys; yes/no stay strings (YAML 1.2)
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  labels: &l {app: x}\nspec:\n  selector:\n    matchLabels: *l\n  template:\n    metadata:\n      labels:\n        <<: *l\n        tier: web\n    spec:\n      containers:\n      - name: c\n        image: nginx:1.25\n        env:\n        - {name: A, value: yes}\n";
    let p = parse_bytes("d.yaml", text).unwrap();
    let r = &report(&p).resources[0];
    assert_eq!(
        r.attributes.value()["spec"]["selector"]["matchLabels"],
        json!({"app": "x"})
    );
    assert_eq!(
        r.attributes.value()["spec"]["template"]["metadata"]["labels"],
        json!({"app": "x", "tier": "web"})
    );
    assert_eq!(
        pod_spec(r).unwrap()["containers"][0]["env"][0]["value"],
        json!("yes")
    );
}

#[test]
fn kubernetes_peer_resource_counts() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    // checkov counts per workload resource (those with a pod spec)
    let workloads = |dir: &str| -> usize {
        files(dir)
            .iter()
            .filter(|f| !f.ends_with(".md"))
            .filter_map(|f| parse(f).ok())
            .map(|p| {
                report(&p)
                    .resources
                    .iter()
                    .filter(|r| pod_spec(r).is_some())
                    .count()
            })
            .sum()
    };
    // CKV_K8S_16: passed 1, failed 2
    assert_eq!(
        workloads("peers/checkov-kubernetes/PrivilegedContainers"),
        3
    );
    // CKV_K8S_17/18/19: passed 3, failed 3
    assert_eq!(workloads("peers/checkov-kubernetes/ShareHost"), 6);
    // CKV_K8S_14: passed 4, failed 2 — kafka-ImageWithRepo is not valid YAML 1.2 here
    assert_eq!(workloads("peers/checkov-kubernetes/ImageTagFixed"), 5);
    // CKV_K8S_23: passed 5 + failed 7 (+1 UNKNOWN not counted); the
    // malformed-spec pod has no usable pod spec
    let (_, rs) = ok("peers/checkov-kubernetes/RootContainers/rootContainersFAILED.yaml");
    assert_eq!(rs.len(), 5);
    let (_, rs) = ok("peers/checkov-kubernetes/RootContainers/rootContainersPASSED.yaml");
    assert_eq!(
        addresses(&rs),
        ["Pod/pod1", "Pod/pod2", "Pod/pod3", "Pod/pod4", "Pod/pod5"]
    );
    let (_, rs) =
        ok("peers/checkov-kubernetes/AllowPrivilegeEscalation/oc-deploymentConfig-FAILED.yml");
    assert_eq!(rs[0].resource_type, "DeploymentConfig");
    assert!(pod_spec(&rs[0]).is_some());
    // conftest: Deployment + Service in one stream
    let (_, rs) = ok("peers/conftest-examples/kubernetes/deployment+service.yaml");
    let kinds: Vec<_> = rs.iter().map(|r| r.resource_type.as_str()).collect();
    assert_eq!(kinds, ["Deployment", "Service"]);
    let (_, rs) = ok("peers/conftest-examples/kubernetes/service.yaml");
    assert_eq!(rs[0].name, "hello-kubernetes");
    // kubesec multi-document file
    let (_, rs) = ok("peers/kubesec/multi.yml");
    assert_eq!(rs.len(), 5);
}

// ---------------------------------------------------------------- cloudformation

#[test]
fn cloudformation_yaml_short_tags_equal_json_long_forms() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (py, ry) = ok("iac/cloudformation/regula-cfn-intrinsics.yaml");
    let (pj, rj) = ok("iac/cloudformation/regula-cfn-intrinsics.json");
    assert_eq!(
        (py.format, pj.format),
        (Format::Cloudformation, Format::Cloudformation)
    );
    assert_eq!(ry.len(), 15);
    assert_eq!(rj.len(), 15);
    // same resources, same attributes; YAML in document order with lines
    let mut by_id: BTreeMap<&str, Value> = BTreeMap::new();
    for r in &rj {
        by_id.insert(&r.address, r.attributes.value());
    }
    for r in &ry {
        assert_eq!(
            Some(&r.attributes.value()),
            by_id.get(r.address.as_str()),
            "{}",
            r.address
        );
    }
    assert_eq!(ry[0].address, "FunctionRole");
    assert_eq!(line(&ry[0]), Some(17));
    assert_eq!(line(&ry[1]), Some(36));
    assert_eq!(
        ry[1].attributes.value()["Properties"]["Role"],
        json!({"Fn::GetAtt": ["FunctionRole", "Arn"]})
    );
    assert!(
        rj.iter()
            .all(|r| line(r).is_none() && r.provider == "cloudformation")
    );
}

#[test]
fn cloudformation_templates() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    // the whole template is indented by two spaces
    let (p, rs) = ok("iac/cloudformation/cfn-lint-quickstart-cis_benchmark.yaml");
    assert_eq!(p.format, Format::Cloudformation);
    assert_eq!(rs.len(), 79);
    let (_, rs) = ok("iac/cloudformation/cfn-lint-quickstart-vpc.json");
    assert_eq!(rs.len(), 77);
    let (_, rs) = ok("iac/cloudformation/cfn_nag-buckets_with_insecure_acl.json");
    assert!(rs.iter().all(|r| r.resource_type == "AWS::S3::Bucket"));
    assert_eq!(rs.len(), 2);
    // SAM
    let (_, rs) = ok("iac/cloudformation/conftest-awssam-lambda.yaml");
    assert_eq!(rs.len(), 4);
    assert!(
        rs.iter()
            .any(|r| r.resource_type == "AWS::Serverless::Function")
    );
    // cfn-lint snapshot templates
    for (file, n) in [
        ("nist_iam.yaml", 18),
        ("nist_config_rules.yaml", 12),
        ("nist_logging.yaml", 24),
        ("nist_vpc_management.yaml", 33),
        ("openshift_master.yaml", 2),
        ("lambda-poller.yaml", 5),
    ] {
        let (_, rs) = ok(&format!("peers/cfn-lint-snapshots/templates/{file}"));
        assert_eq!(rs.len(), n, "{file}");
        let lines: Vec<_> = rs.iter().map(|r| line(r).unwrap()).collect();
        assert!(lines.windows(2).all(|w| w[0] < w[1]), "{file}");
    }
}

#[test]
fn cloudformation_errors_and_metadata() {
    let text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Metadata:\n      checkov:\n        skip:\n          - id: CKV_AWS_18\n    Properties:\n      BucketName: !Sub '${AWS::StackName}-b'\n  Broken:\n    Properties: {}\n";
    let e = parse_bytes("t.yaml", text).unwrap_err();
    assert_eq!(e.code.as_str(), "invalid-template");
    assert_eq!(e.position, Some(Position::Line(11)));
    let ok_text = text.replace("  Broken:\n    Properties: {}\n", "");
    let p = parse_bytes("t.yaml", &ok_text).unwrap();
    let r = &report(&p).resources[0];
    assert_eq!(
        r.attributes.value()["Metadata"]["checkov"]["skip"][0]["id"],
        json!("CKV_AWS_18")
    );
    assert_eq!(
        r.attributes.value()["Properties"]["BucketName"],
        json!({"Fn::Sub": "${AWS::StackName}-b"})
    );
    assert_eq!(line(r), Some(3));
    let e = parse_bytes(
        "t.json",
        r#"{"AWSTemplateFormatVersion":"2010-09-09","Resources":{"A":{"Properties":{}}}}"#,
    )
    .unwrap_err();
    assert_eq!(e.position, Some(Position::Pointer("/Resources/A".into())));
    let e = parse_bytes(
        "t.yaml",
        "AWSTemplateFormatVersion: x\nResources:\n  A: !Ref [\n",
    )
    .unwrap_err();
    assert_eq!(e.code.as_str(), "invalid-yaml");
    assert!(matches!(e.position, Some(Position::LineCol { .. })));
}

// ---------------------------------------------------------------- dockerfile

#[test]
fn dockerfile_one_line_edge() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (p, rs) = ok("iac/dockerfile/edge-terragoat-minimal.Dockerfile");
    assert_eq!(p.format, Format::Dockerfile);
    assert_eq!(addresses(&rs), ["stage-0"]);
    assert_eq!(rs[0].resource_type, "dockerfile-stage");
    assert_eq!(rs[0].provider, "docker");
    assert_eq!(line(&rs[0]), Some(1));
    assert_eq!(
        rs[0].attributes.value()["from"],
        json!({"image": "python", "tag": "3.7-slim", "digest": null, "platform": null,
               "raw": "python:3.7-slim", "stage": null, "line": 1})
    );
    assert_eq!(rs[0].attributes.value()["instructions"], json!([]));
}

#[test]
fn dockerfile_argo_cd_stages() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, rs) = ok("iac/dockerfile/argo-cd.Dockerfile");
    assert_eq!(
        addresses(&rs),
        [
            "builder",
            "argocd-base",
            "argocd-ui",
            "argocd-build",
            "stage-4"
        ]
    );
    let lines: Vec<_> = rs.iter().map(|r| line(r).unwrap()).collect();
    assert_eq!(lines, [7, 38, 102, 122, 152]);
    // ARG before FROM: global args, used to resolve `FROM $BASE_IMAGE`
    let base = &rs[1].attributes.value()["from"];
    assert_eq!(base["raw"], json!("$BASE_IMAGE"));
    assert_eq!(base["image"], json!("docker.io/library/ubuntu"));
    assert_eq!(base["tag"], json!("26.04"));
    assert!(base["digest"].as_str().unwrap().starts_with("sha256:f3d2"));
    assert_eq!(rs[1].attributes.value()["global_args"][0]["line"], json!(1));
    assert_eq!(
        rs[2].attributes.value()["from"]["platform"],
        json!("$BUILDPLATFORM")
    );
    assert_eq!(
        rs[4].attributes.value()["from"]["stage"],
        json!("argocd-base")
    );
    // continuation lines: the first RUN of the builder spans 14..26
    let run = &rs[0].attributes.value()["instructions"][2];
    assert_eq!(run["instruction"], json!("RUN"));
    assert_eq!(
        (run["line"].clone(), run["end_line"].clone()),
        (json!(14), json!(26))
    );
    assert!(
        run["value"]
            .as_str()
            .unwrap()
            .contains("rm -rf /var/lib/apt/lists/*")
    );
}

#[test]
fn dockerfile_instructions_and_forms() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, rs) = ok("peers/conftest-examples/docker/Dockerfile");
    let attributes = rs[0].attributes.value();
    let ins = attributes["instructions"].as_array().unwrap();
    let kinds: Vec<_> = ins
        .iter()
        .map(|i| i["instruction"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["VOLUME", "ARG", "COPY", "COPY", "COPY", "RUN", "ENTRYPOINT"]
    );
    assert_eq!(rs[0].attributes.value()["from"]["image"], json!("openjdk"));
    assert_eq!(
        rs[0].attributes.value()["from"]["tag"],
        json!("8-jdk-alpine")
    );
    assert_eq!(
        ins[5]["value"],
        json!("apk add --no-cache python3 python3-dev build-base && pip3 install awscli==1.18.1")
    );
    assert_eq!(ins[6]["json"], json!(true));
    assert_eq!(
        ins[6]["args"],
        json!(["java", "-cp", "app:app/lib/*", "hello.Application"])
    );

    let (_, rs) = ok("peers/checkov-dockerfile/ExposePort22/failure_tcp/Dockerfile");
    assert_eq!(
        rs[0].attributes.value()["instructions"][0]["args"],
        json!(["22/tcp"])
    );

    // multi-stage: `FROM base` refers to a stage, not an untagged image
    let (_, rs) =
        ok("peers/checkov-dockerfile/ReferenceLatestTag/success_multi_stage_capital/Dockerfile");
    assert_eq!(addresses(&rs), ["base", "build", "stage-2"]);
    assert_eq!(rs[1].attributes.value()["from"]["stage"], json!("base"));
    assert_eq!(rs[2].attributes.value()["from"]["stage"], json!("base"));
    let (_, rs) =
        ok("peers/checkov-dockerfile/ReferenceLatestTag/failure_default_version_tag/Dockerfile");
    assert_eq!(rs[0].attributes.value()["from"]["tag"], Value::Null);
    assert_eq!(rs[0].attributes.value()["from"]["stage"], Value::Null);
    let (_, rs) = ok("peers/checkov-dockerfile/ReferenceLatestTag/success_multi_stage/Dockerfile");
    assert_eq!(addresses(&rs), ["base", "stage-1"]);
}

#[test]
fn dockerfile_stray_line_is_a_warning() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    // checkov parses this file (its last line is a stray `~` from vim)
    let (p, rs) = ok("peers/checkov-dockerfile/UpdateNotAlone/failure/Dockerfile");
    assert_eq!(p.format, Format::Dockerfile);
    assert_eq!(warning_codes(&p), ["unknown-instruction"]);
    let attributes = rs[0].attributes.value();
    let ins = attributes["instructions"].as_array().unwrap();
    // RUN apt install ... \ && apt update ... spans lines 3-4
    assert_eq!(ins[0]["line"], json!(3));
    assert_eq!(ins[0]["end_line"], json!(4));
    let runs = ins
        .iter()
        .filter(|i| i["instruction"] == json!("RUN"))
        .count();
    assert_eq!(runs, 3);
}

#[test]
fn dockerfile_directives_heredocs_and_errors() {
    let text = "# syntax=docker/dockerfile:1.4\n# escape=`\nARG V=3.19\nfrom --platform=linux/amd64 alpine:${V} as build\nRUN <<EOF\napk add curl\nEOF\nRUN echo a `\n  && echo b\nCOPY --from=build [\"/a\", \"/b\"]\n";
    let p = parse_bytes("Dockerfile", text).unwrap();
    assert_eq!(p.format, Format::Dockerfile);
    let r = &report(&p).resources[0];
    assert_eq!(r.address, "build");
    assert_eq!(r.attributes.value()["from"]["tag"], json!("3.19"));
    assert_eq!(
        r.attributes.value()["from"]["platform"],
        json!("linux/amd64")
    );
    let attributes = r.attributes.value();
    let ins = attributes["instructions"].as_array().unwrap();
    assert_eq!(
        ins[0]["heredocs"],
        json!([{"name": "EOF", "content": "apk add curl\n"}])
    );
    assert_eq!(
        (ins[0]["line"].clone(), ins[0]["end_line"].clone()),
        (json!(5), json!(7))
    );
    assert_eq!(ins[1]["value"], json!("echo a   && echo b"));
    assert_eq!(ins[2]["flags"], json!({"from": "build"}));
    assert_eq!(ins[2]["args"], json!(["/a", "/b"]));
    assert_eq!(r.location.as_ref().unwrap().end_line, Some(10));

    let forced = |t: &str| {
        gate_artifacts::parse(
            "Dockerfile",
            t.as_bytes(),
            Some(Format::Dockerfile),
            &ParseOptions::default(),
        )
    };
    let e = forced("RUN echo\n").unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.position),
        ("invalid-dockerfile", Some(Position::Line(1)))
    );
    let e = forced("ARG A=1\n").unwrap_err();
    assert_eq!(e.code.as_str(), "invalid-dockerfile");
    let e = forced("FROM a\nRUN <<EOF\necho\n").unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.position),
        ("invalid-dockerfile", Some(Position::Line(2)))
    );
}

/// Truncated and byte-flipped versions of real IaC files never panic: they
/// parse or fail with an error that has a code.
#[test]
fn mangled_inputs_never_panic() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let samples = [
        (
            "iac/kubernetes/kubernetes-goat/hunger-check-deployment.yaml",
            Format::Kubernetes,
        ),
        (
            "iac/helm-rendered/helm-golden-template-with-crds.yaml",
            Format::Kubernetes,
        ),
        (
            "iac/cloudformation/regula-cfn-intrinsics.yaml",
            Format::Cloudformation,
        ),
        (
            "peers/cfn-lint-snapshots/templates/nist_iam.yaml",
            Format::Cloudformation,
        ),
        ("iac/dockerfile/argo-cd.Dockerfile", Format::Dockerfile),
        (
            "iac/dockerfile/defectdojo-django-debian.Dockerfile",
            Format::Dockerfile,
        ),
        (
            "iac/terraform-plan/checkov/after_unknown.json",
            Format::TerraformPlan,
        ),
    ];
    let options = ParseOptions::default();
    let mut outcomes = (0, 0);
    for (rel, format) in samples {
        let bytes = std::fs::read(corpus.join(rel)).unwrap();
        let step = (bytes.len() / 40).max(1);
        for cut in (1..bytes.len()).step_by(step) {
            let mut variants = vec![bytes[..cut].to_vec()];
            for junk in [
                b'"', b'\'', b'[', b'{', b'&', b'*', b'!', b'\\', b'\t', b'-', b':',
            ] {
                let mut v = bytes.clone();
                v[cut] = junk;
                variants.push(v);
            }
            for v in variants {
                for forced in [None, Some(format)] {
                    match gate_artifacts::parse(rel, &v, forced, &options) {
                        Ok(_) => outcomes.0 += 1,
                        Err(e) => {
                            assert!(!e.message.is_empty(), "{e}");
                            outcomes.1 += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(outcomes.0 > 0 && outcomes.1 > 0, "{outcomes:?}");
}
