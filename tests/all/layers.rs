//! The host's modules form layers (the table in `host/src/lib.rs`), the
//! verdict and the reports depend on data alone, and no crate of the
//! workspace has a module cycle. Read from the source by the checker the
//! crates share (`tests/support/layers.rs`).

#[path = "../support/layers.rs"]
mod check;

use crate::repo;
use std::collections::BTreeSet;

#[test]
fn host_modules_only_use_the_layers_below_them() {
    let host = repo().join("host");
    let modules = check::assert_layers(&host);
    assert!(modules.len() >= 12, "{modules:?}");
    // cli → evaluate → {runtime, inputs, registry, config, ...} → verdict → model.
    let at = |m: &str| modules.iter().position(|n| n == m).unwrap();
    assert_eq!(modules.last().map(String::as_str), Some("cli"));
    for m in [
        "runtime", "inputs", "registry", "config", "policies", "params",
    ] {
        assert!(at("verdict") < at(m) && at(m) < at("evaluate"), "{m}");
    }
}

#[test]
fn the_verdict_and_the_reports_depend_on_data_alone() {
    let host = repo().join("host");
    let modules = check::table(&std::fs::read_to_string(host.join("src/lib.rs")).unwrap());
    let g = check::graph(&host.join("src"), &modules);
    let uses = |m: &str| g[m].iter().map(String::as_str).collect::<BTreeSet<_>>();
    assert_eq!(uses("model"), BTreeSet::new());
    assert_eq!(uses("exit"), BTreeSet::new());
    assert_eq!(uses("verdict"), BTreeSet::from(["exit", "model"]));
    assert!(
        uses("report").is_subset(&BTreeSet::from(["verdict", "model", "exit"])),
        "{:?}",
        uses("report")
    );
}

#[test]
fn no_crate_has_a_module_cycle() {
    for krate in [
        "host",
        "host/artifacts",
        "oci",
        "fsutil",
        "codes",
        "kubernetes",
        "guest-sdk",
        "policies/coverage",
        "policies/security",
        "policies/approvals",
        "policies/iac",
        "policies/canary",
    ] {
        let src = repo().join(krate).join("src");
        let mut modules: Vec<String> = check::files(&src).into_iter().map(|f| f.module).collect();
        modules.dedup();
        let g = check::graph(&src, &modules);
        assert_eq!(check::cycles(&g), Vec::<Vec<String>>::new(), "{krate}");
    }
}

#[test]
fn uses_are_read_from_paths_groups_and_super() {
    let text = "use crate::error::X;\nuse crate::{manifest::{Y, Z}, pack};\n\
                let a = crate::json::parse(x);\nuse super::report;\n";
    let names = |to_root| check::names(text, to_root).into_iter().collect::<Vec<_>>();
    // A top-level module's `super::` is the crate root.
    assert_eq!(names(1), ["error", "json", "manifest", "pack", "report"]);
    // Deeper, `super::report` stays inside the module.
    assert_eq!(names(2), ["error", "json", "manifest", "pack"]);
    assert_eq!(
        check::names("use super::super::config::Role;\n", 2)
            .into_iter()
            .collect::<Vec<_>>(),
        ["config"]
    );
    // Comments and the unit tests at the end are not code.
    let code = check::code(
        "/// see [`crate::cli`]\nuse crate::model::Role;\n\n#[cfg(test)]\nmod tests {\n    use crate::cli;\n}\n",
    );
    assert_eq!(
        check::names(&code, 1).into_iter().collect::<Vec<_>>(),
        ["model"]
    );
}

#[test]
fn a_use_that_points_up_or_round_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "src/lib.rs",
        "//! ```text\n//! data   the bottom\n//! run    uses data\n//! ```\nmod data;\nmod run;\n#[cfg(test)]\nmod fixture;\n",
    );
    write("src/run/mod.rs", "mod step;\nuse crate::data::X;\n");
    write("src/run/step.rs", "use super::super::data::Y;\n");
    // Test-only modules are not layers.
    write("src/fixture.rs", "use crate::run::Z;\n");
    write("src/data.rs", "pub struct X;\n");
    assert_eq!(check::assert_layers(dir.path()), ["data", "run"]);

    // `data` reaching up into `run` (from a nested file of its own).
    write("src/data.rs", "mod inner;\n");
    write("src/data/inner.rs", "use super::super::run::step;\n");
    let refused = std::panic::catch_unwind(|| check::assert_layers(dir.path())).unwrap_err();
    let message = refused.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("`data` uses `run`, which is not below it"),
        "{message}"
    );
    let src = dir.path().join("src");
    let modules = ["data".to_string(), "run".to_string()];
    assert_eq!(
        check::cycles(&check::graph(&src, &modules)),
        [["data", "run"]]
    );
}
