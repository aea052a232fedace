"""Helpers shared by the converters: file access, label lookup, de-duplication."""
from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from training.data.schema import Row


def require(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found: pass --data-dir pointing at the folder that holds the public "
            "datasets (../shared/data in the project checkout)"
        )
    return path


def read_csv(path: Path, **kwargs) -> Iterator[dict[str, str]]:
    # keep_default_na-style surprises are avoided by reading every cell as a plain string.
    with require(path).open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh, **kwargs)


def map_label(mapping: Mapping, value, where: str):
    """Look a raw label up; an unexpected value is a data error, not something to guess."""
    try:
        return mapping[value]
    except KeyError:
        raise ValueError(f"{where}: unknown label {value!r}; expected one of {sorted(mapping)}") from None


def _item_key(row: Row) -> tuple:
    return (" ".join(row.text.split()), row.target, row.speaker)


def dedupe(rows: Iterable[Row]) -> list[Row]:
    """Keep the first copy of repeated (text, target, speaker) items; drop every copy when
    the copies disagree on a label, since either label would be noise."""
    groups: dict[tuple, list[Row]] = {}
    for row in rows:
        groups.setdefault(_item_key(row), []).append(row)
    kept = []
    for copies in groups.values():
        if len({(r.stance, r.framing) for r in copies}) == 1:
            kept.append(copies[0])
    return kept
