"""The in-domain corpus annotated for this project (training/data/annotations/corpus.jsonl).

Statement texts that are not shipped are rebuilt from the public article files under
data_dir (see training.data.corpus); a missing file is a clear error naming it.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.data.corpus import CORPUS_FILE, load_corpus
from training.data.pairs import PAIRS_FILE
from training.data.schema import Row


def convert(data_dir: Path, path: Path = CORPUS_FILE, pairs: Path = PAIRS_FILE) -> Iterator[Row]:
    """The corpus, then the multi-target round's train pairs (training.data.pairs) when present."""
    for p in (path, pairs):
        if p.exists():
            for k, row in enumerate(load_corpus(data_dir, p), 1):
                yield Row.from_dict(row, f"{p}:{k}")
