//! `gate eval`: one policy, ad hoc.

use super::EvalArgs;
use super::check::{apply_registry, base_plan, default_config_exists, finish, load_config};
use crate::config::{ConfigError, Role};
use crate::error::GateError;
use crate::evaluate::{ParamsOrigin, PolicySpec};
use crate::exit::Exit;
use crate::inputs::ArtifactSpec;
use crate::policies::PolicyRef;
use gate_oci::Reference;
use std::path::Path;

pub fn run(args: EvalArgs) -> Result<Exit, GateError> {
    // A `gate.toml` here brings its `[registry]` trust settings and lock
    // file: trusted keys must not be skipped just because the policy is
    // run ad hoc.
    let config = match &args.config {
        Some(p) => Some(p.as_path()),
        None => Some(Path::new("gate.toml")).filter(|_| default_config_exists()),
    };
    // Loaded first: its input size limit applies to everything read after.
    let config = config.map(load_config).transpose()?;
    let mut plan = base_plan(&args.run)?;
    if let Some(cfg) = &config {
        apply_registry(cfg, &mut plan.registry);
    }
    let params = match &args.params {
        Some(text) => {
            let v = gate_artifacts::document::strict_json(text)
                .map_err(|e| ConfigError::plain("--params", format!("not valid JSON: {e}")))?;
            if !v.is_object() {
                return Err(ConfigError::plain("--params", "must be a JSON object").into());
            }
            v
        }
        None => serde_json::json!({}),
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    let reference = PolicyRef::parse(&args.policy, &cwd);
    if let PolicyRef::Oci(r) = &reference {
        Reference::parse(r).map_err(|e| GateError::Usage(format!("--policy: {}", e.message)))?;
    }
    plan.policies.push(PolicySpec {
        reference,
        reference_origin: ParamsOrigin::Flag,
        name: None,
        level: None,
        params,
        params_origin: if args.params.is_some() {
            ParamsOrigin::Flag
        } else {
            ParamsOrigin::Default
        },
        required: true,
        rego: Default::default(),
    });
    plan.artifacts = args
        .artifacts
        .iter()
        .map(|p| ArtifactSpec {
            display: p.display().to_string(),
            path: p.clone(),
            format: None,
            role: Role::Current,
        })
        .collect();
    finish(&plan, &args.run, config.as_ref().map(|c| c.path.as_path()))
}
