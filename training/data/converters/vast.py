"""VAST (Allaway & McKeown 2020): NYT comments with free-form noun-phrase topics.

Speaker = the comment's author; doc = `arc_id`, which in this data identifies exactly one
comment (1,845 ids for 1,844 distinct posts). The dev file is not available, so dev is
the 10% of train comments ranked lowest by a stable hash.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.data.converters.common import map_label, read_csv
from training.data.schema import Row
from training.data.splits import rank_split

SOURCE = "vast"
FOLDER = "vast"
FILES = (("vast_train.csv", "train"), ("vast_test.csv", "test"))
STANCE = {"0": "against", "1": "favor", "2": "none"}  # 0=con, 1=pro, 2=neutral
DEV_SHARE = 0.1
# Test-only annotation flags kept for sliced evaluation.
FLAGS = ("contains_topic?", "Qte", "Sarc", "Imp", "mlS", "mlT")


def _meta(rec: dict[str, str], file: str) -> dict:
    meta = {
        "seen": int(rec["seen?"]),
        "zero_shot": rec["seen?"] == "0",
        "type_idx": int(rec["type_idx"]),  # 4 = synthetic neutral: topic borrowed from another post
        "file": file,
    }
    meta.update({k.rstrip("?"): int(rec[k]) for k in FLAGS if rec.get(k, "") != ""})
    return meta


def convert(data_dir: Path) -> Iterator[Row]:
    base = Path(data_dir) / FOLDER
    records = [
        (file, split, i, rec)
        for file, split in FILES
        for i, rec in enumerate(read_csv(base / file), 1)
        if rec["post"].strip()  # one train comment (arc_id 6020790, 11 rows) has no text
    ]
    train_docs = [rec["arc_id"] for _, split, _, rec in records if split == "train"]
    carved = rank_split(train_docs, dev=DEV_SHARE, test=0.0, salt=SOURCE)
    for file, split, n, rec in records:
        doc = rec["arc_id"]
        yield Row(
            id=f"{SOURCE}:{rec['new_id']}",
            text=rec["post"].strip(),
            target=rec["new_topic"].strip(),
            stance=map_label(STANCE, rec["label"], f"{base / file}: data row {n}"),
            framing=None,
            speaker=rec["author"].strip() or None,
            source=SOURCE,
            doc_id=doc,
            origin="gold",
            split=carved.get(doc, split) if split == "train" else split,
            meta=_meta(rec, file),
        )
