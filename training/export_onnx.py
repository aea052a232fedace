"""Re-export a model folder's int8 ONNX file from its safetensors weights and refresh its manifest.

    python -m training.export_onnx models/stance-minilm
"""
from __future__ import annotations

import argparse
from pathlib import Path

from stance.model import StanceClassifier, write_manifest
from stance.onnx_backend import export_onnx


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    args = ap.parse_args(argv)
    clf = StanceClassifier.from_pretrained(args.folder, backend="torch")
    path = export_onnx(clf, args.folder)
    write_manifest(args.folder)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB) and {args.folder / 'manifest.json'}")


if __name__ == "__main__":
    main()
