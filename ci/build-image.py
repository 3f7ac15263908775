#!/usr/bin/env python3
"""Builds gate's container image as an OCI image layout, without a daemon.

usage: ci/build-image.py BINARY VERSION OUTDIR [--arch amd64|arm64] [--ca FILE] [--gzip-level N]

The image is one layer on nothing (`FROM scratch`): the static binary at
/usr/local/bin/gate, CA certificates (for pulling packs over HTTPS), an
/etc/passwd with a non-root user (uid 65532) that the image runs as, and an
empty /work as working directory. ENTRYPOINT ["gate"]; OCI labels. The layer
is reproducible: sorted entries, fixed owners and SOURCE_DATE_EPOCH as mtime.
Push it with `skopeo copy oci:OUTDIR:VERSION docker://REGISTRY/gate:VERSION`.
"""

import argparse
import datetime
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile
from pathlib import Path

UID = 65532


def blob(out: Path, data: bytes) -> dict:
    digest = hashlib.sha256(data).hexdigest()
    path = out / "blobs" / "sha256" / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"digest": f"sha256:{digest}", "size": len(data)}


def layer(binary: Path, ca: Path, mtime: int, level: int) -> tuple[bytes, str]:
    """The layer as gzip bytes, and the diff id (sha256 of the tar)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:

        def add(name: str, data: bytes | None, mode: int, uid: int = 0) -> None:
            info = tarfile.TarInfo(name)
            info.mtime = mtime
            info.uid = info.gid = uid
            info.uname = info.gname = ""
            info.mode = mode
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))

        passwd = f"root:x:0:0:root:/root:/sbin/nologin\ngate:x:{UID}:{UID}:gate:/work:/sbin/nologin\n"
        group = f"root:x:0:\ngate:x:{UID}:\n"
        for name, data, mode, uid in sorted(
            [
                ("etc", None, 0o755, 0),
                ("etc/group", group.encode(), 0o644, 0),
                ("etc/passwd", passwd.encode(), 0o644, 0),
                ("etc/ssl", None, 0o755, 0),
                ("etc/ssl/certs", None, 0o755, 0),
                ("etc/ssl/certs/ca-certificates.crt", ca.read_bytes(), 0o644, 0),
                ("tmp", None, 0o1777, 0),
                ("usr", None, 0o755, 0),
                ("usr/local", None, 0o755, 0),
                ("usr/local/bin", None, 0o755, 0),
                ("usr/local/bin/gate", binary.read_bytes(), 0o755, 0),
                ("work", None, 0o755, UID),
            ],
            key=lambda e: e[0],
        ):
            add(name, data, mode, uid)
    tar_bytes = raw.getvalue()
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0, compresslevel=level) as f:
        f.write(tar_bytes)
    return gz.getvalue(), "sha256:" + hashlib.sha256(tar_bytes).hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary", type=Path)
    ap.add_argument("version")
    ap.add_argument("out", type=Path)
    ap.add_argument("--arch", default="amd64", choices=["amd64", "arm64"])
    ap.add_argument("--ca", type=Path, default=Path("/etc/ssl/certs/ca-certificates.crt"))
    ap.add_argument("--gzip-level", type=int, default=9, choices=range(1, 10), metavar="N")
    args = ap.parse_args()
    for f in (args.binary, args.ca):
        if not f.is_file():
            print(f"build-image: {f} is not a file", file=sys.stderr)
            return 1
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    created = datetime.datetime.fromtimestamp(mtime, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    layer_gz, diff_id = layer(args.binary, args.ca, mtime, args.gzip_level)
    labels = {
        "org.opencontainers.image.title": "gate",
        "org.opencontainers.image.description": "WebAssembly policy and quality-gate evaluator for CI",
        "org.opencontainers.image.version": args.version,
        "org.opencontainers.image.licenses": "Apache-2.0",
        "org.opencontainers.image.created": created,
    }
    config = {
        "architecture": args.arch,
        "os": "linux",
        "created": created,
        "config": {
            "User": f"{UID}:{UID}",
            "Entrypoint": ["/usr/local/bin/gate"],
            "Cmd": ["check"],
            "WorkingDir": "/work",
            "Env": ["PATH=/usr/local/bin", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"],
            "Labels": labels,
        },
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": created, "created_by": "ci/build-image.py"}],
    }
    config_desc = blob(out, json.dumps(config, sort_keys=True, separators=(",", ":")).encode())
    layer_desc = blob(out, layer_gz)
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config_desc},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **layer_desc}],
        "annotations": labels,
    }
    manifest_desc = blob(out, json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode())
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                **manifest_desc,
                "platform": {"architecture": args.arch, "os": "linux"},
                "annotations": {"org.opencontainers.image.ref.name": args.version},
            }
        ],
    }
    (out / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    (out / "index.json").write_text(json.dumps(index, sort_keys=True, separators=(",", ":")))
    print(manifest_desc["digest"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
