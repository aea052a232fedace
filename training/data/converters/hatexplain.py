"""HateXplain (Mathew et al. 2021), MAGPIE's preprocessed copy: framing-only WEAK rows.

Religion-targeted offensive or hateful posts are not sect-against-sect framing, but they
are the nearest public signal for "presents a group through religious identity", so they
become framing `sectarian` with meta weak=true; posts whose targets do not include a
religion become framing `none` (weak). Normal posts that still name a religious target
are ambiguous and skipped. No target/stance. Each post is its own doc; 80/10/10 by hash.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.data.converters.common import dedupe, map_label, read_csv
from training.data.schema import Row
from training.data.splits import rank_split, text_key

SOURCE = "hatexplain"
PATH = ("magpie", "92_HateXplain", "preprocessed.csv")
HATE = {"0": "normal", "1": "offensive", "2": "hatespeech"}
SPLIT_SHARES = {"dev": 0.1, "test": 0.1}


def framing(hate: str, religion: str) -> str | None:
    if religion == "1":
        return "sectarian" if hate != "normal" else None
    return "none"


def convert(data_dir: Path) -> Iterator[Row]:
    path = Path(data_dir).joinpath(*PATH)
    records = [(n, rec["text"].strip(), rec) for n, rec in enumerate(read_csv(path), 1)]
    splits = rank_split((text_key(text) for _, text, _ in records), salt=SOURCE, **SPLIT_SHARES)
    rows = []
    for n, text, rec in records:
        where = f"{path}: data row {n}"
        hate = map_label(HATE, rec["label"], where)
        label = framing(hate, map_label({"0": "0", "1": "1"}, rec["label_religion"], where))
        if label is None or not text:
            continue
        rows.append(Row(
            id=f"{SOURCE}:{n}",
            text=text,
            target=None,
            stance=None,
            framing=label,
            speaker=None,
            source=SOURCE,
            doc_id=text_key(text),
            origin="gold",
            split=splits[text_key(text)],
            meta={"weak": True, "hate": hate},
        ))
    yield from dedupe(rows)
