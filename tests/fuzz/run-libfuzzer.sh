#!/usr/bin/env bash
# Long, coverage-guided fuzzing with libFuzzer: each target in turn for
# SECONDS (default 60), seeded from the repository's fixtures. Needs the
# nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
#   tests/fuzz/run-libfuzzer.sh [SECONDS] [TARGET...]
# Without the `host` feature (config, params, pack_toml) the build skips
# wasmtime: set GATE_FUZZ_ARTIFACTS_ONLY=1 for a quick parser-only run.
# Crashes land in tests/fuzz/artifacts/TARGET/; a summary line per target
# goes to stdout, the full log to target/fuzz-logs/TARGET.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
shift || true
targets=("$@")

features=(--features libfuzzer)
if [ -n "${GATE_FUZZ_ARTIFACTS_ONLY:-}" ]; then
  features=(--no-default-features --features libfuzzer)
else
  # The nightly toolchain has no wasm32-wasip2 target: embed the built-in
  # policies that a stable build leaves in target/wasm-policies.
  cargo build --quiet -p gate
  export GATE_POLICY_WASM_PREBUILT=$PWD/target/wasm-policies
fi
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list --fuzz-dir tests/fuzz)
  if [ -n "${GATE_FUZZ_ARTIFACTS_ONLY:-}" ]; then
    mapfile -t targets < <(printf '%s\n' "${targets[@]}" | grep -E '^(artifact_|diff$)')
  fi
fi
# Seeds: our fixtures and the saved regressions, one directory per target.
cargo test --quiet --workspace --test fuzz -- --write-seeds "$PWD/target/fuzz-seeds" "${targets[@]}"
mkdir -p target/fuzz-logs
for t in "${targets[@]}"; do
  mkdir -p "target/fuzz-corpus/$t"
  # Memory target: peak RSS <= 4 x input + 64 MiB. Inputs are at most
  # 64 KiB, so one allocation may not exceed 65 MiB; the RSS limit leaves
  # room for libFuzzer's own tables and corpus. Fork mode goes on past a
  # crash (each is saved in tests/fuzz/artifacts/TARGET/) to count them all.
  status=0
  nice -n 10 cargo +nightly fuzz run --fuzz-dir tests/fuzz "${features[@]}" "$t" \
    "target/fuzz-corpus/$t" "target/fuzz-seeds/$t" -- \
    -fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 \
    -max_total_time="$secs" -max_len=65536 -timeout=10 \
    -rss_limit_mb=256 -malloc_limit_mb=65 \
    >"target/fuzz-logs/$t.log" 2>&1 || status=$?
  last=$(grep -E '^#[0-9]+:' "target/fuzz-logs/$t.log" | tail -1)
  execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
  found=$(sed -nE 's/.*oom\/timeout\/crash: ([0-9]+\/[0-9]+\/[0-9]+).*/\1/p' <<<"$last")
  echo "$t: exit $status, ${execs:-?} executions, oom/timeout/crash ${found:-?}"
done
