"""Reading articles from plain-text and JSONL files, reporting bad input by file and line."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from stance.types import Document, InputError

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


def decode(data: bytes, source: str, errors: str = "strict") -> str:
    """UTF-8 (a BOM is dropped); an invalid byte is reported with its offset unless errors='replace'."""
    if errors not in ("strict", "replace"):
        raise ValueError(f"errors must be 'strict' or 'replace', got {errors!r}")
    try:
        return data.decode("utf-8-sig", errors=errors)
    except UnicodeDecodeError as e:
        raise ValueError(
            f"{source}: not valid UTF-8 at byte {e.start} ({data[e.start:e.start + 1]!r}); "
            "re-encode the file or pass --errors replace"
        ) from None


def read_documents(
    path: str | Path, *, text_field: str = "text", id_field: str = "id", errors: str = "strict",
    fmt: str | None = None,
) -> Iterator[Document | InputError]:
    """Yield a Document per article, or an InputError for a file or line that cannot be read.

    A plain-text file is one article (its id is the file name); a JSONL, CSV or Parquet file
    holds one article per row with a `text` field and an optional `id` (default: `FILE:ROW`),
    read as a stream. fmt: "text", "jsonl", "csv" or "parquet" (default: by extension).
    """
    path = Path(path)
    source = str(path)
    if not path.is_file():
        yield InputError(source, None, "cannot read file: " + ("no such file" if not path.exists() else "not a regular file"))
        return
    fmt = fmt or document_format(path)
    if fmt != "text":
        yield from _table_documents(path, fmt, text_field, id_field, errors)
        return
    try:
        data = path.read_bytes()
    except OSError as e:
        yield InputError(source, None, f"cannot read file: {e.strerror or e}")
        return
    try:
        yield Document(id=path.name, text=decode(data, source, errors), source=source)
    except ValueError as e:
        yield InputError(source, None, str(e).removeprefix(f"{source}: "))


def document_format(path: str | Path) -> str:
    """A table format from the extension (.jsonl, .csv, .parquet...), else plain text."""
    from stance.tables import table_format

    try:
        return table_format(path)
    except ValueError:
        return "text"


def _table_documents(path: Path, fmt: str, text_field: str, id_field: str, errors: str):
    from stance.tables import read_rows  # the one table reader, shared with batch jobs

    try:
        for lineno, row in read_rows(path, fmt, errors):
            if isinstance(row, InputError):
                yield row
                continue
            text = row.get(text_field)
            if not isinstance(text, str):
                what = "missing" if text is None else f"a {type(text).__name__}, not a string"
                yield InputError(str(path), lineno, f"field {text_field!r} is {what}")
                continue
            doc_id = row.get(id_field)
            doc_id = f"{path.name}:{lineno}" if doc_id is None else str(doc_id)
            extra = {k: v for k, v in row.items() if k not in (text_field, id_field)}
            yield Document(id=doc_id, text=text, source=str(path), line=lineno, fields=extra or None)
    except OSError as e:
        yield InputError(str(path), None, f"cannot read file: {e.strerror or e}")
