"""Streaming readers and appending writers for JSONL, CSV and Parquet tables of statements.

Readers yield (row number, dict) or (row number, InputError) one row at a time, so memory
stays flat; writers append chunks and report their byte size so a job can resume.
"""
from __future__ import annotations

import csv
import io
import json
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
    with path.open("r", encoding="utf-8", errors=errors, newline="") as fh:
        reader = csv.reader(fh, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as e:
            yield 1, InputError(source, 1, f"unreadable CSV header: {e}")
            return
        start = reader.line_num + 1
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield start, InputError(source, start, f"malformed CSV row: {e}")
                start = reader.line_num + 1
                continue
            except UnicodeDecodeError as e:
                yield start, InputError(source, start, f"not valid UTF-8 ({e.reason}); pass --errors replace to substitute")
                return  # the decoder cannot resynchronise inside a text stream
            if len(values) != len(header):
                yield start, InputError(source, start, f"expected {len(header)} columns, found {len(values)}")
            else:
                yield start, dict(zip(header, values))
            start = reader.line_num + 1


def _parquet_rows(path: Path, source: str):
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as e:  # pyarrow raises several types for a non-Parquet file
        yield 0, InputError(source, None, f"not a readable Parquet file: {e}")
        return
    n = 0
    for batch in pf.iter_batches(batch_size=4096):
        for row in batch.to_pylist():
            n += 1
            yield n, row


class TableWriter:
    """Appends rows to JSONL or CSV (Parquet: one part file per chunk in a folder, joined at
    the end). `size()` is what a resume truncates back to."""

    def __init__(self, path: Path, fmt: str, columns: list[str] | None = None):
        self.path, self.fmt, self.columns = Path(path), fmt, columns

    def parts_dir(self) -> Path:
        return self.path.with_name(self.path.name + ".parts")

    def size(self) -> int:
        if self.fmt == "parquet":
            return len(list(self.parts_dir().glob("part-*.parquet"))) if self.parts_dir().exists() else 0
        return self.path.stat().st_size if self.path.exists() else 0

    def truncate(self, size: int) -> None:
        if self.fmt == "parquet":
            for part in sorted(self.parts_dir().glob("part-*.parquet"))[size:]:
                part.unlink()
            return
        with self.path.open("ab") as fh:
            fh.truncate(size)

    def append(self, rows: list[dict]) -> None:
        if not rows:
            return
        if self.fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            d = self.parts_dir()
            d.mkdir(parents=True, exist_ok=True)
            k = self.size()
            tmp = d / f".part-{k:06d}.tmp"
            pq.write_table(pa.Table.from_pylist([_flat(r) for r in rows]), tmp)
            os.replace(tmp, d / f"part-{k:06d}.parquet")
            return
        buf = io.StringIO()
        if self.fmt == "jsonl":
            for r in rows:
                buf.write(json.dumps(r, ensure_ascii=False) + "\n")
        else:
            if self.columns is None:  # the union of the first chunk's keys, in order
                self.columns = list(dict.fromkeys(k for r in rows for k in r))
            w = csv.DictWriter(buf, fieldnames=self.columns, extrasaction="ignore")
            if self.size() == 0:
                w.writeheader()
            for r in rows:
                w.writerow(_flat(r))
        data = buf.getvalue().encode("utf-8")
        with self.path.open("ab") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    def finish(self) -> None:
        """Parquet: join the parts into one file (written under a temporary name first)."""
        if self.fmt != "parquet":
            return
        import pyarrow.parquet as pq

        parts = sorted(self.parts_dir().glob("part-*.parquet")) if self.parts_dir().exists() else []
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        if parts:
            schema = pq.read_schema(parts[0])
            with pq.ParquetWriter(tmp, schema) as w:
                for p in parts:
                    w.write_table(pq.read_table(p).cast(schema))
        else:
            import pyarrow as pa

            pq.write_table(pa.table({}), tmp)
        os.replace(tmp, self.path)
        for p in parts:
            p.unlink()
        if self.parts_dir().exists():
            self.parts_dir().rmdir()


def _flat(row: dict) -> dict:
    """Nested values (score dicts, stance lists) as JSON strings for flat formats."""
    return {k: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v for k, v in row.items()}


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
