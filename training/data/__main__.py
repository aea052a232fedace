"""`python -m training.data build ...`: see training/data/build.py and training/data/README.md."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from training.data.build import DEFAULT_DATA_DIR, DEFAULT_OUT, registry, run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.data", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="convert the public datasets into data/build/*.jsonl")
    b.add_argument("--data-dir", type=Path, default=None,
                   help=f"folder holding the dataset folders (default: {DEFAULT_DATA_DIR} when present)")
    b.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    b.add_argument("--sources", default=None,
                   help=f"comma-separated subset of: {', '.join(registry())} (default: all)")
    args = ap.parse_args(argv)
    sources = [s.strip() for s in args.sources.split(",") if s.strip()] if args.sources else None
    return run(args.data_dir, args.out, sources)


if __name__ == "__main__":
    sys.exit(main())
