"""Entity-to-entity directed sentiment in news (Park, Pan & Joo 2021).

TSV, no header: sentence with both entities in [ ], entity_p, entity_q, label.
Labels 1/3 are p's positive/negative sentiment toward q (speaker p, target q); 2/4 are the
same from q toward p, so the roles swap (speaker q, target p); 0 is no sentiment either way
(kept as speaker p, target q, stance none).

The crawl cut many entity names at a suffix (`[Jeff Session]s`); the mention is completed to
the whole word and a possessive ending dropped. The official splits share sentences (400
test rows repeat train rows), so a sentence found in train stays in train (see splits.py).
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from training.data.converters.common import dedupe, map_label, require
from training.data.schema import Row
from training.data.splits import earliest_split, text_key

SOURCE = "directed_sentiment_news"
FOLDER = "directed_sentiment_news"
FILES = (("train.txt", "train"), ("valid.txt", "dev"), ("test.txt", "test"))
# label -> (speaker role, stance toward the other entity)
LABELS = {"0": ("p", "none"), "1": ("p", "favor"), "2": ("q", "favor"), "3": ("p", "against"), "4": ("q", "against")}
DIRECTION = {"p": "p->q", "q": "q->p"}

MARKED = re.compile(r"\[([^\]]*)\]([^\W\d_]*)")  # [entity] plus letters the bracket cut off
POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
WORD = re.compile(r"[^\W_]")


def plain(marked: str) -> str:
    return " ".join(marked.replace("[", "").replace("]", "").split())


def _mentions(marked: str) -> list[tuple[str, str]]:
    """(bracketed entity, completed mention) for each [ ] span."""
    return [(m.group(1), POSSESSIVE.sub("", m.group(1) + m.group(2)).strip()) for m in MARKED.finditer(marked)]


def _records(base: Path) -> Iterator[tuple[str, str, int, list[str]]]:
    for file, split in FILES:
        with require(base / file).open(encoding="utf-8", newline="") as fh:
            for lineno, fields in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
                yield file, split, lineno, fields


def _row(base: Path, file: str, lineno: int, fields: list[str], splits: dict[str, str]) -> Row | None:
    if len(fields) != 4:
        raise ValueError(f"{base / file}:{lineno}: expected 4 tab-separated fields, got {len(fields)}")
    marked, entity_p, entity_q, label = fields
    mentions = _mentions(marked)
    if [m[0] for m in mentions] != [entity_p, entity_q] or not all(WORD.search(m[1]) for m in mentions):
        return None  # scraping residue: entity columns not matching the marked text, or `[’]`, `[.]`
    role, stance = map_label(LABELS, label, f"{base / file}:{lineno}")
    p, q = mentions[0][1], mentions[1][1]
    speaker, target = (p, q) if role == "p" else (q, p)
    text = plain(marked)
    doc = text_key(text)
    return Row(
        id=f"{SOURCE}:{file.removesuffix('.txt')}:{lineno}",
        text=text,
        target=target,
        stance=stance,
        framing=None,
        speaker=speaker,
        source=SOURCE,
        doc_id=doc,
        origin="gold",
        split=splits[doc],
        meta={"label": int(label), "direction": DIRECTION[role] if stance != "none" else None,
              "entity_p": entity_p, "entity_q": entity_q, "marked": marked.strip()},
    )


def convert(data_dir: Path) -> Iterator[Row]:
    base = Path(data_dir) / FOLDER
    records = list(_records(base))
    splits = earliest_split((text_key(plain(fields[0])), split) for _, split, _, fields in records)
    rows = (_row(base, file, lineno, fields, splits) for file, _, lineno, fields in records)
    yield from dedupe(r for r in rows if r is not None)
