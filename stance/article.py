"""End to end: article -> quotes -> (quote, target) pairs -> labels."""
from __future__ import annotations

from collections.abc import Sequence

from stance.frames import paragraph_span
from stance.gazetteer import Gazetteer, GazetteerLike, as_gazetteer
from stance.model import StanceClassifier
from stance.quotes import extract_quotes
from stance.types import LabelledQuote, LabelledQuotes, Quote, TargetStance

_default: StanceClassifier | None = None


def default_classifier() -> StanceClassifier:
    """The shipped model, loaded once per process."""
    global _default
    if _default is None:
        _default = StanceClassifier.from_pretrained()
    return _default


def _paragraph(text: str, q: Quote) -> str:
    start, end = paragraph_span(text, q.start, q.end)
    return text[start:end]


def quote_targets(text: str, q: Quote, gazetteer: Gazetteer | None = None) -> list[str]:
    """The actors a quote names, then those of its paragraph (where the speaker is introduced)."""
    g = as_gazetteer(gazetteer)
    return list(dict.fromkeys(g.unique_targets(q.text) + g.unique_targets(_paragraph(text, q))))


UNCERTAIN = "uncertain"


def confident(label: str, scores: dict[str, float], min_confidence: float | None) -> str:
    """The label, or `uncertain` when its probability is below min_confidence."""
    if min_confidence is None or label not in scores:  # `unsupported` has no scores
        return label
    return label if scores[label] >= min_confidence else UNCERTAIN


def _evidence(p, head: str, label: str):
    if p.evidence is None or p.evidence.get(head) is None:
        return None
    ev = p.evidence[head]
    scores = p.stance_scores if head == "stance" else p.framing_scores
    return tuple(tuple(e) for e in ev.get(label, ev.get(max(scores, key=scores.get), [])))


def classify_article(text: str, targets: Sequence[str] | str | None = None,
                     classifier: StanceClassifier | None = None,
                     min_confidence: float | None = None, explain: bool = False,
                     gazetteer: GazetteerLike = None) -> LabelledQuotes:
    """Every quote of the article with its speaker, framing and stance toward each target:
    the given targets, or by default the actors `find_targets` finds in the quote and its
    paragraph. A quote with no target gets its framing alone. Targets naming the same actor
    (PMF, Hashd) are asked once. A label whose probability is below min_confidence is
    `uncertain` (its scores are kept). explain=True gives each label the words that moved it
    most (`StanceClassifier.predict(explain=True)`). In a notebook the result shows each quote
    highlighted in its paragraph. gazetteer: your own actors (`Gazetteer.from_file("my.json")`,
    or the path), found and canonicalised along with the shipped ones."""
    g = as_gazetteer(gazetteer)
    if isinstance(targets, str):
        targets = [targets]
    if targets is not None:
        for i, t in enumerate(targets):
            if not isinstance(t, str) or not t.strip():
                raise TypeError(f"targets[{i}] must be a non-empty str, got {t!r}")
        targets = list(dict.fromkeys(g.canonical_target(t) for t in targets))
    clf = classifier or default_classifier()
    quotes = extract_quotes(text)
    per_quote = [list(targets) if targets is not None else quote_targets(text, q, g) for q in quotes]
    out = LabelledQuotes(text=text, gazetteer=g)
    labelled = clf.predict_targets([q.text for q in quotes], per_quote, explain=explain, gazetteer=g,
                                   speakers=[q.speaker for q in quotes])
    for q, preds in zip(quotes, labelled):
        stances = tuple(TargetStance(p.target, confident(p.stance, p.stance_scores, min_confidence), p.stance_scores,
                                     _evidence(p, "stance", p.stance)) for p in preds if p.target is not None)
        first = preds[0]
        out.append(LabelledQuote(q, confident(first.framing, first.framing_scores, min_confidence),
                                 first.framing_scores, stances, max(p.windows for p in preds),
                                 language=first.language, framing_evidence=_evidence(first, "framing", first.framing)))
    return out
