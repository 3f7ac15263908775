#!/bin/sh
# Installs a prebuilt, checksum-verified `gate` binary. POSIX sh; needs curl
# or wget, tar, and sha256sum or shasum. No root: installs into
# ~/.local/bin unless told otherwise.
#
#   curl -fsSL <repository>/releases/latest/download/install.sh | sh
#   sh install.sh --version 0.2.0 --dir /usr/local/bin
#
# Options (or environment):
#   --version V    (GATE_VERSION)      a release such as 0.2.0, or latest (default)
#   --dir D        (GATE_INSTALL_DIR)  where `gate` goes (default ~/.local/bin)
#   --base-url U   (GATE_RELEASES)     the releases URL (default: the project's)
#   --target T     (GATE_TARGET)       the asset's target triple (default: detected)
#   --verify-key K (GATE_VERIFY_KEY)   an Ed25519 public key (PEM): SHA256SUMS must carry a
#                                      valid signature by it (SHA256SUMS.sig; needs openssl 3)
#
# Release layout: U/download/vV/gate-T.tar.gz (or U/latest/download/… for
# latest), next to SHA256SUMS listing every asset. A checksum that does not
# match, a missing asset or a missing tool ends the script with an error and
# leaves nothing installed; a second run replaces the binary atomically.
set -eu

version="${GATE_VERSION:-latest}"
dir="${GATE_INSTALL_DIR:-${HOME:-}/.local/bin}"
base="${GATE_RELEASES:-https://example.invalid/gate/releases}"
target="${GATE_TARGET:-}"
verify_key="${GATE_VERIFY_KEY:-}"

die() {
  echo "gate install: error: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --version) [ $# -ge 2 ] || die "--version needs a value"; version="$2"; shift 2 ;;
    --dir) [ $# -ge 2 ] || die "--dir needs a value"; dir="$2"; shift 2 ;;
    --base-url) [ $# -ge 2 ] || die "--base-url needs a value"; base="$2"; shift 2 ;;
    --target) [ $# -ge 2 ] || die "--target needs a value"; target="$2"; shift 2 ;;
    --verify-key) [ $# -ge 2 ] || die "--verify-key needs a value"; verify_key="$2"; shift 2 ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option \`$1\` (see --help)" ;;
  esac
done
[ -n "$dir" ] || die "no install directory: set --dir or HOME"
if [ -n "$verify_key" ]; then
  [ -f "$verify_key" ] || die "--verify-key $verify_key is not a file"
  command -v openssl >/dev/null 2>&1 || die "--verify-key needs openssl 3 to check the signature"
fi

# The release target of this machine: static musl builds on Linux.
if [ -z "$target" ]; then
  os="${GATE_INSTALL_UNAME_S:-$(uname -s)}"
  arch="${GATE_INSTALL_UNAME_M:-$(uname -m)}"
  case "$arch" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) die "no prebuilt gate for the CPU \`$arch\`; install from source: cargo install --locked --path host" ;;
  esac
  case "$os" in
    Linux) target="$arch-unknown-linux-musl" ;;
    Darwin) target="$arch-apple-darwin" ;;
    MINGW* | MSYS* | CYGWIN*) target="$arch-pc-windows-msvc" ;;
    *) die "no prebuilt gate for the OS \`$os\`; install from source: cargo install --locked --path host" ;;
  esac
fi

case "$version" in
  latest) url="$base/latest/download" ;;
  *) url="$base/download/v${version#v}" ;;
esac
asset="gate-$target.tar.gz"

fetch() { # URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl -fsL --retry 2 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1"
  else
    die "neither curl nor wget is installed"
  fi
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    die "neither sha256sum nor shasum is installed: cannot verify the download"
  fi
}

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t gate-install)
trap 'rm -rf "$tmp"' EXIT INT TERM

fetch "$url/SHA256SUMS" "$tmp/SHA256SUMS" || die "cannot download $url/SHA256SUMS (is version \`$version\` released?)"
fetch "$url/$asset" "$tmp/$asset" || die "no release asset $asset at $url (target $target)"
if [ -n "$verify_key" ]; then
  fetch "$url/SHA256SUMS.sig" "$tmp/SHA256SUMS.sig" || die "no SHA256SUMS.sig at $url, and --verify-key asks for one; nothing installed"
  openssl pkeyutl -verify -pubin -inkey "$verify_key" -rawin -in "$tmp/SHA256SUMS" \
    -sigfile "$tmp/SHA256SUMS.sig" >/dev/null 2>&1 \
    || die "the signature of SHA256SUMS does not verify with $verify_key; nothing installed"
fi

expected=$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1; exit }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || die "SHA256SUMS at $url lists no $asset; nothing installed"
actual=$(sha256 "$tmp/$asset")
[ "$expected" = "$actual" ] || die "checksum mismatch for $asset: SHA256SUMS says $expected, the download is $actual; nothing installed"

mkdir -p "$tmp/x"
tar -xzf "$tmp/$asset" -C "$tmp/x" || die "cannot unpack $asset"
bin="$tmp/x/gate-$target/gate"
[ -f "$bin" ] || die "$asset holds no gate-$target/gate"
chmod 755 "$bin"
"$bin" --version >/dev/null 2>&1 || die "the downloaded gate does not run on this machine (target $target)"

# Same directory, then rename: a reader never sees a half-copied binary.
mkdir -p "$dir" || die "cannot create $dir"
cp "$bin" "$dir/.gate.install.$$" || die "cannot write to $dir"
mv -f "$dir/.gate.install.$$" "$dir/gate" || { rm -f "$dir/.gate.install.$$"; die "cannot install into $dir"; }
echo "installed $("$dir/gate" --version | head -n 1) ($target) to $dir/gate"
case ":${PATH:-}:" in
  *":$dir:"*) ;;
  *) echo "note: $dir is not on PATH" ;;
esac
