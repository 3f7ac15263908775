//! What the host hands over as `raw` artifacts, told apart by media type.
//! The host writes the same names (one concept, one place: the host's
//! `rego` module uses these constants through this crate's rlib).

use gate_sdk::{PolicyError, RawArtifact};

/// A Rego module: the bytes are its source, `meta.path` its file.
pub const MODULE: &str = "application/vnd.gate.rego-module";
/// A data document (JSON), merged at the root of `data` as `opa eval -d`
/// and conftest's `--data` do with a file.
pub const DATA: &str = "application/vnd.gate.rego-data+json";
/// One input document as conftest evaluates it (JSON). Parameters:
/// `line=N`, the 1-based line where the document starts in `meta.path`.
pub const INPUT: &str = "application/vnd.gate.rego-input+json";

/// The media type of an input document starting at `line`.
pub fn input_type(line: Option<u32>) -> String {
    match line {
        Some(l) => format!("{INPUT}; line={l}"),
        None => INPUT.to_string(),
    }
}

/// One input document.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    pub path: &'a str,
    /// The source format (`yaml`, `json`, `dockerfile`, `terraform-plan`…).
    pub format: &'a str,
    pub line: Option<u32>,
    pub json: &'a [u8],
}

/// Everything one evaluation gets, borrowed from the request.
#[derive(Debug, Default)]
pub struct Bundle<'a> {
    pub modules: Vec<(&'a str, &'a str)>,
    pub data: Vec<(&'a str, &'a [u8])>,
    pub inputs: Vec<Input<'a>>,
}

impl<'a> Bundle<'a> {
    /// Sorts the raw artifacts by media type; an unknown one, or a module
    /// that is not UTF-8, cannot be judged.
    pub fn from_artifacts(raws: &[&'a RawArtifact]) -> Result<Self, PolicyError> {
        let mut b = Bundle::default();
        for r in raws {
            let (base, params) = r
                .media_type
                .split_once(';')
                .unwrap_or((r.media_type.as_str(), ""));
            let path = r.meta.path.as_str();
            match base.trim() {
                MODULE => {
                    let text = std::str::from_utf8(&r.bytes).map_err(|e| {
                        PolicyError::UnsupportedInput(format!(
                            "{path}: a Rego module must be UTF-8: {e}"
                        ))
                    })?;
                    b.modules.push((path, text));
                }
                DATA => b.data.push((path, &r.bytes)),
                INPUT => b.inputs.push(Input {
                    path,
                    format: r.meta.format.as_str(),
                    line: line_param(params),
                    json: &r.bytes,
                }),
                other => {
                    return Err(PolicyError::UnsupportedInput(format!(
                        "{path}: a raw artifact of media type `{other}` is not Rego input (expected {MODULE}, {DATA} or {INPUT})"
                    )));
                }
            }
        }
        Ok(b)
    }
}

fn line_param(params: &str) -> Option<u32> {
    params
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("line="))
        .find_map(|l| l.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_parameter_round_trips() {
        let t = input_type(Some(12));
        let (_, params) = t.split_once(';').unwrap();
        assert_eq!(line_param(params), Some(12));
        assert_eq!(input_type(None), INPUT);
    }
}
