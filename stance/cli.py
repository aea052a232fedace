"""Command-line interface: a thin layer over the library."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import asdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from stance.quotes import extract_quotes
from stance.readers import read_documents
from stance.types import InputError


@contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    """stdout, or a file written to a temporary name and renamed only when complete."""
    if path is None or path == "-":
        yield sys.stdout
        return
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or Path("."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _report(err: InputError) -> None:
    print(f"stance: error: {err}", file=sys.stderr)


def cmd_quotes(args: argparse.Namespace) -> int:
    problems = 0
    articles = quotes = 0
    with _output(args.output) as out:
        for path in args.files:
            for doc in read_documents(path, text_field=args.text_field, id_field=args.id_field,
                                      errors=args.errors, fmt=args.format):
                if isinstance(doc, InputError):
                    _report(doc)
                    problems += 1
                    continue
                articles += 1
                for q in extract_quotes(doc.text):
                    quotes += 1
                    row = {"article_id": doc.id, **q.to_dict()}
                    if args.pretty:
                        who = q.speaker or "(unknown)"
                        out.write(f"[{doc.id} {q.start}-{q.end}] {q.kind:8} {who}: {q.text}\n")
                    else:
                        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"stance: {articles} article(s), {quotes} quote(s), {problems} input error(s)", file=sys.stderr)
    return 1 if problems else 0


def cmd_evaluate_labels(args: argparse.Namespace) -> int:
    from stance.agreement import agreement, load_labels

    try:
        a, b = load_labels(args.a), load_labels(args.b)
    except (OSError, ValueError) as e:
        print(f"stance: error: {e}", file=sys.stderr)
        return 2
    results = agreement(a, b)
    if not results:
        print("stance: error: the two files share no labelled ids", file=sys.stderr)
        return 2
    if args.json:
        rows = [{**asdict(r), "confusion": {f"{x}->{y}": n for (x, y), n in r.confusion.items()}} for r in results]
        print(json.dumps(rows, indent=2))
        return 0
    print("| label | items | observed agreement | Cohen's kappa | Krippendorff's alpha | macro-F1 (B vs A) |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r.label} | {r.items} | {r.observed:.3f} | {r.kappa:.3f} | {r.alpha:.3f} | {r.macro_f1:.3f} |")
    for r in results:
        if r.confusion:
            top = sorted(r.confusion.items(), key=lambda kv: -kv[1])[:6]
            print(f"{r.label} disagreements (A->B): " + ", ".join(f"{x}->{y}: {n}" for (x, y), n in top))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stance", description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)

    q = sub.add_parser("quotes", help="extract quoted statements and their speakers from articles")
    q.add_argument("files", nargs="+", metavar="FILE", help="plain-text article(s), or JSONL with a text field")
    q.add_argument("-o", "--output", help="output JSONL file (default: stdout)")
    q.add_argument("--format", choices=["text", "jsonl"], help="input format (default: by file extension)")
    q.add_argument("--text-field", default="text", help="JSONL field holding the article text")
    q.add_argument("--id-field", default="id", help="JSONL field holding the article id")
    q.add_argument("--errors", choices=["strict", "replace"], default="strict",
                   help="invalid UTF-8: report the file/line (strict) or substitute U+FFFD (replace)")
    q.add_argument("--pretty", action="store_true", help="one readable line per quote instead of JSON")
    q.set_defaults(func=cmd_quotes)

    e = sub.add_parser("evaluate-labels", help="agreement between two label files on shared ids (kappa, alpha)")
    e.add_argument("a", help="reference label file (JSONL)")
    e.add_argument("b", help="second label file (JSONL): another annotator, or model predictions")
    e.add_argument("--json", action="store_true", help="print JSON instead of a table")
    e.set_defaults(func=cmd_evaluate_labels)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # `stance quotes ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as e:
        print(f"stance: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
