//! The stable fuzz driver CI runs: every target gets its seeds (our
//! fixtures and the saved regressions) and then mutants of them from a
//! deterministic generator, for a bounded number of iterations and time.
//! Each input must pass `gate_fuzz::check` without panicking, within the
//! memory target (peak heap growth ≤ 4 × the input + 64 MiB, counted by the
//! allocator below) and without hanging. A failing input is printed as
//! base64 and saved under `target/fuzz-failures/` to add to
//! `tests/fuzz/regressions/TARGET/`.
//!
//! `cargo test --workspace` runs it briefly (300 mutants per target, no
//! time limit, so the same inputs every time); CI adds a longer, bounded run
//! (`-- --seconds 5`). Long, coverage-guided runs use libFuzzer instead: see
//! tests/fuzz/README.md.
// A driver reports its findings on stdout and stops with an exit code.
#![allow(clippy::print_stdout, clippy::print_stderr)]
// Indices come from `Rng::below(len)` of the slice they index.
#![allow(clippy::indexing_slicing)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The system allocator, counting live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// Counting is the only addition to the system allocator; each method passes
// the caller's contract straight through.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grow(new_size);
        }
        p
    }
}

fn grow(n: usize) {
    let now = LIVE.fetch_add(n, Ordering::Relaxed).saturating_add(n);
    PEAK.fetch_max(now, Ordering::Relaxed);
    // Stop a runaway input before it takes the machine's memory: report it
    // (allocating is fine again once LIMIT is lifted) and exit.
    if now > LIMIT.load(Ordering::Relaxed) && !TRIPPED.swap(true, Ordering::Relaxed) {
        LIMIT.store(usize::MAX, Ordering::Relaxed);
        abandon(&format!(
            "the heap grew past the memory budget ({now} bytes live)"
        ));
    }
}

/// Live heap bytes at which the running input is stopped (its budget).
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
static TRIPPED: AtomicBool = AtomicBool::new(false);
/// The running input, for a report from the allocator or the watchdog.
static CURRENT: Mutex<Option<(String, Vec<u8>)>> = Mutex::new(None);
/// When the running input started (ms since `EPOCH`), 0 when idle.
static STARTED_MS: AtomicU64 = AtomicU64::new(0);
static EPOCH: OnceLock<Instant> = OnceLock::new();

fn now_ms() -> u64 {
    u64::try_from(EPOCH.get_or_init(Instant::now).elapsed().as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

/// Reports the running input as failed and exits: for what cannot be
/// caught and returned (memory exhaustion, a hang).
fn abandon(why: &str) -> ! {
    let current = CURRENT.lock().ok().and_then(|c| c.clone());
    match current {
        Some((target, input)) => report(&target, why, &input),
        None => println!("{why}"),
    }
    println!("fuzz: stopped, 1 failed");
    std::process::exit(1)
}

/// Kills the run when one input takes longer than [`HANG`].
fn watchdog() {
    std::thread::spawn(|| {
        loop {
            std::thread::sleep(Duration::from_millis(250));
            let started = STARTED_MS.load(Ordering::Relaxed);
            let limit = u64::try_from(HANG.as_millis()).unwrap_or(u64::MAX);
            if started != 0 && now_ms().saturating_sub(started) > limit {
                abandon(&format!("one input took more than {HANG:?}"));
            }
        }
    });
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Mutants are at most this long (libFuzzer's `-max_len` in the README).
const MAX_LEN: usize = 64 * 1024;
/// One input taking longer than this is reported as a hang.
const HANG: Duration = Duration::from_secs(10);

/// splitmix64: small, fast, and the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform-enough in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap_or(u64::MAX)).unwrap_or(0)
    }
}

/// Tokens that parsers branch on, and numbers at the edges.
const TOKENS: &[&[u8]] = &[
    b"0",
    b"-1",
    b"18446744073709551615",
    b"4294967295",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"1e999",
    b"NaN",
    b"\"\"",
    b"null",
    b"true",
    b"{}",
    b"[]",
    b"\\u0000",
    b"\0",
    b"\xff",
    b"\n",
    b"\r\n",
    b"</",
    b"/>",
    b"&nope;",
    b"&amp;",
    b"<![CDATA[",
    b"<!DOCTYPE x [<!ENTITY a \"b\">]>",
    b"end_of_record\n",
    b"SF:",
    b"DA:",
    b"BRDA:",
    b"mode: set\n",
    b"---\n",
    b"*a",
    b"&a ",
    b"!Ref ",
    b"<<: ",
    b"FROM ",
    b"RUN <<EOF\n",
    b"\\\n",
    b"@@ -1,2 +1,3 @@\n",
    b"+++ b/",
    b"--- a/",
    b"diff --git a/x b/x\n",
    b"[[policy]]\n",
    b"[[artifact]]\n",
    b"use = \"oci://",
    b"\"2025-13-01\"",
    b"2024-02-30T25:61:00Z",
    b"\"severity\"",
    b"\"security-severity\"",
];

fn mutate(rng: &mut Rng, seeds: &[Seed], base: &[u8]) -> Vec<u8> {
    let mut v = base.to_vec();
    for _ in 0..=rng.below(4) {
        let len = v.len();
        match rng.below(9) {
            // flip a bit
            0 if len > 0 => {
                let i = rng.below(len);
                if let Some(b) = v.get_mut(i) {
                    *b ^= 1 << rng.below(8);
                }
            }
            // set a byte
            1 if len > 0 => {
                let i = rng.below(len);
                let pick = rng.next().to_le_bytes()[0];
                if let Some(b) = v.get_mut(i) {
                    *b = pick;
                }
            }
            // delete a range
            2 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                v.drain(i..i + n);
            }
            // duplicate a range
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(256));
                let chunk: Vec<u8> = v.get(i..i + n).unwrap_or_default().to_vec();
                let at = rng.below(len + 1);
                v.splice(at..at, chunk);
            }
            // truncate
            4 if len > 0 => v.truncate(rng.below(len)),
            // splice in a piece of another seed
            5 if !seeds.is_empty() => {
                let other = &seeds[rng.below(seeds.len())].1;
                if !other.is_empty() {
                    let i = rng.below(other.len());
                    let n = 1 + rng.below((other.len() - i).min(512));
                    let at = rng.below(len + 1);
                    v.splice(
                        at..at,
                        other.get(i..i + n).unwrap_or_default().iter().copied(),
                    );
                }
            }
            // replace a run of digits with an edge number
            6 => {
                let digits: Vec<usize> = (0..len)
                    .filter(|&i| v.get(i).is_some_and(u8::is_ascii_digit))
                    .collect();
                let tok = TOKENS[rng.below(8)];
                if digits.is_empty() {
                    let at = rng.below(len + 1);
                    v.splice(at..at, tok.iter().copied());
                } else {
                    let start = digits[rng.below(digits.len())];
                    let end = (start..len)
                        .find(|&i| !v.get(i).is_some_and(u8::is_ascii_digit))
                        .unwrap_or(len);
                    v.splice(start..end, tok.iter().copied());
                }
            }
            // insert a token
            _ => {
                let tok = TOKENS[rng.below(TOKENS.len())];
                let at = rng.below(len + 1);
                v.splice(at..at, tok.iter().copied());
            }
        }
    }
    v.truncate(MAX_LEN);
    v
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files_below(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            files_below(&p, out);
        } else if !p.to_string_lossy().ends_with(".expected.json") {
            out.push(p);
        }
    }
}

/// The seed inputs of a target: our fixtures for it, then its regressions.
fn seeds(target: &str) -> Vec<Seed> {
    let root = repo();
    let mut paths = Vec::new();
    let mut prefixed: Vec<Seed> = Vec::new();
    if gate_fuzz::target_format(target).is_some() {
        files_below(&root.join("host/artifacts/tests/fixtures"), &mut paths);
        for d in [
            "examples/service/coverage",
            "examples/service/security",
            "examples/service/approvals",
            "examples/approvals",
        ] {
            files_below(&root.join(d), &mut paths);
        }
    } else {
        match target {
            "diff" => files_below(&root.join("tests/fixtures/diff"), &mut paths),
            "config" => {
                paths.push(root.join("examples/service/gate.toml"));
                files_below(&root.join("tests/fixtures/config"), &mut paths);
            }
            "pack_toml" => files_below(&root.join("tests/fixtures/packs"), &mut paths),
            "params" => {
                // One byte picks the schema (as in `gate_fuzz::check`).
                let mut ps = Vec::new();
                files_below(&root.join("tests/fixtures/params"), &mut ps);
                for p in ps {
                    let name = p.file_stem().map(|s| s.to_string_lossy().into_owned());
                    let which = gate_fuzz::SCHEMAS
                        .iter()
                        .position(|(n, _)| Some(*n) == name.as_deref());
                    if let (Some(i), Ok(bytes)) = (which, std::fs::read(&p)) {
                        let mut v = vec![u8::try_from(i).unwrap_or(0)];
                        v.extend(bytes);
                        let label = p.strip_prefix(&root).unwrap_or(&p).display().to_string();
                        prefixed.push((format!("{label} (schema byte {i})"), v));
                    }
                }
            }
            _ => {}
        }
    }
    // Regressions: the target's own; an artifact target also gets every
    // other artifact target's (a document forced to the wrong format).
    let regressions = root.join("tests/fuzz/regressions");
    if gate_fuzz::target_format(target).is_some() {
        for t in gate_fuzz::TARGETS
            .iter()
            .filter(|t| t.starts_with("artifact_"))
        {
            files_below(&regressions.join(t), &mut paths);
        }
    } else {
        files_below(&regressions.join(target), &mut paths);
    }
    let mut out: Vec<Seed> = paths
        .iter()
        .filter_map(|p| {
            let label = p.strip_prefix(&root).unwrap_or(p).display().to_string();
            std::fs::read(p).ok().map(|b| (label, b))
        })
        .collect();
    out.extend(prefixed);
    out
}

/// A seed input and where it came from.
type Seed = (String, Vec<u8>);

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in bytes.chunks(3) {
        let n = c
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= c.len() {
                s.push(char::from(
                    A[usize::try_from((n >> (18 - 6 * i)) & 63).unwrap_or(0)],
                ));
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// Prints a failing input (base64 when short) and saves it under
/// `target/fuzz-failures/`.
fn report(target: &str, msg: &str, input: &[u8]) {
    let dir = repo().join("target/fuzz-failures");
    let hash = input.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    });
    let file = dir.join(format!("{target}-{hash:016x}"));
    let saved = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&file, input));
    println!("{target}: FAILED {msg}");
    if input.len() <= 4096 {
        println!("  input ({} bytes, base64): {}", input.len(), base64(input));
    }
    match saved {
        Ok(()) => println!("  saved as {}", file.display()),
        Err(e) => println!("  not saved ({}): {e}", file.display()),
    }
}

/// Runs one input; the failure message if a property broke.
fn run_one(target: &str, input: &[u8]) -> Option<String> {
    let copy = (target.to_string(), input.to_vec());
    if let Ok(mut c) = CURRENT.lock() {
        *c = Some(copy);
    }
    let before = LIVE.load(Ordering::Relaxed);
    let budget = input.len().saturating_mul(4).saturating_add(64 << 20);
    PEAK.store(before, Ordering::Relaxed);
    LIMIT.store(before.saturating_add(budget), Ordering::Relaxed);
    let start = Instant::now();
    STARTED_MS.store(now_ms(), Ordering::Relaxed);
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| gate_fuzz::check(target, input)));
    STARTED_MS.store(0, Ordering::Relaxed);
    LIMIT.store(usize::MAX, Ordering::Relaxed);
    let took = start.elapsed();
    let grew = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    match outcome {
        Err(e) => Some(
            e.downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into()),
        ),
        Ok(()) if grew > budget => Some(format!(
            "peak heap grew by {grew} bytes for a {}-byte input (budget {budget})",
            input.len()
        )),
        Ok(()) if took > HANG => Some(format!("took {took:?}")),
        Ok(()) => None,
    }
}

struct Args {
    seconds: f64,
    iterations: u64,
    write_seeds: Option<PathBuf>,
    targets: Vec<String>,
    list: bool,
}

const USAGE: &str = "usage: cargo test --workspace --test fuzz -- [--seconds S] [--iterations N] [--write-seeds DIR] [TARGET...]
  Runs each target (default: all) on its seeds, then on mutants until S seconds
  or N mutants per target, whichever comes first (N defaults to 300 without
  --seconds, and to no limit with it).
  --write-seeds DIR writes each target's seeds to DIR/TARGET/ (a libFuzzer corpus) and exits.
  Other words select the targets whose names contain them, as libtest filters do.";

/// libtest's options that take a value: `cargo test -- …` passes them to
/// every test binary, this one included.
const LIBTEST_VALUED: &[&str] = &[
    "--skip",
    "--test-threads",
    "--color",
    "--format",
    "--logfile",
    "-Z",
];

fn args() -> Result<Args, String> {
    let mut a = Args {
        seconds: f64::INFINITY,
        // 300 mutants without --seconds (the suite's quick pass); with
        // --seconds alone, the time is the bound (CI's bounded run).
        iterations: 0,
        write_seeds: None,
        targets: Vec::new(),
        list: false,
    };
    let mut filters = Vec::new();
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--seconds" => {
                a.seconds = value("--seconds")?
                    .parse()
                    .map_err(|e| format!("--seconds: {e}"))?
            }
            "--iterations" => {
                a.iterations = value("--iterations")?
                    .parse()
                    .map_err(|e| format!("--iterations: {e}"))?
            }
            "--write-seeds" => a.write_seeds = Some(PathBuf::from(value("--write-seeds")?)),
            "-h" | "--help" => return Err(USAGE.into()),
            "--list" => a.list = true,
            f if LIBTEST_VALUED.contains(&f) => {
                value(f)?;
            }
            f if f.starts_with('-') => {} // another libtest flag
            t if gate_fuzz::TARGETS.contains(&t) => a.targets.push(t.to_string()),
            filter => filters.push(filter.to_string()),
        }
    }
    if a.iterations == 0 {
        a.iterations = if a.seconds.is_finite() { u64::MAX } else { 300 };
    }
    if a.targets.is_empty() {
        a.targets = gate_fuzz::TARGETS
            .iter()
            .filter(|t| filters.is_empty() || filters.iter().any(|f| t.contains(f.as_str())))
            .map(|t| t.to_string())
            .collect();
    }
    Ok(a)
}

fn main() -> ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if args.list {
        return ExitCode::SUCCESS;
    }
    if let Some(dir) = &args.write_seeds {
        for t in &args.targets {
            let d = dir.join(t);
            for (i, (_, s)) in seeds(t).iter().enumerate() {
                if let Err(e) = std::fs::create_dir_all(&d)
                    .and_then(|()| std::fs::write(d.join(format!("seed-{i:03}")), s))
                {
                    eprintln!("{}: {e}", d.display());
                    return ExitCode::from(2);
                }
            }
        }
        return ExitCode::SUCCESS;
    }
    // Panics are the findings: report them once, with the input, not as a
    // backtrace per mutant.
    std::panic::set_hook(Box::new(|_| {}));
    watchdog();
    let (mut passed, mut failed) = (0u32, 0u32);
    for target in &args.targets {
        let seeds = seeds(target);
        let mut rng = Rng(target.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        }));
        let start = Instant::now();
        let limit = Duration::try_from_secs_f64(args.seconds).unwrap_or(Duration::MAX);
        let mut execs = 0u64;
        let mut failure = None;
        for (label, s) in &seeds {
            execs += 1;
            if let Some(msg) = run_one(target, s) {
                failure = Some((format!("{msg} (seed {label})"), s.clone()));
                break;
            }
        }
        let mut mutants = 0u64;
        while failure.is_none()
            && mutants < args.iterations
            && start.elapsed() < limit
            && !seeds.is_empty()
        {
            let base = &seeds[rng.below(seeds.len())].1;
            let input = mutate(&mut rng, &seeds, base);
            mutants += 1;
            execs += 1;
            if let Some(msg) = run_one(target, &input) {
                failure = Some((msg, input));
            }
        }
        let secs = start.elapsed().as_secs_f64();
        match failure {
            None => {
                passed += 1;
                println!(
                    "{target}: ok, {execs} inputs ({} seeds) in {secs:.1}s",
                    seeds.len()
                );
            }
            Some((msg, input)) => {
                failed += 1;
                report(target, &format!("after {execs} inputs: {msg}"), &input);
            }
        }
    }
    println!("fuzz: {passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
