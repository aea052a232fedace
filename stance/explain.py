"""Why a label: word occlusion on whichever backend the classifier runs (the ONNX fast
path by default).

Each word of a statement is removed in turn and the statement scored again; a word's weight for
a label is how much that label's probability falls without it (negative: the word held the
label back). One model pass per word, batched, so explaining costs about as many passes as the
statement has words.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stance.model import StanceClassifier

WORD = re.compile(r"\w+(?:['\u2019\-]\w+)*")
TOP_K = 3


def words(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the words occlusion removes."""
    return [m.span() for m in WORD.finditer(text)]


def _without(text: str, span: tuple[int, int]) -> str:
    a, b = span
    return (text[:a] + text[b:]).strip() or "."  # an empty statement is not valid model input


def explain(clf: StanceClassifier, texts: Sequence[str], targets: Sequence[str | None], top_k: int = TOP_K,
            batch_size: int = 32, gazetteer=None, speakers: Sequence[str | None] | None = None) -> list[dict]:
    """Per (text, target): {"framing": {label: [(word, weight), ...]}, "stance": {...} or None},
    the top_k words with the largest positive weight for each label, strongest first. The
    speaker (when given) stays as it is: only the statement's words are removed."""
    out = []
    for k, (text, target) in enumerate(zip(texts, targets)):
        spans = words(text)
        variants = [text] + [_without(text, s) for s in spans]
        speaker = None if speakers is None else speakers[k]
        stance, framing = clf.predict_proba(variants, None if target is None else [target] * len(variants),
                                            batch_size=batch_size, gazetteer=gazetteer,
                                            speakers=[speaker] * len(variants))
        ev = {"framing": _top(framing, clf.framing_classes_, text, spans, top_k),
              "stance": None if stance is None else _top(stance, clf.stance_classes_, text, spans, top_k)}
        out.append(ev)
    return out


def _top(probs, classes: list[str], text: str, spans, top_k: int) -> dict[str, list[tuple[str, float]]]:
    full, occluded = probs[0], probs[1:]
    res = {}
    for j, label in enumerate(classes):
        drop = full[j] - occluded[:, j]  # how much the label loses without each word
        order = sorted(range(len(spans)), key=lambda i: -drop[i])
        res[label] = [(text[spans[i][0]:spans[i][1]], round(float(drop[i]), 4)) for i in order[:top_k] if drop[i] > 0]
    return res
