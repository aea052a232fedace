"""BASIL (Fan et al. 2019), 2nd release: quoted bias spans with speaker, target and polarity.

Only spans with quote == "yes". Offsets are relative to one sentence of the article (the
annotation does not say which); the sentence whose [start:end] equals the span text is
kept in meta. Polarity is toward `target`, also when the span aims at it indirectly
(praising an opponent, attacking an ally), which matches the guideline's favor/against.
Anonymous speakers (`other_pro`, `other_anti`, ...) become null. No `none` class.
Split by event triplet (the file-name uuid), so the three outlets' articles stay together.
"""
from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

from training.data.converters.common import map_label, require
from training.data.schema import Row
from training.data.splits import rank_split

SOURCE = "basil"
FOLDER = "basil"
POLARITY = {"neg": "against", "pos": "favor"}
SPLIT_SHARES = {"dev": 0.15, "test": 0.15}
QUOTE_MARKS = "\"“”"


def _name(raw: str) -> str:
    return raw.replace("_", " ").strip()


def _speaker(raw: str) -> str | None:
    return None if raw.startswith("other_") else _name(raw) or None


def _triplet(stem: str) -> str:
    return stem.rsplit("_", 1)[0]  # <event uuid>_<1|2|3>


def _sentences(article_path: Path) -> list[str]:
    paragraphs = json.loads(article_path.read_text(encoding="utf-8"))["body-paragraphs"]
    if isinstance(paragraphs, str):
        paragraphs = ast.literal_eval(paragraphs)  # stored as a Python literal string
    return [s for p in paragraphs for s in p]


def _sentence_of(span: dict, sentences: list[str]) -> str | None:
    return next((s for s in sentences if s[span["start"]:span["end"]] == span["txt"]), None)


def _unquote(text: str) -> str:
    # The guideline's `text` excludes the quotation marks; the release-2 spans include them.
    return text.strip().strip(QUOTE_MARKS).strip().rstrip(",").strip()


def _articles(base: Path) -> Iterator[tuple[str, Path, Path]]:
    """(article id, annotation file, article file); the id is the file stem, as in articles.py."""
    for ann in sorted(require(base / "annotations").glob("*/*_ann.json")):
        stem = ann.name.removesuffix("_ann.json")
        yield stem, ann, require(base / "articles" / ann.parent.name / f"{stem}.json")


def _rows(stem: str, ann_path: Path, article_path: Path, split: str) -> Iterator[Row]:
    spans = json.loads(ann_path.read_text(encoding="utf-8"))["phrase-level-annotations"]
    sentences = _sentences(article_path)
    for i, span in enumerate(spans):
        if span.get("quote") != "yes" or not _unquote(span["txt"]):
            continue
        yield Row(
            id=f"{SOURCE}:{stem}:{i}",
            text=_unquote(span["txt"]),
            target=_name(span["target"]),
            stance=map_label(POLARITY, span["polarity"], f"{ann_path} span {i}"),
            framing=None,
            speaker=_speaker(span["speaker"]),
            source=SOURCE,
            doc_id=stem,
            origin="gold",
            split=split,
            meta={
                "speaker_raw": span["speaker"],
                "aim": span.get("aim"),
                "bias": span.get("bias"),
                "indirect_target": span.get("indirect-target-name") or None,
                "indirect_sentiment": span.get("indirect-ally-opponent-sentiment") or None,
                "span": [span["start"], span["end"]],
                "sentence": _sentence_of(span, sentences),
                "triplet": _triplet(stem),
            },
        )


def convert(data_dir: Path) -> Iterator[Row]:
    base = Path(data_dir) / FOLDER
    articles = list(_articles(base))
    splits = rank_split((_triplet(stem) for stem, _, _ in articles), salt=SOURCE, **SPLIT_SHARES)
    for stem, ann, article in articles:
        yield from _rows(stem, ann, article, splits[_triplet(stem)])
