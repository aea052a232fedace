"""Re-export a model folder's ONNX file from its safetensors weights and refresh its manifest.

    python -m training.export_onnx models/stance-minilm

The graph runs in float32 from the folder's float16 weights, as the PyTorch path does, so the
two paths give the same labels and a statement's scores do not depend on the statements batched
with it. After a re-export, the folder's manifest changes: for the shipped model, update
SHIPPED_MANIFEST_SHA256 in stance/config.py to the digest this command prints.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from stance.model import StanceClassifier, manifest_digest, write_manifest
from stance.onnx_backend import export_onnx


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path)
    args = ap.parse_args(argv)
    clf = StanceClassifier.from_pretrained(args.folder, backend="torch", verify_origin=False)
    path = export_onnx(clf, args.folder)
    (args.folder / "model.int8.onnx").unlink(missing_ok=True)  # the int8 export of earlier versions
    write_manifest(args.folder)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB) and {args.folder / 'manifest.json'} "
          f"(manifest digest {manifest_digest(args.folder)})")


if __name__ == "__main__":
    main()
