"""GWSD / DeSMOG (Luo, Card & Jurafsky 2020), MAGPIE's preprocessed copy: news sentences on
global warming labelled agree/disagree/neutral with the statement the paper's annotators
judged, "global warming is a serious concern" (the target is implicit in the data).

No document ids: each sentence is its own doc (hash of its text); 80/10/10 split by hash.
MAGPIE's CSV carries UTF-8 text decoded once as Latin-1 (`worldâ\\x80\\x99s`); it is repaired.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from training.data.converters.common import dedupe, map_label, read_csv
from training.data.schema import Row
from training.data.splits import rank_split, text_key

SOURCE = "gwsd"
PATH = ("magpie", "128_GWSD", "preprocessed.csv")
TARGET = "global warming is a serious concern"
STANCE = {"0": "none", "1": "favor", "2": "against"}  # 0=neutral, 1=agree, 2=disagree
SPLIT_SHARES = {"dev": 0.1, "test": 0.1}

MOJIBAKE = re.compile(r"[\u00c2-\u00f4][\u0080-\u00bf]{1,3}")


def _repair(match: re.Match) -> str:
    try:
        return match.group(0).encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return match.group(0)


def fix_mojibake(text: str) -> str:
    return MOJIBAKE.sub(_repair, text)


def convert(data_dir: Path) -> Iterator[Row]:
    path = Path(data_dir).joinpath(*PATH)
    records = [(n, fix_mojibake(rec["text"]).strip(), rec) for n, rec in enumerate(read_csv(path), 1)]
    splits = rank_split((text_key(text) for _, text, _ in records), salt=SOURCE, **SPLIT_SHARES)
    rows = (
        Row(
            id=f"{SOURCE}:{n}",
            text=text,
            target=TARGET,
            stance=map_label(STANCE, rec["label"], f"{path}: data row {n}"),
            framing=None,
            speaker=None,
            source=SOURCE,
            doc_id=text_key(text),
            origin="gold",
            split=splits[text_key(text)],
            meta={},
        )
        for n, text, rec in records
    )
    yield from dedupe(rows)
