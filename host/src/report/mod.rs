//! Reports: projections of the one verdict document. No format computes
//! results of its own; all output to stdout goes through here.

pub mod canary;
pub mod escape;
pub mod github;
pub mod gitlab;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod performance;
pub mod sarif;
pub mod svg;
pub mod tests;

use crate::verdict::VerdictDoc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// A readable summary grouped by policy.
    Human,
    /// The verdict document (stable schema, byte-identical for the same inputs).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// JUnit XML (GitLab, Jenkins, Azure).
    Junit,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// GitHub Actions annotations (and the step summary when $GITHUB_STEP_SUMMARY is set).
    Github,
    /// Markdown for a pull request comment.
    Markdown,
    /// A self-contained HTML page.
    Html,
}

/// Writes the report to `out` (`color`: ANSI colors, human format only).
/// The human and JSON reports, which grow with the findings, are written
/// as they are made, never held whole in memory (issue 11); the others
/// are bounded or small and are made first.
pub fn write(
    doc: &VerdictDoc,
    format: OutputFormat,
    color: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let text = match format {
        OutputFormat::Human => return human::write(doc, color, out),
        OutputFormat::Json => return json::write(doc, out),
        OutputFormat::Sarif => sarif::render(doc),
        OutputFormat::Junit => junit::render(doc),
        OutputFormat::Gitlab => gitlab::render(doc),
        OutputFormat::Github => github::render(doc),
        OutputFormat::Markdown => markdown::render(doc),
        OutputFormat::Html => html::render(doc),
    };
    out.write_all(text.as_bytes())
}
