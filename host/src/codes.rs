//! The stable codes of gate's own errors, and the one test that every
//! diagnostic code of every crate is unique, kebab-case and documented.
//!
//! Each family of codes is an enum declared with [`gate_codes::names!`]
//! where its codes belong: the parsers' errors and warnings
//! ([`gate_artifacts::ParseCode`], [`gate_artifacts::WarningCode`]), files
//! ([`gate_fsutil::ReadCode`]), the registry ([`gate_oci::ErrorKind`]),
//! policy failures ([`crate::runtime::PolicyErrorKind`]) and the ones below.
//! This module imports nothing else of the crate.

gate_codes::names! {
    /// What stops a run besides artifacts, files, packs and policies,
    /// printed as `error[CODE]`. Codes are a contract: never rename one.
    pub enum ErrorCode {
        /// gate.toml or `--params` is wrong.
        Config = "config",
        /// Stdout or a `--report` file could not be written.
        OutputError = "output-error",
        /// A `gate test` file is wrong (exit 2).
        TestFile = "test-file",
        /// A `gate test` fixture cannot be read or parsed (exit 3).
        TestFixture = "test-fixture",
        /// A policy under `gate test` could not be loaded or run (exit 4).
        TestPolicy = "test-policy",
        /// A `[[metrics]]` query could not be fetched or replayed (exit 3).
        MetricsFetch = "metrics-fetch",
    }
}

#[cfg(test)]
mod tests {
    use gate_codes::{check, section};

    /// Everything printed as `error[CODE]` shares one namespace, and so do
    /// the parse warnings; each code is in the README where its family is
    /// documented.
    #[test]
    fn diagnostic_codes_are_unique_kebab_case_and_documented() {
        let readme = include_str!("../../README.md");
        let stops = section(
            readme,
            "What stops a run is printed once",
            "Other usage errors",
        );
        let mut problems = check(&[
            (super::ErrorCode::NAMES, stops),
            (gate_fsutil::ReadCode::NAMES, stops),
            (
                gate_artifacts::ParseCode::NAMES,
                section(
                    readme,
                    "The parsers' error codes",
                    "Parse warnings are kept",
                ),
            ),
            (
                gate_oci::ErrorKind::NAMES,
                section(
                    readme,
                    "`error[CODE]: message` with a stable code",
                    "## Writing",
                ),
            ),
            (
                crate::runtime::PolicyErrorKind::NAMES,
                section(readme, "Policy error kinds:", "What a policy"),
            ),
        ]);
        problems.extend(check(&[(
            gate_artifacts::WarningCode::NAMES,
            section(readme, "Parse warnings are kept", "Stdout:"),
        )]));
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
