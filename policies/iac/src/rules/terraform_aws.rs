//! AWS rules over Terraform plans. The same rules (same ids) are implemented
//! for CloudFormation in `cloudformation.rs`.
#![allow(clippy::collapsible_match)]

use super::{
    IamFindings, Out, Rule, absent, covers, first, flag, iam_document, int, is_unknown, items,
    partly_unknown, show, strings, unknown, world_cidr,
};
use crate::attrs::Fields;
use serde_json::Value;
use std::collections::BTreeSet;

rule!(
    S3_PUBLIC_ACCESS_BLOCK,
    "iac/aws-s3-public-access-block",
    ["CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"],
    High,
    "terraform+cloudformation",
    "S3 public access block must set block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets",
    "set all four public access block flags to true"
);
rule!(
    S3_NO_PUBLIC_ACCESS_BLOCK,
    "iac/aws-s3-bucket-public-access-block-missing",
    ["CKV2_AWS_6"],
    Medium,
    "terraform",
    "an S3 bucket must have an aws_s3_bucket_public_access_block",
    "add an aws_s3_bucket_public_access_block for the bucket with all four flags true"
);
rule!(
    S3_PUBLIC_ACL,
    "iac/aws-s3-public-acl",
    ["CKV_AWS_20", "CKV_AWS_57"],
    Critical,
    "terraform+cloudformation",
    "S3 buckets must not grant public READ/WRITE through a canned ACL",
    "use the private ACL (or disable ACLs with object ownership BucketOwnerEnforced)"
);
rule!(
    S3_ENCRYPTION,
    "iac/aws-s3-encryption",
    ["CKV_AWS_19"],
    Medium,
    "terraform+cloudformation",
    "S3 buckets must configure server-side encryption",
    "add a server_side_encryption_configuration (SSE-KMS preferred)"
);
rule!(
    S3_VERSIONING,
    "iac/aws-s3-versioning",
    ["CKV_AWS_21"],
    Medium,
    "terraform+cloudformation",
    "S3 buckets must have versioning enabled",
    "enable versioning (versioning { enabled = true } or aws_s3_bucket_versioning with status Enabled)"
);
rule!(
    S3_LOGGING,
    "iac/aws-s3-access-logging",
    ["CKV_AWS_18"],
    Low,
    "terraform+cloudformation",
    "S3 buckets must have server access logging enabled",
    "configure access logging to a dedicated log bucket"
);
rule!(
    SG_SSH,
    "iac/aws-sg-open-ssh",
    ["CKV_AWS_24"],
    High,
    "terraform+cloudformation",
    "security groups must not allow ingress from 0.0.0.0/0 or ::/0 to port 22",
    "restrict the SSH ingress rule to known CIDRs or use SSM Session Manager"
);
rule!(
    SG_RDP,
    "iac/aws-sg-open-rdp",
    ["CKV_AWS_25"],
    High,
    "terraform+cloudformation",
    "security groups must not allow ingress from 0.0.0.0/0 or ::/0 to port 3389",
    "restrict the RDP ingress rule to known CIDRs"
);
rule!(
    SG_ALL,
    "iac/aws-sg-open-all-ports",
    ["CKV_AWS_277"],
    Critical,
    "terraform+cloudformation",
    "security groups must not allow ingress from 0.0.0.0/0 or ::/0 on all ports/protocols",
    "allow only the ports the service needs, from known CIDRs"
);
rule!(
    RDS_PUBLIC,
    "iac/aws-rds-public",
    ["CKV_AWS_17"],
    Critical,
    "terraform+cloudformation",
    "RDS instances must not be publicly accessible",
    "set publicly_accessible = false and reach the database through private networking"
);
rule!(
    RDS_ENCRYPTION,
    "iac/aws-rds-encryption",
    ["CKV_AWS_16"],
    High,
    "terraform+cloudformation",
    "RDS storage must be encrypted",
    "set storage_encrypted = true (StorageEncrypted: true)"
);
rule!(
    RDS_BACKUP,
    "iac/aws-rds-backup-retention",
    ["CKV_AWS_133"],
    Medium,
    "terraform+cloudformation",
    "RDS automated backups must be retained (backup_retention_period > 0)",
    "set backup_retention_period to at least 7 days"
);
rule!(
    RDS_DELETION,
    "iac/aws-rds-deletion-protection",
    ["CKV_AWS_293", "CKV_AWS_139"],
    Low,
    "terraform+cloudformation",
    "RDS instances and clusters must have deletion protection",
    "set deletion_protection = true"
);
rule!(
    EBS_ENCRYPTION,
    "iac/aws-ebs-encryption",
    ["CKV_AWS_3"],
    Medium,
    "terraform+cloudformation",
    "EBS volumes must be encrypted",
    "set encrypted = true (or enable EBS encryption by default for the account)"
);
rule!(
    INSTANCE_EBS,
    "iac/aws-instance-ebs-encryption",
    ["CKV_AWS_8"],
    Medium,
    "terraform",
    "EC2 instance and launch configuration block devices must be encrypted",
    "set encrypted = true on root_block_device and every ebs_block_device"
);
rule!(
    EFS_ENCRYPTION,
    "iac/aws-efs-encryption",
    ["CKV_AWS_42"],
    Medium,
    "terraform+cloudformation",
    "EFS file systems must be encrypted at rest",
    "set encrypted = true"
);
rule!(
    IAM_ADMIN,
    "iac/aws-iam-admin-policy",
    ["CKV_AWS_62", "CKV_AWS_1"],
    Critical,
    "terraform+cloudformation",
    "IAM policies must not allow Action \"*\" on Resource \"*\" (full admin)",
    "grant only the actions and resources the principal needs"
);
rule!(
    IAM_ADMIN_ACCESS,
    "iac/aws-iam-administrator-access",
    ["CKV_AWS_274"],
    Critical,
    "terraform+cloudformation",
    "IAM roles, users and groups must not use the AWS managed AdministratorAccess policy",
    "attach a least-privilege policy instead of AdministratorAccess"
);
rule!(
    IAM_STAR_ACTION,
    "iac/aws-iam-wildcard-action",
    ["CKV_AWS_63"],
    High,
    "terraform+cloudformation",
    "IAM policies must not allow Action \"*\"",
    "list the actions explicitly"
);
rule!(
    IAM_PASSROLE,
    "iac/aws-iam-passrole-wildcard",
    ["CKV_AWS_286"],
    High,
    "terraform+cloudformation",
    "IAM policies must not allow iam:PassRole on Resource \"*\" (privilege escalation)",
    "restrict iam:PassRole to the role ARNs that need passing, with an iam:PassedToService condition"
);
rule!(
    CLOUDTRAIL_LOGGING,
    "iac/aws-cloudtrail-logging",
    [],
    High,
    "terraform+cloudformation",
    "CloudTrail trails must be logging",
    "set enable_logging = true (IsLogging: true)"
);
rule!(
    CLOUDTRAIL_MULTI_REGION,
    "iac/aws-cloudtrail-multi-region",
    ["CKV_AWS_67"],
    Medium,
    "terraform+cloudformation",
    "CloudTrail must be enabled in all regions",
    "set is_multi_region_trail = true"
);
rule!(
    CLOUDTRAIL_VALIDATION,
    "iac/aws-cloudtrail-log-validation",
    ["CKV_AWS_36"],
    Medium,
    "terraform+cloudformation",
    "CloudTrail log file validation must be enabled",
    "set enable_log_file_validation = true"
);
rule!(
    CLOUDTRAIL_KMS,
    "iac/aws-cloudtrail-kms",
    ["CKV_AWS_35"],
    Low,
    "terraform+cloudformation",
    "CloudTrail logs must be encrypted with a KMS key",
    "set kms_key_id to a customer managed key"
);
rule!(
    KMS_ROTATION,
    "iac/aws-kms-rotation",
    ["CKV_AWS_7"],
    Medium,
    "terraform+cloudformation",
    "symmetric KMS keys must have rotation enabled",
    "set enable_key_rotation = true"
);
rule!(
    ECR_SCAN,
    "iac/aws-ecr-scan-on-push",
    ["CKV_AWS_163"],
    Medium,
    "terraform+cloudformation",
    "ECR repositories must scan images on push",
    "set image_scanning_configuration { scan_on_push = true }"
);
rule!(
    ECR_IMMUTABLE,
    "iac/aws-ecr-immutable-tags",
    ["CKV_AWS_51"],
    Low,
    "terraform+cloudformation",
    "ECR repositories must have immutable tags",
    "set image_tag_mutability = \"IMMUTABLE\""
);
rule!(
    CLOUDFRONT_HTTPS,
    "iac/aws-cloudfront-https",
    ["CKV_AWS_34"],
    Medium,
    "terraform+cloudformation",
    "CloudFront viewers must use HTTPS",
    "set viewer_protocol_policy to redirect-to-https or https-only in every cache behavior"
);
rule!(
    EKS_LOGGING,
    "iac/aws-eks-control-plane-logging",
    ["CKV_AWS_37"],
    Low,
    "terraform",
    "EKS control plane logging must be enabled for all log types",
    "set enabled_cluster_log_types = [\"api\", \"audit\", \"authenticator\", \"controllerManager\", \"scheduler\"]"
);
rule!(
    EKS_PUBLIC_CIDR,
    "iac/aws-eks-public-endpoint-cidr",
    ["CKV_AWS_38"],
    High,
    "terraform",
    "a public EKS endpoint must not be reachable from 0.0.0.0/0",
    "restrict vpc_config.public_access_cidrs or disable the public endpoint"
);
rule!(
    EKS_PUBLIC,
    "iac/aws-eks-public-endpoint",
    ["CKV_AWS_39"],
    Medium,
    "terraform",
    "the EKS API endpoint should not be public",
    "set vpc_config.endpoint_public_access = false (and endpoint_private_access = true)"
);
rule!(
    EKS_SECRETS,
    "iac/aws-eks-secrets-encryption",
    ["CKV_AWS_58"],
    Medium,
    "terraform",
    "EKS must encrypt Kubernetes secrets with KMS",
    "add encryption_config { resources = [\"secrets\"] provider { key_arn = ... } }"
);
rule!(
    EC2_IMDSV2,
    "iac/aws-ec2-imdsv2",
    ["CKV_AWS_79"],
    Medium,
    "terraform",
    "EC2 instances must require IMDSv2 session tokens",
    "set metadata_options { http_tokens = \"required\" }"
);
rule!(
    REQUIRED_TAGS,
    "iac/required-tags",
    [],
    Low,
    "terraform+cloudformation",
    "taggable resources must carry the tags listed in the `required-tags` param",
    "add the missing tags (or provider default_tags)"
);

pub static RULES: &[&Rule] = &[
    &S3_PUBLIC_ACCESS_BLOCK,
    &S3_NO_PUBLIC_ACCESS_BLOCK,
    &S3_PUBLIC_ACL,
    &S3_ENCRYPTION,
    &S3_VERSIONING,
    &S3_LOGGING,
    &SG_SSH,
    &SG_RDP,
    &SG_ALL,
    &RDS_PUBLIC,
    &RDS_ENCRYPTION,
    &RDS_BACKUP,
    &RDS_DELETION,
    &EBS_ENCRYPTION,
    &INSTANCE_EBS,
    &EFS_ENCRYPTION,
    &IAM_ADMIN,
    &IAM_ADMIN_ACCESS,
    &IAM_STAR_ACTION,
    &IAM_PASSROLE,
    &CLOUDTRAIL_LOGGING,
    &CLOUDTRAIL_MULTI_REGION,
    &CLOUDTRAIL_VALIDATION,
    &CLOUDTRAIL_KMS,
    &KMS_ROTATION,
    &ECR_SCAN,
    &ECR_IMMUTABLE,
    &CLOUDFRONT_HTTPS,
    &EKS_LOGGING,
    &EKS_PUBLIC_CIDR,
    &EKS_PUBLIC,
    &EKS_SECRETS,
    &EC2_IMDSV2,
    &REQUIRED_TAGS,
];

/// S3 companion resources (AWS provider v4+ splits a bucket's settings into
/// separate resources) found anywhere in the same plan.
#[derive(Debug, Default)]
pub struct PlanIndex {
    /// (companion kind, key): key is the bucket name when known, else the
    /// address with the resource type removed (`module.x.NAME[idx]`), which
    /// pairs `aws_s3_bucket.logs` with `aws_s3_bucket_versioning.logs`.
    companions: BTreeSet<(&'static str, String)>,
}

/// The rules that read a [`PlanIndex`]: without one of them active, the
/// engine does not build it (a pass over every resource of the plan).
pub static INDEXED: [&Rule; 4] = [
    &S3_VERSIONING,
    &S3_ENCRYPTION,
    &S3_LOGGING,
    &S3_NO_PUBLIC_ACCESS_BLOCK,
];

const COMPANIONS: &[(&str, &str)] = &[
    ("aws_s3_bucket_public_access_block", "pab"),
    ("aws_s3_bucket_server_side_encryption_configuration", "sse"),
    ("aws_s3_bucket_versioning", "versioning"),
    ("aws_s3_bucket_logging", "logging"),
];

/// The address of a resource without its type: `module.a.aws_x.b[0]` -> `module.a.b[0]`.
fn local_key(address: &str, rtype: &str) -> String {
    let needle = format!("{rtype}.");
    match address.find(&needle) {
        Some(i) if i == 0 || address.get(i - 1..i) == Some(".") => {
            format!(
                "{}{}",
                address.get(..i).unwrap_or(""),
                address.get(i + needle.len()..).unwrap_or("")
            )
        }
        _ => address.to_string(),
    }
}

impl PlanIndex {
    /// Records a resource if it is an S3 companion.
    pub fn add(&mut self, address: &str, rtype: &str, attrs: &impl Fields) {
        let Some(&(_, kind)) = COMPANIONS.iter().find(|(t, _)| *t == rtype) else {
            return;
        };
        if kind == "versioning" {
            let status = first(attrs.get("versioning_configuration"))
                .and_then(|c| c.get("status"))
                .and_then(Value::as_str);
            if status.is_some_and(|s| s != "Enabled" && s != super::UNKNOWN) {
                return;
            }
        }
        if let Some(b) = attrs.get("bucket").and_then(Value::as_str)
            && b != super::UNKNOWN
        {
            self.companions.insert((kind, format!("bucket:{b}")));
        }
        self.companions
            .insert((kind, format!("addr:{}", local_key(address, rtype))));
    }

    fn has(&self, kind: &'static str, address: &str, attrs: &impl Fields) -> bool {
        let by_name = attrs
            .get("bucket")
            .and_then(Value::as_str)
            .filter(|b| *b != super::UNKNOWN)
            .is_some_and(|b| self.companions.contains(&(kind, format!("bucket:{b}"))));
        by_name
            || self.companions.contains(&(
                kind,
                format!("addr:{}", local_key(address, "aws_s3_bucket")),
            ))
    }
}

/// Runs the AWS rules on one Terraform resource.
pub fn check(address: &str, rtype: &str, a: &impl Fields, idx: &PlanIndex, out: &mut Out) {
    match rtype {
        "aws_s3_bucket" => s3_bucket(address, a, idx, out),
        "aws_s3_bucket_public_access_block" => s3_pab(address, a, out),
        "aws_s3_bucket_acl" => s3_acl(address, a.get("acl"), out),
        "aws_security_group" => {
            for rule in items(a.get("ingress")) {
                sg_rule(address, "ingress", rule, out);
            }
        }
        "aws_security_group_rule" => {
            if a.get("type").and_then(Value::as_str) == Some("ingress") {
                sg_rule(address, "rule", a, out);
            }
        }
        "aws_vpc_security_group_ingress_rule" => {
            let cidrs: Vec<Value> = ["cidr_ipv4", "cidr_ipv6"]
                .iter()
                .filter_map(|k| a.get(k).cloned())
                .collect();
            let rule = serde_json::json!({
                "cidr_blocks": cidrs,
                "from_port": a.get("from_port"),
                "to_port": a.get("to_port"),
                "protocol": a.get("ip_protocol"),
            });
            sg_rule(address, "rule", &rule, out);
        }
        "aws_db_instance" | "aws_rds_cluster" => rds(address, rtype, a, out),
        "aws_ebs_volume" => {
            if flag(a.get("encrypted")) != Some(true) && !unknown(a.get("encrypted")) {
                out.hit(
                    &EBS_ENCRYPTION,
                    format!(
                        "{address}: EBS volume is not encrypted (encrypted = {})",
                        show(a.get("encrypted"))
                    ),
                );
            }
        }
        "aws_instance" | "aws_launch_configuration" => {
            instance(address, a, out);
        }
        "aws_efs_file_system" => {
            if flag(a.get("encrypted")) != Some(true) && !unknown(a.get("encrypted")) {
                out.hit(
                    &EFS_ENCRYPTION,
                    format!(
                        "{address}: EFS file system is not encrypted (encrypted = {})",
                        show(a.get("encrypted"))
                    ),
                );
            }
        }
        "aws_iam_policy"
        | "aws_iam_role_policy"
        | "aws_iam_user_policy"
        | "aws_iam_group_policy" => {
            if let Some(p) = a.get("policy") {
                iam(address, "policy", &iam_document(p), out);
            }
        }
        "aws_iam_role" | "aws_iam_user" | "aws_iam_group" => {
            admin_access(
                address,
                "managed_policy_arns",
                strings(a.get("managed_policy_arns")),
                out,
            );
            for (i, p) in items(a.get("inline_policy")).iter().enumerate() {
                if let Some(doc) = p.get("policy") {
                    iam(
                        address,
                        &format!("inline_policy[{i}]"),
                        &iam_document(doc),
                        out,
                    );
                }
            }
        }
        "aws_iam_role_policy_attachment"
        | "aws_iam_user_policy_attachment"
        | "aws_iam_group_policy_attachment"
        | "aws_iam_policy_attachment" => {
            admin_access(address, "policy_arn", strings(a.get("policy_arn")), out);
        }
        "aws_cloudtrail" => cloudtrail(address, a, out),
        "aws_kms_key" => {
            let spec = a.get("customer_master_key_spec").and_then(Value::as_str);
            let symmetric = spec.is_none_or(|s| s == "SYMMETRIC_DEFAULT");
            if symmetric
                && flag(a.get("enable_key_rotation")) != Some(true)
                && !unknown(a.get("enable_key_rotation"))
            {
                out.hit(
                    &KMS_ROTATION,
                    format!(
                        "{address}: KMS key rotation is off (enable_key_rotation = {})",
                        show(a.get("enable_key_rotation"))
                    ),
                );
            }
        }
        "aws_ecr_repository" => {
            let scan =
                first(a.get("image_scanning_configuration")).and_then(|c| c.get("scan_on_push"));
            if !unknown(a.get("image_scanning_configuration"))
                && !unknown(scan)
                && flag(scan) != Some(true)
            {
                out.hit(
                    &ECR_SCAN,
                    format!(
                        "{address}: images are not scanned on push (image_scanning_configuration.scan_on_push = {})",
                        show(scan)
                    ),
                );
            }
            let m = a.get("image_tag_mutability");
            if !unknown(m) && m.and_then(Value::as_str) != Some("IMMUTABLE") {
                out.hit(
                    &ECR_IMMUTABLE,
                    format!(
                        "{address}: image tags are mutable (image_tag_mutability = {})",
                        show(m)
                    ),
                );
            }
        }
        "aws_cloudfront_distribution" => {
            let mut behaviors: Vec<(&str, &Value)> = items(a.get("default_cache_behavior"))
                .iter()
                .map(|b| ("default_cache_behavior", b))
                .collect();
            behaviors.extend(
                items(a.get("ordered_cache_behavior"))
                    .iter()
                    .map(|b| ("ordered_cache_behavior", b)),
            );
            for (what, b) in behaviors {
                let p = b.get("viewer_protocol_policy");
                if p.and_then(Value::as_str) == Some("allow-all") {
                    out.hit(
                        &CLOUDFRONT_HTTPS,
                        format!("{address}: {what}.viewer_protocol_policy = \"allow-all\" lets viewers use plain HTTP"),
                    );
                    break;
                }
            }
        }
        "aws_eks_cluster" => eks(address, a, out),
        _ => {}
    }
    if rtype == "aws_instance" {
        let opts = a.get("metadata_options");
        if !unknown(opts) {
            let tokens = first(opts).and_then(|o| o.get("http_tokens"));
            let ok = tokens.and_then(Value::as_str) == Some("required") || unknown(tokens);
            if !ok {
                out.hit(
                    &EC2_IMDSV2,
                    format!(
                        "{address}: IMDSv1 is allowed (metadata_options.http_tokens = {})",
                        show(tokens)
                    ),
                );
            }
        }
    }
}

fn s3_bucket(address: &str, a: &impl Fields, idx: &PlanIndex, out: &mut Out) {
    s3_acl(address, a.get("acl"), out);
    // Versioning: the inline block (provider < v4) or a companion resource.
    // A computed (unconfigured) `versioning` is judged, following checkov
    // (docs/iac-rules.md); an `enabled` unknown inside a configured block is not.
    let inline = items(a.get("versioning"))
        .iter()
        .any(|v| flag(v.get("enabled")) == Some(true) || unknown(v.get("enabled")));
    if !inline && !idx.has("versioning", address, a) {
        out.hit_ev(
            &S3_VERSIONING,
            format!("{address}: versioning is not enabled"),
            format!(
                "versioning = {}; no aws_s3_bucket_versioning for this bucket",
                show(a.get("versioning"))
            ),
        );
    }
    let sse = a.get("server_side_encryption_configuration");
    let inline = !items(sse).is_empty();
    if !inline && !unknown(sse) && !idx.has("sse", address, a) {
        out.hit_ev(
            &S3_ENCRYPTION,
            format!("{address}: no server-side encryption configuration"),
            format!(
                "server_side_encryption_configuration = {}; no aws_s3_bucket_server_side_encryption_configuration for this bucket",
                show(sse)
            ),
        );
    }
    let logging = a.get("logging");
    if items(logging).is_empty() && !unknown(logging) && !idx.has("logging", address, a) {
        out.hit_ev(
            &S3_LOGGING,
            format!("{address}: access logging is not enabled"),
            format!(
                "logging = {}; no aws_s3_bucket_logging for this bucket",
                show(logging)
            ),
        );
    }
    if !idx.has("pab", address, a) {
        out.hit(
            &S3_NO_PUBLIC_ACCESS_BLOCK,
            format!("{address}: no aws_s3_bucket_public_access_block for this bucket in the plan"),
        );
    }
}

fn s3_acl(address: &str, acl: Option<&Value>, out: &mut Out) {
    if let Some(acl @ ("public-read" | "public-read-write" | "authenticated-read")) =
        acl.and_then(Value::as_str)
    {
        out.hit(
            &S3_PUBLIC_ACL,
            format!(
                "{address}: acl = \"{acl}\" makes the bucket readable{} by others",
                if acl == "public-read-write" {
                    " and writable"
                } else {
                    ""
                }
            ),
        );
    }
}

fn s3_pab(address: &str, a: &impl Fields, out: &mut Out) {
    let off: Vec<&str> = [
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    ]
    .into_iter()
    .filter(|k| flag(a.get(k)) != Some(true) && !unknown(a.get(k)))
    .collect();
    if !off.is_empty() {
        out.hit(
            &S3_PUBLIC_ACCESS_BLOCK,
            format!(
                "{address}: public access block leaves {} off",
                off.join(", ")
            ),
        );
    }
}

/// Judges one ingress rule (`cidr_blocks`, `ipv6_cidr_blocks`, `from_port`,
/// `to_port`, `protocol`).
fn sg_rule(address: &str, what: &str, r: &impl Fields, out: &mut Out) {
    let mut cidrs = strings(r.get("cidr_blocks"));
    cidrs.extend(strings(r.get("ipv6_cidr_blocks")));
    let Some(world) = cidrs.into_iter().find(|c| world_cidr(c)) else {
        return;
    };
    if unknown(r.get("protocol")) {
        return;
    }
    let proto = r
        .get("protocol")
        .map(|p| match p {
            Value::String(s) => s.to_ascii_lowercase(),
            other => other.to_string(),
        })
        .unwrap_or_default();
    let (from, to) = (int(r.get("from_port")), int(r.get("to_port")));
    let all_proto = proto == "-1" || proto == "all";
    // An unknown port is not "all ports" (a missing one is); with every
    // protocol allowed the ports do not matter.
    if !all_proto && (unknown(r.get("from_port")) || unknown(r.get("to_port"))) {
        return;
    }
    let all_ports = all_proto || (from.unwrap_or(0) <= 0 && to.unwrap_or(65535) >= 65535);
    let range = match (from, to) {
        (Some(f), Some(t)) if f == t => format!("port {f}"),
        (Some(f), Some(t)) => format!("ports {f}-{t}"),
        _ => "all ports".to_string(),
    };
    if all_ports {
        out.hit(
            &SG_ALL,
            format!("{address}: {what} allows {world} on all ports (protocol {proto}, {range})"),
        );
        return;
    }
    if !(proto == "tcp" || proto == "6") {
        return;
    }
    if covers(from, to, 22) {
        out.hit(
            &SG_SSH,
            format!("{address}: {what} allows SSH from {world} ({range})"),
        );
    }
    if covers(from, to, 3389) {
        out.hit(
            &SG_RDP,
            format!("{address}: {what} allows RDP from {world} ({range})"),
        );
    }
}

fn rds(address: &str, rtype: &str, a: &impl Fields, out: &mut Out) {
    if flag(a.get("publicly_accessible")) == Some(true) {
        out.hit(
            &RDS_PUBLIC,
            format!("{address}: publicly_accessible = true"),
        );
    }
    let engine = a.get("engine").and_then(Value::as_str).unwrap_or("");
    // Aurora instances inherit encryption from their cluster; an unknown
    // engine or cluster may make it a member, so those rules do not judge it.
    let cluster_member = rtype == "aws_db_instance"
        && (engine.starts_with("aurora")
            || unknown(a.get("engine"))
            || !absent(a.get("cluster_identifier")));
    if !cluster_member
        && flag(a.get("storage_encrypted")) != Some(true)
        && !unknown(a.get("storage_encrypted"))
        && (rtype != "aws_db_instance" || absent(a.get("replicate_source_db")))
    {
        out.hit(
            &RDS_ENCRYPTION,
            format!(
                "{address}: storage is not encrypted (storage_encrypted = {})",
                show(a.get("storage_encrypted"))
            ),
        );
    }
    if !cluster_member && int(a.get("backup_retention_period")) == Some(0) {
        out.hit(
            &RDS_BACKUP,
            format!("{address}: backup_retention_period = 0 disables automated backups"),
        );
    }
    if flag(a.get("deletion_protection")) != Some(true) && !unknown(a.get("deletion_protection")) {
        out.hit(
            &RDS_DELETION,
            format!(
                "{address}: deletion protection is off (deletion_protection = {})",
                show(a.get("deletion_protection"))
            ),
        );
    }
}

fn instance(address: &str, a: &impl Fields, out: &mut Out) {
    let mut bad = Vec::new();
    for key in ["root_block_device", "ebs_block_device"] {
        for (i, d) in items(a.get(key)).iter().enumerate() {
            let e = d.get("encrypted");
            if flag(e) == Some(false) || (absent(e) && absent(d.get("snapshot_id"))) {
                bad.push(format!("{key}[{i}].encrypted = {}", show(e)));
            }
        }
    }
    if !bad.is_empty() {
        out.hit(
            &INSTANCE_EBS,
            format!("{address}: unencrypted block device ({})", bad.join(", ")),
        );
    }
}

/// The AWS managed AdministratorAccess policy.
pub fn admin_access(address: &str, what: &str, arns: Vec<&str>, out: &mut Out) {
    if arns
        .iter()
        .any(|a| a.ends_with(":policy/AdministratorAccess"))
    {
        out.hit(
            &IAM_ADMIN_ACCESS,
            format!("{address}: {what} attaches arn:aws:iam::aws:policy/AdministratorAccess"),
        );
    }
}

fn iam(address: &str, what: &str, f: &IamFindings, out: &mut Out) {
    if f.admin {
        out.hit(
            &IAM_ADMIN,
            format!("{address}: {what} allows Action \"*\" on Resource \"*\" (full administrator)"),
        );
    } else if f.star_action {
        out.hit(
            &IAM_STAR_ACTION,
            format!("{address}: {what} allows Action \"*\""),
        );
    }
    if f.pass_role && !f.admin {
        out.hit(
            &IAM_PASSROLE,
            format!("{address}: {what} allows iam:PassRole on Resource \"*\""),
        );
    }
}

fn cloudtrail(address: &str, a: &impl Fields, out: &mut Out) {
    if flag(a.get("enable_logging")) == Some(false) {
        out.hit(
            &CLOUDTRAIL_LOGGING,
            format!("{address}: enable_logging = false"),
        );
    }
    if flag(a.get("is_multi_region_trail")) != Some(true)
        && !unknown(a.get("is_multi_region_trail"))
    {
        out.hit(
            &CLOUDTRAIL_MULTI_REGION,
            format!(
                "{address}: trail covers one region only (is_multi_region_trail = {})",
                show(a.get("is_multi_region_trail"))
            ),
        );
    }
    if flag(a.get("enable_log_file_validation")) != Some(true)
        && !unknown(a.get("enable_log_file_validation"))
    {
        out.hit(
            &CLOUDTRAIL_VALIDATION,
            format!(
                "{address}: log file validation is off (enable_log_file_validation = {})",
                show(a.get("enable_log_file_validation"))
            ),
        );
    }
    let kms = a.get("kms_key_id");
    if absent(kms) || kms.and_then(Value::as_str) == Some("") {
        out.hit(
            &CLOUDTRAIL_KMS,
            format!(
                "{address}: logs are not KMS-encrypted (kms_key_id = {})",
                show(kms)
            ),
        );
    }
}

fn eks(address: &str, a: &impl Fields, out: &mut Out) {
    const TYPES: [&str; 5] = [
        "api",
        "audit",
        "authenticator",
        "controllerManager",
        "scheduler",
    ];
    let types = a.get("enabled_cluster_log_types");
    if !partly_unknown(types) {
        let have = strings(types);
        let missing: Vec<&str> = TYPES.into_iter().filter(|t| !have.contains(t)).collect();
        if !missing.is_empty() {
            out.hit(
                &EKS_LOGGING,
                format!(
                    "{address}: control plane log types {} are not enabled (enabled_cluster_log_types = {})",
                    missing.join(", "),
                    show(types)
                ),
            );
        }
    }
    if let Some(vpc) = first(a.get("vpc_config")) {
        let public = flag(vpc.get("endpoint_public_access"));
        // The API default is a public endpoint.
        if public != Some(false) && !unknown(vpc.get("endpoint_public_access")) {
            out.hit(
                &EKS_PUBLIC,
                format!(
                    "{address}: vpc_config.endpoint_public_access = {}",
                    show(vpc.get("endpoint_public_access"))
                ),
            );
            let cidrs = vpc.get("public_access_cidrs");
            let open = if absent(cidrs) {
                // Unset means the default 0.0.0.0/0.
                true
            } else {
                // Unknown (also when computed because unset: checkov fails
                // that, docs/iac-rules.md) is not judged.
                strings(cidrs).iter().any(|c| world_cidr(c))
            };
            if open {
                out.hit(
                    &EKS_PUBLIC_CIDR,
                    format!(
                        "{address}: public endpoint open to 0.0.0.0/0 (vpc_config.public_access_cidrs = {})",
                        show(cidrs)
                    ),
                );
            }
        }
    }
    let enc = a.get("encryption_config");
    let secrets = items(enc).iter().any(|e| {
        let resources = e.get("resources");
        strings(resources).contains(&"secrets") || partly_unknown(resources)
    });
    if !secrets && !unknown(enc) {
        out.hit(
            &EKS_SECRETS,
            format!(
                "{address}: secrets are not envelope-encrypted (encryption_config = {})",
                show(enc)
            ),
        );
    }
}

/// The tags a Terraform resource carries (`tags_all` when known, else
/// `tags`); `None` when the resource type has no tags (or they are unknown).
pub fn tf_tags(a: &impl Fields) -> Option<Vec<String>> {
    for key in ["tags_all", "tags", "labels"] {
        match a.get(key) {
            Some(Value::Object(m)) => return Some(m.keys().cloned().collect()),
            Some(Value::Null) if key != "tags_all" => return Some(Vec::new()),
            Some(v) if is_unknown(v) && key == "tags_all" => continue,
            Some(v) if is_unknown(v) => return None,
            _ => {}
        }
    }
    None
}

/// Hits `iac/required-tags` when tags are missing.
pub fn required_tags(address: &str, have: &[String], required: &[String], out: &mut Out) {
    let missing: Vec<&str> = required
        .iter()
        .filter(|t| !have.iter().any(|h| h == *t))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        out.hit(
            &REQUIRED_TAGS,
            format!(
                "{address}: missing required {} {}",
                if missing.len() == 1 { "tag" } else { "tags" },
                missing.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::UNKNOWN;
    use serde_json::json;

    fn run(address: &str, rtype: &str, a: Value) -> Vec<&'static str> {
        let mut out = Out::default();
        check(address, rtype, &a, &PlanIndex::default(), &mut out);
        out.hits.iter().map(|h| h.rule.id).collect()
    }

    #[test]
    fn keys() {
        assert_eq!(
            local_key("module.a.aws_s3_bucket.b[0]", "aws_s3_bucket"),
            "module.a.b[0]"
        );
        assert_eq!(
            local_key("aws_s3_bucket_versioning.b", "aws_s3_bucket_versioning"),
            "b"
        );
    }

    #[test]
    fn s3_companions() {
        let mut idx = PlanIndex::default();
        idx.add(
            "aws_s3_bucket_versioning.logs",
            "aws_s3_bucket_versioning",
            &json!({"bucket": UNKNOWN, "versioning_configuration": [{"status": "Enabled"}]}),
        );
        idx.add(
            "aws_s3_bucket_public_access_block.x",
            "aws_s3_bucket_public_access_block",
            &json!({"bucket": "b1"}),
        );
        let mut out = Out::default();
        check(
            "aws_s3_bucket.logs",
            "aws_s3_bucket",
            &json!({"bucket": "b1", "versioning": UNKNOWN}),
            &idx,
            &mut out,
        );
        let ids: Vec<&str> = out.hits.iter().map(|h| h.rule.id).collect();
        assert!(!ids.contains(&"iac/aws-s3-versioning"), "{ids:?}");
        assert!(
            !ids.contains(&"iac/aws-s3-bucket-public-access-block-missing"),
            "{ids:?}"
        );
        assert!(ids.contains(&"iac/aws-s3-encryption"));
    }

    /// Values unknown at plan time are never judged, whatever the rule
    /// (README); only a computed `versioning` is (docs/iac-rules.md).
    #[test]
    fn unknown_values_are_not_judged() {
        let u = json!(UNKNOWN);
        let logs = json!([
            "api",
            "audit",
            "authenticator",
            "controllerManager",
            "scheduler"
        ]);
        let secrets = json!([{"resources": ["secrets"]}]);
        let none: Vec<&str> = Vec::new();
        // (rtype, attributes, rules that may fire)
        let cases: Vec<(&str, Value, Vec<&str>)> = vec![
            (
                "aws_eks_cluster",
                json!({"enabled_cluster_log_types": logs, "encryption_config": secrets,
                       "vpc_config": [{"endpoint_public_access": true, "public_access_cidrs": u}]}),
                vec!["iac/aws-eks-public-endpoint"],
            ),
            (
                "aws_eks_cluster",
                json!({"enabled_cluster_log_types": ["api", UNKNOWN],
                       "encryption_config": [{"resources": UNKNOWN}],
                       "vpc_config": [{"endpoint_public_access": false}]}),
                none.clone(),
            ),
            (
                "aws_s3_bucket",
                json!({"bucket": "b", "versioning": [{"enabled": true}],
                       "server_side_encryption_configuration": u, "logging": u}),
                vec!["iac/aws-s3-bucket-public-access-block-missing"],
            ),
            (
                "aws_s3_bucket",
                json!({"bucket": "b", "versioning": [{"enabled": UNKNOWN}],
                       "server_side_encryption_configuration": [{"rule": [{}]}], "logging": [{}]}),
                vec!["iac/aws-s3-bucket-public-access-block-missing"],
            ),
            (
                "aws_security_group_rule",
                json!({"type": "ingress", "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"],
                       "from_port": u, "to_port": u}),
                none.clone(),
            ),
            (
                "aws_security_group_rule",
                json!({"type": "ingress", "protocol": u, "cidr_blocks": ["0.0.0.0/0"],
                       "from_port": 0, "to_port": 65535}),
                none.clone(),
            ),
            (
                "aws_ecr_repository",
                json!({"image_tag_mutability": "IMMUTABLE",
                       "image_scanning_configuration": [{"scan_on_push": UNKNOWN}]}),
                none.clone(),
            ),
            (
                "aws_db_instance",
                json!({"engine": "postgres", "cluster_identifier": u, "storage_encrypted": false,
                       "backup_retention_period": 0, "deletion_protection": true}),
                none.clone(),
            ),
        ];
        for (rtype, a, want) in cases {
            assert_eq!(run("r.x", rtype, a.clone()), want, "{rtype} {a}");
        }
        // The same resources with the values known do fire: the rules read them.
        let ids = run(
            "r.x",
            "aws_eks_cluster",
            json!({"enabled_cluster_log_types": ["api"], "encryption_config": [{"resources": []}],
                   "vpc_config": [{"endpoint_public_access": true}]}),
        );
        assert_eq!(
            ids,
            vec![
                "iac/aws-eks-control-plane-logging",
                "iac/aws-eks-public-endpoint",
                "iac/aws-eks-public-endpoint-cidr",
                "iac/aws-eks-secrets-encryption"
            ]
        );
        let ids = run(
            "r.x",
            "aws_s3_bucket",
            json!({"bucket": "b", "versioning": u}),
        );
        assert!(ids.contains(&"iac/aws-s3-versioning"), "{ids:?}");
        assert!(ids.contains(&"iac/aws-s3-encryption"), "{ids:?}");
        assert!(ids.contains(&"iac/aws-s3-access-logging"), "{ids:?}");
        // Every protocol on a port range that is unknown is still every port.
        let ids = run(
            "r.x",
            "aws_security_group_rule",
            json!({"type": "ingress", "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"],
                   "from_port": u, "to_port": u}),
        );
        assert_eq!(ids, vec!["iac/aws-sg-open-all-ports"]);
        let ids = run(
            "r.x",
            "aws_ecr_repository",
            json!({"image_tag_mutability": "IMMUTABLE",
                   "image_scanning_configuration": [{"scan_on_push": false}]}),
        );
        assert_eq!(ids, vec!["iac/aws-ecr-scan-on-push"]);
    }

    #[test]
    fn security_groups() {
        let ids = run(
            "aws_security_group.web",
            "aws_security_group",
            json!({"ingress": [
                {"cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "to_port": 22, "protocol": "tcp"},
                {"cidr_blocks": ["10.0.0.0/8"], "from_port": 3389, "to_port": 3389, "protocol": "tcp"},
                {"ipv6_cidr_blocks": ["::/0"], "from_port": 0, "to_port": 0, "protocol": "-1"}]}),
        );
        assert_eq!(
            ids,
            vec!["iac/aws-sg-open-ssh", "iac/aws-sg-open-all-ports"]
        );
    }

    #[test]
    fn rds_and_iam() {
        let ids = run(
            "aws_db_instance.db",
            "aws_db_instance",
            json!({"publicly_accessible": true, "storage_encrypted": false, "backup_retention_period": 0, "deletion_protection": null, "engine": "mysql"}),
        );
        assert_eq!(ids.len(), 4, "{ids:?}");
        let ids = run(
            "aws_iam_policy.p",
            "aws_iam_policy",
            json!({"policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\",\"Resource\":\"*\"}]}"}),
        );
        assert_eq!(ids, vec!["iac/aws-iam-passrole-wildcard"]);
    }
}
