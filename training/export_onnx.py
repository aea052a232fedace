"""Re-export a model folder's int8 ONNX file from its safetensors weights and refresh its manifest.

    python -m training.export_onnx models/stance-minilm [--data-dir ../shared/data | --calibration data/build/train.jsonl]

The export is statically quantized (int8 QDQ, per-channel weights): the activation ranges are
fixed once, from in-domain statements run through the float32 model, so a statement's scores
do not depend on the statements batched with it. The calibration statements are the train
split of the in-domain corpus (training/data/annotations, texts rebuilt from --data-dir), or
the `annotations` rows (all rows if there are none) of a JSONL file given with --calibration,
such as data/build/train.jsonl from `python -m training.data build`. After a re-export, the
folder's manifest changes: for the shipped model, update SHIPPED_MANIFEST_SHA256 in
stance/config.py to the digest this command prints.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from stance.model import StanceClassifier, manifest_digest, write_manifest
from stance.onnx_backend import export_onnx

from training.train import IN_DOMAIN


def calibration_pairs(data_dir: Path | None, jsonl: Path | None) -> list[tuple[str | None, str]]:
    """(target, statement) pairs of in-domain training text."""
    if jsonl is not None:
        with jsonl.open(encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        rows = [r for r in rows if r.get("source") == IN_DOMAIN] or rows
    else:
        from training.data.corpus import load_corpus

        rows = [r for r in load_corpus(data_dir) if r["split"] == "train"]
    pairs = [(r.get("target"), r["text"]) for r in rows if isinstance(r.get("text"), str) and r["text"].strip()]
    if not pairs:
        raise SystemExit("no calibration statements found; pass --data-dir or --calibration")
    return pairs


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data",
                    help="public datasets, to rebuild the in-domain corpus texts (default: ../shared/data)")
    ap.add_argument("--calibration", type=Path, help="a JSONL file of rows with text (and target, source) instead")
    args = ap.parse_args(argv)
    clf = StanceClassifier.from_pretrained(args.folder, backend="torch", verify_origin=False)
    path = export_onnx(clf, args.folder, calibration_pairs(args.data_dir, args.calibration))
    write_manifest(args.folder)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB) and {args.folder / 'manifest.json'} "
          f"(manifest digest {manifest_digest(args.folder)})")


if __name__ == "__main__":
    main()
