//! Issue 11, the I/O side of failing closed: stdout that cannot be written
//! (full device, closed pipe), inputs that are devices, FIFOs or too large,
//! report files written safely, option injection into git, and config
//! errors that always carry a place.

use super::{LCOV_80, Run, TestDir};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Runs a command that must end by itself; a hang (the bug some of these
/// tests guard against) fails the test instead of stalling the suite.
pub(crate) fn run_bounded(mut cmd: Command) -> Run {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(120)) {
        Ok(out) => Run { out: out.unwrap() },
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("gate did not finish (hung on its input)");
        }
    }
}

/// `gate ARGS > /dev/full`.
fn run_into_dev_full(t: &TestDir, args: &[&str]) -> Run {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = t
        .command()
        .args(args)
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    Run { out }
}

fn assert_no_panic(r: &Run) {
    assert!(
        !r.stderr().contains("panicked"),
        "gate panicked:\n{}",
        r.stderr()
    );
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap().success();
    assert!(ok, "mkfifo {}", path.display());
}

fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// A SARIF report with `n` error-level results (blocking for
/// `builtin:security`), large enough to fill a pipe many times.
fn sarif(n: usize) -> String {
    let results: Vec<String> = (1..=n)
        .map(|i| {
            format!(
                r#"{{"ruleId":"rule-{i}","level":"error","message":{{"text":"problem number {i}"}},"locations":[{{"physicalLocation":{{"artifactLocation":{{"uri":"src/file{i}.rs"}},"region":{{"startLine":{i}}}}}}}]}}"#
            )
        })
        .collect();
    format!(
        r#"{{"version":"2.1.0","runs":[{{"tool":{{"driver":{{"name":"scanner"}}}},"results":[{}]}}]}}"#,
        results.join(",")
    )
}

// ---- item 5: stdout that cannot be written ------------------------------

#[test]
fn parse_json_to_dev_full_is_an_output_error_not_a_panic() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("lcov.info", LCOV_80);
    let r = run_into_dev_full(&t, &["parse", "lcov.info", "--json"]).expect_code(3);
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn every_printing_command_to_dev_full_is_an_output_error() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("lcov.info", LCOV_80);
    let mut all = String::new();
    for args in [
        &["completions", "bash"][..],
        &["man"],
        &["--help"],
        &["--version"],
        &["policies"],
        &["policies", "--json"],
        &["parse", "lcov.info"],
        &["check", "--artifact", "lcov.info", "--format", "json"],
        &["check", "--artifact", "lcov.info"],
        &[
            "eval",
            "--policy",
            "builtin:coverage",
            "lcov.info",
            "--format",
            "sarif",
        ],
        &["pack", "keygen", "key"],
    ] {
        let r = run_into_dev_full(&t, args);
        assert_eq!(r.code(), 3, "{args:?}:\n{}", r.stderr());
        all.push_str(&r.titled(&args.join(" ")));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn stderr_to_dev_full_does_not_panic() -> anyhow::Result<()> {
    let t = TestDir::new();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    // The error cannot be shown, but the exit code still says what happened.
    let out = t
        .command()
        .args(["parse", "missing.info"])
        .stderr(full)
        .output()?;
    assert_eq!(out.status.code(), Some(3));
    Ok(())
}

/// `gate … | head -1`: the reader goes away after a little.
fn run_into_closed_pipe(t: &TestDir, args: &[&str], read_first: usize) -> Run {
    let mut child = t
        .command()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = vec![0; read_first];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    Run {
        out: std::process::Output {
            status,
            stdout: first,
            stderr: stderr.into_bytes(),
        },
    }
}

#[test]
fn check_json_into_closed_pipe_keeps_the_verdict_exit_code() {
    let t = TestDir::new();
    t.write("scan.sarif", sarif(3000));
    // Well over a pipe's 64 KiB, so the writer meets the closed pipe.
    let r = run_into_closed_pipe(
        &t,
        &["check", "--artifact", "scan.sarif", "--format", "json"],
        100,
    );
    assert_no_panic(&r);
    // The verdict (a blocking finding: exit 1) survives the closed pipe,
    // and a closed pipe is not reported as an error.
    let r = r.expect_code(1);
    assert!(r.stdout().starts_with('{'), "{}", r.stdout());
    assert!(r.stderr().is_empty(), "{}", r.stderr());
}

#[test]
fn closed_pipe_ends_parse_and_completions_quietly() {
    let t = TestDir::new();
    let lcov: String = (1..=20_000).fold(String::from("SF:src/a.rs\n"), |mut s, i| {
        s.push_str(&format!("DA:{i},1\n"));
        s
    }) + "end_of_record\n";
    t.write("big.info", lcov);
    for args in [
        &["parse", "big.info", "--json"][..],
        &["completions", "bash"],
        &["man"],
    ] {
        let r = run_into_closed_pipe(&t, args, 10);
        assert_no_panic(&r);
        assert_eq!(r.code(), 0, "{args:?}:\n{}", r.stderr());
        assert!(r.stderr().is_empty(), "{args:?}: {}", r.stderr());
    }
}

// ---- item 7: inputs that are not regular files, or too large ------------

#[test]
fn artifact_dev_zero_is_refused_not_read_forever() {
    let t = TestDir::new();
    let mut cmd = t.command();
    cmd.args(["parse", "/dev/zero"]);
    let _s = t.snapshots();
    let r = run_bounded(cmd).expect_code(3);
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn artifact_fifo_is_refused_not_waited_on() {
    let t = TestDir::new();
    let _s = t.snapshots();
    mkfifo(&t.path().join("fifo"));
    t.write("lcov.info", LCOV_80);
    let mut all = String::new();
    for args in [
        &["parse", "fifo"][..],
        &["check", "--artifact", "fifo"],
        &["check", "--artifact", "lcov.info", "--baseline", "fifo"],
        &["check", "--artifact", "lcov.info", "--diff", "fifo"],
        &["eval", "--policy", "builtin:coverage", "fifo"],
    ] {
        let mut cmd = t.command();
        cmd.args(args);
        let r = run_bounded(cmd);
        assert_eq!(r.code(), 3, "{args:?}:\n{}", r.stderr());
        all.push_str(&r.titled(&args.join(" ")));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn devices_and_directories_as_artifacts_baselines_and_diffs_are_input_errors() -> anyhow::Result<()>
{
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("lcov.info", LCOV_80);
    std::fs::create_dir(t.path().join("dir"))?;
    let mut all = String::new();
    for args in [
        &["check", "--artifact", "/dev/zero"][..],
        &[
            "check",
            "--artifact",
            "lcov.info",
            "--baseline",
            "/dev/zero",
        ],
        &["check", "--artifact", "lcov.info", "--diff", "/dev/zero"],
        &["check", "--artifact", "dir"],
        &["parse", "dir"],
    ] {
        let mut cmd = t.command();
        cmd.args(args);
        let r = run_bounded(cmd);
        assert_eq!(r.code(), 3, "{args:?}:\n{}", r.stderr());
        all.push_str(&r.titled(&args.join(" ")));
    }
    insta::assert_snapshot!(all);
    Ok(())
}

#[test]
fn policy_component_from_a_device_is_a_config_error() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("lcov.info", LCOV_80);
    let mut cmd = t.command();
    cmd.args(["eval", "--policy", "/dev/zero", "lcov.info"]);
    let r = run_bounded(cmd).expect_code(2);
    insta::assert_snapshot!("policy_component_from_a_device_flag", r.transcript());
    t.write(
        "gate.toml",
        "[[artifact]]\npath = \"lcov.info\"\n[[policy]]\nuse = \"/dev/zero\"\n",
    );
    let mut cmd = t.command();
    cmd.arg("check");
    let r = run_bounded(cmd).expect_code(2);
    insta::assert_snapshot!("policy_component_from_a_device_config", r.transcript());
}

#[test]
fn config_from_a_device_or_fifo_is_a_config_error() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("lcov.info", LCOV_80);
    let mut cmd = t.command();
    cmd.args(["check", "--config", "/dev/zero", "--artifact", "lcov.info"]);
    let mut all = run_bounded(cmd).expect_code(2).titled("--config /dev/zero");
    // A ./gate.toml that is not a file is refused, not skipped (which
    // would run the default pack instead of the configured gate).
    mkfifo(&t.path().join("gate.toml"));
    for args in [
        &["check", "--artifact", "lcov.info"][..],
        &["eval", "--policy", "builtin:coverage", "lcov.info"],
    ] {
        let mut cmd = t.command();
        cmd.args(args);
        let r = run_bounded(cmd);
        assert_eq!(r.code(), 2, "{args:?}:\n{}", r.stderr());
        all.push_str(&r.titled(&format!("gate.toml is a fifo: {}", args.join(" "))));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn go_mod_on_a_device_is_an_input_error() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("lcov.info", LCOV_80);
    symlink("/dev/zero", &t.path().join("go.mod"));
    let mut all = String::new();
    for args in [
        &["parse", "lcov.info"][..],
        &["check", "--artifact", "lcov.info"],
    ] {
        let mut cmd = t.command();
        cmd.args(args);
        let r = run_bounded(cmd);
        assert_eq!(r.code(), 3, "{args:?}:\n{}", r.stderr());
        all.push_str(&r.titled(&args.join(" ")));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn oci_layout_pointing_at_dev_zero_is_a_registry_error() -> anyhow::Result<()> {
    let t = TestDir::new();
    let _s = t.snapshots();
    let hex = "a".repeat(64);
    let dir = t.path().join("layout");
    std::fs::create_dir_all(dir.join("blobs/sha256"))?;
    t.write("layout/oci-layout", r#"{"imageLayoutVersion":"1.0.0"}"#);
    t.write(
        "layout/index.json",
        format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{hex}","size":1000}}]}}"#
        ),
    );
    symlink("/dev/zero", &dir.join("blobs/sha256").join(&hex));
    let mut cmd = t.command();
    cmd.args(["pack", "inspect", "layout"]);
    let r = run_bounded(cmd).expect_code(5);
    insta::assert_snapshot!("oci_layout_blob_on_dev_zero", r.transcript());
    // The index itself.
    std::fs::remove_file(dir.join("index.json"))?;
    symlink("/dev/zero", &dir.join("index.json"));
    let mut cmd = t.command();
    cmd.args(["pack", "inspect", "layout"]);
    let r = run_bounded(cmd).expect_code(5);
    insta::assert_snapshot!("oci_layout_index_on_dev_zero", r.transcript());
    Ok(())
}

#[test]
fn inputs_over_the_size_limit_name_the_limit() -> anyhow::Result<()> {
    let t = TestDir::new();
    let _s = t.snapshots();
    let mut big = String::from("SF:src/a.rs\n");
    while big.len() < (3 << 19) {
        big.push_str("DA:1,1\n");
    }
    big.push_str("end_of_record\n");
    t.write("big.info", &big);
    let r = t
        .command()
        .args(["parse", "big.info"])
        .env("GATE_MAX_INPUT_MIB", "1")
        .output()?;
    let r = Run { out: r }.expect_code(3);
    insta::assert_snapshot!("input_too_large_by_env", r.transcript());
    // Under the default limit it is read.
    t.run(&["parse", "big.info"]).expect_code(0);

    t.write(
        "gate.toml",
        "[limits]\nmax-input-mib = 1\n[[artifact]]\npath = \"big.info\"\n[[policy]]\nuse = \"builtin:coverage\"\n",
    );
    let r = t.run(&["check"]).expect_code(3);
    insta::assert_snapshot!("input_too_large_by_config", r.transcript());
    // The environment (the CI operator) wins over the repository's config.
    let r = t
        .command()
        .arg("check")
        .env("GATE_MAX_INPUT_MIB", "4")
        .output()?;
    assert_ne!(Run { out: r }.code(), 3);

    let mut all = String::new();
    for bad in ["0", "lots", "-1", "18446744073709551615"] {
        let r = t
            .command()
            .args(["parse", "big.info"])
            .env("GATE_MAX_INPUT_MIB", bad)
            .output()?;
        let r = Run { out: r }.expect_code(2);
        all.push_str(&r.titled(&format!("GATE_MAX_INPUT_MIB={bad}")));
    }
    insta::assert_snapshot!("bad_input_size_limits", all);
    Ok(())
}

// ---- item 8: report files -----------------------------------------------

#[test]
fn report_json_to_dev_null_writes_through_and_keeps_the_device() -> anyhow::Result<()> {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    let link = t.path().join("null.json");
    symlink("/dev/null", &link);
    t.run(&[
        "check",
        "--artifact",
        "lcov.info",
        "--report",
        "json=null.json",
    ])
    .expect_code(0);
    let meta = std::fs::symlink_metadata(&link)?;
    assert!(meta.file_type().is_symlink(), "the link was replaced");
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/null")?.file_type().is_char_device());
    // A full device: the write fails, the device stays, exit 3.
    symlink("/dev/full", &t.path().join("full.json"));
    let _s = t.snapshots();
    let r = t
        .run(&[
            "check",
            "--artifact",
            "lcov.info",
            "--report",
            "json=full.json",
        ])
        .expect_code(3);
    insta::assert_snapshot!(r.transcript());
    Ok(())
}

#[test]
fn report_to_dev_stdout_goes_to_stdout() {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    symlink("/dev/stdout", &t.path().join("out.json"));
    let r = t
        .run(&[
            "check",
            "--artifact",
            "lcov.info",
            "--quiet",
            "--report",
            "json=out.json",
        ])
        .expect_code(0);
    assert_eq!(r.json()["outcome"], "pass");
}

#[test]
fn report_to_a_fifo_writes_through_and_keeps_the_fifo() -> anyhow::Result<()> {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    let fifo = t.path().join("report.fifo");
    mkfifo(&fifo);
    let (tx, rx) = mpsc::channel();
    let reader_path = fifo.clone();
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::fs::File::open(&reader_path).and_then(|mut f| f.read_to_string(&mut text));
        let _ = tx.send(text);
    });
    let mut cmd = t.command();
    cmd.args([
        "check",
        "--artifact",
        "lcov.info",
        "--report",
        "json=report.fifo",
    ]);
    let r = run_bounded(cmd);
    use std::os::unix::fs::FileTypeExt;
    let still_fifo = std::fs::symlink_metadata(&fifo)?.file_type().is_fifo();
    if !still_fifo {
        panic!("the fifo was replaced:\n{}", r.stderr());
    }
    let r = r.expect_code(0);
    let text = rx.recv_timeout(Duration::from_secs(120))?;
    let v: serde_json::Value = serde_json::from_str(&text)?;
    assert_eq!(v["outcome"], "pass", "{}", r.stderr());
    Ok(())
}

/// Runs gate under `sh` to set the umask and file size limit first, with
/// the environment `TestDir::command` gives gate.
fn run_in_sh(t: &TestDir, setup: &str, args: &[&str]) -> Run {
    let gate = t.command();
    let mut sh = Command::new("sh");
    sh.current_dir(t.path());
    for (k, v) in gate.get_envs() {
        match v {
            Some(v) => sh.env(k, v),
            None => sh.env_remove(k),
        };
    }
    sh.env("GATE_BIN", gate.get_program())
        .args(["-c", &format!("{setup}; exec \"$GATE_BIN\" \"$@\""), "sh"])
        .args(args);
    Run {
        out: sh.output().unwrap(),
    }
}

#[test]
fn report_files_get_the_umask_mode_not_0600() -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    for (umask, mode) in [("022", 0o644), ("027", 0o640)] {
        let name = format!("report-{umask}.json");
        run_in_sh(
            &t,
            &format!("umask {umask}"),
            &[
                "check",
                "--artifact",
                "lcov.info",
                "--report",
                &format!("json={name}"),
            ],
        )
        .expect_code(0);
        let got = std::fs::metadata(t.path().join(&name))?
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(got, mode, "umask {umask}: mode {got:o}");
    }
    // gate.lock and the other atomic writers share the function; the
    // secret key of `gate pack keygen` stays private whatever the umask.
    run_in_sh(&t, "umask 000", &["pack", "keygen", "key"]).expect_code(0);
    let mode = |p: &str| {
        std::fs::metadata(t.path().join(p))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("key"), 0o600);
    assert_eq!(mode("key.pub"), 0o666);
    Ok(())
}

/// Regression: this test once let the file size limit also hit wasm
/// compilation and instantiation, so it asserted only the last line. The
/// only policy here is a file that is not a component, so nothing is
/// compiled or instantiated: the report is the one file written, and the
/// whole of stderr is what its failed write (and that policy) says.
#[test]
fn report_write_failure_keeps_the_previous_report() -> anyhow::Result<()> {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    t.write("not-a-component.wasm", "not wasm");
    t.write(
        "gate.toml",
        "[[artifact]]\npath = \"lcov.info\"\n[[policy]]\nuse = \"./not-a-component.wasm\"\n",
    );
    t.write("out/report.html", "previous report");
    // A file size limit of 1 KiB (`ulimit -f` counts 512-byte blocks in
    // sh, and SIGXFSZ is ignored, so the write fails with EFBIG instead of
    // killing gate): the HTML report is larger; the JSON verdict goes to
    // a pipe, which no file size limit applies to.
    let r = run_in_sh(
        &t,
        "trap '' XFSZ; ulimit -f 2",
        &[
            "check",
            "--format",
            "json",
            "--no-cache",
            "--report",
            "html=out/report.html",
        ],
    )
    .expect_code(3);
    assert_eq!(
        r.stderr(),
        "error[invalid-component]: not a wasm component: it does not start with the wasm header\n\
         error[output-error]: cannot write report out/report.html: file too large\n"
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("out/report.html"))?,
        "previous report"
    );
    let left: Vec<_> = std::fs::read_dir(t.path().join("out"))?
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["report.html"], "temp files left behind");
    Ok(())
}

#[test]
fn report_into_a_directory_is_an_output_error_naming_it() -> anyhow::Result<()> {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    std::fs::create_dir(t.path().join("reports"))?;
    let _s = t.snapshots();
    let r = t
        .run(&[
            "check",
            "--artifact",
            "lcov.info",
            "--report",
            "json=reports",
        ])
        .expect_code(3);
    insta::assert_snapshot!(r.transcript());
    Ok(())
}

// ---- item 9: option injection into git ----------------------------------

#[test]
fn base_ref_starting_with_dash_is_a_usage_error_not_a_git_option() -> anyhow::Result<()> {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    t.git(&["init", "-q"]);
    t.git(&["add", "lcov.info"]);
    t.git(&["commit", "-q", "-m", "one"]);
    let _s = t.snapshots();
    let mut all = String::new();
    for base in ["--base=--output=pwned", "--base=-p", "--base="] {
        let r = t
            .run(&["check", "--artifact", "lcov.info", base])
            .expect_code(2);
        all.push_str(&r.titled(base));
    }
    insta::assert_snapshot!(all);
    let made: Vec<_> = std::fs::read_dir(t.path())?
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("pwned"))
        .collect();
    assert!(made.is_empty(), "git wrote {made:?}");
    // A ref is still read as a ref (after --end-of-options).
    t.run(&["check", "--artifact", "lcov.info", "--base", "HEAD"])
        .expect_code(0);
    Ok(())
}

#[test]
fn git_diff_output_is_bounded_by_the_input_size_limit() -> anyhow::Result<()> {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("lcov.info", LCOV_80);
    t.git(&["init", "-q"]);
    t.git(&["add", "lcov.info"]);
    t.git(&["commit", "-q", "-m", "one"]);
    t.write("big.txt", "a line of text\n".repeat(150_000));
    t.git(&["add", "big.txt"]);
    t.git(&["commit", "-q", "-m", "two"]);
    let out = t
        .command()
        .args(["check", "--artifact", "lcov.info", "--base", "HEAD~1"])
        .env("GATE_MAX_INPUT_MIB", "1")
        .output()?;
    let r = Run { out }.expect_code(3);
    insta::assert_snapshot!(r.transcript());
    t.run(&["check", "--artifact", "lcov.info", "--base", "HEAD~1"])
        .expect_code(0);
    Ok(())
}

// ---- item 12: malformed oci:// references -------------------------------

#[test]
fn malformed_oci_use_is_a_config_error_with_its_place() -> anyhow::Result<()> {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("lcov.info", LCOV_80);
    let mut all = String::new();
    for bad in [
        "oci://host",
        "oci://",
        "oci://host/acme/gates#",
        "oci://host/Acme/gates",
        "oci://[::1/x:y",
        "oci://host:99999/acme/gates",
    ] {
        t.write(
            "gate.toml",
            format!("[[artifact]]\npath = \"lcov.info\"\n[[policy]]\nuse = \"{bad}\"\n"),
        );
        for args in [&["check"][..], &["pack", "update"]] {
            let r = t.run(args);
            assert_eq!(r.code(), 2, "{bad} {args:?}:\n{}", r.stderr());
            all.push_str(&r.titled(&format!("use = \"{bad}\": {}", args.join(" "))));
        }
        std::fs::remove_file(t.path().join("gate.toml"))?;
        let r = t
            .run(&["eval", "--policy", bad, "lcov.info"])
            .expect_code(2);
        all.push_str(&r.titled(&format!("eval --policy {bad}")));
    }
    insta::assert_snapshot!(all);
    Ok(())
}

// ---- item 13: config errors carry a place and are printed once ----------

#[test]
fn deep_dotted_key_config_error_has_a_place() {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    t.write("gate.toml", format!("{}a = 1\n", "a.".repeat(50_000)));
    let _s = t.snapshots();
    let r = t.run(&["check", "--artifact", "lcov.info"]).expect_code(2);
    // The 100 KB line is not echoed whole.
    assert!(r.stderr().len() < 2_000, "{}", r.stderr().len());
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn non_utf8_config_error_has_a_place() {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    t.write("gate.toml", b"[[artifact]]\npath = \"lcov\xff.info\"\n");
    let _s = t.snapshots();
    let r = t.run(&["check", "--artifact", "lcov.info"]).expect_code(2);
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn empty_and_zero_config_values_are_errors_with_their_place() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("lcov.info", LCOV_80);
    // Each one `error[config]` at the value's line and column.
    let mut all = String::new();
    for toml in [
        "[[artifact]]\npath = \"\"\n",
        "root = \"\"\n",
        "[[policy]]\nuse = \"\"\n",
        "[[policy]]\nuse = \"builtin:coverage\"\nname = \" \"\n",
        "[registry]\ntrusted-keys = [\"\"]\n",
        "[limits]\nfuel = 0\n",
        "[limits]\nmax-input-mib = 0\n",
        "[limits]\nmax-input-mib = 18000000000000\n",
    ] {
        t.write("gate.toml", toml);
        let r = t.run(&["check", "--artifact", "lcov.info"]);
        assert_eq!(r.code(), 2, "{toml}:\n{}", r.stderr());
        all.push_str(&r.titled(&format!("gate.toml:\n{toml}")));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn config_errors_are_printed_once() {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    t.write(
        "gate.toml",
        "[[artifact]]\npath = \"lcov.info\"\n[[policy]]\nuse = \"builtin:coverage\"\nparms = {}\n",
    );
    let _s = t.snapshots();
    // Once, with the line shown and the place marked.
    let r = t.run(&["check"]).expect_code(2);
    insta::assert_snapshot!(r.transcript());
}

// ---- item 14: a big verdict's findings wait in a temporary file ----------

/// More findings than the host keeps in memory while a policy runs (a few
/// MB encoded): they go to an anonymous temporary file and come back in
/// order, all of them; when no temporary file can be made the run is an
/// error (exit 3) that says where it tried, never a verdict without them.
#[test]
fn findings_kept_in_a_temporary_file_come_back_or_the_run_fails() {
    let t = TestDir::new();
    t.write("results.sarif", sarif(40_000));
    let args = [
        "eval",
        "--policy",
        "builtin:security",
        "--format",
        "json",
        "results.sarif",
    ];
    let v = t.run(&args).expect_code(1).json();
    let findings = v["policies"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 40_000);
    // In the order of the results.
    for (i, f) in [(0, &findings[0]), (39_999, &findings[39_999])] {
        let finding = f.to_string();
        assert!(
            finding.contains(&format!("src/file{}.rs\"", i + 1)),
            "{finding}"
        );
    }
    let missing = t.path().join("no-such-dir");
    let r = Run {
        out: t
            .command()
            .env("TMPDIR", &missing)
            .args(args)
            .output()
            .unwrap(),
    }
    .expect_code(3);
    assert!(
        r.stderr().contains(&format!(
            "cannot keep a verdict's findings in a temporary file in {}",
            missing.display()
        )),
        "{}",
        r.stderr()
    );
    assert!(r.stdout().is_empty(), "no verdict: {}", r.stdout());
}
