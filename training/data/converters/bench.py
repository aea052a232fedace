"""The benchmark (training/data/bench/{test,dev}.jsonl, built by training.data.pairs): real
quoted statements from articles that hold no train row of any source, each with two or three
targets, double-annotated blind. Source "bench": its test split is what the project reports
first, its dev split picks epochs and models. Texts are rebuilt from data_dir, as the corpus's.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.data.corpus import load_corpus
from training.data.schema import Row

SOURCE = "bench"
BENCH_DIR = Path(__file__).resolve().parents[1] / "bench"


def convert(data_dir: Path, folder: Path = BENCH_DIR) -> Iterator[Row]:
    for name in ("dev.jsonl", "test.jsonl"):
        path = folder / name
        if not path.exists():
            continue
        for k, row in enumerate(load_corpus(data_dir, path), 1):
            yield Row.from_dict({**row, "source": SOURCE}, f"{path}:{k}")
