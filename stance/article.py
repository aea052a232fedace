"""End to end: article -> quotes -> (quote, target) pairs -> labels."""
from __future__ import annotations

from collections.abc import Sequence

from stance.gazetteer import canonical_target, unique_targets
from stance.model import StanceClassifier
from stance.quotes import extract_quotes
from stance.types import LabelledQuote, Quote, TargetStance

_default: StanceClassifier | None = None


def default_classifier() -> StanceClassifier:
    """The shipped model, loaded once per process."""
    global _default
    if _default is None:
        _default = StanceClassifier.from_pretrained()
    return _default


def _paragraph(text: str, q: Quote) -> str:
    start = text.rfind("\n\n", 0, q.start)
    end = text.find("\n\n", q.end)
    return text[start + 2 if start >= 0 else 0 : end if end >= 0 else len(text)]


def quote_targets(text: str, q: Quote) -> list[str]:
    """The actors a quote names, then those of its paragraph (where the speaker is introduced)."""
    return list(dict.fromkeys(unique_targets(q.text) + unique_targets(_paragraph(text, q))))


def classify_article(text: str, targets: Sequence[str] | str | None = None,
                     classifier: StanceClassifier | None = None) -> list[LabelledQuote]:
    """Every quote of the article with its speaker, framing and stance toward each target:
    the given targets, or by default the actors `find_targets` finds in the quote and its
    paragraph. A quote with no target gets its framing alone."""
    if isinstance(targets, str):
        targets = [targets]
    if targets is not None:
        for i, t in enumerate(targets):
            if not isinstance(t, str) or not t.strip():
                raise TypeError(f"targets[{i}] must be a non-empty str, got {t!r}")
        targets = [canonical_target(t) for t in targets]
    clf = classifier or default_classifier()
    quotes = extract_quotes(text)
    per_quote = [list(targets) if targets is not None else quote_targets(text, q) for q in quotes]
    out = []
    for q, preds in zip(quotes, clf.predict_targets([q.text for q in quotes], per_quote)):
        stances = tuple(TargetStance(p.target, p.stance, p.stance_scores) for p in preds if p.target is not None)
        first = preds[0]
        out.append(LabelledQuote(q, first.framing, first.framing_scores, stances, max(p.windows for p in preds)))
    return out
