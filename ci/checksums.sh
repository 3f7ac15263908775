#!/bin/sh
# Writes DIR/SHA256SUMS for every release asset in DIR (sorted, `sha256sum`
# format), the file install.sh verifies downloads against.
#   ci/checksums.sh DIR
set -eu
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
cd "$1"
set -- gate-*.tar.gz gate-*.zip install.sh
found=
for f in "$@"; do [ -f "$f" ] && found="$found $f"; done
[ -n "$found" ] || { echo "checksums: no release assets in $(pwd)" >&2; exit 1; }
# shellcheck disable=SC2086
sha256sum $found | LC_ALL=C sort -k2 > SHA256SUMS
cat SHA256SUMS
