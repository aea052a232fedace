"""Typed records that cross module borders: article -> quotes -> (quote, target) pairs -> labels."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

QuoteKind = Literal["direct", "indirect"]
# What a quote's speaker is: a named person, a named organisation, a role phrase ("a police
# spokesman") or nobody/unknown.
SpeakerType = Literal["person", "organisation", "role", "unknown"]


@dataclass(frozen=True, slots=True)
class Quote:
    """A quoted statement: the words attributed to a source, with offsets into the article.

    ``article[start:end] == text`` always holds. ``speaker`` is the source at its fullest
    (``Ahmed Almahmoud``, not ``he`` or ``Almahmoud``); ``speaker_start``/``speaker_end``
    point at the mention the attribution uses (which may be ``he``), or are None.
    """

    text: str
    start: int
    end: int
    speaker: str | None
    kind: QuoteKind
    cue: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    speaker_type: SpeakerType = "unknown"
    speaker_confidence: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class TargetMention:
    """A conflict actor found in a text, normalised to its canonical name."""

    name: str  # canonical name, e.g. "Popular Mobilisation Forces"
    alias: str  # the surface form as written, e.g. "Hashd al-Shaabi"
    start: int
    end: int
    kind: str  # e.g. "armed_group", "state", "sect", "organisation"
    conflict: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        d = asdict(self)
        d["conflict"] = list(self.conflict)
        return d


@dataclass(frozen=True, slots=True)
class Document:
    """One input text (an article or a statement) with where it came from."""

    id: str
    text: str
    source: str  # file name
    line: int | None = None  # 1-based line for JSONL input
    fields: dict | None = None  # the other columns of the input row, passed through


@dataclass(frozen=True, slots=True)
class InputError:
    """A file, line or row that could not be read; reported, never silently dropped."""

    source: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Prediction:
    """Labels for one (statement, target) pair. Scores are calibrated probabilities."""

    text: str
    target: str | None
    stance: str | None  # None when no target was given
    stance_scores: dict[str, float] | None
    framing: str
    framing_scores: dict[str, float]
    windows: int = 1  # >1: the statement exceeded the model's length and was read in windows
    # with explain=True: {"stance": {label: [(word, weight), ...]} or None, "framing": {...}}
    evidence: dict | None = None
    language: str | None = None  # set when the statement is not English (labels: `unsupported`)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class TargetStance:
    target: str
    stance: str
    scores: dict[str, float]
    evidence: tuple[tuple[str, float], ...] | None = None  # explain=True: words behind the stance label


@dataclass(frozen=True, slots=True)
class LabelledQuote:
    """A quote with its framing and its stance toward each target."""

    quote: Quote
    framing: str
    framing_scores: dict[str, float]
    stances: tuple[TargetStance, ...]
    windows: int = 1
    language: str | None = None  # set when the quote is not English (labels: `unsupported`)
    framing_evidence: tuple[tuple[str, float], ...] | None = None  # explain=True: words behind the framing label

    def to_dict(self) -> dict:
        d = {**self.quote.to_dict(), "framing": self.framing, "framing_scores": self.framing_scores,
             "stances": [_stance_dict(s) for s in self.stances], "windows": self.windows}
        if self.framing_evidence is not None:
            d["framing_evidence"] = [list(e) for e in self.framing_evidence]
        if self.language is not None:
            d["language"] = self.language
        return d


def _stance_dict(s: TargetStance) -> dict:
    d = asdict(s)
    if s.evidence is None:
        del d["evidence"]
    else:
        d["evidence"] = [list(e) for e in s.evidence]
    return d


class PredictionList(list):
    """A list of Predictions that a notebook shows as the report's highlighted view."""

    def _repr_html_(self) -> str:
        from stance.report import notebook_html

        return notebook_html(self)


class LabelledQuotes(list):
    """classify_article's result: a list of LabelledQuotes (with the article's text, for the
    notebook view of each quote in its paragraph)."""

    def __init__(self, items=(), text: str = "", gazetteer=None):
        super().__init__(items)
        self.text = text
        self.gazetteer = gazetteer  # the actors the targets were found with: the view marks them

    def _repr_html_(self) -> str:
        from stance.report import notebook_html

        return notebook_html(self, self.text, gazetteer=self.gazetteer)
