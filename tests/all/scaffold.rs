//! `gate new policy`: the scaffold builds as a standalone crate, passes its
//! own `gate test` suite unmodified, and the suite catches a rule that no
//! longer fires. Builds with the real toolchain (crates.io needed).

use crate::TestDir;
use std::path::Path;
use std::process::Command;

/// `cargo` in `dir` as a user would run it: none of this worktree's cargo
/// settings (shared build dir, target dir, flags), its own target dir.
fn cargo(dir: &Path, args: &[&str]) {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if (key.starts_with("CARGO_") && key != "CARGO_HOME")
            || key.ends_with("RUSTFLAGS")
            || key == "GATE_POLICY_WASM_DIR"
        {
            c.env_remove(&key);
        }
    }
    let out = c
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn scaffold(t: &TestDir, name: &str, kind: &str) -> std::path::PathBuf {
    let sdk = crate::repo().join("guest-sdk");
    let sdk = sdk.to_str().unwrap();
    t.run(&["new", "policy", name, "--kind", kind, "--sdk-path", sdk])
        .expect_code(0);
    t.path().join(name)
}

#[test]
fn a_findings_scaffold_builds_passes_its_tests_and_catches_a_rule_that_never_fires() {
    let t = TestDir::new();
    let dir = scaffold(&t, "no-criticals", "findings");
    for file in [
        "Cargo.toml",
        "README.md",
        "pack.toml",
        "src/lib.rs",
        "tests/no-criticals.test.toml",
        "tests/fixtures/grype.json",
    ] {
        assert!(dir.join(file).is_file(), "{file} missing");
    }
    // Its native unit tests, one on the fixture read by gate's own parser.
    cargo(&dir, &["test"]);
    cargo(&dir, &["build", "--release", "--target", "wasm32-wasip2"]);
    assert!(
        dir.join("target/wasm32-wasip2/release/no_criticals.wasm")
            .is_file()
    );
    let test = || {
        t.command()
            .current_dir(&dir)
            .args(["test", "tests"])
            .output()
            .unwrap()
    };
    let green = crate::Run { out: test() }.expect_code(0);
    assert!(
        green.stdout().contains("4 passed, 0 failed"),
        "{}",
        green.stdout()
    );

    // Its pack.toml names the built component: the pack builds as generated.
    let pack = t.path().join("no-criticals.oci");
    let built = t
        .command()
        .current_dir(&dir)
        .args(["pack", "build", "."])
        .arg("-o")
        .arg(&pack)
        .output()
        .unwrap();
    crate::Run { out: built }.expect_code(0);
    assert!(pack.join("index.json").is_file());

    // The rule never fires any more: the suite must fail, naming the case and the rule.
    let lib = dir.join("src/lib.rs");
    let source = std::fs::read_to_string(&lib).unwrap();
    let rule = "threshold::reaches(severity, Some(fail_on), Severity::High)";
    assert!(source.contains(rule));
    std::fs::write(&lib, source.replace(rule, "false")).unwrap();
    cargo(&dir, &["build", "--release", "--target", "wasm32-wasip2"]);
    let red = crate::Run { out: test() }.expect_code(1);
    let out = red.stdout();
    assert!(
        out.contains("FAIL tests/no-criticals.test.toml: a critical finding fails by default"),
        "{out}"
    );
    assert!(
        out.contains("rule `no-criticals/severity`: expected `fail`"),
        "{out}"
    );
}

/// The README's "Writing a policy" example is what `gate new` writes
/// (src/lib.rs without its unit tests), so the two cannot drift apart.
#[test]
fn the_readme_example_is_the_findings_scaffold() {
    let t = TestDir::new();
    let dir = scaffold(&t, "no-criticals", "findings");
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    let example = lib.split("\n#[cfg(test)]").next().unwrap().trim_end();
    let readme = std::fs::read_to_string(crate::repo().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("```rust\n{example}\n```")),
        "README.md's example is not what `gate new policy no-criticals --kind findings` writes:\n{example}"
    );
    let cargo_toml = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    for dependency in ["schemars = \"1\"", "gate-sdk-testing = { path = "] {
        assert!(cargo_toml.contains(dependency), "{cargo_toml}");
    }
}

#[test]
fn the_other_kinds_scaffold_and_check_for_wasm() {
    let t = TestDir::new();
    for (name, kind) in [
        ("min-coverage", "coverage"),
        ("tagged-resources", "iac"),
        ("two-approvals", "approvals"),
    ] {
        let dir = scaffold(&t, name, kind);
        cargo(
            &dir,
            &["check", "--target", "wasm32-wasip2", "--all-targets"],
        );
    }
}

/// The tests and performance kinds build for wasm32-wasip2 and pass their
/// own `gate test` suites on their fixtures unmodified (their unit tests
/// cover the rule alone: gate-sdk-testing does not read test or
/// performance reports natively).
#[test]
fn the_tests_and_performance_scaffolds_pass_their_gate_test_suites() {
    let t = TestDir::new();
    let mut first: Option<std::path::PathBuf> = None;
    for (name, kind, cases) in [
        ("no-failed-tests", "tests", 3),
        ("parse-budget", "performance", 4),
    ] {
        let dir = scaffold(&t, name, kind);
        // One target dir for both crates: their dependencies build once.
        match &first {
            Some(target) => std::os::unix::fs::symlink(target, dir.join("target")).unwrap(),
            None => first = Some(dir.join("target")),
        }
        cargo(&dir, &["test"]);
        cargo(&dir, &["build", "--release", "--target", "wasm32-wasip2"]);
        let run = t
            .command()
            .current_dir(&dir)
            .args(["test", "tests"])
            .output()
            .unwrap();
        let run = crate::Run { out: run }.expect_code(0);
        assert!(
            run.stdout().contains(&format!("{cases} passed, 0 failed")),
            "{kind}: {}",
            run.stdout()
        );
    }
}

#[test]
fn a_bad_name_or_a_non_empty_dir_writes_nothing() {
    let t = TestDir::new();
    t.run(&["new", "policy", "No_Criticals"])
        .expect_code(2)
        .expect_stderr("kebab-case");
    assert!(!t.path().join("No_Criticals").exists());
    t.write("taken/notes.txt", "mine");
    t.run(&["new", "policy", "taken"])
        .expect_code(2)
        .expect_stderr("not empty");
    let entries: Vec<_> = std::fs::read_dir(t.path().join("taken")).unwrap().collect();
    assert_eq!(entries.len(), 1);
}
