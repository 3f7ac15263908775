//! CloudFormation equivalents of the AWS rules (same rule ids as the
//! Terraform ones). Values that are intrinsic functions (`Ref`, `Fn::If`...)
//! are unknown and not judged.

use super::terraform_aws::*;
use super::{Out, flag, get, iam_document, int, items, show, world_cidr};
use serde_json::Value;

/// Taggable resource types checked by `iac/required-tags` even when they
/// have no `Tags` property yet.
const TAGGABLE: &[&str] = &[
    "AWS::S3::Bucket",
    "AWS::EC2::Instance",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::Volume",
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::KMS::Key",
    "AWS::ECR::Repository",
    "AWS::IAM::Role",
    "AWS::Lambda::Function",
    "AWS::DynamoDB::Table",
    "AWS::EFS::FileSystem",
    "AWS::CloudTrail::Trail",
];

/// The tag keys of a resource, when it is taggable.
pub fn tags(rtype: &str, a: &Value) -> Option<Vec<String>> {
    let t = get(a, &["Properties", "Tags"]);
    match t {
        Some(Value::Array(list)) => Some(
            list.iter()
                .filter_map(|x| x.get("Key").and_then(Value::as_str).map(str::to_string))
                .collect(),
        ),
        Some(Value::Object(m)) => Some(m.keys().cloned().collect()),
        Some(_) => None,
        None if TAGGABLE.contains(&rtype) => Some(Vec::new()),
        None => None,
    }
}

pub fn check(address: &str, rtype: &str, a: &Value, out: &mut Out) {
    let empty = Value::Null;
    let p = a.get("Properties").unwrap_or(&empty);
    let pv = |k: &str| p.get(k);
    match rtype {
        "AWS::S3::Bucket" => {
            if let Some(acl @ ("PublicRead" | "PublicReadWrite" | "AuthenticatedRead")) =
                pv("AccessControl").and_then(Value::as_str)
            {
                out.hit(
                    &S3_PUBLIC_ACL,
                    format!("{address}: AccessControl: {acl} grants access to others"),
                );
            }
            let pab = pv("PublicAccessBlockConfiguration");
            let off: Vec<&str> = [
                "BlockPublicAcls",
                "BlockPublicPolicy",
                "IgnorePublicAcls",
                "RestrictPublicBuckets",
            ]
            .into_iter()
            .filter(|k| {
                let v = pab.and_then(|b| b.get(*k));
                flag(v) != Some(true) && !v.is_some_and(Value::is_object)
            })
            .collect();
            if !off.is_empty() {
                out.hit(
                    &S3_PUBLIC_ACCESS_BLOCK,
                    format!(
                        "{address}: PublicAccessBlockConfiguration leaves {} off",
                        off.join(", ")
                    ),
                );
            }
            if pv("BucketEncryption").is_none() {
                out.hit(&S3_ENCRYPTION, format!("{address}: no BucketEncryption"));
            }
            let status = get(p, &["VersioningConfiguration", "Status"]);
            if !status.is_some_and(Value::is_object)
                && status.and_then(Value::as_str) != Some("Enabled")
            {
                out.hit(
                    &S3_VERSIONING,
                    format!(
                        "{address}: VersioningConfiguration.Status is {}",
                        show(status)
                    ),
                );
            }
            if pv("LoggingConfiguration").is_none() {
                out.hit(&S3_LOGGING, format!("{address}: no LoggingConfiguration"));
            }
        }
        "AWS::EC2::SecurityGroup" => {
            for (i, r) in items(pv("SecurityGroupIngress")).iter().enumerate() {
                sg(address, &format!("SecurityGroupIngress[{i}]"), r, out);
            }
        }
        "AWS::EC2::SecurityGroupIngress" => sg(address, "ingress", p, out),
        "AWS::RDS::DBInstance" | "AWS::RDS::DBCluster" => {
            if flag(pv("PubliclyAccessible")) == Some(true) {
                out.hit(&RDS_PUBLIC, format!("{address}: PubliclyAccessible: true"));
            }
            let engine = pv("Engine").and_then(Value::as_str).unwrap_or("");
            let member = rtype == "AWS::RDS::DBInstance"
                && (engine.starts_with("aurora")
                    || pv("DBClusterIdentifier").is_some()
                    || pv("SourceDBInstanceIdentifier").is_some());
            let enc = pv("StorageEncrypted");
            if !member && flag(enc) != Some(true) && !enc.is_some_and(Value::is_object) {
                out.hit(
                    &RDS_ENCRYPTION,
                    format!("{address}: StorageEncrypted is {}", show(enc)),
                );
            }
            if !member && int(pv("BackupRetentionPeriod")) == Some(0) {
                out.hit(
                    &RDS_BACKUP,
                    format!("{address}: BackupRetentionPeriod: 0 disables automated backups"),
                );
            }
            let del = pv("DeletionProtection");
            if flag(del) != Some(true) && !del.is_some_and(Value::is_object) {
                out.hit(
                    &RDS_DELETION,
                    format!("{address}: DeletionProtection is {}", show(del)),
                );
            }
        }
        "AWS::EC2::Volume" => {
            let e = pv("Encrypted");
            if flag(e) != Some(true) && !e.is_some_and(Value::is_object) {
                out.hit(
                    &EBS_ENCRYPTION,
                    format!("{address}: Encrypted is {}", show(e)),
                );
            }
        }
        "AWS::EFS::FileSystem" => {
            let e = pv("Encrypted");
            if flag(e) != Some(true) && !e.is_some_and(Value::is_object) {
                out.hit(
                    &EFS_ENCRYPTION,
                    format!("{address}: Encrypted is {}", show(e)),
                );
            }
        }
        "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
            if let Some(doc) = pv("PolicyDocument") {
                iam(address, "PolicyDocument", doc, out);
            }
        }
        "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
            admin_access(
                address,
                "ManagedPolicyArns",
                super::strings(pv("ManagedPolicyArns")),
                out,
            );
            for (i, pol) in items(pv("Policies")).iter().enumerate() {
                if let Some(doc) = pol.get("PolicyDocument") {
                    iam(address, &format!("Policies[{i}]"), doc, out);
                }
            }
        }
        "AWS::CloudTrail::Trail" => {
            if flag(pv("IsLogging")) == Some(false) {
                out.hit(&CLOUDTRAIL_LOGGING, format!("{address}: IsLogging: false"));
            }
            let m = pv("IsMultiRegionTrail");
            if flag(m) != Some(true) && !m.is_some_and(Value::is_object) {
                out.hit(
                    &CLOUDTRAIL_MULTI_REGION,
                    format!("{address}: IsMultiRegionTrail is {}", show(m)),
                );
            }
            let v = pv("EnableLogFileValidation");
            if flag(v) != Some(true) && !v.is_some_and(Value::is_object) {
                out.hit(
                    &CLOUDTRAIL_VALIDATION,
                    format!("{address}: EnableLogFileValidation is {}", show(v)),
                );
            }
            if pv("KMSKeyId").is_none() {
                out.hit(&CLOUDTRAIL_KMS, format!("{address}: no KMSKeyId"));
            }
        }
        "AWS::KMS::Key" => {
            let spec = pv("KeySpec").and_then(Value::as_str);
            let r = pv("EnableKeyRotation");
            if spec.is_none_or(|s| s == "SYMMETRIC_DEFAULT")
                && flag(r) != Some(true)
                && !r.is_some_and(Value::is_object)
            {
                out.hit(
                    &KMS_ROTATION,
                    format!("{address}: EnableKeyRotation is {}", show(r)),
                );
            }
        }
        "AWS::ECR::Repository" => {
            let scan = get(p, &["ImageScanningConfiguration", "ScanOnPush"]);
            if flag(scan) != Some(true) && !scan.is_some_and(Value::is_object) {
                out.hit(
                    &ECR_SCAN,
                    format!(
                        "{address}: ImageScanningConfiguration.ScanOnPush is {}",
                        show(scan)
                    ),
                );
            }
            let m = pv("ImageTagMutability");
            if m.and_then(Value::as_str) != Some("IMMUTABLE") && !m.is_some_and(Value::is_object) {
                out.hit(
                    &ECR_IMMUTABLE,
                    format!("{address}: ImageTagMutability is {}", show(m)),
                );
            }
        }
        "AWS::CloudFront::Distribution" => {
            let cfg = pv("DistributionConfig");
            let mut behaviors: Vec<&Value> = cfg
                .and_then(|c| c.get("DefaultCacheBehavior"))
                .into_iter()
                .collect();
            behaviors.extend(items(cfg.and_then(|c| c.get("CacheBehaviors"))));
            if behaviors
                .iter()
                .any(|b| b.get("ViewerProtocolPolicy").and_then(Value::as_str) == Some("allow-all"))
            {
                out.hit(
                    &CLOUDFRONT_HTTPS,
                    format!(
                        "{address}: ViewerProtocolPolicy: allow-all lets viewers use plain HTTP"
                    ),
                );
            }
        }
        _ => {}
    }
}

fn iam(address: &str, what: &str, doc: &Value, out: &mut Out) {
    let f = iam_document(doc);
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

fn sg(address: &str, what: &str, r: &Value, out: &mut Out) {
    let cidr = ["CidrIp", "CidrIpv6"]
        .into_iter()
        .filter_map(|k| r.get(k).and_then(Value::as_str))
        .find(|c| world_cidr(c));
    let Some(world) = cidr else { return };
    let proto = match r.get("IpProtocol") {
        Some(Value::String(s)) => s.to_ascii_lowercase(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let (from, to) = (int(r.get("FromPort")), int(r.get("ToPort")));
    if proto == "-1" || (from.unwrap_or(0) <= 0 && to.unwrap_or(65535) >= 65535) {
        out.hit(
            &SG_ALL,
            format!("{address}: {what} allows {world} on all ports (IpProtocol {proto})"),
        );
        return;
    }
    if !(proto == "tcp" || proto == "6") {
        return;
    }
    let range = match (from, to) {
        (Some(f), Some(t)) if f == t => format!("port {f}"),
        (Some(f), Some(t)) => format!("ports {f}-{t}"),
        _ => "all ports".to_string(),
    };
    if super::covers(from, to, 22) {
        out.hit(
            &SG_SSH,
            format!("{address}: {what} allows SSH from {world} ({range})"),
        );
    }
    if super::covers(from, to, 3389) {
        out.hit(
            &SG_RDP,
            format!("{address}: {what} allows RDP from {world} ({range})"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bucket_and_sg() {
        let mut out = Out::default();
        check(
            "B",
            "AWS::S3::Bucket",
            &json!({"Type": "AWS::S3::Bucket", "Properties": {
            "AccessControl": "PublicRead", "VersioningConfiguration": {"Status": "Enabled"},
            "BucketEncryption": {}, "LoggingConfiguration": {},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true}}}),
            &mut out,
        );
        let ids: Vec<&str> = out.hits.iter().map(|h| h.rule.id).collect();
        assert_eq!(ids, vec!["iac/aws-s3-public-acl"]);
        let mut out = Out::default();
        check(
            "SG",
            "AWS::EC2::SecurityGroup",
            &json!({"Properties": {"SecurityGroupIngress": [
            {"CidrIpv6": "::/0", "IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389}]}}),
            &mut out,
        );
        let ids: Vec<&str> = out.hits.iter().map(|h| h.rule.id).collect();
        assert_eq!(ids, vec!["iac/aws-sg-open-rdp"]);
    }
}
