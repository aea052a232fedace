"""NewsMTSC (Hamborg & Donnay 2021): target-dependent sentiment of news sentences.

Weak stance supervision: the label is how the sentence portrays the target, not a
speaker's stance, so every row carries meta weak=true and speaker=null. One row per target.

Docs are articles (the gid prefix `allsides_<article>_<event>` / `polusa_v1_<article>`).
The official files share articles, so an article seen in train.jsonl stays in train with
all its rows; the other articles of devtest_rw/devtest_mt are ranked by a stable hash into
dev and test halves. `meta.file` names the original file.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from training.data.converters.common import dedupe, map_label, require
from training.data.schema import Row
from training.data.splits import rank_split

SOURCE = "newsmtsc"
FOLDER = "newsmtsc"
FILES = ("train.jsonl", "devtest_rw.jsonl", "devtest_mt.jsonl")
POLARITY = {2.0: "against", 4.0: "none", 6.0: "favor"}


def article_id(gid: str) -> str:
    return "_".join(gid.split("_")[:3])


def entity_name(gid: str) -> str:
    """The canonical entity in a target gid (`<article prefix>_<sentence>_<name>_<from>_<to>`);
    useful when the mention is a pronoun."""
    parts = gid.split("_")
    head = 5 if parts[0] == "polusa" else 4
    return "_".join(parts[head:-2]).strip()


def _records(base: Path) -> Iterator[tuple[str, int, dict]]:
    for file in FILES:
        path = require(base / file)
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if line.strip():
                    yield file, lineno, json.loads(line)


def _rows(base: Path, records: list[tuple[str, int, dict]], splits: dict[str, str]) -> Iterator[Row]:
    for file, lineno, rec in records:
        text = rec["sentence_normalized"]
        doc = article_id(rec["primary_gid"])
        for t in rec["targets"]:
            yield Row(
                id=f"{SOURCE}:{file.removesuffix('.jsonl')}:{t['Input.gid']}",
                text=text,
                target=t["mention"].strip(),
                stance=map_label(POLARITY, t["polarity"], f"{base / file}:{lineno}"),
                framing=None,
                speaker=None,
                source=SOURCE,
                doc_id=doc,
                origin="gold",
                split=splits[doc],
                meta={
                    "weak": True,
                    "file": file.removesuffix(".jsonl"),
                    "span": [t["from"], t["to"]],  # character offsets of the mention in `text`
                    "entity": entity_name(t["Input.gid"]),
                },
            )


def convert(data_dir: Path) -> Iterator[Row]:
    base = Path(data_dir) / FOLDER
    records = list(_records(base))
    train_docs = {article_id(r["primary_gid"]) for f, _, r in records if f == "train.jsonl"}
    held_out = {article_id(r["primary_gid"]) for f, _, r in records} - train_docs
    splits = {doc: "train" for doc in train_docs}
    splits |= rank_split(held_out, dev=0.5, test=0.5, salt=SOURCE)
    yield from dedupe(_rows(base, records, splits))
