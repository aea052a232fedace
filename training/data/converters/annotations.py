"""The in-domain corpus annotated for this project (training/data/annotations/corpus.jsonl) and
the multi-target rounds' train pairs (annotations/pairs.jsonl).

Two sources: "annotations" (the whole corpus, and the rounds' pairs of quoted statements) and
"narration" (the rounds' pairs on articles' own prose sentences, train only). Narration is mostly `none` and moves the
model toward `none`, so a train config weighs it on its own (or leaves it out) by source name.

Statement texts that are not shipped are rebuilt from the public article files under
data_dir (see training.data.corpus); a missing file is a clear error naming it.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.data.corpus import CORPUS_FILE, load_corpus
from training.data.pairs import PAIRS_FILE
from training.data.schema import Row

NARRATION_SOURCE = "narration"


def _is_narration(row: dict) -> bool:
    return row["meta"].get("kind") == "narration"


def convert(data_dir: Path, path: Path = CORPUS_FILE, pairs: Path = PAIRS_FILE) -> Iterator[Row]:
    """The whole corpus, then the quote pairs of the multi-target rounds (training.data.pairs)."""
    for p in (path, pairs):
        if p.exists():
            for k, row in enumerate(load_corpus(data_dir, p), 1):
                if p == path or not _is_narration(row):  # the corpus's own prose rows (sect vocabulary) stay
                    yield Row.from_dict(row, f"{p}:{k}")


def convert_narration(data_dir: Path, pairs: Path = PAIRS_FILE) -> Iterator[Row]:
    """The prose-sentence pairs of the multi-target rounds, as source "narration"."""
    if pairs.exists():
        for k, row in enumerate(load_corpus(data_dir, pairs), 1):
            if _is_narration(row):
                yield Row.from_dict({**row, "source": NARRATION_SOURCE}, f"{pairs}:{k}")
