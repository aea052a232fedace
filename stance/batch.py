"""Batch classification jobs: streaming, chunked, resumable, with a rejects file.

Rows are read, classified and written a chunk at a time, so memory stays flat. After every
chunk the output is flushed to disk and a small journal (`OUTPUT.progress.json`, replaced
atomically) records how many input rows are done and how long the output and rejects files
are; a job killed at any point and started again with `resume=True` truncates both files to
the journal and goes on, so every input row ends up written (or rejected) exactly once.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from stance.config import MAX_TEXT_CHARS
from stance.frames import default_layout, long_rows, model_name, paragraph_columns, statement_rows
from stance.gazetteer import Gazetteer, as_gazetteer
from stance.model import StanceClassifier
from stance.tables import NOFOLLOW, TableWriter, count_rows, read_rows, table_format
from stance.types import InputError


@dataclass
class JobOptions:
    text_column: str = "text"
    id_column: str = "id"
    target_column: str = "target"
    targets_column: str = "targets"
    articles: bool = False  # rows are articles: extract quotes, then classify each
    chunk_size: int = 512
    batch_size: int = 32
    input_format: str | None = None
    output_format: str | None = None
    errors: str = "strict"
    resume: bool = False
    quiet: bool = False
    check_duplicate_ids: bool = True  # reject a repeated id (memory: ~100 bytes per row id)
    layout: str | None = None  # "long": one flat row per (quote, target); "nested"; None: by output format
    min_confidence: float | None = None  # a label below this probability is written `uncertain`
    escape_formulas: bool = True  # CSV output: cells starting = + - @ get a leading ' (OWASP)
    max_text_chars: int = MAX_TEXT_CHARS  # longer texts are rejected (time grows with length)
    explain: bool = False  # add the words behind each label (occlusion: one model pass per word)
    # your own actors merged into the shipped list (`Gazetteer.from_file`), None: the shipped list;
    # it travels to Ray actors as its entries, and a resumed job must be given the same actors
    gazetteer: Gazetteer | None = None


@dataclass
class JobSummary:
    read: int = 0
    written: int = 0
    rejected: int = 0
    output_rows: int = 0  # with --articles: one per quote
    seconds: float = 0.0
    resumed_from: int = 0
    extra: dict = field(default_factory=dict)

    def line(self) -> str:
        rate = (self.read - self.resumed_from) / self.seconds if self.seconds else 0.0
        return (f"read {self.read} = written {self.written} + rejected {self.rejected}"
                f" ({self.output_rows} output rows, {rate:.1f} rows/s"
                + (f", resumed after row {self.resumed_from}" if self.resumed_from else "") + ")"
                + (f"; {self.extra['unsupported']} not English (unsupported, not labelled)"
                   if self.extra.get("unsupported") else ""))


def default_rejects_path(output: str | Path) -> Path:
    output = Path(output)
    return output.with_name(output.name + ".rejects.jsonl")


class JobError(RuntimeError):
    """A job that cannot start or go on (output exists, another job holds it, disk full)."""


class _Lock:
    """One job per output: an exclusive `flock` on OUTPUT.lock, which the kernel releases
    when its owner dies (no stale locks to take over, so no race between two starters)."""

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None

    def __enter__(self):
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | NOFOLLOW, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = os.read(fd, 32).decode(errors="replace").strip() or "?"
                os.close(fd)
                raise JobError(f"another job (pid {pid}) is writing {self.path.name.removesuffix('.lock')}; "
                               "wait for it to finish") from None
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path, follow_symlinks=False))
            except FileNotFoundError:
                same = False
            if same:  # not a file that the previous owner unlinked as we opened it
                os.ftruncate(fd, 0)
                os.write(fd, str(os.getpid()).encode())
                self.fd = fd
                return self
            os.close(fd)

    def __exit__(self, *exc):
        if self.fd is not None:
            self.path.unlink(missing_ok=True)  # while still holding it: the next owner makes a new one
            os.close(self.fd)
            self.fd = None


def _targets(row: dict, opts: JobOptions, text: str, where: str) -> list[str] | InputError:
    raw = row.get(opts.targets_column)
    if raw is None:
        raw = row.get(opts.target_column)
    if raw is None or raw == "":
        return as_gazetteer(opts.gazetteer).unique_targets(text)  # default: the actors the statement names
    if isinstance(raw, str) and raw.lstrip().startswith("["):
        try:
            raw = json.loads(raw)  # a list stored as JSON text in a CSV cell
        except json.JSONDecodeError as e:
            return InputError(where, None, f"column {opts.targets_column!r} is not a valid JSON list: {e.msg}")
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(t, str) and t.strip() for t in raw):
        return InputError(where, None, f"targets must be a non-empty string or a list of them, got {raw!r}")
    canonical = as_gazetteer(opts.gazetteer).canonical_target
    return list(dict.fromkeys(canonical(t) for t in raw))  # PMF and Hashd: one target


Pending = tuple[int, dict, str, list[str]]  # (row number, input row, text, targets)


def _speaker(row: dict) -> str | None:
    """The row's `speaker` column, which a model trained with speaker_input reads (not a str: unknown)."""
    speaker = row.get("speaker")
    return speaker if isinstance(speaker, str) else None


def label_rows(clf: StanceClassifier, opts: JobOptions, pending: list[Pending]) -> list[dict]:
    """Output records for validated rows, in input order (`label_groups`, flattened)."""
    return [rec for group in label_groups(clf, opts, pending) for rec in group]


def label_groups(clf: StanceClassifier, opts: JobOptions, pending: list[Pending]) -> list[list[dict]]:
    """The output records of each validated row, one list per row: one record per statement
    (with its stances toward every target), or with `articles`, one per quote of each article;
    the long layout has one per (statement or quote, target)."""
    from stance.article import classify_article, confident

    long = opts.layout == "long"
    if opts.articles:
        groups = []
        for n, row, text, targets in pending:
            explicit = row.get(opts.target_column) or row.get(opts.targets_column)
            out: list[dict] = []
            for k, lq in enumerate(classify_article(text, targets if explicit else None, classifier=clf,
                                                    min_confidence=opts.min_confidence, explain=opts.explain,
                                                    gazetteer=opts.gazetteer)):
                if long:
                    out += long_rows(lq, row.get(opts.id_column, n), k, model_name(clf),
                                     {"row": n, **paragraph_columns(text, lq.quote), **_passthrough(row, opts)})
                else:
                    out.append({**_passthrough(row, opts), "row": n, "quote": lq.to_dict(), "model": model_name(clf)})
            groups.append(out)
        return groups
    labelled = clf.predict_targets([p[2] for p in pending], [p[3] for p in pending], opts.batch_size,
                                   explain=opts.explain, gazetteer=opts.gazetteer,
                                   speakers=[_speaker(p[1]) for p in pending])
    if opts.min_confidence is not None:
        labelled = [[replace(p, stance=p.stance and confident(p.stance, p.stance_scores, opts.min_confidence),
                             framing=confident(p.framing, p.framing_scores, opts.min_confidence)) for p in preds]
                    for preds in labelled]
    groups = []
    for (n, row, _, _), preds in zip(pending, labelled):
        if long:
            groups.append(statement_rows(preds, row.get(opts.id_column, n), n, row.get("speaker"), model_name(clf),
                                         _passthrough(row, opts)))
            continue
        rec = {**_passthrough(row, opts), "framing": preds[0].framing, "framing_scores": preds[0].framing_scores,
               "stances": [{"target": p.target, "stance": p.stance, "scores": p.stance_scores} for p in preds if p.target],
               "windows": max(p.windows for p in preds), "model": model_name(clf)}
        if preds[0].language:
            rec["language"] = preds[0].language
        if opts.explain and preds[0].evidence:
            rec["evidence"] = {"framing": preds[0].evidence["framing"],
                               "stance": {p.target: p.evidence["stance"] for p in preds if p.target}}
        if len(rec["stances"]) == 1:  # one target: flat columns too, for spreadsheets
            rec["target"], rec["stance"] = rec["stances"][0]["target"], rec["stances"][0]["stance"]
        groups.append([rec])
    return groups


def _language(row: dict) -> str | None:
    """The language a result row was marked with (not English: not labelled), nested or flat."""
    quote = row.get("quote")
    return row.get("language") or (quote.get("language") if isinstance(quote, dict) else None)


class BatchJob:
    def __init__(self, classifier: StanceClassifier | None, input_path: str | Path, output_path: str | Path,
                 rejects_path: str | Path | None = None, options: JobOptions | None = None, labeler=None):
        """labeler: pending rows -> output records; default: `label_rows` with `classifier` in
        this process (`stance.ray_engine` passes one that runs on a Ray cluster)."""
        self.clf = classifier
        self.labeler = labeler or (lambda pending: label_rows(classifier, self.opts, pending))
        self.input = Path(input_path)
        self.output = Path(output_path)
        self.rejects = Path(rejects_path) if rejects_path else default_rejects_path(self.output)
        self.opts = options or JobOptions()
        self.in_fmt = table_format(self.input, self.opts.input_format)
        self.out_fmt = table_format(self.output, self.opts.output_format)
        if self.opts.layout is None:
            self.opts.layout = default_layout(self.out_fmt)
        self.journal = self.output.with_name(self.output.name + ".progress.json")
        self._seen_ids: dict[int, int] = {}  # 8-byte id hash -> first row: about 100 bytes an id

    # --- one chunk ---------------------------------------------------------------------

    def _duplicate(self, n: int, row: dict) -> str | None:
        """The reason to reject a row whose id was already seen, else None (and remember it)."""
        rid = row.get(self.opts.id_column)
        if rid is None or not self.opts.check_duplicate_ids:
            return None
        key = int.from_bytes(hashlib.blake2b(repr(rid).encode(), digest_size=8).digest(), "big")
        first = self._seen_ids.setdefault(key, n)
        return None if first == n else f"duplicate id {rid!r} in column {self.opts.id_column!r} (first at row {first})"

    def _classify(self, chunk: list[tuple[int, dict]], writer: TableWriter) -> tuple[list[dict], list[dict]]:
        """Output records and rejects of a chunk. Any exception while checking, classifying or
        serialising one row becomes that row's reject; the rest of the chunk is written."""
        o = self.opts
        rejects, pending = [], []
        for n, row in chunk:
            try:
                reason = self._check(n, row)
                if reason is None:
                    text = row[o.text_column]
                    targets = _targets(row, o, text, f"{self.input}:{n}")
                    reason = targets.reason if isinstance(targets, InputError) else None
            except Exception as e:  # noqa: BLE001 - one row's failure is that row's reject
                reason = f"cannot be read: {type(e).__name__}: {e}"
            if reason:
                rejects.append(_reject(self.input, n, reason, row))
            else:
                pending.append((n, row, text, targets))
        out = []
        for (n, row, _, _), records in zip(pending, self._label(pending)):
            if isinstance(records, Exception):
                rejects.append(_reject(self.input, n, f"classification failed: {type(records).__name__}: {records}", row))
                continue
            problem = next((p for p in map(writer.problem, records) if p), None)
            if problem:
                rejects.append(_reject(self.input, n, f"output {problem}", row))
                continue
            out.extend(records)
        rejects.sort(key=lambda r: r["row"])
        return out, rejects

    def _check(self, n: int, row: dict) -> str | None:
        """The reason to reject a row before classifying it, else None."""
        o = self.opts
        for k, v in row.items():
            bad = _lone_surrogate(k) or _lone_surrogate(v)
            if bad:
                return f"column {k!r} {bad}"
        dup = self._duplicate(n, row)
        if dup:
            return dup
        text = row.get(o.text_column)
        if not isinstance(text, str) or not text.strip():
            what = "missing" if text is None else ("empty" if isinstance(text, str) else f"a {type(text).__name__}")
            return f"column {o.text_column!r} is {what}"
        if len(text) > o.max_text_chars:
            return (f"column {o.text_column!r} holds {len(text):,} characters, over the limit of "
                    f"{o.max_text_chars:,} (--max-text-chars)")
        return None

    def _label(self, pending: list[Pending]) -> list[list[dict] | Exception]:
        """Records for each pending row; when the chunk fails as a whole, each row is tried
        alone, so only the rows that fail by themselves are lost (to the rejects)."""
        if not pending:
            return []
        try:
            return self._grouped(pending, self.labeler(pending))
        except Exception as e:  # noqa: BLE001
            if len(pending) == 1:
                return [e]
        out: list[list[dict] | Exception] = []
        for p in pending:
            try:
                out.extend(self._grouped([p], self.labeler([p])))
            except Exception as e:  # noqa: BLE001 - this row's reject
                out.append(e)
        return out

    def _grouped(self, pending: list[Pending], records: list[dict]) -> list[list[dict]]:
        """The records of each pending row: one per row (nested statements), or any number,
        found by the row number they carry (articles: `row`; long statements: `quote_id`)."""
        key = "row" if self.opts.articles else "quote_id" if self.opts.layout == "long" else None
        if key is None:
            if len(records) != len(pending):
                raise RuntimeError(f"the labeler returned {len(records)} records for {len(pending)} rows")
            return [[r] for r in records]
        per_row: dict[int, list[dict]] = {p[0]: [] for p in pending}
        for rec in records:
            per_row[rec[key]].append(rec)
        return [per_row[p[0]] for p in pending]

    # --- the job -------------------------------------------------------------------------

    def run(self) -> JobSummary:
        if not self.input.exists():
            raise JobError(f"{self.input}: no such input file")
        self._check_paths()
        try:
            self.output.parent.mkdir(parents=True, exist_ok=True)
            lock = _Lock(self.output.with_name(self.output.name + ".lock"))
            lock.__enter__()
        except OSError as e:
            raise JobError(f"cannot write {self.output}: {e.strerror or e}") from None
        try:
            return self._run()
        except OSError as e:
            raise JobError(f"cannot write {self.output}: {e.strerror or e}") from None
        finally:
            lock.__exit__()

    def _check_paths(self) -> None:
        """Refuse outputs that would overwrite the input or each other, or follow a link."""
        named = {"the input": self.input, "the output": self.output, "the rejects file": self.rejects}
        for what, path in named.items():
            for other_what, other in named.items():
                if what < other_what and _same_file(path, other):
                    raise JobError(f"{other_what} and {what} are the same file ({path}); choose another path")
        for path in (self.output, self.rejects, self.journal, self.journal.with_name(self.journal.name + ".tmp"),
                     self.output.with_name(self.output.name + ".parts")):
            if path.is_symlink():
                raise JobError(f"{path} is a symbolic link; refusing to write through it (remove it or choose another path)")

    def _run(self) -> JobSummary:
        writer = TableWriter(self.output, self.out_fmt, escape_formulas=self.opts.escape_formulas)
        rejects = TableWriter(self.rejects, "jsonl")
        summary = JobSummary()
        done = 0
        prefix = hashlib.blake2b(digest_size=16)  # of the rows consumed so far, for resume
        if self.journal.exists():
            if not self.opts.resume:
                raise JobError(f"{self.output} is an unfinished job ({self.journal.name} exists); "
                               "pass --resume to continue it, or delete both to start again")
            state = json.loads(self.journal.read_text(encoding="utf-8"))
            summary = JobSummary(**{k: state["summary"][k] for k in ("read", "written", "rejected", "output_rows")})
            writer.columns = state.get("columns")
            if state.get("finishing"):  # stopped while joining the output: finish again
                return self._finish(writer, summary, time.time())
            self._check_same_actors(state)
            self._check_input_unchanged(state)
            writer.truncate(state["output_size"])
            rejects.truncate(state["rejects_size"])
            done = state["rows_done"]
            summary.resumed_from = done
            for k, (n, row) in enumerate(read_rows(self.input, self.in_fmt, self.opts.errors)):
                if k >= done:
                    break
                _fingerprint(prefix, n, row)
                if isinstance(row, dict):
                    self._duplicate(n, row)  # ids of rows written before the stop
            if prefix.hexdigest() != state["input"]["prefix_hash"]:
                raise JobError(f"{self.input} changed since the job stopped: its first {done} rows are not the "
                               "rows the job read (edited, deleted, shuffled or inserted); resuming would "
                               "duplicate or drop rows. Start the job again on a new output")
        elif self.output.exists() or (self.out_fmt == "parquet" and writer.parts_dir().exists()):
            raise JobError(f"{self.output} already exists; choose another output or delete it")
        elif self.rejects.exists():
            raise JobError(f"{self.rejects} already exists (rejects of another job?); choose another "
                           "--rejects path or delete it")
        else:
            writer.create()
            rejects.create()
            self._save_journal(0, writer, rejects, summary, prefix)  # from here on, --resume works
        t0 = time.time()
        bar = _progress(self.opts.quiet, done, lambda: count_rows(self.input, self.in_fmt))
        chunk: list[tuple[int, dict]] = []
        bad: list[dict] = []
        consumed = done
        for n, row in self._rows(done):
            consumed += 1
            _fingerprint(prefix, n, row)
            if isinstance(row, InputError):
                bad.append(_reject(self.input, n, row.reason, None))
            else:
                chunk.append((n, row))
            if len(chunk) + len(bad) >= self.opts.chunk_size:
                self._commit(writer, rejects, chunk, bad, consumed, summary, prefix)
                bar.update(len(chunk) + len(bad))
                chunk, bad = [], []
        if chunk or bad or consumed == done:
            self._commit(writer, rejects, chunk, bad, consumed, summary, prefix)
            bar.update(len(chunk) + len(bad))
        bar.close()
        self._save_journal(consumed, writer, rejects, summary, prefix, finishing=True)
        return self._finish(writer, summary, t0)

    def _finish(self, writer: TableWriter, summary: JobSummary, t0: float) -> JobSummary:
        writer.finish()  # can run again after a kill: the journal says "finishing" until here
        self.journal.unlink(missing_ok=True)
        writer.cleanup()
        summary.seconds = time.time() - t0
        return summary

    def _input_stat(self) -> dict:
        st = self.input.stat()
        return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}

    def _check_input_unchanged(self, state: dict) -> None:
        was, now = state["input"], self._input_stat()
        if was["size"] != now["size"]:
            raise JobError(f"{self.input} changed since the job stopped: {was['size']:,} bytes then, {now['size']:,} "
                           "now; resuming would duplicate or drop rows. Start the job again on a new output")
        if was["mtime_ns"] != now["mtime_ns"]:
            raise JobError(f"{self.input} changed since the job stopped: it was modified at "
                           f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(now['mtime_ns'] / 1e9))}; resuming would "
                           "duplicate or drop rows. Start the job again on a new output")

    def _check_same_actors(self, state: dict) -> None:
        was = state.get("actors")  # journals from before --actors have none
        if was is not None and was != as_gazetteer(self.opts.gazetteer).digest:
            raise JobError(f"{self.output} was started with other actors (--actors); resuming would find other "
                           "targets in the rest of the rows. Resume with the same --actors file, or start again "
                           "on a new output")

    def _rows(self, skip: int) -> Iterator[tuple[int, dict | InputError]]:
        for k, item in enumerate(read_rows(self.input, self.in_fmt, self.opts.errors)):
            if k >= skip:
                yield item

    def _commit(self, writer, rejects, chunk, bad, consumed, summary, prefix) -> None:
        rows, rej = self._classify(chunk, writer)
        foreign = sum(1 for r in rows if _language(r))  # counted before the writer flattens nested fields
        try:
            writer.append(rows)
            rejects.append(sorted(bad + rej, key=lambda r: r["row"]))
        except OSError as e:
            raise JobError(f"cannot write {self.output}: {e.strerror or e}; the journal still points at the "
                           "last complete chunk, so --resume continues from there once there is room") from None
        summary.read += len(chunk) + len(bad)
        summary.rejected += len(bad) + len(rej)
        summary.written += len(chunk) - len(rej)
        summary.output_rows += len(rows)
        if foreign:
            summary.extra["unsupported"] = summary.extra.get("unsupported", 0) + foreign
        self._save_journal(consumed, writer, rejects, summary, prefix)

    def _save_journal(self, consumed: int, writer: TableWriter, rejects: TableWriter, summary: JobSummary,
                      prefix, finishing: bool = False) -> None:
        state = {"rows_done": consumed, "output_size": writer.size(), "rejects_size": rejects.size(),
                 "columns": writer.columns, "summary": asdict(summary), "finishing": finishing,
                 "input": {**self._input_stat(), "prefix_hash": prefix.hexdigest()},
                 "actors": as_gazetteer(self.opts.gazetteer).digest}
        tmp = self.journal.with_name(self.journal.name + ".tmp")
        tmp.unlink(missing_ok=True)  # a leftover, or a link planted there: never written through
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o644), "w", encoding="utf-8") as fh:
            fh.write(json.dumps(state))
        os.replace(tmp, self.journal)  # atomic: a kill leaves the old journal or the new one


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _fingerprint(h, n: int, row) -> None:
    """Feed one input row (or its read error) to the hash of the consumed prefix."""
    if isinstance(row, InputError):
        h.update(f"{n}!{row.reason}".encode("utf-8", "surrogatepass"))
    else:
        h.update(f"{n}:{json.dumps(row, sort_keys=True, default=str)}\n".encode("utf-8", "surrogatepass"))


def _lone_surrogate(value) -> str | None:
    """Where a string (at any depth) holds a lone surrogate, which is not valid Unicode
    (JSON can spell one: "\\ud800"), else None."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as e:
            return f"holds a lone surrogate U+{ord(value[e.start]):04X} at character {e.start}, which is not valid Unicode"
        return None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in items:
        bad = (_lone_surrogate(k) if isinstance(k, str) else None) or _lone_surrogate(v)
        if bad:
            return bad
    return None


def _passthrough(row: dict, o: JobOptions) -> dict:
    # every input column passes through unchanged, except the long article text
    return {k: v for k, v in row.items() if not (o.articles and k == o.text_column)}


def _reject(source: Path, n: int, reason: str, row: dict | None) -> dict:
    return {"source": str(source), "row": n, "reason": reason, **({"input": row} if row is not None else {})}


def _progress(quiet: bool, initial: int, total=None):
    """A progress bar on a terminal; total (called only when the bar shows): the row count,
    for a percentage and an ETA."""
    from tqdm import tqdm

    disable = quiet or not sys.stderr.isatty()
    return tqdm(initial=initial, total=None if disable or total is None else total(), unit=" rows",
                disable=disable, file=sys.stderr, desc="classifying", smoothing=0.1)
