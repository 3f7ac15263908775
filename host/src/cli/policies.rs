//! `gate policies`: what is available, with versions and digests.

use super::{PoliciesArgs, output};
use crate::error::GateError;
use crate::exit::Exit;
use crate::policies::builtin;
use crate::runtime::{CallEnv, CompileCache, Limits, Runtime, convert};
use serde_json::json;
use std::time::Duration;

pub fn run(args: PoliciesArgs) -> Result<Exit, GateError> {
    let runtime = Runtime::new(Limits::default(), CompileCache::from_env())
        .map_err(|e| GateError::Runtime(format!("cannot start the wasm runtime: {e:#}")))?;
    let env = CallEnv {
        now: Duration::ZERO,
    };
    let mut list = Vec::new();
    let mut failed = false;
    for name in builtin::names() {
        let Some(builtin::Embedded { bytes, digest: hex }) = builtin::embedded(name) else {
            continue;
        };
        let digest = format!("sha256:{hex}");
        match runtime
            .load_digested(bytes, hex.to_string())
            .and_then(|p| runtime.info(&p, env))
        {
            Ok(info) => {
                let schema: serde_json::Value =
                    serde_json::from_str(&info.params_schema).unwrap_or(serde_json::Value::Null);
                list.push(json!({
                    "ref": format!("builtin:{name}"),
                    "name": info.name,
                    "version": info.version,
                    "description": info.description,
                    "digest": digest,
                    "consumes": info.consumes.iter().map(|k| convert::kind_back(*k).as_str()).collect::<Vec<_>>(),
                    "params_schema": schema,
                    "rules": info.rules.iter().map(convert::rule_info).collect::<Vec<_>>(),
                }));
            }
            Err(e) => {
                failed = true;
                list.push(json!({"ref": format!("builtin:{name}"), "digest": digest, "error": e}));
            }
        }
    }
    if args.json {
        let mut s = serde_json::to_string_pretty(&list).unwrap_or_default();
        s.push('\n');
        output::print(s)?;
    } else {
        let mut text = String::new();
        for p in &list {
            text.push_str(&format!(
                "{:<22} {:<8} {}  {}\n",
                p["ref"].as_str().unwrap_or(""),
                p["version"].as_str().unwrap_or("-"),
                p["digest"].as_str().unwrap_or(""),
                p["description"]
                    .as_str()
                    .or(p
                        .get("error")
                        .and_then(|e| e.get("message"))
                        .and_then(|m| m.as_str()))
                    .unwrap_or("")
            ));
        }
        output::print(text)?;
    }
    Ok(if failed {
        Exit::PolicyRuntime
    } else {
        Exit::Pass
    })
}
