//! Kubernetes manifest rules. Container rules look at every container,
//! init container and ephemeral container of a workload's pod spec; a
//! container's `securityContext` overrides the pod's where Kubernetes does.

use super::{Out, Rule, flag, get, int, show};
use serde_json::Value;

rule!(
    PRIVILEGED,
    "iac/k8s-privileged",
    ["CKV_K8S_16"],
    Critical,
    "kubernetes",
    "containers must not run privileged",
    "remove securityContext.privileged (or set it to false); grant specific capabilities instead"
);
rule!(
    PRIV_ESC,
    "iac/k8s-privilege-escalation",
    ["CKV_K8S_20"],
    High,
    "kubernetes",
    "containers must set securityContext.allowPrivilegeEscalation: false",
    "set securityContext.allowPrivilegeEscalation: false on every container"
);
rule!(
    RUN_AS_ROOT,
    "iac/k8s-run-as-root",
    ["CKV_K8S_23"],
    High,
    "kubernetes",
    "containers must not run as root (runAsNonRoot: true or a non-zero runAsUser)",
    "set securityContext.runAsNonRoot: true and a non-zero runAsUser at pod or container level"
);
rule!(
    HOST_NETWORK,
    "iac/k8s-host-network",
    ["CKV_K8S_19"],
    High,
    "kubernetes",
    "pods must not share the host network namespace",
    "remove hostNetwork: true"
);
rule!(
    HOST_PID,
    "iac/k8s-host-pid",
    ["CKV_K8S_17"],
    High,
    "kubernetes",
    "pods must not share the host PID namespace",
    "remove hostPID: true"
);
rule!(
    HOST_IPC,
    "iac/k8s-host-ipc",
    ["CKV_K8S_18"],
    High,
    "kubernetes",
    "pods must not share the host IPC namespace",
    "remove hostIPC: true"
);
rule!(
    DOCKER_SOCKET,
    "iac/k8s-docker-socket",
    ["CKV_K8S_27"],
    Critical,
    "kubernetes",
    "pods must not mount the container runtime socket",
    "remove the hostPath volume for docker.sock/containerd.sock; use a build service instead"
);
rule!(
    HOST_PATH,
    "iac/k8s-host-path",
    [],
    Medium,
    "kubernetes",
    "pods should not mount hostPath volumes",
    "use emptyDir, a ConfigMap/Secret or a PersistentVolumeClaim instead of hostPath"
);
rule!(
    IMAGE_TAG,
    "iac/k8s-image-tag",
    ["CKV_K8S_14"],
    Medium,
    "kubernetes",
    "container images must be pinned to a tag other than latest (or a digest)",
    "reference the image by an immutable version tag or @sha256 digest"
);
rule!(
    IMAGE_REGISTRY,
    "iac/k8s-image-registry",
    [],
    High,
    "kubernetes",
    "container images must come from the registries in `allowed-registries`",
    "pull the image from an allowed registry (mirror it there)"
);
rule!(
    PULL_POLICY,
    "iac/k8s-image-pull-policy",
    ["CKV_K8S_15"],
    Low,
    "kubernetes",
    "imagePullPolicy should be Always",
    "set imagePullPolicy: Always (or pin images by digest)"
);
rule!(
    CPU_LIMITS,
    "iac/k8s-cpu-limits",
    ["CKV_K8S_11"],
    Low,
    "kubernetes",
    "containers must set resources.limits.cpu",
    "set resources.limits.cpu"
);
rule!(
    MEMORY_LIMITS,
    "iac/k8s-memory-limits",
    ["CKV_K8S_13"],
    Medium,
    "kubernetes",
    "containers must set resources.limits.memory",
    "set resources.limits.memory"
);
rule!(
    CPU_REQUESTS,
    "iac/k8s-cpu-requests",
    ["CKV_K8S_10"],
    Low,
    "kubernetes",
    "containers must set resources.requests.cpu",
    "set resources.requests.cpu"
);
rule!(
    MEMORY_REQUESTS,
    "iac/k8s-memory-requests",
    ["CKV_K8S_12"],
    Low,
    "kubernetes",
    "containers must set resources.requests.memory",
    "set resources.requests.memory"
);
rule!(
    READONLY_ROOTFS,
    "iac/k8s-readonly-rootfs",
    ["CKV_K8S_22"],
    Medium,
    "kubernetes",
    "containers should use a read-only root filesystem",
    "set securityContext.readOnlyRootFilesystem: true and mount writable emptyDirs where needed"
);
rule!(
    DROP_ALL,
    "iac/k8s-capabilities-drop-all",
    ["CKV_K8S_37"],
    Low,
    "kubernetes",
    "containers should drop ALL capabilities",
    "set securityContext.capabilities.drop: [\"ALL\"] and add back only what is needed"
);
rule!(
    NET_RAW,
    "iac/k8s-net-raw",
    ["CKV_K8S_28"],
    Low,
    "kubernetes",
    "containers must not keep the NET_RAW capability",
    "drop NET_RAW (or ALL) in securityContext.capabilities.drop"
);
rule!(
    DANGEROUS_CAPS,
    "iac/k8s-dangerous-capabilities",
    ["CKV_K8S_39", "CKV_K8S_25"],
    High,
    "kubernetes",
    "containers must not add SYS_ADMIN, NET_ADMIN, ALL or other dangerous capabilities",
    "remove the capability from securityContext.capabilities.add"
);
rule!(
    LIVENESS,
    "iac/k8s-liveness-probe",
    ["CKV_K8S_8"],
    Low,
    "kubernetes",
    "long-running containers should have a liveness probe",
    "add a livenessProbe"
);
rule!(
    READINESS,
    "iac/k8s-readiness-probe",
    ["CKV_K8S_9"],
    Low,
    "kubernetes",
    "long-running containers should have a readiness probe",
    "add a readinessProbe"
);
rule!(
    DEFAULT_NAMESPACE,
    "iac/k8s-default-namespace",
    ["CKV_K8S_21"],
    Low,
    "kubernetes",
    "namespaced objects should not live in the default namespace",
    "set metadata.namespace to a dedicated namespace"
);
rule!(
    SA_TOKEN,
    "iac/k8s-automount-sa-token",
    ["CKV_K8S_38"],
    Low,
    "kubernetes",
    "pods should not automount a service-account token they do not need",
    "set automountServiceAccountToken: false on the pod spec (or the ServiceAccount)"
);
rule!(
    RBAC_WILDCARD,
    "iac/k8s-rbac-wildcard",
    ["CKV_K8S_49"],
    High,
    "kubernetes",
    "Roles and ClusterRoles must not use \"*\" in apiGroups, resources or verbs",
    "list the resources and verbs explicitly"
);
rule!(
    SECCOMP_UNCONFINED,
    "iac/k8s-seccomp-unconfined",
    [],
    High,
    "kubernetes",
    "pods and containers must not run with an Unconfined seccomp profile",
    "use seccompProfile.type: RuntimeDefault"
);
rule!(
    APPARMOR_UNCONFINED,
    "iac/k8s-apparmor-unconfined",
    [],
    High,
    "kubernetes",
    "containers must not run with an unconfined AppArmor profile",
    "use appArmorProfile.type: RuntimeDefault"
);

pub static RULES: &[&Rule] = &[
    &PRIVILEGED,
    &PRIV_ESC,
    &RUN_AS_ROOT,
    &HOST_NETWORK,
    &HOST_PID,
    &HOST_IPC,
    &DOCKER_SOCKET,
    &HOST_PATH,
    &IMAGE_TAG,
    &IMAGE_REGISTRY,
    &PULL_POLICY,
    &CPU_LIMITS,
    &MEMORY_LIMITS,
    &CPU_REQUESTS,
    &MEMORY_REQUESTS,
    &READONLY_ROOTFS,
    &DROP_ALL,
    &NET_RAW,
    &DANGEROUS_CAPS,
    &LIVENESS,
    &READINESS,
    &DEFAULT_NAMESPACE,
    &SA_TOKEN,
    &RBAC_WILDCARD,
    &SECCOMP_UNCONFINED,
    &APPARMOR_UNCONFINED,
];

/// Kinds that are not namespaced (CKV_K8S_21 does not apply).
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "StorageClass",
    "PriorityClass",
    "PodSecurityPolicy",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "APIService",
    "IngressClass",
    "RuntimeClass",
    "CSIDriver",
    "VolumeAttachment",
    "ClusterIssuer",
    "List",
];

/// Container-runtime sockets.
const SOCKETS: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/var/run",
    "/run",
];

const DANGEROUS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "BPF",
    "PERFMON",
    "DAC_READ_SEARCH",
];

/// Normalizes a capability name: upper case, without `CAP_`.
fn cap(s: &str) -> String {
    let u = s.trim().to_ascii_uppercase();
    u.strip_prefix("CAP_").map(str::to_string).unwrap_or(u)
}

/// Effective allowed-registries check: `reg` matches an image when the image
/// starts with `reg/` (or equals it). Images without a registry host are
/// `docker.io/library/NAME` or `docker.io/NAME`.
pub fn registry_allowed(image: &str, allowed: &[String]) -> bool {
    let first = image.split('/').next().unwrap_or("");
    let has_host =
        image.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let full = if has_host {
        image.to_string()
    } else if image.contains('/') {
        format!("docker.io/{image}")
    } else {
        format!("docker.io/library/{image}")
    };
    allowed.iter().any(|r| {
        let r = r.trim_end_matches('/');
        full == r
            || full.starts_with(&format!("{r}/"))
            || full.starts_with(&format!("{r}:"))
            || full.starts_with(&format!("{r}@"))
            || image.starts_with(&format!("{r}/"))
    })
}

/// Splits an image reference into (name, tag, digest).
pub fn split_image(image: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest.get(last_slash..).and_then(|s| s.rfind(':')) {
        Some(i) => {
            let at = last_slash + i;
            (
                rest.get(..at).unwrap_or(rest),
                rest.get(at + 1..).filter(|t| !t.is_empty()),
                digest,
            )
        }
        None => (rest, None, digest),
    }
}

/// Params the Kubernetes rules need.
pub struct K8sParams<'a> {
    pub allowed_registries: &'a [String],
}

pub fn check(address: &str, kind: &str, a: &Value, p: &K8sParams, out: &mut Out) {
    // Namespace.
    if !CLUSTER_SCOPED.contains(&kind) && !kind.is_empty() {
        let ns = get(a, &["metadata", "namespace"]).and_then(Value::as_str);
        if ns.is_none_or(|n| n.is_empty() || n == "default") {
            out.hit(
                &DEFAULT_NAMESPACE,
                format!(
                    "{address}: metadata.namespace is {}",
                    ns.map_or("not set (default)".to_string(), |n| format!("\"{n}\""))
                ),
            );
        }
    }
    if kind == "Role" || kind == "ClusterRole" {
        rbac(address, a, out);
        return;
    }
    // The host's parser reads the same table (`gate-kubernetes`).
    let Some(paths) = gate_kubernetes::pod_paths(kind) else {
        return;
    };
    let Some(spec) = get(a, paths.spec) else {
        return;
    };
    if !spec.is_object() {
        // A pod spec that is not a mapping (e.g. a list) cannot show the
        // workload runs as non-root.
        out.hit_ev(
            &RUN_AS_ROOT,
            format!("{address}: pod spec is malformed; cannot establish a non-root user"),
            format!("spec = {}", show(Some(spec))),
        );
        return;
    }
    pod(address, kind, a, spec, p, out);
}

fn pod(address: &str, kind: &str, a: &Value, spec: &Value, p: &K8sParams, out: &mut Out) {
    for (key, rule) in [
        ("hostNetwork", &HOST_NETWORK),
        ("hostPID", &HOST_PID),
        ("hostIPC", &HOST_IPC),
    ] {
        if flag(spec.get(key)) == Some(true) {
            out.hit(rule, format!("{address}: {key}: true"));
        }
    }
    // hostPath volumes.
    let mut sockets = Vec::new();
    let mut paths = Vec::new();
    if let Some(vols) = spec.get("volumes").and_then(Value::as_array) {
        for v in vols {
            if let Some(hp) = v
                .get("hostPath")
                .and_then(|h| h.get("path"))
                .and_then(Value::as_str)
            {
                let name = v.get("name").and_then(Value::as_str).unwrap_or("?");
                let norm = hp.trim_end_matches('/');
                if SOCKETS.contains(&norm) || norm.ends_with(".sock") {
                    sockets.push(format!("{name} ({hp})"));
                } else {
                    paths.push(format!("{name} ({hp})"));
                }
            }
        }
    }
    if !sockets.is_empty() {
        out.hit(
            &DOCKER_SOCKET,
            format!(
                "{address}: hostPath volume mounts the container runtime socket: {}",
                sockets.join(", ")
            ),
        );
    }
    if !paths.is_empty() || !sockets.is_empty() {
        let mut all = paths.clone();
        all.extend(sockets);
        out.hit(
            &HOST_PATH,
            format!(
                "{address}: hostPath {} {}",
                if all.len() == 1 { "volume" } else { "volumes" },
                all.join(", ")
            ),
        );
    }
    let automount = flag(spec.get("automountServiceAccountToken"));
    if automount != Some(false) {
        out.hit(
            &SA_TOKEN,
            format!(
                "{address}: automountServiceAccountToken is {}",
                show(spec.get("automountServiceAccountToken"))
            ),
        );
    }
    let pod_sc = spec.get("securityContext").filter(|s| s.is_object());
    let annotations = gate_kubernetes::pod_paths(kind)
        .and_then(|paths| get(a, paths.metadata))
        .and_then(|m| m.get("annotations"));
    let ann = |k: &str| annotation(annotations, k);
    // Pod-level seccomp.
    let pod_seccomp = pod_sc
        .and_then(|s| get(s, &["seccompProfile", "type"]))
        .and_then(Value::as_str);
    if pod_seccomp == Some("Unconfined")
        || ann("seccomp.security.alpha.kubernetes.io/pod") == Some("unconfined")
    {
        out.hit(
            &SECCOMP_UNCONFINED,
            format!("{address}: pod seccomp profile is Unconfined"),
        );
    }
    if pod_sc
        .and_then(|s| get(s, &["appArmorProfile", "type"]))
        .and_then(Value::as_str)
        == Some("Unconfined")
    {
        out.hit(
            &APPARMOR_UNCONFINED,
            format!("{address}: pod AppArmor profile is Unconfined"),
        );
    }
    let long_running = !matches!(kind, "Job" | "CronJob");
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        let Some(cs) = spec.get(list).and_then(Value::as_array) else {
            continue;
        };
        for c in cs {
            if !c.is_object() {
                continue;
            }
            container(
                address,
                list,
                c,
                pod_sc,
                annotations,
                long_running && list == "containers",
                p,
                out,
            );
        }
    }
}

fn annotation<'a>(annotations: Option<&'a Value>, key: &str) -> Option<&'a str> {
    annotations.and_then(|x| x.get(key)).and_then(Value::as_str)
}

#[allow(clippy::too_many_arguments)]
fn container(
    address: &str,
    list: &str,
    c: &Value,
    pod_sc: Option<&Value>,
    annotations: Option<&Value>,
    probes: bool,
    p: &K8sParams,
    out: &mut Out,
) {
    let name = c.get("name").and_then(Value::as_str).unwrap_or("?");
    let ann = |k: &str| annotation(annotations, k);
    let who = if list == "containers" {
        format!("container \"{name}\"")
    } else {
        format!("{list} \"{name}\"")
    };
    let sc = c.get("securityContext").filter(|s| s.is_object());
    let scv = |k: &str| sc.and_then(|s| s.get(k));
    let eff = |k: &str| scv(k).or_else(|| pod_sc.and_then(|s| s.get(k)));

    if flag(scv("privileged")) == Some(true) {
        out.hit(
            &PRIVILEGED,
            format!("{address}: {who} sets securityContext.privileged: true"),
        );
    }
    let ape = scv("allowPrivilegeEscalation");
    if flag(ape) != Some(false) {
        let explicit = flag(ape) == Some(true);
        out.hit_ev(
            &PRIV_ESC,
            format!(
                "{address}: {who} {}",
                if explicit {
                    "sets securityContext.allowPrivilegeEscalation: true"
                } else {
                    "does not set securityContext.allowPrivilegeEscalation: false"
                }
            ),
            format!(
                "allowPrivilegeEscalation={}",
                if explicit { "true" } else { "unset" }
            ),
        );
    }
    // Root.
    let non_root = flag(eff("runAsNonRoot"));
    let user = eff("runAsUser");
    let uid = int(user).filter(|_| user.is_some_and(Value::is_number));
    let root = match (non_root, uid) {
        (_, Some(0)) => true,
        (Some(true), _) => false,
        (_, Some(u)) => u < 0,
        _ => true,
    };
    if root {
        out.hit(
            &RUN_AS_ROOT,
            format!(
                "{address}: {who} may run as root (runAsNonRoot = {}, runAsUser = {})",
                show(eff("runAsNonRoot")),
                show(user)
            ),
        );
    }
    // Image.
    let image = c.get("image").and_then(Value::as_str).unwrap_or("");
    let (_, tag, digest) = split_image(image);
    let floating = digest.is_none() && tag.is_none_or(|t| t == "latest");
    if floating {
        out.hit(
            &IMAGE_TAG,
            format!(
                "{address}: {who} image \"{image}\" is {}",
                if tag.is_some() {
                    "tagged latest"
                } else {
                    "not pinned to a tag"
                }
            ),
        );
    }
    if !p.allowed_registries.is_empty()
        && !image.is_empty()
        && !registry_allowed(image, p.allowed_registries)
    {
        out.hit(
            &IMAGE_REGISTRY,
            format!(
                "{address}: {who} image \"{image}\" is not from an allowed registry ({})",
                p.allowed_registries.join(", ")
            ),
        );
    }
    let policy = c.get("imagePullPolicy").and_then(Value::as_str);
    let pull_ok = match policy {
        Some(p) => p == "Always",
        // Kubernetes defaults to Always for floating tags.
        None => floating || digest.is_some(),
    };
    if !pull_ok {
        out.hit(
            &PULL_POLICY,
            format!(
                "{address}: {who} imagePullPolicy is {}",
                show(c.get("imagePullPolicy"))
            ),
        );
    }
    // Resources (a malformed `resources` that is not a mapping is not judged).
    let res = c.get("resources");
    if res.is_none_or(|r| r.is_object() || r.is_null()) {
        for (section, kind, rule) in [
            ("limits", "cpu", &CPU_LIMITS),
            ("limits", "memory", &MEMORY_LIMITS),
            ("requests", "cpu", &CPU_REQUESTS),
            ("requests", "memory", &MEMORY_REQUESTS),
        ] {
            let sec = res.and_then(|r| r.get(section));
            if sec.is_some_and(|s| !s.is_object() && !s.is_null()) {
                continue;
            }
            if sec.and_then(|s| s.get(kind)).is_none_or(Value::is_null) {
                out.hit(
                    rule,
                    format!("{address}: {who} has no resources.{section}.{kind}"),
                );
            }
        }
    }
    if flag(scv("readOnlyRootFilesystem")) != Some(true) {
        out.hit(
            &READONLY_ROOTFS,
            format!(
                "{address}: {who} readOnlyRootFilesystem is {}",
                show(scv("readOnlyRootFilesystem"))
            ),
        );
    }
    // Capabilities.
    let caps = scv("capabilities");
    let drop: Vec<String> = super::strings(caps.and_then(|c| c.get("drop")))
        .into_iter()
        .map(cap)
        .collect();
    let add: Vec<String> = super::strings(caps.and_then(|c| c.get("add")))
        .into_iter()
        .map(cap)
        .collect();
    let drops_all = drop.iter().any(|d| d == "ALL");
    if !drops_all {
        out.hit(
            &DROP_ALL,
            format!("{address}: {who} does not drop ALL capabilities (drop = {drop:?})"),
        );
    }
    let adds_raw = add.iter().any(|a| a == "NET_RAW" || a == "ALL");
    if adds_raw || !(drops_all || drop.iter().any(|d| d == "NET_RAW")) {
        out.hit(
            &NET_RAW,
            format!("{address}: {who} keeps NET_RAW (drop = {drop:?}, add = {add:?})"),
        );
    }
    let dangerous: Vec<&String> = add
        .iter()
        .filter(|a| DANGEROUS.contains(&a.as_str()))
        .collect();
    if !dangerous.is_empty() {
        out.hit(
            &DANGEROUS_CAPS,
            format!("{address}: {who} adds capabilities {dangerous:?}"),
        );
    }
    // seccomp / AppArmor on the container.
    let seccomp = sc
        .and_then(|s| get(s, &["seccompProfile", "type"]))
        .and_then(Value::as_str);
    if seccomp == Some("Unconfined")
        || ann(&format!(
            "container.seccomp.security.alpha.kubernetes.io/{name}"
        )) == Some("unconfined")
    {
        out.hit(
            &SECCOMP_UNCONFINED,
            format!("{address}: {who} seccomp profile is Unconfined"),
        );
    }
    let apparmor = sc
        .and_then(|s| get(s, &["appArmorProfile", "type"]))
        .and_then(Value::as_str);
    if apparmor == Some("Unconfined")
        || ann(&format!(
            "container.apparmor.security.beta.kubernetes.io/{name}"
        )) == Some("unconfined")
    {
        out.hit(
            &APPARMOR_UNCONFINED,
            format!("{address}: {who} AppArmor profile is unconfined"),
        );
    }
    if probes {
        if c.get("livenessProbe").is_none_or(Value::is_null) {
            out.hit(&LIVENESS, format!("{address}: {who} has no livenessProbe"));
        }
        if c.get("readinessProbe").is_none_or(Value::is_null) {
            out.hit(
                &READINESS,
                format!("{address}: {who} has no readinessProbe"),
            );
        }
    }
}

fn rbac(address: &str, a: &Value, out: &mut Out) {
    let Some(rules) = a.get("rules").and_then(Value::as_array) else {
        return;
    };
    for (i, r) in rules.iter().enumerate() {
        let wild: Vec<&str> = ["apiGroups", "resources", "verbs"]
            .into_iter()
            .filter(|k| super::strings(r.get(*k)).contains(&"*"))
            .collect();
        if !wild.is_empty() {
            out.hit(
                &RBAC_WILDCARD,
                format!("{address}: rules[{i}] uses \"*\" in {}", wild.join(", ")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(kind: &str, a: Value) -> Vec<&'static str> {
        let mut out = Out::default();
        check(
            "X/ns/n",
            kind,
            &a,
            &K8sParams {
                allowed_registries: &[],
            },
            &mut out,
        );
        out.hits.iter().map(|h| h.rule.id).collect()
    }

    #[test]
    fn images() {
        assert_eq!(split_image("nginx"), ("nginx", None, None));
        assert_eq!(
            split_image("reg:5000/a/b:1.2"),
            ("reg:5000/a/b", Some("1.2"), None)
        );
        assert_eq!(
            split_image("a/b:1@sha256:x"),
            ("a/b", Some("1"), Some("sha256:x"))
        );
        assert!(registry_allowed("nginx:1", &["docker.io/library".into()]));
        assert!(registry_allowed("ghcr.io/org/x:1", &["ghcr.io/org".into()]));
        assert!(!registry_allowed("evil.io/org/x:1", &["ghcr.io".into()]));
    }

    #[test]
    fn hardened_pod_passes_container_rules() {
        let ids = run(
            "Pod",
            json!({"metadata": {"namespace": "app"}, "spec": {
                "automountServiceAccountToken": false,
                "securityContext": {"runAsNonRoot": true, "runAsUser": 1000},
                "containers": [{"name": "c", "image": "reg.io/a:1.0", "imagePullPolicy": "Always",
                  "livenessProbe": {}, "readinessProbe": {},
                  "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1", "memory": "1Gi"}},
                  "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
                    "capabilities": {"drop": ["ALL"]}}}]}}),
        );
        assert!(ids.is_empty(), "{ids:?}");
    }

    #[test]
    fn bad_pod() {
        let ids = run(
            "Pod",
            json!({"spec": {"hostNetwork": true, "securityContext": {"runAsUser": 1000},
                "volumes": [{"name": "d", "hostPath": {"path": "/var/run/docker.sock"}}],
                "containers": [{"name": "c", "image": "nginx",
                  "securityContext": {"runAsUser": 0, "privileged": true, "capabilities": {"add": ["cap_sys_admin"]}}}]}}),
        );
        for id in [
            "iac/k8s-host-network",
            "iac/k8s-docker-socket",
            "iac/k8s-privileged",
            "iac/k8s-run-as-root",
            "iac/k8s-dangerous-capabilities",
            "iac/k8s-image-tag",
            "iac/k8s-default-namespace",
        ] {
            assert!(ids.contains(&id), "{id} missing from {ids:?}");
        }
    }
}
