"""The one row format of every training and evaluation file (JSON lines).

A row carries a stance label toward `target`, a framing label, or both; `None` marks the
label a source does not provide, so multi-task training can mask that head.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# The label sets live in the package so the model and the data can never disagree.
from stance.config import FRAMING_LABELS, STANCE_LABELS

ORIGINS: tuple[str, ...] = ("gold", "counterfactual", "synthetic")
SPLITS: tuple[str, ...] = ("train", "dev", "test")

REQUIRED_FIELDS: tuple[str, ...] = (
    "id", "text", "target", "stance", "framing", "speaker", "source", "doc_id", "origin", "split",
)
OPTIONAL_FIELDS: tuple[str, ...] = ("meta",)

__all__ = [
    "FRAMING_LABELS", "ORIGINS", "SPLITS", "STANCE_LABELS", "Row",
    "read_jsonl", "validate_row", "write_jsonl",
]


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    text: str
    target: str | None
    stance: str | None
    framing: str | None
    speaker: str | None
    source: str
    doc_id: str
    origin: str
    split: str
    meta: dict[str, Any] = field(default_factory=dict)  # dataset-specific extras; treat as read-only

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str = "<dict>") -> Row:
        validate_row(d, where)
        return cls(**{k: d[k] for k in REQUIRED_FIELDS}, meta=dict(d.get("meta") or {}))


def _fail(where: str, name: str, problem: str) -> None:
    raise ValueError(f"{where}: field {name!r}: {problem}")


def _check_str(d: dict[str, Any], name: str, where: str, nullable: bool) -> None:
    v = d[name]
    if v is None:
        if not nullable:
            _fail(where, name, "must not be null")
        return
    if not isinstance(v, str):
        _fail(where, name, f"must be a string{' or null' if nullable else ''}, got {type(v).__name__}")
    if not v.strip():
        _fail(where, name, "must not be empty or blank")


def _check_choice(d: dict[str, Any], name: str, allowed: tuple[str, ...], where: str, nullable: bool) -> None:
    v = d[name]
    if v is None and nullable:
        return
    if v not in allowed:
        _fail(where, name, f"unknown label {v!r}; allowed: {', '.join(allowed)}{' or null' if nullable else ''}")


def validate_row(d: Any, where: str) -> None:
    """Raise ValueError naming `where` (file:line or source:id) and the offending field."""
    if not isinstance(d, dict):
        raise ValueError(f"{where}: a row must be a JSON object, got {type(d).__name__}")
    missing = [k for k in REQUIRED_FIELDS if k not in d]
    if missing:
        _fail(where, missing[0], f"missing (required fields: {', '.join(REQUIRED_FIELDS)})")
    unknown = sorted(set(d) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        _fail(where, unknown[0], "unknown field; put dataset-specific extras under 'meta'")
    for name in ("id", "text", "source", "doc_id"):
        _check_str(d, name, where, nullable=False)
    for name in ("target", "speaker"):
        _check_str(d, name, where, nullable=True)
    _check_choice(d, "stance", STANCE_LABELS, where, nullable=True)
    _check_choice(d, "framing", FRAMING_LABELS, where, nullable=True)
    _check_choice(d, "origin", ORIGINS, where, nullable=False)
    _check_choice(d, "split", SPLITS, where, nullable=False)
    if d["stance"] is None and d["framing"] is None:
        _fail(where, "stance", "a row needs a stance or a framing label (both are null)")
    if d["stance"] is not None and d["target"] is None:
        _fail(where, "target", f"stance {d['stance']!r} given without a target")
    if d["target"] is not None and d["stance"] is None:
        _fail(where, "stance", f"target {d['target']!r} given without a stance label")
    meta = d.get("meta")
    if meta is not None and not (isinstance(meta, dict) and all(isinstance(k, str) for k in meta)):
        _fail(where, "meta", "must be an object with string keys")


def write_jsonl(rows: Iterable[Row], path: Path) -> int:
    """Write rows, one JSON object a line; returns the number written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(row.to_json())
            fh.write("\n")
            n += 1
    return n


def iter_jsonl(path: Path) -> Iterator[Row]:
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                d = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{where}: invalid JSON: {e.msg}") from None
            yield Row.from_dict(d, where)


def read_jsonl(path: Path) -> list[Row]:
    """Read and validate every line; errors name file:line and the field."""
    return list(iter_jsonl(path))
