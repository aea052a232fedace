"""Streaming readers and appending writers for JSONL, CSV and Parquet tables of statements.

Readers yield (row number, dict) or (row number, InputError) one row at a time, so memory
stays flat; writers append chunks and report their byte size so a job can resume.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Iterator
from pathlib import Path

from stance.types import InputError

FORMATS = ("jsonl", "csv", "parquet")


def table_format(path: str | Path, explicit: str | None = None) -> str:
    if explicit:
        if explicit not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {explicit!r}")
        return explicit
    suffix = Path(path).suffix.lower()
    for fmt, suffixes in (("jsonl", (".jsonl", ".ndjson", ".json")), ("csv", (".csv",)), ("parquet", (".parquet", ".pq"))):
        if suffix in suffixes:
            return fmt
    raise ValueError(f"{path}: cannot tell the format from the extension {suffix!r}; use .jsonl, .csv or .parquet, or pass --input-format/--output-format")


def read_rows(path: str | Path, fmt: str, errors: str = "strict") -> Iterator[tuple[int, dict | InputError]]:
    """Rows numbered from 1 (JSONL and CSV: the line where the row starts)."""
    path = Path(path)
    source = str(path)
    if fmt == "jsonl":
        yield from _jsonl_rows(path, source, errors)
    elif fmt == "csv":
        yield from _csv_rows(path, source, errors)
    else:
        yield from _parquet_rows(path, source)


def _jsonl_rows(path: Path, source: str, errors: str):
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8", errors=errors)
            except UnicodeDecodeError as e:
                yield lineno, InputError(source, lineno, f"not valid UTF-8 at byte {e.start} of the line; pass --errors replace to substitute")
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                yield lineno, InputError(source, lineno, f"invalid JSON at column {e.colno}: {e.msg}")
                continue
            if not isinstance(row, dict):
                yield lineno, InputError(source, lineno, f"expected a JSON object, got {type(row).__name__}")
                continue
            yield lineno, row


def _csv_rows(path: Path, source: str, errors: str):
    """Each physical line is decoded on its own, so an invalid byte costs only its row and
    reading goes on. A record that spans lines and does not parse (an unterminated quote
    swallows the lines after it) costs only its first line: the lines after it are parsed
    again as rows of their own."""
    with path.open("rb") as fh:
        lines = _Lines(fh, errors)
        header = None
        while True:
            lines.consumed.clear()
            reader = csv.reader(lines, strict=True)
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                values, error = None, f"malformed CSV {'header' if header is None else 'row'}: {e}"
            else:
                error = None
            consumed = lines.consumed
            start = consumed[0][0] if consumed else 0
            if values is not None and any(_has_surrogate(v) for v in values):
                values, error = None, "not valid UTF-8; pass --errors replace to substitute"
            if header is None:
                if error:
                    yield start, InputError(source, start, f"unreadable CSV header: {error}")
                    return
                header = values
                continue
            if error is None and len(values) != len(header):
                error = f"expected {len(header)} columns, found {len(values)}"
            if error is None:
                yield start, dict(zip(header, values))
                continue
            yield start, InputError(source, start, error)
            if len(consumed) > 1:  # lines swallowed by this record: read them again as rows
                lines.pending.extendleft(reversed(consumed[1:]))


class _Lines:
    """Decoded physical lines of a CSV file for csv.reader, with lines to read again first."""

    def __init__(self, fh, errors: str):
        from collections import deque

        self.fh, self.errors, self.lineno = fh, errors, 0
        self.pending: deque[tuple[int, str]] = deque()  # (line number, text) to parse again
        self.consumed: list[tuple[int, str]] = []  # lines of the record being parsed

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.pending:
            item = self.pending.popleft()
        else:
            raw = self.fh.readline()
            if not raw:
                raise StopIteration
            self.lineno += 1
            enc = "utf-8-sig" if self.lineno == 1 else "utf-8"
            text = raw.decode(enc, errors="surrogateescape")  # invalid bytes kept as marks, found per row
            if self.errors == "replace" and _has_surrogate(text):
                text = raw.decode(enc, errors="replace")
            item = (self.lineno, text)
        self.consumed.append(item)
        return item[1]


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def _parquet_rows(path: Path, source: str):
    """Row group by row group: a group that cannot be read makes a reject of each of its
    rows not yet read (naming the group), and reading goes on with the next group."""
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        groups = [pf.metadata.row_group(g).num_rows for g in range(pf.metadata.num_row_groups)]
    except Exception as e:  # pyarrow raises several types for a non-Parquet file
        yield 0, InputError(source, None, f"not a readable Parquet file: {e}")
        return
    n = 0
    for g, size in enumerate(groups):
        first, end = n + 1, n + size
        try:
            for batch in pf.iter_batches(batch_size=4096, row_groups=[g]):
                for row in batch.to_pylist():
                    if n < end:
                        n += 1
                        yield n, row
        except Exception as e:  # a corrupt page: pyarrow raises OSError, ArrowInvalid, ...
            reason = f"row group {g + 1} of {len(groups)} (rows {first}-{end}) is unreadable: {e}"
            while n < end:
                n += 1
                yield n, InputError(source, n, reason)


class TableWriter:
    """Appends rows to JSONL or CSV (Parquet: one part file per chunk in a folder, joined at
    the end). `size()` is what a resume truncates back to.

    Columns are the union over all chunks: CSV gets a header naming every column (rewritten
    at `finish` when a later chunk brought new ones); Parquet columns whose values differ in
    type (an id that is a string in some rows and a number in others) are written as strings.
    Files are opened without following symbolic links."""

    def __init__(self, path: Path, fmt: str, columns: list[str] | None = None, escape_formulas: bool = False):
        self.path, self.fmt, self.columns = Path(path), fmt, columns
        self.escape_formulas = escape_formulas and fmt == "csv"

    def parts_dir(self) -> Path:
        return self.path.with_name(self.path.name + ".parts")

    def size(self) -> int:
        if self.fmt == "parquet":
            return len(self._parts())
        return self.path.stat().st_size if self.path.exists() else 0

    def _parts(self) -> list[Path]:
        d = self.parts_dir()
        return sorted(d.glob("part-*.parquet")) if d.is_dir() and not d.is_symlink() else []

    def create(self) -> None:
        """Start a new file; refuses one that exists (or a link planted in its place)."""
        if self.fmt == "parquet":
            self.parts_dir().mkdir(parents=True)
            return
        os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o644))

    def truncate(self, size: int) -> None:
        if self.size() < size:
            raise OSError(f"{self.path} is shorter than its journal records ({self.size()} < {size}); "
                          "it was changed after the job stopped")
        if self.fmt == "parquet":
            for part in self._parts()[size:]:
                part.unlink()
            return
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | NOFOLLOW, 0o644)
        try:
            os.truncate(fd, size)
        finally:
            os.close(fd)

    def problem(self, row: dict) -> str | None:
        """Why this row cannot be written (a string that is not valid Unicode), else None."""
        try:
            _dumps(row)
        except Exception as e:  # anything a row holds that cannot be serialised
            return f"cannot be written: {type(e).__name__}: {e}"
        return None

    def append(self, rows: list[dict]) -> None:
        if not rows:
            return
        if self.fmt == "parquet":
            self._append_parquet(rows)
            return
        buf = io.StringIO()
        if self.fmt == "jsonl":
            for r in rows:
                try:
                    buf.write(_dumps(r) + "\n")
                except UnicodeEncodeError:  # rejects keep their input as it was: \ud800 escapes
                    buf.write(_dumps(r, ascii=True) + "\n")
        else:
            first = self.columns is None
            self.columns = list(dict.fromkeys([*(self.columns or []), *(k for r in rows for k in r)]))
            w = csv.DictWriter(buf, fieldnames=self.columns)
            if first or self.size() == 0:
                w.writeheader()
            for r in rows:
                w.writerow(self._cells(r))
        self._write(buf.getvalue().encode("utf-8"))

    def _write(self, data: bytes) -> None:
        with os.fdopen(os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | NOFOLLOW, 0o644), "ab") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    def _cells(self, row: dict) -> dict:
        out = {}
        for k, v in _flat(row).items():
            if isinstance(v, float) and not math.isfinite(v):
                v = None  # empty cell, like a missing value
            elif self.escape_formulas and isinstance(v, str) and v[:1] in FORMULA_STARTS:
                v = "'" + v  # OWASP: a leading quote makes a spreadsheet show it as text
            out[k] = v
        return out

    def _append_parquet(self, rows: list[dict]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        d = self.parts_dir()
        if d.is_symlink():
            raise OSError(f"{d} is a symbolic link; refusing to write through it")
        d.mkdir(parents=True, exist_ok=True)
        flat = [_flat(r) for r in rows]
        columns = list(dict.fromkeys(k for r in flat for k in r))  # every row's keys, not the first's
        data = {}
        for c in columns:
            values = [r.get(c) for r in flat]
            kinds = {type(v) for v in values if v is not None}
            data[c] = [None if v is None else _as_text(v) for v in values] if len(kinds) > 1 else values
        k = self.size()
        tmp = d / f".part-{k:06d}.tmp"
        tmp.unlink(missing_ok=True)  # a leftover (or a planted link) is never written through
        pq.write_table(pa.table(data), tmp)
        os.replace(tmp, d / f"part-{k:06d}.parquet")

    def finish(self) -> None:
        """Make the output whole; safe to run again if it was interrupted (a resumed job
        finishes again). CSV: rewrite the header if later chunks brought new columns.
        Parquet: join the parts into one file (written under a temporary name first); the
        parts stay until `cleanup`, so a kill before the job's journal is gone loses nothing."""
        if self.fmt == "csv":
            self._finish_csv()
        if self.fmt != "parquet":
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        parts = self._parts()
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        tmp.unlink(missing_ok=True)
        schemas = [pq.read_schema(p) for p in parts]
        fields: dict[str, set] = {}
        for sch in schemas:
            for f in sch:
                fields.setdefault(f.name, set()).add(f.type)
        schema = pa.schema([(name, _one_type(types)) for name, types in fields.items()])
        with pq.ParquetWriter(tmp, schema) as w:
            for p in parts:
                t = pq.read_table(p)
                cols = [t.column(f.name).cast(f.type) if f.name in t.column_names else pa.nulls(len(t), f.type)
                        for f in schema]
                w.write_table(pa.Table.from_arrays(cols, schema=schema))
        os.replace(tmp, self.path)

    def cleanup(self) -> None:
        for p in self._parts():
            p.unlink()
        if self.parts_dir().is_dir() and not self.parts_dir().is_symlink():
            for p in self.parts_dir().iterdir():
                p.unlink()
            self.parts_dir().rmdir()

    def _finish_csv(self) -> None:
        if not self.columns or not self.path.exists():
            return
        with self.path.open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh), [])
        if header == self.columns:
            return
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        tmp.unlink(missing_ok=True)
        with self.path.open(encoding="utf-8", newline="") as src, tmp.open("x", encoding="utf-8", newline="") as dst:
            reader, writer = csv.reader(src), csv.writer(dst)
            next(reader)
            writer.writerow(self.columns)
            for values in reader:  # rows written before a column appeared: empty cells for it
                writer.writerow(values + [""] * (len(self.columns) - len(values)))
        os.replace(tmp, self.path)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection: cells a spreadsheet may run
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _one_type(types: set):
    """The Parquet type of a column across chunks: its type, or string when chunks differ."""
    import pyarrow as pa

    real = {t for t in types if t != pa.null()}
    if not real:
        return pa.null()
    return real.pop() if len(real) == 1 else pa.string()


def _as_text(v) -> str:
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=_json_default)


def _finite(v):
    """NaN and infinities (which strict JSON parsers refuse) as null, at any depth."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_finite(x) for x in v]
    return v


def _json_default(v):
    """Values Parquet input may hold that JSON has no type for: dates as ISO text, bytes as
    UTF-8 text (or base64), decimals and anything else as text."""
    import base64
    import datetime

    if isinstance(v, (datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, (bytes, bytearray)):
        try:
            return bytes(v).decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(bytes(v)).decode("ascii")
    return str(v)


def _dumps(row: dict, ascii: bool = False) -> str:
    text = json.dumps(_finite(row), ensure_ascii=ascii, allow_nan=False, default=_json_default)
    if not ascii:
        text.encode("utf-8")  # a lone surrogate fails here, not halfway through a file
    return text


def _flat(row: dict) -> dict:
    """Nested values (score dicts, stance lists) as JSON strings for flat formats."""
    return {k: _dumps(v) if isinstance(v, (dict, list)) else v for k, v in row.items()}


def table_columns(path: str | Path, fmt: str) -> list[str] | None:
    """The column names, read without reading the rows (JSONL: the first object's keys);
    None when the file cannot tell (empty, unreadable: the row reader reports that)."""
    path = Path(path)
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return list(pq.read_schema(path).names)
        if fmt == "csv":
            with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as fh:
                return next(csv.reader(fh), None)
        for _, row in read_rows(path, "jsonl", "replace"):
            if isinstance(row, dict):
                return list(row)
    except Exception:  # noqa: BLE001 - an unreadable file is reported by the row reader, by row
        return None
    return None


def count_rows(path: str | Path, fmt: str) -> int | None:
    """How many rows the file holds, for a progress bar's total (Parquet: from its metadata;
    JSONL: non-blank lines; CSV: records, by a pass of the csv parser), or None."""
    path = Path(path)
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
        if fmt == "jsonl":
            with path.open("rb") as fh:
                return sum(1 for line in fh if line.strip())
        with path.open("r", encoding="utf-8", errors="replace", newline="") as fh:
            return max(sum(1 for _ in csv.reader(fh)) - 1, 0)
    except Exception:  # noqa: BLE001 - no total, just no ETA
        return None
