//! `builtin:rego`: Rego policies (OPA's language) evaluated by `regorus`
//! inside the sandbox, with conftest's conventions, so existing conftest
//! policies run unchanged.
//!
//! Everything comes from the host as `raw` artifacts, told apart by media
//! type (see [`media`]): the Rego modules, the data documents (JSON; the
//! host converts YAML), and the input documents, one artifact per document
//! as conftest would evaluate it (a multi-document YAML file is several,
//! a Dockerfile is one list of commands), each with the file and line it
//! came from. The host builds them; this crate only judges.

pub mod conftest;
pub mod media;
pub mod unit;

use gate_sdk::*;

pub use conftest::{Params, evaluate};

pub struct RegoPolicy;

impl Policy for RegoPolicy {
    fn info() -> PolicyInfo {
        PolicyInfo::new(
            "rego",
            env!("CARGO_PKG_VERSION"),
            "Rego (OPA) policies with conftest's conventions: deny, violation and warn rules over the input documents",
        )
        .consumes(&[ArtifactKind::Raw])
        .params_schema(PARAMS_SCHEMA)
        .rules(catalog())
    }

    fn evaluate(request: Request) -> Result<Verdict, PolicyError> {
        let params: Params = params::parse(&request.params)?;
        let raws: Vec<&RawArtifact> = request
            .artifacts
            .iter()
            .filter_map(|a| match a {
                Artifact::Raw(r) => Some(r),
                _ => None,
            })
            .collect();
        let bundle = media::Bundle::from_artifacts(&raws)?;
        // Compiling and unit-testing judge no document: with documents to
        // judge they would pass without judging them (the host refuses
        // `mode` in user params; this holds even if it did not).
        if params.mode != conftest::Mode::Evaluate && !bundle.inputs.is_empty() {
            return Err(params::invalid(
                "/mode",
                "`mode` is set by gate itself (compile for `gate pack build`, test for `gate test`) and judges no input document",
            ));
        }
        match params.mode {
            conftest::Mode::Evaluate => evaluate(&bundle, &params),
            conftest::Mode::Compile => unit::compile(&bundle, &params),
            conftest::Mode::Test => unit::test(&bundle, &params),
        }
    }
}

/// The params' JSON Schema as `info()` reports it: `src/params.schema.json`,
/// which a test keeps equal to [`params_schema`]. Shipped as text, so the
/// component neither carries the derivation nor runs it on every load.
pub const PARAMS_SCHEMA: &str = include_str!("params.schema.json");

/// The params' JSON Schema, derived from [`Params`] (written out as
/// `src/params.schema.json` with `GATE_WRITE_SCHEMAS=1`, for review, for
/// the fuzz driver and for [`PARAMS_SCHEMA`]).
pub fn params_schema() -> String {
    params::schema::<Params>("builtin:rego params")
}

/// The rule catalog: the Rego rules are the user's, so it lists the kinds
/// of rule conftest knows; a finding's rule is the Rego rule's path
/// (`main.deny`) or the `id`/`rule` its message object gives.
pub fn catalog() -> Vec<RuleInfo> {
    vec![
        RuleInfo::new(
            "rego/deny",
            Severity::High,
            "a deny or violation rule of a Rego policy produced a message",
        )
        .full("Rules named deny, violation, deny_* or violation_* in the selected namespaces: each message is a failure (its severity is the `deny-severity` param). The finding's rule is the Rego rule (`main.deny`) or the message's `id`/`rule` field.")
        .help("fix the input so the Rego rule no longer fires, or add a conftest-style exception")
        .tags(["rego"]),
        RuleInfo::new(
            "rego/warn",
            Severity::Medium,
            "a warn rule of a Rego policy produced a message",
        )
        .full("Rules named warn or warn_* in the selected namespaces: each message is a warning (its severity is the `warn-severity` param).")
        .help("fix the input so the Rego rule no longer fires, or add a conftest-style exception")
        .tags(["rego"]),
        RuleInfo::new(
            "rego/test",
            Severity::High,
            "a Rego unit test (`test_*` rule) must be true",
        )
        .full("With `mode = \"test\"` (what `gate test` sets for `rego-tests`), every `test_*` rule of the modules is evaluated like `opa test`: it passes when it is true; false, undefined or an error fails it. One finding per test, blocking when it failed.")
        .help("fix the policy or the test; `with input as …` and `with data.x as …` give a test its documents")
        .tags(["rego", "test"]),
        RuleInfo::new(
            "rego/rule",
            Severity::Info,
            "a deny, violation or warn rule the modules define",
        )
        .full("With `mode = \"compile\"` (what `gate pack build` and `gate test` use), the modules are parsed and each conftest rule of the selected namespaces is listed as an info finding named by its path (`main.deny`); nothing is judged.")
        .help("nothing to fix: this lists the rules")
        .tags(["rego"]),
    ]
}

gate_sdk::export!(RegoPolicy);

#[cfg(test)]
mod tests {
    use super::*;

    /// `src/params.schema.json` is the schema derived from `Params`.
    #[test]
    fn the_written_schema_is_the_derived_one() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/params.schema.json");
        if let Err(e) = params::check_written(&path, &params_schema()) {
            panic!("{e}");
        }
    }
}
