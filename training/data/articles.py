"""Full article texts of the real-news sources, keyed by (source, doc_id).

The in-domain corpus stores character offsets into these texts, so the texts must be
rebuilt exactly the same way every time: this module is the one place that does it.
"""
from __future__ import annotations

import ast
import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from training.data.converters import directed_sentiment_news as dsn
from training.data.converters.common import require
from training.data.splits import text_key

csv.field_size_limit(1 << 30)

ARTICLE_SOURCES = ("fa_kes", "fnc1", "polnear", "basil")
SENTENCE_SOURCES = ("directed_sentiment_news",)  # single news sentences, each its own "article"
# Gaza war coverage: one news sentence a row, grouped by the article (URL) it comes from.
GAZA_SOURCES = ("gaza_blame", "gaza_casualty")

# Bodies outside these conflicts carry no signal for the corpus; the pattern only pre-selects.
REGION_RE = re.compile(
    r"\b(Iraq|Syria|Lebanon|Yemen|Bahrain|Pakistan|Northern Ireland|Belfast|ISIS|ISIL|Daesh|"
    r"Islamic State|Hezbollah|Houthi|Sunni|Shia|Shiite|Alawite|Assad|Baghdad|Damascus|Mosul|Aleppo)\b"
)


@dataclass(frozen=True, slots=True)
class Article:
    source: str
    doc_id: str
    file: str  # path relative to the data directory
    text: str
    group: str = ""  # the article a sentence-level "article" belongs to (splits go by it); "" = itself

    @property
    def document(self) -> str:
        return self.group or self.doc_id


def _fa_kes(data_dir: Path) -> Iterator[Article]:
    rel = "fa_kes/FA-KES-Dataset.csv"
    with require(data_dir / rel).open(encoding="latin-1", newline="") as fh:
        for row in csv.DictReader(fh):
            yield Article("fa_kes", row["unit_id"], rel, row["article_content"])


def _fnc1(data_dir: Path) -> Iterator[Article]:
    for name in ("train_bodies.csv", "competition_test_bodies.csv"):
        rel = f"fnc1/{name}"
        with require(data_dir / rel).open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                yield Article("fnc1", f"{name.split('_')[0]}-{row['Body ID']}", rel, row["articleBody"])


def _polnear(data_dir: Path) -> Iterator[Article]:
    base = require(data_dir / "polnear" / "data")
    for path in sorted(base.glob("*/text/*.txt")):
        rel = str(path.relative_to(data_dir))
        yield Article("polnear", path.stem, rel, path.read_text(encoding="utf-8"))


def basil_text(paragraphs: list[list[str]]) -> str:
    return "\n\n".join(" ".join(sentences) for sentences in paragraphs)


def _basil(data_dir: Path) -> Iterator[Article]:
    base = require(data_dir / "basil" / "articles")
    for path in sorted(base.glob("*/*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        paragraphs = doc["body-paragraphs"]
        if isinstance(paragraphs, str):
            paragraphs = ast.literal_eval(paragraphs)  # stored as a Python literal string
        yield Article("basil", path.stem, str(path.relative_to(data_dir)), basil_text(paragraphs))


_DSN_SPLITS = {f"{dsn.FOLDER}/{name}": split for name, split in dsn.FILES}  # file -> official split (in order)


def _directed_sentiment_news(data_dir: Path) -> Iterator[Article]:
    """Each distinct sentence once, under the first file (train, valid, test) that holds it, so
    that its split in the corpus can follow the source's own split."""
    seen: set[str] = set()
    for rel in _DSN_SPLITS:
        with require(data_dir / rel).open(encoding="utf-8", newline="") as fh:
            for fields in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                text = dsn.plain(fields[0]) if fields else ""
                key = text_key(text)
                if text and key not in seen:
                    seen.add(key)
                    yield Article("directed_sentiment_news", key, rel, text)


def _gaza_rows(data_dir: Path, source: str, folder: str, pattern: str, group_of) -> Iterator[Article]:
    """Sentence rows, whitespace collapsed (the NYT files pad every word with two spaces); the
    row's position in its file is its id, the article it was cut from its group."""
    for path in sorted(require(data_dir / folder).glob(pattern)):
        rel = str(path.relative_to(data_dir))
        with path.open(encoding="utf-8", newline="") as fh:
            for k, row in enumerate(csv.DictReader(fh)):
                text = " ".join((row.get("sentence") or "").split())
                if text:
                    yield Article(source, f"{path.stem}:{k}", rel, text, group_of(path, row))


def _gaza_blame(data_dir: Path) -> Iterator[Article]:
    return _gaza_rows(data_dir, "gaza_blame", "gaza_blame_sentences/data", "*_sentences.csv", lambda p, r: r["url"])


def _gaza_casualty(data_dir: Path) -> Iterator[Article]:
    # each file numbers its articles from 0: the file stem keeps two papers' article 3 apart
    return _gaza_rows(data_dir, "gaza_casualty", "gaza_casualty_mentions/data", "tagged_data_*.csv",
                      lambda p, r: f"{p.stem}:{r['article_index']}")


def fixed_split(source: str, file: str) -> str | None:
    """The split a document must keep because its source ships official splits that the build
    also uses (its text is in that source's rows); None where the corpus decides."""
    return _DSN_SPLITS[file] if source == dsn.SOURCE else None


_READERS = {"fa_kes": _fa_kes, "fnc1": _fnc1, "polnear": _polnear, "basil": _basil,
            "directed_sentiment_news": _directed_sentiment_news,
            "gaza_blame": _gaza_blame, "gaza_casualty": _gaza_casualty}


def iter_articles(data_dir: Path, sources: tuple[str, ...] = ARTICLE_SOURCES) -> Iterator[Article]:
    for source in sources:
        if source not in _READERS:
            raise ValueError(f"unknown article source {source!r}; choose from {', '.join(_READERS)}")
        yield from _READERS[source](Path(data_dir))


@lru_cache(maxsize=8)
def article_index(data_dir: str, source: str) -> dict[str, Article]:
    return {a.doc_id: a for a in iter_articles(Path(data_dir), (source,))}


def article_text(data_dir: Path, source: str, doc_id: str) -> str:
    """The text a stored offset points into; a clear error when the source or document is absent."""
    index = article_index(str(Path(data_dir).resolve()), source)
    if doc_id not in index:
        raise KeyError(f"document {doc_id!r} not found in {source} under {data_dir}")
    return index[doc_id].text
