"""Reading articles from plain-text and JSONL files, reporting bad input by file and line."""
from __future__ import annotations

import json
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

    A plain-text file is one article (its id is the file name); a JSONL file holds one article
    per line with a `text` field and an optional `id` (default: `FILE:LINE`).
    """
    path = Path(path)
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        yield InputError(source, None, f"cannot read file: {e.strerror or e}")
        return
    is_jsonl = fmt == "jsonl" or (fmt is None and path.suffix.lower() in JSONL_SUFFIXES)
    if not is_jsonl:
        try:
            yield Document(id=path.name, text=decode(data, source, errors), source=source)
        except ValueError as e:
            yield InputError(source, None, str(e).removeprefix(f"{source}: "))
        return
    yield from _jsonl_documents(data, source, text_field, id_field, errors)


def _jsonl_documents(data: bytes, source: str, text_field: str, id_field: str, errors: str):
    for lineno, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8", errors=errors)
        except UnicodeDecodeError as e:
            yield InputError(source, lineno, f"not valid UTF-8 at byte {e.start} of the line; pass --errors replace to substitute")
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            yield InputError(source, lineno, f"invalid JSON at column {e.colno}: {e.msg}")
            continue
        if not isinstance(row, dict):
            yield InputError(source, lineno, f"expected a JSON object, got {type(row).__name__}")
            continue
        text = row.get(text_field)
        if not isinstance(text, str):
            what = "missing" if text is None else f"a {type(text).__name__}, not a string"
            yield InputError(source, lineno, f"field {text_field!r} is {what}")
            continue
        doc_id = row.get(id_field)
        doc_id = f"{Path(source).name}:{lineno}" if doc_id is None else str(doc_id)
        extra = {k: v for k, v in row.items() if k not in (text_field, id_field)}
        yield Document(id=doc_id, text=text, source=source, line=lineno, fields=extra or None)
