"""Build the training files from the public datasets.

    python -m training.data build --data-dir ../shared/data --out data/build [--sources vast,gwsd]

Runs each source's converter, validates every row, refuses ids used twice and documents
found in two splits of a source, then writes `<out>/{train,dev,test}.jsonl`, one
`<out>/<source>.jsonl` per source, and `<out>/manifest.json` with the counts.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from training.data.converters import (
    basil,
    bench,
    directed_sentiment_news,
    gwsd,
    hatexplain,
    ibm_claim_stance,
    newsmtsc,
    vast,
)
from training.data.schema import FRAMING_LABELS, SPLITS, STANCE_LABELS, Row, validate_row, write_jsonl
from training.data.splits import doc_split_conflicts

Converter = Callable[[Path], Iterator[Row]]

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "data" / "build"

SOURCES: dict[str, Converter] = {
    "vast": vast.convert,
    "newsmtsc": newsmtsc.convert,
    "directed_sentiment_news": directed_sentiment_news.convert,
    "basil": basil.convert,
    "ibm_claim_stance": ibm_claim_stance.convert,
    "gwsd": gwsd.convert,
    "hatexplain": hatexplain.convert,
}

# Hook for the in-domain corpus: once training/data/converters/annotations.py exists with a
# `convert(data_dir)` function, it joins the build as source "annotations" with no edit here.
ANNOTATIONS_SOURCE = "annotations"
ANNOTATIONS_MODULE = "training.data.converters.annotations"


def registry() -> dict[str, Converter]:
    """The public datasets, then the project's own annotations: the benchmark (source "bench",
    training.data.converters.bench) and, when present, the in-domain corpus ("annotations")
    and the prose-sentence pairs ("narration")."""
    sources = {**SOURCES, bench.SOURCE: bench.convert}
    if importlib.util.find_spec(ANNOTATIONS_MODULE) is not None:
        module = importlib.import_module(ANNOTATIONS_MODULE)
        sources[ANNOTATIONS_SOURCE] = module.convert
        if hasattr(module, "convert_narration"):  # the prose-sentence pairs, weighed on their own
            sources[module.NARRATION_SOURCE] = module.convert_narration
    return sources


def resolve_data_dir(data_dir: Path | None) -> Path:
    if data_dir is None:
        if not DEFAULT_DATA_DIR.is_dir():
            raise FileNotFoundError(
                f"no --data-dir given and the default {DEFAULT_DATA_DIR} does not exist: pass --data-dir "
                "pointing at the folder that holds the public datasets"
            )
        return DEFAULT_DATA_DIR
    if not Path(data_dir).is_dir():
        raise FileNotFoundError(f"--data-dir {data_dir} is not a directory")
    return Path(data_dir)


def collect(source: str, convert: Converter, data_dir: Path, seen_ids: set[str]) -> list[Row]:
    """Run one converter and check what it produced."""
    rows = []
    for row in convert(data_dir):
        validate_row(row.to_dict(), f"{source}:{row.id}")
        if row.source != source:
            raise ValueError(f"{source}:{row.id}: field 'source' is {row.source!r}, expected {source!r}")
        if row.id in seen_ids:
            raise ValueError(f"{source}:{row.id}: field 'id' is used by another row")
        seen_ids.add(row.id)
        rows.append(row)
    conflicts = doc_split_conflicts(rows)
    if conflicts:
        (src, doc), splits = next(iter(sorted(conflicts.items())))
        raise ValueError(
            f"{src}: {len(conflicts)} doc_id(s) in more than one split, e.g. {doc!r} in {sorted(splits)}"
        )
    return rows


def shared_docs_across_sources(rows: Iterable[Row]) -> dict[str, set[tuple[str, str]]]:
    """doc_ids used by several sources with different splits (e.g. a BASIL article that the
    in-domain corpus also annotates): a possible leak to look at, not an error."""
    by_doc: dict[str, set[tuple[str, str]]] = {}
    for r in rows:
        by_doc.setdefault(r.doc_id, set()).add((r.source, r.split))
    return {
        doc: pairs for doc, pairs in by_doc.items()
        if len({s for s, _ in pairs}) > 1 and len({sp for _, sp in pairs}) > 1
    }


def count_table(rows_by_source: dict[str, list[Row]]) -> str:
    """Rows per source x split, then per label (stance and framing) per source and per split."""
    columns = [*SPLITS, "total"]
    labels = [f"stance:{label}" for label in STANCE_LABELS] + [f"framing:{label}" for label in FRAMING_LABELS]
    split_lines, label_lines = [], []
    totals: Counter = Counter()
    label_totals: dict[str, Counter] = {s: Counter() for s in SPLITS}
    for source, rows in rows_by_source.items():
        by_split = Counter(r.split for r in rows)
        totals.update(by_split)
        split_lines.append([source, *(by_split[s] for s in SPLITS), len(rows)])
        by_label = Counter()
        for r in rows:
            keys = [f"stance:{r.stance}"] * (r.stance is not None) + [f"framing:{r.framing}"] * (r.framing is not None)
            by_label.update(keys)
            label_totals[r.split].update(keys)
        label_lines.append([source, *(by_label[k] for k in labels)])
    split_lines.append(["TOTAL", *(totals[s] for s in SPLITS), sum(totals.values())])
    label_lines += [[f"TOTAL {s}", *(label_totals[s][k] for k in labels)] for s in SPLITS]
    return _format(["source", *columns], split_lines) + "\n\n" + _format(["source", *labels], label_lines)


def _format(header: list[str], lines: list[list]) -> str:
    cells = [header] + [[str(c) for c in line] for line in lines]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))

    return "\n".join([fmt(cells[0]), fmt(["-" * w for w in widths]), *map(fmt, cells[1:])])


def write_outputs(rows_by_source: dict[str, list[Row]], out: Path, known_sources: Iterable[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for stale in set(known_sources) - set(rows_by_source):
        (out / f"{stale}.jsonl").unlink(missing_ok=True)  # a per-source file from an earlier, wider build
    for source, rows in rows_by_source.items():
        write_jsonl(rows, out / f"{source}.jsonl")
    everything = [r for rows in rows_by_source.values() for r in rows]
    for split in SPLITS:
        write_jsonl((r for r in everything if r.split == split), out / f"{split}.jsonl")
    manifest = {
        "sources": {
            source: {split: sum(r.split == split for r in rows) for split in SPLITS}
            for source, rows in rows_by_source.items()
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def build(data_dir: Path | None, out: Path, sources: list[str] | None = None) -> dict[str, list[Row]]:
    available = registry()
    names = sources or list(available)
    unknown = [n for n in names if n not in available]
    if unknown:
        raise ValueError(f"unknown source(s) {', '.join(unknown)}; choose from {', '.join(available)}")
    data_dir = resolve_data_dir(data_dir)
    seen_ids: set[str] = set()
    rows_by_source = {name: collect(name, available[name], data_dir, seen_ids) for name in names}
    write_outputs(rows_by_source, Path(out), available)
    return rows_by_source


def run(data_dir: Path | None, out: Path, sources: list[str] | None) -> int:
    try:
        rows_by_source = build(data_dir, out, sources)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(count_table(rows_by_source))
    shared = shared_docs_across_sources(r for rows in rows_by_source.values() for r in rows)
    if shared:
        doc, pairs = next(iter(sorted(shared.items())))
        print(f"\nwarning: {len(shared)} doc_id(s) appear in several sources with different splits, "
              f"e.g. {doc!r}: {sorted(pairs)}", file=sys.stderr)
    print(f"\nwrote {out}/{{train,dev,test}}.jsonl and one file per source")
    return 0
