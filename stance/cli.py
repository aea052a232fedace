"""Command-line interface: a thin layer over the library."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
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


class _Inputs:
    """Documents from the command's files; bad files and lines are reported and counted."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.problems = 0
        self.documents = 0

    def __iter__(self):
        a = self.args
        for path in a.files:
            for doc in read_documents(path, text_field=a.text_field, id_field=a.id_field, errors=a.errors, fmt=a.format):
                if isinstance(doc, InputError):
                    print(f"stance: error: {doc}", file=sys.stderr)
                    self.problems += 1
                    continue
                self.documents += 1
                yield doc


def cmd_quotes(args: argparse.Namespace) -> int:
    inputs, quotes = _Inputs(args), 0
    with _output(args.output) as out:
        for doc in inputs:
            for q in extract_quotes(doc.text):
                quotes += 1
                if args.pretty:
                    out.write(f"[{doc.id} {q.start}-{q.end}] {q.kind:8} {q.speaker or '(unknown)'}: {q.text}\n")
                else:
                    out.write(json.dumps({"article_id": doc.id, **q.to_dict()}, ensure_ascii=False) + "\n")
    print(f"stance: {inputs.documents} article(s), {quotes} quote(s), {inputs.problems} input error(s)", file=sys.stderr)
    return 1 if inputs.problems else 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from stance.article import classify_article
    from stance.model import StanceClassifier

    clf = StanceClassifier.from_pretrained(args.model)
    inputs, quotes = _Inputs(args), 0
    with _output(args.output) as out:
        for doc in inputs:
            for lq in classify_article(doc.text, args.target or None, classifier=clf):
                quotes += 1
                if args.pretty:
                    q = lq.quote
                    stances = ", ".join(f"{s.target}: {s.stance} {s.scores[s.stance]:.2f}" for s in lq.stances) or "no target"
                    out.write(f"[{doc.id} {q.start}-{q.end}] {q.speaker or '(unknown)'} ({q.kind}): {q.text}\n"
                              f"    framing: {lq.framing} {lq.framing_scores[lq.framing]:.2f} | stance: {stances}\n")
                else:
                    out.write(json.dumps({"article_id": doc.id, **lq.to_dict()}, ensure_ascii=False) + "\n")
    print(f"stance: {inputs.documents} article(s), {quotes} labelled quote(s), {inputs.problems} input error(s)", file=sys.stderr)
    return 1 if inputs.problems else 0


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


def cmd_classify(args: argparse.Namespace) -> int:
    from stance.batch import BatchJob, JobError, JobOptions, default_rejects_path
    from stance.model import StanceClassifier

    opts = JobOptions(text_column=args.text_column, id_column=args.id_column, target_column=args.target_column,
                      targets_column=args.targets_column, articles=args.articles, chunk_size=args.chunk_size,
                      batch_size=args.batch_size, input_format=args.input_format, output_format=args.output_format,
                      errors=args.errors, resume=args.resume, quiet=args.quiet,
                      check_duplicate_ids=not args.allow_duplicate_ids)
    try:
        if args.engine == "ray":
            from stance.ray_engine import run_on_ray

            summary = run_on_ray(args.input, args.output, args.rejects, opts, model=args.model, backend=args.backend,
                                 address=args.ray_address, actors=args.ray_actors)
        else:
            clf = StanceClassifier.from_pretrained(args.model, backend=args.backend)
            summary = BatchJob(clf, args.input, args.output, args.rejects, opts).run()
    except (JobError, ValueError) as e:
        print(f"stance: error: {e}", file=sys.stderr)
        return 2
    print(f"stance: {summary.line()}; rejects: {args.rejects or default_rejects_path(args.output)}", file=sys.stderr)
    return 1 if summary.rejected else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stance", description="Quoted statements in news: speakers, stance toward targets, sectarian framing.")
    sub = parser.add_subparsers(dest="command", required=True)

    def article_command(name: str, help: str, func) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help)
        c.add_argument("files", nargs="+", metavar="FILE", help="plain-text article(s), or JSONL with a text field")
        c.add_argument("-o", "--output", help="output JSONL file (default: stdout)")
        c.add_argument("--format", choices=["text", "jsonl"], help="input format (default: by file extension)")
        c.add_argument("--text-field", default="text", help="JSONL field holding the article text")
        c.add_argument("--id-field", default="id", help="JSONL field holding the article id")
        c.add_argument("--errors", choices=["strict", "replace"], default="strict",
                       help="invalid UTF-8: report the file/line (strict) or substitute U+FFFD (replace)")
        c.add_argument("--pretty", action="store_true", help="readable lines instead of JSON")
        c.set_defaults(func=func)
        return c

    article_command("quotes", "extract quoted statements and their speakers from articles", cmd_quotes)
    a = article_command("analyze", "label every quote of the articles: speaker, framing, stance toward targets", cmd_analyze)
    a.add_argument("--target", action="append", metavar="TARGET",
                   help="stance target (repeatable); default: the actors each quote and its paragraph name")
    a.add_argument("--model", help="model folder (default: the shipped model)")

    c = sub.add_parser("classify", help="batch job: label a table of statements (or articles) with stance and framing")
    c.add_argument("input", help="JSONL, CSV or Parquet (by extension) with a text column")
    c.add_argument("-o", "--output", required=True, help="JSONL, CSV or Parquet output (by extension)")
    c.add_argument("--rejects", help="where rows that cannot be read or classified go (default: OUTPUT.rejects.jsonl)")
    c.add_argument("--articles", action="store_true", help="rows are articles: extract their quotes, then label each")
    c.add_argument("--text-column", default="text")
    c.add_argument("--id-column", default="id")
    c.add_argument("--target-column", default="target", help="one stance target per row")
    c.add_argument("--targets-column", default="targets", help="a list of targets per row (JSON list in CSV)")
    c.add_argument("--input-format", choices=["jsonl", "csv", "parquet"])
    c.add_argument("--output-format", choices=["jsonl", "csv", "parquet"])
    c.add_argument("--chunk-size", type=int, default=512, help="rows read, classified and written at a time")
    c.add_argument("--batch-size", type=int, default=32, help="model batch size")
    c.add_argument("--resume", action="store_true", help="continue a job that was stopped")
    c.add_argument("--model", help="model folder (default: the shipped model)")
    c.add_argument("--backend", choices=["auto", "onnx", "torch"], default="auto",
                   help="onnx: int8 ONNX Runtime (fast); torch: PyTorch (bit-for-bit reproducible scores)")
    c.add_argument("--errors", choices=["strict", "replace"], default="strict",
                   help="invalid UTF-8: reject the row (strict) or substitute U+FFFD (replace)")
    c.add_argument("--quiet", action="store_true", help="no progress bar")
    c.add_argument("--allow-duplicate-ids", action="store_true",
                   help="keep rows whose id repeats (default: reject them; skipping the check keeps memory flat)")
    c.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="ray: classify on Ray Data actors (pip install 'stance[ray]')")
    c.add_argument("--ray-address", help="an existing Ray cluster ('auto', 'ray://head:10001'); default: start a local Ray")
    c.add_argument("--ray-actors", type=int, default=2, help="model actors in the pool (each loads the model once)")
    c.set_defaults(func=cmd_classify)

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
    except (OSError, ValueError) as e:  # unreadable output, bad model folder
        print(f"stance: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
