//! Builds the built-in policies (`policies/*`) for `wasm32-wasip2` and hands
//! their paths to `src/policies/builtin.rs`, which embeds them. `cargo install
//! --path host` therefore yields a self-contained binary.
//!
//! The built-ins are discovered: every `policies/*/Cargo.toml` declares
//! `[package.metadata.gate] builtin = "NAME"` (its `builtin:NAME`) and
//! `order = N`, the place of the policy in the default pack (which shows in
//! verdicts and reports, so it is explicit rather than the directories'
//! alphabetical order).
//!
//! The nested cargo uses its own target dir (so it never waits on the outer
//! build's lock) at a stable place next to the outer target dir (so clippy,
//! test and build share it and it rebuilds incrementally).

use sha2::{Digest, Sha256};
use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A built-in policy: its name in `builtin:NAME` and its cargo package.
struct Builtin {
    name: String,
    package: String,
    /// Run without configuration (`default-pack = false` leaves it out:
    /// `builtin:rego` judges nothing without the modules a config names).
    default_pack: bool,
}

/// The crates under `policies/`, in their `order`.
fn discover(root: &Path) -> Vec<Builtin> {
    let dir = root.join("policies");
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| fail(&format!("reading {}: {e}", dir.display())));
    let mut found: Vec<(i64, Builtin)> = Vec::new();
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| fail(&format!("reading {}: {e}", dir.display())))
            .path()
            .join("Cargo.toml");
        if !path.is_file() {
            continue;
        }
        found.push(read_manifest(&path));
    }
    if found.is_empty() {
        fail(&format!("no built-in policies under {}", dir.display()));
    }
    found.sort_by_key(|(order, _)| *order);
    let mut names = std::collections::BTreeSet::new();
    for (i, (order, b)) in found.iter().enumerate() {
        if !names.insert(b.name.as_str()) {
            fail(&format!("two built-in policies are named {}", b.name));
        }
        if i > 0 && found.get(i - 1).is_some_and(|(o, _)| o == order) {
            fail(&format!(
                "two built-in policies have `order = {order}` (one is {})",
                b.name
            ));
        }
    }
    found.into_iter().map(|(_, b)| b).collect()
}

/// A policy crate's package name and `[package.metadata.gate]`.
fn read_manifest(path: &Path) -> (i64, Builtin) {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| fail(&format!("reading {}: {e}", path.display())));
    let manifest: toml::Table = text
        .parse()
        .unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
    let package = manifest.get("package");
    let gate = package
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("gate"));
    let field = |key: &str| gate.and_then(|g| g.get(key));
    let (Some(name), Some(order), Some(package)) = (
        field("builtin").and_then(toml::Value::as_str),
        field("order").and_then(toml::Value::as_integer),
        package
            .and_then(|p| p.get("name"))
            .and_then(toml::Value::as_str),
    ) else {
        fail(&format!(
            "{} needs a package name and `[package.metadata.gate]` with `builtin = \"NAME\"` \
             and `order = N` (its place in the default pack)",
            path.display()
        ))
    };
    let builtin = Builtin {
        name: name.to_string(),
        package: package.to_string(),
        default_pack: field("default-pack")
            .and_then(toml::Value::as_bool)
            .unwrap_or(true),
    };
    (order, builtin)
}

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.parent().map(Path::to_path_buf).unwrap_or_default();
    for dir in ["policies", "guest-sdk", "wit", "kubernetes", "codes"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    println!("cargo:rerun-if-env-changed=GATE_POLICY_WASM_DIR");
    println!("cargo:rerun-if-env-changed=GATE_POLICY_WASM_PREBUILT");

    build_info(&root);

    let out_dir = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default());
    let builtins = discover(&root);
    // A toolchain without the wasm target (the nightly one `cargo fuzz` uses,
    // see tests/fuzz) embeds the policies a stable build left in its
    // `target/wasm-policies` instead of building them.
    let wasm_dir = match env::var_os("GATE_POLICY_WASM_PREBUILT") {
        Some(dir) => PathBuf::from(dir),
        None => build_policies(&builtins, &out_dir, &root),
    };
    embed(&builtins, &wasm_dir, &out_dir);
}

/// Builds the built-in policies; returns the target dir they are in.
fn build_policies(builtins: &[Builtin], out_dir: &Path, root: &Path) -> PathBuf {
    ensure_wasm_target();
    let wasm_dir = policy_target_dir(out_dir, root);

    let mut cmd = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root)
        .arg("build")
        .arg("--target")
        .arg("wasm32-wasip2")
        .arg("--profile")
        .arg("policy")
        .arg("--target-dir")
        .arg(&wasm_dir)
        // A `build.build-dir` of the outer build (config or env) would make
        // the nested cargo wait on the lock the outer build holds: forever.
        .arg("--config")
        .arg(format!("build.build-dir={}", toml_string(&wasm_dir)));
    for b in builtins {
        cmd.arg("-p").arg(&b.package);
    }
    // Flags meant for the host build (clippy's wrapper, host RUSTFLAGS,
    // coverage instrumentation) must not leak into the guest build.
    for var in [
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTC_WRAPPER",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_BUILD_DIR",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_PRIMARY_PACKAGE",
        "RUSTDOCFLAGS",
        "CARGO_LLVM_COV",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd.status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => fail(&format!(
            "building the built-in policies for wasm32-wasip2 failed ({s}); \
             is the target installed? run `rustup target add wasm32-wasip2`"
        )),
        Err(e) => fail(&format!(
            "could not run cargo to build the built-in policies: {e}"
        )),
    }
    wasm_dir
}

/// Writes `builtin_policies.rs`, which embeds the components in `wasm_dir`.
fn embed(builtins: &[Builtin], wasm_dir: &Path, out_dir: &Path) {
    let mut generated = String::from(
        "/// Built-in policies embedded at build time: (name, component bytes,\n\
         /// lowercase hex sha256 of the bytes — hashed here so a run need not).\n\
         pub static BUILTIN_COMPONENTS: &[(&str, &[u8], &str)] = &[\n",
    );
    for Builtin { name, package, .. } in builtins {
        let file = wasm_dir
            .join("wasm32-wasip2")
            .join("policy")
            .join(format!("{}.wasm", package.replace('-', "_")));
        if !file.is_file() {
            fail(&format!(
                "expected {} after the policy build",
                file.display()
            ));
        }
        let bytes = std::fs::read(&file)
            .unwrap_or_else(|e| fail(&format!("reading {}: {e}", file.display())));
        let digest: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        generated.push_str(&format!(
            "    ({name:?}, include_bytes!({:?}), {digest:?}),\n",
            file.display().to_string()
        ));
    }
    generated.push_str("];\n");
    generated.push_str(
        "/// The built-ins gate runs when there is no configuration, in order.\n\
         pub static DEFAULT_PACK: &[&str] = &[",
    );
    for b in builtins.iter().filter(|b| b.default_pack) {
        generated.push_str(&format!("{:?}, ", b.name));
    }
    generated.push_str("];\n");
    if let Err(e) = std::fs::write(out_dir.join("builtin_policies.rs"), generated) {
        fail(&format!("writing builtin_policies.rs: {e}"));
    }
}

/// Installs the wasm32-wasip2 standard library with rustup when it is
/// missing, so a fresh machine can build gate with plain `cargo build` (the
/// README's first command). Without rustup the build fails with a clear hint.
fn ensure_wasm_target() {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let sysroot = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let installed = sysroot
        .as_ref()
        .is_some_and(|s| s.join("lib/rustlib/wasm32-wasip2").is_dir());
    if installed {
        return;
    }
    println!(
        "cargo:warning=installing the wasm32-wasip2 target with rustup (needed for the built-in policies)"
    );
    let ok = Command::new("rustup")
        .args(["target", "add", "wasm32-wasip2"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        fail(
            "the wasm32-wasip2 target is missing and `rustup target add wasm32-wasip2` failed; install it and rebuild",
        );
    }
}

/// `<target>/wasm-policies`, where `<target>` is the outer target dir found
/// from OUT_DIR (`<target>/<profile>/build/gate-*/out`).
fn policy_target_dir(out_dir: &Path, root: &Path) -> PathBuf {
    if let Some(dir) = env::var_os("GATE_POLICY_WASM_DIR") {
        return PathBuf::from(dir);
    }
    out_dir
        .ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "build"))
        .and_then(Path::parent)
        .and_then(Path::parent)
        .map(|t| t.join("wasm-policies"))
        .unwrap_or_else(|| root.join("target").join("wasm-policies"))
}

/// What `gate --version` and `gate version` print besides the crate
/// version: the commit, its date (not the build's: builds stay
/// reproducible; `SOURCE_DATE_EPOCH` wins), the target, and the WIT
/// package policies are built against. Outside a git checkout (a crate
/// from a registry) the commit is `unknown`.
fn build_info(root: &Path) {
    let git = |args: &[&str]| {
        Command::new("git")
            .current_dir(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        // A commit or checkout rewrites HEAD or its reflog.
        println!("cargo:rerun-if-changed={dir}/HEAD");
        println!("cargo:rerun-if-changed={dir}/logs/HEAD");
    }
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let date = match env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
    {
        Some(secs) => civil_date(secs),
        None => git(&["log", "-1", "--format=%cs"]).unwrap_or_else(|| "unknown".into()),
    };
    let wit = std::fs::read_to_string(root.join("wit").join("policy.wit"))
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.trim()
                    .strip_prefix("package ")
                    .map(|p| p.trim_end_matches(';').trim().to_string())
            })
        })
        .unwrap_or_else(|| fail("wit/policy.wit has no `package` line"));
    println!("cargo:rustc-env=GATE_BUILD_COMMIT={commit}");
    println!("cargo:rustc-env=GATE_BUILD_DATE={date}");
    println!(
        "cargo:rustc-env=GATE_BUILD_TARGET={}",
        env::var("TARGET").unwrap_or_default()
    );
    println!("cargo:rustc-env=GATE_BUILD_WIT={wit}");
}

/// `YYYY-MM-DD` of a Unix time (UTC), without a date crate in build.rs.
fn civil_date(secs: i64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `path` as a TOML basic string, for `cargo --config`.
fn toml_string(path: &Path) -> String {
    let mut out = String::from("\"");
    for c in path.to_string_lossy().chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn fail(msg: &str) -> ! {
    println!("cargo:warning={msg}");
    eprintln!("error: {msg}");
    std::process::exit(1);
}
