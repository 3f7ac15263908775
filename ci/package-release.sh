#!/bin/sh
# Packs one release binary the way install.sh and the GitHub Action expect:
#   ci/package-release.sh TARGET BINARY OUTDIR
# writes OUTDIR/gate-TARGET.tar.gz holding gate-TARGET/{gate,README.md,LICENSE*}.
# Used by .github/workflows/release.yml and by the install tests.
set -eu
[ $# -eq 3 ] || { echo "usage: $0 TARGET BINARY OUTDIR" >&2; exit 2; }
target=$1 binary=$2 out=$3
root=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$binary" ] || { echo "package-release: no binary at $binary" >&2; exit 1; }
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT INT TERM
mkdir -p "$stage/gate-$target" "$out"
cp "$binary" "$stage/gate-$target/gate"
chmod 755 "$stage/gate-$target/gate"
cp "$root/README.md" "$stage/gate-$target/"
for f in "$root"/LICENSE*; do [ -f "$f" ] && cp "$f" "$stage/gate-$target/"; done
# Reproducible archives: fixed order, owner and mtime (SOURCE_DATE_EPOCH).
mtime=${SOURCE_DATE_EPOCH:-0}
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" \
  -cf - -C "$stage" "gate-$target" | gzip -n -6 > "$out/gate-$target.tar.gz"
echo "$out/gate-$target.tar.gz"
