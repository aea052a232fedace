"""Command-line interface: a thin layer over the library."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
import shutil
from dataclasses import asdict, replace
from pathlib import Path
from typing import TextIO

from stance import __version__
from stance.config import MAX_TEXT_CHARS
from stance.quotes import extract_quotes
from stance.readers import document_format, read_documents
from stance.tables import TableWriter, count_rows, table_columns, table_format
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
    """Documents from the command's files (`-`: stdin); bad files and lines are reported and
    counted. `check()` fails once, before any row is read, when a table lacks the text column."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.problems = 0
        self.documents = 0
        self._spooled: list[str] = []
        self.files = [self._stdin() if f == "-" else f for f in args.files]

    def _stdin(self) -> str:
        """stdin as a file: table readers stream from a path (plain text is read in one piece anyway)."""
        fmt = self.args.input_format or "text"
        fd, tmp = tempfile.mkstemp(prefix="stance-stdin.", suffix="." + ("txt" if fmt == "text" else fmt))
        with os.fdopen(fd, "wb") as fh:
            shutil.copyfileobj(sys.stdin.buffer, fh)
        self._spooled.append(tmp)
        return tmp

    def close(self) -> None:
        for tmp in self._spooled:
            Path(tmp).unlink(missing_ok=True)

    def format(self, path: str) -> str:
        return self.args.input_format or document_format(path)

    def check(self) -> None:
        a = self.args
        for path in self.files:
            fmt = self.format(path)
            if fmt == "text" or not Path(path).is_file():
                continue
            cols = table_columns(path, fmt)
            if cols is not None and a.text_field not in cols:
                raise ValueError(str(InputError(_shown(path, a), None, f"no text column {a.text_field!r} (pass "
                                 f"--text-column); the columns are: {', '.join(map(str, cols)) or '(none)'}")))

    def total(self) -> int | None:
        n = 0
        for path in self.files:
            fmt = self.format(path)
            k = 1 if fmt == "text" else count_rows(path, fmt)
            if k is None:
                return None
            n += k
        return n

    def __iter__(self):
        a = self.args
        for path in self.files:
            for doc in read_documents(path, text_field=a.text_field, id_field=a.id_field, errors=a.errors,
                                      fmt=self.format(path)):
                if isinstance(doc, InputError):
                    print(f"stance: error: {str(doc).replace(path, _shown(path, a))}", file=sys.stderr)
                    self.problems += 1
                    continue
                self.documents += 1
                if path in self._spooled and doc.source == path:
                    doc = replace(doc, id=doc.id.replace(Path(path).name, "-"), source="-")
                yield doc


def _shown(path: str, args) -> str:
    return "-" if path not in args.files else path


class _Sink:
    """JSONL to stdout or a file, or CSV / Parquet by the output's extension; files are written
    under a temporary name and renamed when complete."""

    def __init__(self, path: str | None, fmt: str | None):
        self.path = None if path in (None, "-") else Path(path)
        self.fmt = fmt or (table_format(self.path) if self.path and document_format(self.path) != "text" else "jsonl")
        self._buf: list[dict] = []

    def __enter__(self):
        if self.fmt == "jsonl":
            self._ctx = _output(None if self.path is None else str(self.path))
            self.fh = self._ctx.__enter__()
        else:
            if self.path is None:
                raise ValueError(f"{self.fmt} output needs a file: pass -o FILE")
            self.tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            self.writer = TableWriter(self.tmp, self.fmt)
            self.writer.truncate(0) if self.fmt != "parquet" else None
        return self

    def write(self, rows: list[dict]) -> None:
        if self.fmt == "jsonl":
            for r in rows:
                self.fh.write(json.dumps(r, ensure_ascii=False) + "\n")
            return
        self._buf += rows
        if len(self._buf) >= 2048:
            self.writer.append(self._buf)
            self._buf = []

    def text(self, line: str) -> None:
        if self.fmt != "jsonl":
            raise ValueError("--pretty writes text: use stdout or a .txt/.jsonl output")
        self.fh.write(line)

    def __exit__(self, exc_type, exc, tb):
        if self.fmt == "jsonl":
            return self._ctx.__exit__(exc_type, exc, tb)
        try:
            if exc_type is None:
                self.writer.append(self._buf)
                self.writer.finish()
                self.writer.cleanup()
                os.replace(self.tmp, self.path)
        finally:
            self.tmp.unlink(missing_ok=True)
        return False


def _progress(args, inputs: _Inputs, desc: str):
    """A bar over the articles, on a terminal, with a total (and ETA) when the inputs tell it."""
    from tqdm import tqdm

    disable = args.quiet or not sys.stderr.isatty()
    return tqdm(total=None if disable else inputs.total(), unit=" articles", desc=desc, disable=disable,
                file=sys.stderr, smoothing=0.1)


def _run_articles(args: argparse.Namespace, per_doc, what: str, note=lambda: "") -> int:
    """Read every article, write what per_doc(doc) returns (records, or pretty text)."""
    inputs = _Inputs(args)
    try:
        inputs.check()
        n = 0
        with _Sink(args.output, args.output_format) as sink:
            bar = _progress(args, inputs, what)
            for doc in inputs:
                out = per_doc(doc)
                if args.pretty:
                    sink.text("".join(out))
                else:
                    sink.write(out)
                n += len(out)
                bar.update(1)
            bar.close()
    finally:
        inputs.close()
    print(f"stance: {inputs.documents} article(s), {n} {what}{note()}, {inputs.problems} input error(s)", file=sys.stderr)
    return 1 if inputs.problems else 0


def _with_fields(rec: dict, doc) -> dict:
    """The input row's own fields follow the record (never replacing one of its keys)."""
    for k, v in (doc.fields or {}).items():
        rec.setdefault(k, v)
    return rec


def cmd_quotes(args: argparse.Namespace) -> int:
    def per_doc(doc):
        if args.pretty:
            return [f"[{doc.id} {q.start}-{q.end}] {q.kind:8} {q.speaker or '(unknown)'}: {q.text}\n"
                    for q in extract_quotes(doc.text)]
        return [_with_fields({"article_id": doc.id, **q.to_dict()}, doc) for q in extract_quotes(doc.text)]

    return _run_articles(args, per_doc, "quote(s)")


def _gazetteer(args: argparse.Namespace):
    """--actors: the user's actors merged into the shipped list, loaded and checked before any
    input is read (a bad file: ValueError, one error and exit 2); None: the shipped list."""
    if not getattr(args, "actors", None):
        return None
    from stance.gazetteer import Gazetteer

    return Gazetteer.from_file(args.actors)


def cmd_analyze(args: argparse.Namespace) -> int:
    from stance.article import classify_article
    from stance.frames import default_layout, long_rows, model_name, paragraph_columns
    from stance.model import StanceClassifier

    gazetteer = _gazetteer(args)
    clf = StanceClassifier.from_pretrained(args.model)
    fmt = _Sink(args.output, args.output_format).fmt
    layout = args.layout or default_layout(fmt)

    foreign = [0]

    def per_doc(doc):
        out = []
        for k, lq in enumerate(classify_article(doc.text, args.target or None, classifier=clf,
                                                min_confidence=args.min_confidence, explain=args.explain,
                                                gazetteer=gazetteer)):
            q = lq.quote
            foreign[0] += lq.language is not None
            if args.pretty:
                if lq.language:
                    labels = f"not labelled: the model reads English, this is {lq.language!r}"
                else:
                    stances = ", ".join(f"{s.target}: {s.stance} {s.scores[_top(s.scores)]:.2f}" for s in lq.stances)
                    labels = (f"framing: {lq.framing} {lq.framing_scores[_top(lq.framing_scores)]:.2f} | "
                              f"stance: {stances or 'no target'}")
                out.append(f"[{doc.id} {q.start}-{q.end}] {q.speaker or '(unknown)'} ({q.kind}): {q.text}\n    {labels}\n")
            elif layout == "long":
                out += long_rows(lq, doc.id, k, model_name(clf), _with_fields(paragraph_columns(doc.text, q), doc))
            else:
                out.append(_with_fields({"article_id": doc.id, "quote_id": k, **lq.to_dict(), "model": model_name(clf),
                                         **paragraph_columns(doc.text, q)}, doc))
        return out

    return _run_articles(args, per_doc, "labelled quote(s)",
                         lambda: f", {foreign[0]} not English (unsupported, not labelled)" if foreign[0] else "")


def _top(scores: dict) -> str:
    return max(scores, key=scores.get) if scores else None


def cmd_report(args: argparse.Namespace) -> int:
    from stance.report import write_report

    try:
        n = write_report(args.results, args.output, title=args.title, outlet=args.outlet_column, date=args.date_column,
                         gazetteer=_gazetteer(args))
    except (KeyError, ValueError) as e:
        print(f"stance: error: {e}", file=sys.stderr)
        return 2
    print(f"stance: {args.output}: {n} quote(s)", file=sys.stderr)
    return 0


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

    from stance.frames import default_layout

    gazetteer = _gazetteer(args)
    stdin = args.input == "-"
    if stdin:
        if args.resume:
            print("stance: error: --resume needs the input as a file (stdin cannot be read again)", file=sys.stderr)
            return 2
        args.files, args.input_format = ["-"], args.input_format or "jsonl"
        spool = _Inputs(args)
        args.input = spool.files[0]
    in_fmt = table_format(args.input, args.input_format)
    layout = args.layout or default_layout(table_format(args.output, args.output_format))
    opts = JobOptions(text_column=args.text_column, id_column=args.id_column, target_column=args.target_column,
                      targets_column=args.targets_column, articles=args.articles, chunk_size=args.chunk_size,
                      batch_size=args.batch_size, input_format=in_fmt, output_format=args.output_format,
                      errors=args.errors, resume=args.resume, quiet=args.quiet,
                      check_duplicate_ids=not args.allow_duplicate_ids, layout=layout,
                      max_text_chars=args.max_text_chars, escape_formulas=not args.no_escape_formulas,
                      min_confidence=args.min_confidence, explain=args.explain, gazetteer=gazetteer)
    cols = table_columns(args.input, in_fmt) if Path(args.input).is_file() else None
    if cols is not None and args.text_column not in cols:
        print(f"stance: error: {'-' if stdin else args.input}: no text column {args.text_column!r} "
              f"(pass --text-column); the columns are: {', '.join(map(str, cols)) or '(none)'}", file=sys.stderr)
        return 2
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
    finally:
        if stdin:
            spool.close()
    print(f"stance: {summary.line()}; rejects: {args.rejects or default_rejects_path(args.output)}", file=sys.stderr)
    return 1 if summary.rejected else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stance", description="Quoted statements in news: speakers, stance toward targets, sectarian framing.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def article_command(name: str, help: str, func) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help)
        c.add_argument("files", nargs="+", metavar="FILE",
                       help="articles: plain text, or JSONL / CSV / Parquet with a text column; - reads stdin")
        c.add_argument("-o", "--output", help="output file: JSONL, CSV or Parquet by extension (default: JSONL on stdout)")
        c.add_argument("--input-format", "--format", dest="input_format", choices=["text", "jsonl", "csv", "parquet"],
                       help="input format (default: by file extension; stdin: text)")
        c.add_argument("--output-format", choices=["jsonl", "csv", "parquet"], help="output format (default: by extension)")
        c.add_argument("--text-column", "--text-field", dest="text_field", default="text",
                       help="column holding the article text (JSONL, CSV, Parquet)")
        c.add_argument("--id-column", "--id-field", dest="id_field", default="id", help="column holding the article id")
        c.add_argument("--errors", choices=["strict", "replace"], default="strict",
                       help="invalid UTF-8: report the file/line (strict) or substitute U+FFFD (replace)")
        c.add_argument("--pretty", action="store_true", help="readable lines instead of JSON")
        c.add_argument("--quiet", action="store_true", help="no progress bar")
        c.set_defaults(func=func)
        return c

    article_command("quotes", "extract quoted statements and their speakers from articles", cmd_quotes)
    a = article_command("analyze", "label every quote of the articles: speaker, framing, stance toward targets", cmd_analyze)
    a.add_argument("--target", action="append", metavar="TARGET",
                   help="stance target (repeatable; aliases of one actor count once); default: the actors each quote and its paragraph name")
    a.add_argument("--model", help="model folder (default: the shipped model)")
    _label_options(a)

    c = sub.add_parser("classify", help="batch job: label a table of statements (or articles) with stance and framing")
    c.add_argument("input", help="JSONL, CSV or Parquet (by extension) with a text column; - reads stdin")
    c.add_argument("-o", "--output", required=True, help="JSONL, CSV or Parquet output (by extension)")
    c.add_argument("--rejects", help="where rows that cannot be read or classified go (default: OUTPUT.rejects.jsonl)")
    c.add_argument("--articles", action="store_true", help="rows are articles: extract their quotes, then label each")
    c.add_argument("--text-column", "--text-field", dest="text_column", default="text")
    c.add_argument("--id-column", "--id-field", dest="id_column", default="id")
    c.add_argument("--target-column", default="target", help="one stance target per row")
    c.add_argument("--targets-column", default="targets", help="a list of targets per row (JSON list in CSV)")
    c.add_argument("--input-format", choices=["jsonl", "csv", "parquet"], help="default: by extension (stdin: jsonl)")
    c.add_argument("--output-format", choices=["jsonl", "csv", "parquet"])
    c.add_argument("--chunk-size", type=int, default=512, help="rows read, classified and written at a time")
    c.add_argument("--batch-size", type=int, default=32, help="model batch size")
    c.add_argument("--resume", action="store_true", help="continue a job that was stopped")
    c.add_argument("--model", help="model folder (default: the shipped model)")
    c.add_argument("--backend", choices=["auto", "onnx", "torch"], default="auto",
                   help="onnx: ONNX Runtime (fast); torch: PyTorch (bit-for-bit reproducible scores)")
    c.add_argument("--errors", choices=["strict", "replace"], default="strict",
                   help="invalid UTF-8: reject the row (strict) or substitute U+FFFD (replace)")
    c.add_argument("--quiet", action="store_true", help="no progress bar")
    c.add_argument("--allow-duplicate-ids", action="store_true",
                   help="keep rows whose id repeats (default: reject them; skipping the check keeps memory flat)")
    c.add_argument("--max-text-chars", type=int, default=MAX_TEXT_CHARS,
                   help=f"reject texts longer than this many characters (default {MAX_TEXT_CHARS:,}: longer than news)")
    c.add_argument("--no-escape-formulas", action="store_true",
                   help="CSV output: write cells starting with = + - @ as they are (default: a leading ' so "
                        "spreadsheets show them as text, not formulas)")
    c.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="ray: classify on Ray Data actors (pip install 'stance[ray]')")
    c.add_argument("--ray-address", help="an existing Ray cluster ('auto', 'ray://head:10001'); default: start a local Ray")
    c.add_argument("--ray-actors", type=int, default=2, help="model actors in the pool (each loads the model once)")
    _label_options(c)
    c.set_defaults(func=cmd_classify)

    r = sub.add_parser("report", help="one self-contained HTML report (charts, stance matrix, quote table) from results")
    r.add_argument("results", nargs="+", metavar="RESULTS",
                   help="output of `stance analyze` or `stance classify` (JSONL, CSV or Parquet; nested or long)")
    r.add_argument("-o", "--output", required=True, help="the HTML file to write")
    r.add_argument("--title", default="stance report")
    r.add_argument("--outlet-column", default="outlet", help="column naming the outlet (charts and filter by outlet)")
    r.add_argument("--date-column", default="date", help="column holding the date (framing by month)")
    _actors_option(r, "highlighted in the quotes' paragraphs")
    r.set_defaults(func=cmd_report)

    e = sub.add_parser("evaluate-labels", help="agreement between two label files on shared ids (kappa, alpha)")
    e.add_argument("a", help="reference label file (JSONL)")
    e.add_argument("b", help="second label file (JSONL): another annotator, or model predictions")
    e.add_argument("--json", action="store_true", help="print JSON instead of a table")
    e.set_defaults(func=cmd_evaluate_labels)
    return parser


def _actors_option(c: argparse.ArgumentParser, what: str) -> None:
    c.add_argument("--actors", metavar="FILE",
                   help=f"your own actors (JSON, the format of stance/resources/actors.json), merged with the "
                        f"shipped list: {what}")


def _label_options(c: argparse.ArgumentParser) -> None:
    _actors_option(c, "found as targets, and their aliases canonicalised")
    c.add_argument("--layout", choices=["long", "nested"],
                   help="long: one flat row per (quote, target), p_* score columns; nested: one record per "
                        "statement or quote with score dicts (default: long for CSV and Parquet, nested for JSONL)")
    c.add_argument("--explain", action="store_true",
                   help="add the words behind each label (word occlusion on the fast path: one model pass per word)")
    c.add_argument("--min-confidence", type=_probability, metavar="P",
                   help="write `uncertain` instead of a label whose probability is below P (scores are kept)")


def _probability(value: str) -> float:
    try:
        p = float(value)
    except ValueError:
        p = -1.0
    if not 0.0 <= p <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a probability between 0 and 1, got {value!r}")
    return p


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
