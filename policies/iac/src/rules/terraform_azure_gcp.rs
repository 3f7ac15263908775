//! Common Azure and Google Cloud rules over Terraform plans.
#![allow(clippy::collapsible_match)]

use super::{Out, Rule, first, flag, items, show, strings, unknown, world_cidr};
use crate::attrs::Fields;
use serde_json::Value;

rule!(
    AZ_STORAGE_HTTPS,
    "iac/azure-storage-https-only",
    ["CKV_AZURE_3"],
    High,
    "terraform",
    "Azure storage accounts must accept HTTPS traffic only",
    "set https_traffic_only_enabled (enable_https_traffic_only) = true"
);
rule!(
    AZ_STORAGE_TLS,
    "iac/azure-storage-min-tls",
    ["CKV_AZURE_44"],
    Medium,
    "terraform",
    "Azure storage accounts must require TLS 1.2 or later",
    "set min_tls_version = \"TLS1_2\""
);
rule!(
    AZ_STORAGE_PUBLIC,
    "iac/azure-storage-public-blobs",
    ["CKV_AZURE_190"],
    High,
    "terraform",
    "Azure storage accounts must not allow public (anonymous) blob access",
    "set allow_nested_items_to_be_public = false"
);
rule!(
    AZ_NSG_SSH,
    "iac/azure-nsg-open-ssh",
    ["CKV_AZURE_10"],
    High,
    "terraform",
    "network security groups must not allow SSH (22) from the internet",
    "restrict source_address_prefix to known ranges or use Azure Bastion"
);
rule!(
    AZ_NSG_RDP,
    "iac/azure-nsg-open-rdp",
    ["CKV_AZURE_9"],
    High,
    "terraform",
    "network security groups must not allow RDP (3389) from the internet",
    "restrict source_address_prefix to known ranges or use Azure Bastion"
);
rule!(
    AZ_KEYVAULT_PURGE,
    "iac/azure-keyvault-purge-protection",
    ["CKV_AZURE_110"],
    Low,
    "terraform",
    "Key Vaults must have purge protection",
    "set purge_protection_enabled = true"
);
rule!(
    GCP_FW_SSH,
    "iac/gcp-firewall-open-ssh",
    ["CKV_GCP_2"],
    High,
    "terraform",
    "GCP firewall rules must not allow SSH (22) from 0.0.0.0/0",
    "restrict source_ranges or use IAP TCP forwarding"
);
rule!(
    GCP_FW_RDP,
    "iac/gcp-firewall-open-rdp",
    ["CKV_GCP_3"],
    High,
    "terraform",
    "GCP firewall rules must not allow RDP (3389) from 0.0.0.0/0",
    "restrict source_ranges"
);
rule!(
    GCP_BUCKET_UNIFORM,
    "iac/gcp-storage-uniform-access",
    ["CKV_GCP_29"],
    Medium,
    "terraform",
    "Cloud Storage buckets must use uniform bucket-level access",
    "set uniform_bucket_level_access = true"
);
rule!(
    GCP_SQL_SSL,
    "iac/gcp-sql-require-ssl",
    ["CKV_GCP_6"],
    Medium,
    "terraform",
    "Cloud SQL instances must require SSL for incoming connections",
    "set settings.ip_configuration.ssl_mode = \"ENCRYPTED_ONLY\" (or require_ssl = true)"
);
rule!(
    GCP_SQL_PUBLIC,
    "iac/gcp-sql-open-network",
    ["CKV_GCP_11"],
    High,
    "terraform",
    "Cloud SQL must not authorize 0.0.0.0/0",
    "remove the 0.0.0.0/0 authorized network; use private IP or the Cloud SQL proxy"
);
rule!(
    GCP_GKE_ABAC,
    "iac/gcp-gke-legacy-abac",
    ["CKV_GCP_7"],
    High,
    "terraform",
    "GKE clusters must not enable legacy ABAC",
    "set enable_legacy_abac = false and use RBAC"
);

pub static RULES: &[&Rule] = &[
    &AZ_STORAGE_HTTPS,
    &AZ_STORAGE_TLS,
    &AZ_STORAGE_PUBLIC,
    &AZ_NSG_SSH,
    &AZ_NSG_RDP,
    &AZ_KEYVAULT_PURGE,
    &GCP_FW_SSH,
    &GCP_FW_RDP,
    &GCP_BUCKET_UNIFORM,
    &GCP_SQL_SSL,
    &GCP_SQL_PUBLIC,
    &GCP_GKE_ABAC,
];

pub fn check(address: &str, rtype: &str, a: &impl Fields, out: &mut Out) {
    match rtype {
        "azurerm_storage_account" => {
            for key in ["https_traffic_only_enabled", "enable_https_traffic_only"] {
                if flag(a.get(key)) == Some(false) {
                    out.hit(
                        &AZ_STORAGE_HTTPS,
                        format!("{address}: {key} = false allows plain HTTP"),
                    );
                }
            }
            let tls = a.get("min_tls_version");
            if let Some(v) = tls.and_then(Value::as_str)
                && !unknown(tls)
                && v != "TLS1_2"
                && v != "TLS1_3"
            {
                out.hit(
                    &AZ_STORAGE_TLS,
                    format!("{address}: min_tls_version = \"{v}\""),
                );
            }
            for key in [
                "allow_nested_items_to_be_public",
                "allow_blob_public_access",
            ] {
                if flag(a.get(key)) == Some(true) {
                    out.hit(
                        &AZ_STORAGE_PUBLIC,
                        format!("{address}: {key} = true allows anonymous blob access"),
                    );
                }
            }
        }
        "azurerm_network_security_group" => {
            for (i, r) in items(a.get("security_rule")).iter().enumerate() {
                nsg_rule(address, &format!("security_rule[{i}]"), r, out);
            }
        }
        "azurerm_network_security_rule" => nsg_rule(address, "rule", a, out),
        "azurerm_key_vault" => {
            if flag(a.get("purge_protection_enabled")) != Some(true)
                && !unknown(a.get("purge_protection_enabled"))
            {
                out.hit(
                    &AZ_KEYVAULT_PURGE,
                    format!(
                        "{address}: purge_protection_enabled = {}",
                        show(a.get("purge_protection_enabled"))
                    ),
                );
            }
        }
        "google_compute_firewall" => firewall(address, a, out),
        "google_storage_bucket" => {
            let u = a.get("uniform_bucket_level_access");
            if flag(u) != Some(true) && !unknown(u) {
                out.hit(
                    &GCP_BUCKET_UNIFORM,
                    format!("{address}: uniform_bucket_level_access = {}", show(u)),
                );
            }
        }
        "google_sql_database_instance" => {
            let ip = first(a.get("settings")).and_then(|s| first(s.get("ip_configuration")));
            if let Some(ip) = ip {
                let ssl_mode = ip.get("ssl_mode").and_then(Value::as_str).unwrap_or("");
                let require = flag(ip.get("require_ssl")) == Some(true)
                    || matches!(
                        ssl_mode,
                        "ENCRYPTED_ONLY" | "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"
                    )
                    || unknown(ip.get("ssl_mode"))
                    || unknown(ip.get("require_ssl"));
                if !require {
                    out.hit(
                        &GCP_SQL_SSL,
                        format!(
                            "{address}: SSL is not required (ip_configuration.require_ssl = {}, ssl_mode = {})",
                            show(ip.get("require_ssl")),
                            show(ip.get("ssl_mode"))
                        ),
                    );
                }
                for n in items(ip.get("authorized_networks")) {
                    if n.get("value")
                        .and_then(Value::as_str)
                        .is_some_and(world_cidr)
                    {
                        out.hit(
                            &GCP_SQL_PUBLIC,
                            format!(
                                "{address}: ip_configuration.authorized_networks allows 0.0.0.0/0"
                            ),
                        );
                        break;
                    }
                }
            }
        }
        "google_container_cluster" => {
            if flag(a.get("enable_legacy_abac")) == Some(true) {
                out.hit(
                    &GCP_GKE_ABAC,
                    format!("{address}: enable_legacy_abac = true"),
                );
            }
        }
        _ => {}
    }
}

/// Whether an Azure port spec (`*`, `22`, `20-30`) covers a port.
fn az_port(spec: &str, port: i64) -> bool {
    let spec = spec.trim();
    if spec == "*" {
        return true;
    }
    match spec.split_once('-') {
        Some((a, b)) => match (a.trim().parse::<i64>(), b.trim().parse::<i64>()) {
            (Ok(a), Ok(b)) => a <= port && port <= b,
            _ => false,
        },
        None => spec.parse::<i64>() == Ok(port),
    }
}

fn nsg_rule(address: &str, what: &str, r: &impl Fields, out: &mut Out) {
    let s = |k: &str| {
        r.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    if s("direction") != "inbound" || s("access") != "allow" {
        return;
    }
    let mut sources = strings(r.get("source_address_prefix"));
    sources.extend(strings(r.get("source_address_prefixes")));
    let Some(src) = sources.into_iter().find(|p| {
        world_cidr(p) || p.eq_ignore_ascii_case("internet") || p.eq_ignore_ascii_case("any")
    }) else {
        return;
    };
    let proto = s("protocol");
    if !(proto == "tcp" || proto == "*") {
        return;
    }
    let mut ports = strings(r.get("destination_port_range"));
    ports.extend(strings(r.get("destination_port_ranges")));
    if ports.iter().any(|p| az_port(p, 22)) {
        out.hit(
            &AZ_NSG_SSH,
            format!("{address}: {what} allows SSH (22) from {src}"),
        );
    }
    if ports.iter().any(|p| az_port(p, 3389)) {
        out.hit(
            &AZ_NSG_RDP,
            format!("{address}: {what} allows RDP (3389) from {src}"),
        );
    }
}

fn firewall(address: &str, a: &impl Fields, out: &mut Out) {
    // Unset direction is the default INGRESS; an unknown direction or
    // `disabled` is not judged.
    let dir = a
        .get("direction")
        .and_then(Value::as_str)
        .unwrap_or("INGRESS");
    if !dir.eq_ignore_ascii_case("ingress") || flag(a.get("disabled")) == Some(true) {
        return;
    }
    if unknown(a.get("disabled")) {
        return;
    }
    let sources = strings(a.get("source_ranges"));
    let Some(src) = sources.into_iter().find(|c| world_cidr(c)) else {
        return;
    };
    let (mut ssh, mut rdp) = (false, false);
    for allow in items(a.get("allow")) {
        // An unknown protocol is skipped below; unknown ports are not "all
        // ports" (missing ones are).
        if unknown(allow.get("ports")) {
            continue;
        }
        let proto = allow.get("protocol").and_then(Value::as_str).unwrap_or("");
        if !(proto == "tcp" || proto == "all" || proto == "6") {
            continue;
        }
        let ports = strings(allow.get("ports"));
        if ports.is_empty() {
            ssh = true;
            rdp = true;
        }
        ssh |= ports.iter().any(|p| az_port(p, 22));
        rdp |= ports.iter().any(|p| az_port(p, 3389));
    }
    if ssh {
        out.hit(
            &GCP_FW_SSH,
            format!("{address}: allows SSH (22) from {src}"),
        );
    }
    if rdp {
        out.hit(
            &GCP_FW_RDP,
            format!("{address}: allows RDP (3389) from {src}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(rtype: &str, a: Value) -> Vec<&'static str> {
        let mut out = Out::default();
        check("x.y", rtype, &a, &mut out);
        out.hits.iter().map(|h| h.rule.id).collect()
    }

    #[test]
    fn azure() {
        assert_eq!(
            run(
                "azurerm_network_security_rule",
                json!({"direction": "Inbound", "access": "Allow", "protocol": "Tcp",
                "source_address_prefix": "*", "destination_port_range": "3000-4000"})
            ),
            vec!["iac/azure-nsg-open-rdp"]
        );
        assert_eq!(
            run(
                "azurerm_storage_account",
                json!({"min_tls_version": "TLS1_0", "allow_nested_items_to_be_public": true})
            ),
            vec![
                "iac/azure-storage-min-tls",
                "iac/azure-storage-public-blobs"
            ]
        );
    }

    #[test]
    fn gcp() {
        assert_eq!(
            run(
                "google_compute_firewall",
                json!({"source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "tcp", "ports": ["22"]}]})
            ),
            vec!["iac/gcp-firewall-open-ssh"]
        );
        assert_eq!(
            run(
                "google_storage_bucket",
                json!({"uniform_bucket_level_access": true})
            ),
            Vec::<&str>::new()
        );
    }

    /// A firewall whose direction or `disabled` is unknown at plan time is
    /// not judged; unset, the direction is the default INGRESS.
    #[test]
    fn gcp_firewall_unknowns_are_not_judged() {
        let base = json!({"source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "tcp", "ports": ["22"]}]});
        assert_eq!(
            run("google_compute_firewall", base.clone()),
            vec!["iac/gcp-firewall-open-ssh"]
        );
        for (key, value) in [
            ("direction", json!(crate::rules::UNKNOWN)),
            ("disabled", json!(crate::rules::UNKNOWN)),
            ("direction", json!("EGRESS")),
        ] {
            let mut a = base.clone();
            a[key] = value;
            assert_eq!(
                run("google_compute_firewall", a.clone()),
                Vec::<&str>::new(),
                "{a}"
            );
        }
        let mut a = base;
        a["allow"][0]["ports"] = json!(crate::rules::UNKNOWN);
        assert_eq!(run("google_compute_firewall", a), Vec::<&str>::new());
    }
}
