#!/bin/sh
# Regenerates the example's reports with the real tools:
#   pip install pytest pytest-benchmark   (hyperfine from your package manager)
# Run from anywhere; writes reports/ next to this script. Timings are real,
# so every run gives other numbers. In CI the baseline is the base branch's
# benchmark.json; here it is a first run of the same code.
set -eu
cd "$(dirname "$0")"
mkdir -p reports/baseline
# Short runs keep the committed JSON small (it lists every round's time).
bench="--benchmark-max-time=0.005 --benchmark-min-rounds=20"
python3 -m pytest tests -q -p no:cacheprovider $bench \
  --benchmark-json=reports/baseline/benchmark.json
python3 -m pytest tests -q -p no:cacheprovider $bench \
  --junitxml=reports/junit.xml \
  --benchmark-json=reports/benchmark.json
# The CLI's start-up time, 10 runs after a warm-up.
hyperfine --warmup 1 --runs 10 -N \
  --export-json reports/hyperfine.json \
  -n slugify-cli "python3 src/slugify.py"
