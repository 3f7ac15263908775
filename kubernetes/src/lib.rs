//! Where each Kubernetes workload kind keeps its pod: one table for the
//! host's manifest parser (`gate-artifacts`, which records the places of
//! containers and warns about pod specs that are not mappings) and the
//! built-in iac policy (whose rules judge the pod spec). The two run on
//! either side of the wasm boundary, so they share this tiny crate rather
//! than a module; it has no dependencies and no `std`, so the policy's
//! component stays small.
#![no_std]

/// Where a workload keeps its pod: the paths from the resource's root to
/// the pod spec and to the pod's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PodPaths {
    /// To the pod spec (`containers`, `volumes`…).
    pub spec: &'static [&'static str],
    /// To the pod's metadata (its annotations).
    pub metadata: &'static [&'static str],
}

/// The pod of a workload kind (Pod, Deployment, StatefulSet, DaemonSet,
/// ReplicaSet, ReplicationController, Job, CronJob, PodTemplate, OpenShift
/// DeploymentConfig); `None` for a kind that runs no pod.
pub fn pod_paths(kind: &str) -> Option<PodPaths> {
    let (spec, metadata): (&[&str], &[&str]) = match kind {
        "Pod" => (&["spec"], &["metadata"]),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job"
        | "DeploymentConfig" => (
            &["spec", "template", "spec"],
            &["spec", "template", "metadata"],
        ),
        "PodTemplate" => (&["template", "spec"], &["template", "metadata"]),
        "CronJob" => (
            &["spec", "jobTemplate", "spec", "template", "spec"],
            &["spec", "jobTemplate", "spec", "template", "metadata"],
        ),
        _ => return None,
    };
    Some(PodPaths { spec, metadata })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pod_spec_and_metadata_sit_side_by_side() {
        for kind in ["Pod", "Deployment", "CronJob", "PodTemplate", "Job"] {
            let p = pod_paths(kind).unwrap();
            let (spec, spec_parent) = p.spec.split_last().unwrap();
            let (meta, meta_parent) = p.metadata.split_last().unwrap();
            assert_eq!((*spec, *meta), ("spec", "metadata"), "{kind}");
            // Both in the pod template (a Pod is its own template).
            assert_eq!(spec_parent, meta_parent, "{kind}");
        }
        assert_eq!(pod_paths("Service"), None);
        assert_eq!(pod_paths("deployment"), None);
    }
}
