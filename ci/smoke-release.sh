#!/bin/sh
# The release path end to end on this machine, for a built binary:
#   ci/smoke-release.sh TARGET BINARY
# packs it as the release workflow does, serves the assets on 127.0.0.1,
# installs with install.sh using only sh and curl, runs README command 1
# with the installed binary, then builds the container image from the same
# binary and runs the check with the unpacked image. Prints sizes and the
# install time.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 TARGET BINARY" >&2; exit 2; }
target=$1 binary=$2
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM

assets="$work/releases/download/v0.0.0-smoke"
mkdir -p "$assets"
sh "$root/ci/package-release.sh" "$target" "$binary" "$assets" >/dev/null
cp "$root/install.sh" "$assets/"
sh "$root/ci/checksums.sh" "$assets" >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 "$port" --directory "$work" >/dev/null 2>&1 &
server=$!
i=0
until curl -fs "http://127.0.0.1:$port/" >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -lt 100 ] || { echo "smoke: http.server did not start" >&2; exit 1; }
  sleep 0.1
done

start=$(date +%s%N)
env -i PATH=/usr/bin:/bin HOME="$work/home" sh "$assets/install.sh" \
  --version 0.0.0-smoke --target "$target" --base-url "http://127.0.0.1:$port/releases"
end=$(date +%s%N)
installed="$work/home/.local/bin/gate"
(cd "$root" && GATE_CACHE_DIR="$work/cache" "$installed" check --config examples/service/gate.toml >/dev/null)
echo "install.sh: $(( (end - start) / 1000000 )) ms; binary $(wc -c < "$binary") bytes; archive $(wc -c < "$assets/gate-$target.tar.gz") bytes"

python3 "$root/ci/build-image.py" "$binary" 0.0.0-smoke "$work/image" >/dev/null
mkdir "$work/rootfs"
manifest=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"].split(":")[1])' "$work/image/index.json")
layer=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][0]["digest"].split(":")[1])' "$work/image/blobs/sha256/$manifest")
tar -xzf "$work/image/blobs/sha256/$layer" -C "$work/rootfs"
(cd "$root" && GATE_CACHE_DIR="$work/cache2" "$work/rootfs/usr/local/bin/gate" check --config examples/service/gate.toml >/dev/null)
echo "image: layer $(wc -c < "$work/image/blobs/sha256/$layer") bytes (gzip); README command 1 passed with the installed binary and the image's"
