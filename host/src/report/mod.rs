//! Reports: projections of the one verdict document. No format computes
//! results of its own; all output to stdout goes through here.

pub mod human;
pub mod json;

use crate::verdict::VerdictDoc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// A readable summary grouped by policy.
    Human,
    /// The verdict document (stable schema, byte-identical for the same inputs).
    Json,
}

pub fn render(doc: &VerdictDoc, format: OutputFormat) -> String {
    match format {
        OutputFormat::Human => human::render(doc),
        OutputFormat::Json => json::render(doc),
    }
}
