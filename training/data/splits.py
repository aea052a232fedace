"""Deterministic, document-level splits.

Every split decision is made per document key with a stable hash (hashlib, never Python's
salted `hash()`), so all rows of a document land in one split on every machine and run.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

from training.data.schema import SPLITS, Row

SPLIT_ORDER = {s: i for i, s in enumerate(SPLITS)}


def stable_hash(key: str, salt: str = "") -> int:
    return int.from_bytes(hashlib.sha256(f"{salt}\x00{key}".encode("utf-8")).digest()[:8], "big")


def text_key(text: str) -> str:
    """A short document id for sources whose only identity is the text itself."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


def _share(n: int, frac: float) -> int:
    # At least one key when a share is asked for, so small sources still get every split.
    return 0 if frac <= 0 or n == 0 else max(1, round(n * frac))


def rank_split(keys: Iterable[str], dev: float, test: float, salt: str) -> dict[str, str]:
    """Map each key to a split: the keys ranked lowest by hash go to test, then dev.

    Ranking (not a hash threshold) gives exact shares even for a few dozen keys.
    """
    ordered = sorted(set(keys), key=lambda k: (stable_hash(k, salt), k))
    n_test = _share(len(ordered), test)
    n_dev = min(_share(len(ordered), dev), len(ordered) - n_test)
    out = {}
    for i, key in enumerate(ordered):
        out[key] = "test" if i < n_test else "dev" if i < n_test + n_dev else "train"
    return out


def earliest_split(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """For (doc_id, official split) pairs, give each doc the earliest split it occurs in.

    Some official splits share documents; pulling a shared doc into train keeps the
    training data whole and leaves dev/test free of anything the model has seen.
    """
    out: dict[str, str] = {}
    for doc, split in pairs:
        if doc not in out or SPLIT_ORDER[split] < SPLIT_ORDER[out[doc]]:
            out[doc] = split
    return out


def doc_split_conflicts(rows: Iterable[Row]) -> dict[tuple[str, str], set[str]]:
    """(source, doc_id) pairs found in more than one split."""
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in rows:
        seen[(r.source, r.doc_id)].add(r.split)
    return {k: v for k, v in seen.items() if len(v) > 1}
