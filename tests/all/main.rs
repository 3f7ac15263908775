//! Integration tests: one binary (wasmtime style), one module per area. Every
//! test runs the real `gate` binary in its own temp dir (ripgrep style).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod builtins;
mod cache;
mod canary;
mod canary_live;
mod check;
mod cli;
mod components;
#[path = "../support/corpus.rs"]
mod corpus;
mod fail_closed_io;
mod fail_closed_params;
mod fail_closed_text;
mod fail_closed_xml;
mod fixture_gates;
mod gates;
mod iac;
mod image;
mod install;
mod layers;
mod peers;
mod performance_gate;
mod registry;
mod registry_auth;
#[path = "../support/registry_server.rs"]
mod registry_server;
mod rego;
mod report_sections;
mod reports;
mod review_cli;
mod sandbox;
mod scaffold;
mod sdk_package;
mod testing;
mod tests_gate;

pub use corpus::corpus_or_skip;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The value of metric `name` of the first policy of a JSON verdict.
pub fn metric(v: &serde_json::Value, name: &str) -> f64 {
    v["policies"][0]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("no metric {name} in {v}"))["value"]
        .as_f64()
        .unwrap()
}

/// A temp dir to run `gate` in, with its own compile cache.
pub struct TestDir {
    pub dir: tempfile::TempDir,
    pub cache: PathBuf,
}

/// What a `gate` run left behind.
pub struct Run {
    pub out: Output,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.out.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.out.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout(),
                self.stderr()
            )
        })
    }
    /// The whole run as one text for a snapshot: the exit code, then stdout
    /// and stderr in full (a stream that does not end in a newline says so).
    pub fn transcript(&self) -> String {
        let mut s = format!("exit: {}\n", self.code());
        for (name, text) in [("stdout", self.stdout()), ("stderr", self.stderr())] {
            s.push_str(&format!("--- {name}\n{text}"));
            if !text.is_empty() && !text.ends_with('\n') {
                s.push_str("\n[no newline at end]\n");
            }
        }
        s
    }
    /// [`Run::transcript`] under a `=== title` line, for snapshots that
    /// show several cases in one file.
    pub fn titled(&self, title: &str) -> String {
        format!("=== {title}\n{}", self.transcript())
    }
    /// Asserts that stderr says `needle`, showing stderr when it does not.
    pub fn expect_stderr(&self, needle: &str) -> &Self {
        assert!(
            self.stderr().contains(needle),
            "expected `{needle}` on stderr:\n{}",
            self.stderr()
        );
        self
    }
    /// Asserts the exit code, showing the output when it differs.
    pub fn expect_code(self, code: i32) -> Self {
        assert_eq!(
            self.code(),
            code,
            "unexpected exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
}

impl Default for TestDir {
    fn default() -> Self {
        Self::new()
    }
}

impl TestDir {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join(".cache");
        TestDir { dir, cache }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Binds snapshot settings for the rest of the scope: whole outputs are
    /// compared with insta, masking only what varies from run to run — this
    /// dir's path, the gate version, component digests and fuel.
    pub fn snapshots(&self) -> insta::internals::SettingsBindDropGuard {
        snapshot_settings(&[self]).bind_to_scope()
    }

    /// Runs git in the temp dir (author and committer set); fails the test
    /// when git does.
    pub fn git(&self, args: &[&str]) {
        let ok = Command::new("git")
            .args(args)
            .current_dir(self.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, contents).unwrap();
        p
    }

    /// Copies a file of the shared corpus (from [`corpus_or_skip`]) into the dir.
    pub fn corpus_file(&self, corpus: &Path, rel: &str, name: &str) -> PathBuf {
        let bytes = std::fs::read(corpus.join(rel)).unwrap();
        self.write(name, bytes)
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_gate"));
        c.current_dir(self.path())
            .env("GATE_CACHE_DIR", &self.cache)
            .env("NO_COLOR", "1")
            .env_remove("GATE_NOW")
            .env_remove("SOURCE_DATE_EPOCH")
            .env_remove("GATE_ENVIRONMENT");
        for v in [
            "GITHUB_SHA",
            "GITHUB_REF_NAME",
            "GITHUB_HEAD_REF",
            "GITHUB_ACTOR",
            "GITHUB_BASE_REF",
            "CI_COMMIT_SHA",
            "CI_COMMIT_REF_NAME",
            "GITLAB_USER_LOGIN",
            "CI_ENVIRONMENT_NAME",
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
            "GITHUB_SERVER_URL",
            "GITHUB_REPOSITORY",
            "CI_PROJECT_URL",
            "GITHUB_STEP_SUMMARY",
        ] {
            c.env_remove(v);
        }
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run {
            out: self.command().args(args).output().unwrap(),
        }
    }
}

/// Snapshot settings masking what varies per run: the paths of `dirs`
/// (`[dir]`, `[dir2]`, …) and of the checkout (`[repo]`), the system clock,
/// loopback ports, the gate version, sha256 digests (built-in
/// components change whenever a policy is rebuilt) and fuel.
pub fn snapshot_settings(dirs: &[&TestDir]) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    for (i, t) in dirs.iter().enumerate() {
        let name = if i == 0 {
            "[dir]".to_string()
        } else {
            format!("[dir{}]", i + 1)
        };
        let path = t.path();
        if let Ok(real) = path.canonicalize()
            && real != path
        {
            settings.add_filter(&regex::escape(&real.to_string_lossy()), name.clone());
        }
        settings.add_filter(&regex::escape(&path.to_string_lossy()), name);
    }
    settings.add_filter(&regex::escape(&repo().to_string_lossy()), "[repo]");
    let version = regex::escape(env!("CARGO_PKG_VERSION"));
    settings.add_filter(&format!(r"\bgate {version}\b"), "gate [version]");
    // The man page's VERSION section.
    settings.add_filter(&format!(r"(?m)^v{version}$"), "v[version]");
    // The build's commit and its date (`--version`, the man page).
    settings.add_filter(r"commit: [0-9a-f]{12}|commit: unknown", "commit: [commit]");
    // (the man page escapes `-` as `\-`)
    settings.add_filter(r"date: \d{4}\\?-\d\d\\?-\d\d|date: unknown", "date: [date]");
    settings.add_filter(r"target: [0-9a-z_\\-]+", "target: [target]");
    settings.add_filter(
        &format!(r#""gate_version": "{version}""#),
        r#""gate_version": "[version]""#,
    );
    // A run without --now or SOURCE_DATE_EPOCH reads the clock.
    settings.add_filter(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(system-clock\)",
        "[now] (system-clock)",
    );
    // Test registries listen on free loopback ports.
    settings.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[port]");
    settings.add_filter(r"sha256:[0-9a-f]{64}", "sha256:[digest]");
    settings.add_filter(r#""fuel_consumed": \d+"#, r#""fuel_consumed": [fuel]"#);
    settings
}

/// A small LCOV report: 10 lines, 8 covered; 4 branches, 3 covered.
pub const LCOV_80: &str = "\
TN:
SF:src/lib.rs
FN:1,main
FNDA:3,main
DA:1,3
DA:2,3
DA:3,0
DA:4,1
DA:5,1
BRDA:2,0,0,1
BRDA:2,0,1,0
LF:5
LH:4
end_of_record
SF:src/util.rs
DA:1,1
DA:2,1
DA:3,0
DA:4,2
DA:5,2
BRDA:4,0,0,1
BRDA:4,0,1,1
end_of_record
";
