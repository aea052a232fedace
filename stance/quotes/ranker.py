"""A learned ranker over the candidate speakers of each quote.

After the rules have attributed every quote of an article, each quote gets a set of
candidates: the speaker the rules chose, the people and organisations spaCy finds outside
quotation marks near it (its paragraph and up to three before it, the rest of its
paragraph and the first sentence of the next one), the speakers of the neighbouring quotes,
and "nobody". Each candidate is described by a few features (is it the rules' choice and
how sure were they, distance to the quote, same sentence, before or after it, subject of a
speech verb, title, how often the article names it, the previous quote's speaker, whether a
`he`/`she` cue agrees with the gender a title, a first name or the article's pronouns give the
candidate (``stance.quotes.gender``), whether the rules' mention is a fragment ...) and
scored by a logistic regression (the shipped one a conditional logit: a softmax over the
quote's candidates) trained on PolNeAR's train split
(``python -m training.speaker_ranker``). The model is a small JSON file,
``stance/resources/speaker_ranker.json`` (feature names, coefficients, intercept and the
decision policy), read with the standard library: no scikit-learn and no pickle at run time.

A candidate's name is always a full name (a surname is resolved by the article's people
table), so the ranker never returns a fragment; the rules' own choice (which may be a role
phrase) is one of the candidates, and a neighbouring quote's speaker is one only when it is a
name or a noun phrase by the parse (not `the documents released by ...`). Work per quote is bounded by a character window, so
extraction stays linear in the article's length.
"""
from __future__ import annotations

import json
import math
import re
import warnings
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from stance.quotes.candidates import _clean_speaker
from stance.quotes.gender import Genders, name_gender, title_gender
from stance.quotes.lexicon import PRONOUNS, ROLE_TITLE_WORDS, SPEECH_PARTICIPLES, SPEECH_VERBS
from stance.quotes.spans import _sentences
from stance.types import Quote

# --- features ---------------------------------------------------------------------------------

# Candidate features (a real speaker), then the features of the "nobody" option. The model
# file must list exactly these names in this order.
FEATURES: tuple[str, ...] = (
    "is_rule", "is_rule_conf_high", "is_rule_conf_mid", "is_rule_conf_low", "is_rule_indirect",
    "is_rule_role", "is_rule_not_entity", "is_rule_pronoun", "is_rule_carried", "rule_gave_none",
    "ent_person", "ent_org", "ent_gpe", "no_mention",
    "log_char_distance", "same_sentence", "same_paragraph", "paragraph_distance_1",
    "paragraph_distance_2plus", "after_quote", "next_paragraph",
    "subject_of_speech_verb", "speech_subject_same_sentence", "any_subject_of_speech_verb", "subject_of_verb", "after_speech_verb",
    "according_to", "object_or_possessive",
    "nearest_before", "nearest_after", "nearest_speech_subject",
    "multiword", "has_title", "log_mentions_window", "log_mentions_article", "opens_paragraph",
    "is_prev_speaker", "is_prev2_speaker", "is_next_speaker", "log_times_quoted_before",
    "indirect_subject_of_speech_verb", "indirect_same_sentence", "indirect_prev_speaker",
    "pronoun_gender_agrees", "pronoun_gender_clashes", "is_rule_fragment",
    "is_none", "none_rule_none", "none_indirect", "none_log_words", "none_no_cue",
    "none_quote_opens_paragraph",
)
_INDEX = {name: i for i, name in enumerate(FEATURES)}
MODEL_VERSION = 1

# the window a quote's candidates are looked for in
PARAGRAPHS_BEFORE = 3
CHARS_BEFORE = 2500
CHARS_AFTER = 400
NEIGHBOUR_QUOTES = 2
QUOTES_LOOKED_BACK = 12  # a bound on the quotes scanned for those speakers (a run of one speaker)

_PERSON_LABELS = frozenset({"PERSON"})
_ORG_LABELS = frozenset({"ORG"})
_GPE_LABELS = frozenset({"GPE", "NORP"})
_SPEAKER_LABELS = _PERSON_LABELS | _ORG_LABELS | _GPE_LABELS
_SPEECH = SPEECH_VERBS | SPEECH_PARTICIPLES
_NAME_WORD = re.compile(r"(?:[A-Z][\w’'\-.]*|(?:al|el|bin|ibn|de|da|di|del|der|du|van|von|la|le|abu|of|for|the|and|on|in|&)|[a-z]{1,3}-[A-Z][\w’'\-]*)$")

_APPOSITIVE_ROLE = re.compile(
    r",\s+(?:the|a|an)\s+(?:[\w-]+\s+){0,3}?(?:spokesman|spokeswoman|minister|president|director|chairman|"
    r"leader|senator|governor|secretary|official|analyst|professor|head|chief|commander|adviser|aide|"
    r"candidate|representative|mayor|ambassador|general|executive|founder|expert)\b")


def _valid_name(name: str) -> bool:
    """A name as a speaker: capitalised words (particles and `of` allowed), no pronoun, no
    sentence fragment, at most six words."""
    words = name.split()
    if not words or len(words) > 6 or name.lower() in PRONOUNS or not words[0][:1].isupper():
        return False
    if not (words[-1][:1].isupper() or re.match(r"[a-z]{1,3}-[A-Z]", words[-1])):  # al-Obeidi
        return False
    if len(words) == 1 and name.isupper() and len(name) > 5:
        return False  # a dateline: BAGHDAD
    return all(_NAME_WORD.match(w) for w in words)


def _key(name: str) -> tuple[str, ...]:
    words = re.sub(r"['’]s\b", "", name.lower())
    tokens = re.findall(r"[\w-]+", words)
    while tokens and tokens[0] == "the":
        tokens = tokens[1:]
    return tuple(tokens)


@dataclass(slots=True)
class Candidate:
    """One possible speaker of a quote (``name`` None: nobody)."""

    name: str | None
    speaker_type: str
    values: dict[str, float] = field(default_factory=dict)
    start: int | None = None  # the mention the ranker would point at
    end: int | None = None
    mention: str | None = None  # that mention as written

    def vector(self) -> list[float]:
        v = [0.0] * len(FEATURES)
        for k, x in self.values.items():
            v[_INDEX[k]] = float(x)
        return v


@dataclass(slots=True)
class _Mention:
    start: int
    end: int
    label: str
    name: str
    features: dict[str, float]


class _Context:
    """What every quote's candidates are built from, computed once per article."""

    def __init__(self, art, paragraphs: list[tuple[int, int]], quotes: list[Quote]):
        self.art = art
        self.text = art.text
        self.paragraphs = paragraphs
        self.p_starts = [a for a, _ in paragraphs]
        self._sent_cache: dict[int, list[tuple[int, int]]] = {}
        self.quotes = quotes
        parsed, registry, text, masked = art.parsed, art.registry, art.text, art.masked
        self.mentions: list[_Mention] = []
        counts: dict[tuple[str, ...], int] = {}
        for start, end, label in getattr(parsed, "ents", ()):
            if label not in _SPEAKER_LABELS or masked[start:end] != text[start:end]:
                continue  # a name inside a quote is never its speaker
            start, end = self._trimmed(start, end)
            if start is None:
                continue
            name = _clean_speaker(text[start:end])
            if label == "PERSON":
                name = registry.full_name(name, start)
            if not _valid_name(name):
                continue
            m = _Mention(start, end, label, name, self._syntax(start, end))
            self.mentions.append(m)
            key = _key(name)
            counts[key] = counts.get(key, 0) + 1
        self.m_starts = [m.start for m in self.mentions]
        self.article_counts = counts
        self.genders = self._genders()
        # how often each name was a quote's speaker (for "quoted before")
        self.speaker_positions: dict[tuple[str, ...], list[int]] = {}
        for q in quotes:
            if q.speaker:
                self.speaker_positions.setdefault(_key(q.speaker), []).append(q.start)

    def _genders(self) -> Genders:
        """Each person's gender from a title or first name at a mention, and the pronouns of
        the sentences that name that person alone."""
        g = Genders()
        by_sentence: dict[tuple[int, int], list[_Mention]] = {}
        for m in self.mentions:
            if m.label not in _PERSON_LABELS:
                continue
            k = _key(m.name)
            first_word = self.text[m.start : m.end].split()[:1]  # `Mr.` inside the entity
            for key in (k, k[-1:]):
                g.vote(key, name_gender(m.name), 2.0)
                g.vote(key, title_gender(self.text[max(0, m.start - 20) : m.start]), 2.0)
                if len(self.text[m.start : m.end].split()) > 1:
                    g.vote(key, title_gender(" ".join(first_word)), 2.0)
            by_sentence.setdefault(self.sentence_of(m.start), []).append(m)
        for (a, b), ms in by_sentence.items():
            if len({_key(m.name) for m in ms}) == 1:
                m = ms[-1]
                k = _key(m.name)
                g.pronoun_votes(k, self.art.masked[m.end : b])
                g.pronoun_votes(k[-1:], self.art.masked[m.end : b])
        return g

    def fragment(self, start: int | None, end: int | None) -> bool:
        """Whether a mention is no name or noun phrase by the parse: it holds a verb or ends in a
        function word or modifier (`the documents released by`, `Ryan said,“Look`)."""
        parsed = self.art.parsed
        if start is None or end is None or not parsed.covers(start, end):
            return False
        toks = [t for t in parsed.tokens(start, end) if not t.is_punct]
        if not toks:
            return False
        return (any(t.pos_ in ("VERB", "AUX") for t in toks)
                or toks[-1].pos_ in ("ADP", "DET", "CCONJ", "SCONJ", "PART", "ADV", "ADJ")
                or (toks[-1].pos_ == "PRON" and len(toks) > 1))

    def paragraph_of(self, pos: int) -> int:
        return max(0, bisect_right(self.p_starts, pos) - 1)

    def sentences(self, p_idx: int) -> list[tuple[int, int]]:
        if p_idx not in self._sent_cache:
            a, b = self.paragraphs[p_idx]
            self._sent_cache[p_idx] = _sentences(self.art.masked, a, b)
        return self._sent_cache[p_idx]

    def sentence_of(self, pos: int) -> tuple[int, int]:
        p_idx = self.paragraph_of(pos)
        sents = self.sentences(p_idx)
        i = bisect_right(sents, (pos, len(self.text) + 1)) - 1
        return sents[i] if i >= 0 and sents[i][0] <= pos < sents[i][1] else self.paragraphs[p_idx]

    def _trimmed(self, start: int, end: int) -> tuple[int | None, int]:
        """The entity without leading words the parser does not see as part of a name
        (`Follow Pam Key`, `Does Rubio`, `Several Cruz`); None when a verb is left in it."""
        parsed = self.art.parsed
        toks = parsed.tokens(start, end) if parsed.covers(start, end) else []
        if not toks:
            return start, end
        off = toks[0].doc.user_data.get("offset", 0)
        k = 0
        while k < len(toks) - 1 and (toks[k].pos_ not in ("PROPN", "NOUN", "NUM") or toks[k].text.lower() in PRONOUNS):
            k += 1
        rest = toks[k:]
        if any(t.pos_ in ("VERB", "AUX") for t in rest) or rest[-1].pos_ not in ("PROPN", "NOUN", "NUM"):
            return None, end
        return max(start, rest[0].idx + off), end

    def _syntax(self, start: int, end: int) -> dict[str, float]:
        """The mention's role in its sentence, from spaCy's parse."""
        parsed = self.art.parsed
        out: dict[str, float] = {}
        toks = parsed.tokens(start, end) if parsed.covers(start, end) else []
        inside = {t.i for t in toks}
        root = next((t for t in toks if t.head.i not in inside or t.head.i == t.i), None)
        if root is None:
            return out
        head = root.head
        # an appositive or a compound hangs on the name it describes: climb to the clause role
        while root.dep_ in ("appos", "compound", "conj") and head.i != root.i:
            root, head = head, head.head
        word = head.text.lower()
        if root.dep_ in ("nsubj", "nsubjpass"):
            out["subject_of_verb"] = 1.0
            if word in _SPEECH:
                out["subject_of_speech_verb"] = 1.0
        if root.dep_ == "pobj" and head.text.lower() == "to" and head.head.text.lower() == "according":
            out["according_to"] = 1.0
        if root.dep_ in ("dobj", "pobj", "poss", "iobj") and "according_to" not in out:
            out["object_or_possessive"] = 1.0
        if toks[0].i > 0 and toks[0].doc[toks[0].i - 1].text.lower() in _SPEECH:
            out["after_speech_verb"] = 1.0
        before = self.text[max(0, start - 40) : start].lower().split()
        if (before and before[-1].strip(",") in ROLE_TITLE_WORDS) or _APPOSITIVE_ROLE.match(self.text, end, end + 60):
            out["has_title"] = 1.0
        return out


def _confidence_bins(conf: float) -> str:
    return "is_rule_conf_high" if conf >= 0.85 else ("is_rule_conf_mid" if conf >= 0.65 else "is_rule_conf_low")


def candidates(ctx: _Context, index: int) -> list[Candidate]:
    """The candidates of quote ``index`` (the last one: nobody)."""
    q = ctx.quotes[index]
    text = ctx.text
    indirect = q.kind == "indirect"
    p_idx = ctx.paragraph_of(q.start)
    p_start, p_end = ctx.paragraphs[p_idx]
    lo = max(ctx.paragraphs[max(0, p_idx - PARAGRAPHS_BEFORE)][0], q.start - CHARS_BEFORE)
    hi = min(p_end, q.end + CHARS_AFTER)
    next_para = None
    if p_idx + 1 < len(ctx.paragraphs):
        sents = ctx.sentences(p_idx + 1)
        if sents:
            next_para = sents[0]
    sent = ctx.sentence_of(q.start)

    groups: dict[tuple[str, ...], Candidate] = {}
    order: list[tuple[str, ...]] = []

    def group(name: str, speaker_type: str) -> Candidate:
        k = _key(name)
        if k not in groups:
            groups[k] = Candidate(name, speaker_type, {})
            order.append(k)
        return groups[k]

    # spaCy's people and organisations in the window
    spans = [(lo, hi)] + ([next_para] if next_para else [])
    for a, b in spans:
        i = bisect_left(ctx.m_starts, a)
        while i < len(ctx.mentions) and ctx.mentions[i].start < b:
            m = ctx.mentions[i]
            i += 1
            if q.start <= m.start < q.end:
                continue  # inside the quote (an indirect one is not masked)
            c = group(m.name, "person" if m.label in _PERSON_LABELS else "organisation")
            v = c.values
            after = m.start >= q.end
            dist = (m.start - q.end) if after else max(0, q.start - m.end)
            m_par = ctx.paragraph_of(m.start)
            v["log_mentions_window"] = v.get("log_mentions_window", 0.0) + 1.0  # count now, log later
            if m.features.get("subject_of_speech_verb"):
                v["any_subject_of_speech_verb"] = 1.0
            best = v.get("_dist")
            # the mention the candidate is described by: the nearest, a speech-verb subject first
            rank = (0 if m.features.get("subject_of_speech_verb") and m_par == p_idx else 1, dist)
            if best is not None and rank >= best:
                continue
            v["_dist"] = rank  # type: ignore[assignment]
            c.start, c.end, c.mention = m.start, m.end, text[m.start : m.end]
            for k in ("ent_person", "ent_org", "ent_gpe", "log_char_distance", "same_sentence", "same_paragraph",
                      "paragraph_distance_1", "paragraph_distance_2plus", "after_quote", "next_paragraph",
                      "subject_of_speech_verb", "subject_of_verb", "after_speech_verb", "according_to",
                      "object_or_possessive", "has_title", "opens_paragraph"):
                v.pop(k, None)
            v.update(m.features)
            v["ent_person" if m.label in _PERSON_LABELS else ("ent_org" if m.label in _ORG_LABELS else "ent_gpe")] = 1.0
            v["log_char_distance"] = math.log1p(dist)
            if sent[0] <= m.start < sent[1]:
                v["same_sentence"] = 1.0
            if m_par == p_idx:
                v["same_paragraph"] = 1.0
            elif m_par > p_idx:
                v["next_paragraph"] = 1.0
            elif p_idx - m_par == 1:
                v["paragraph_distance_1"] = 1.0
            else:
                v["paragraph_distance_2plus"] = 1.0
            if after:
                v["after_quote"] = 1.0
            if m.start - ctx.paragraphs[m_par][0] < 3:
                v["opens_paragraph"] = 1.0

    # the speakers of the neighbouring quotes
    prev_speakers: list[tuple[str, str]] = []
    for j in range(index - 1, max(-1, index - 1 - QUOTES_LOOKED_BACK), -1):
        pq = ctx.quotes[j]
        if ctx.paragraph_of(pq.start) < p_idx - PARAGRAPHS_BEFORE:
            break
        if pq.speaker and not _valid_name(pq.speaker) and ctx.fragment(pq.speaker_start, pq.speaker_end):
            continue  # a fragment the rules made is no one's speaker
        if pq.speaker and all(_key(pq.speaker) != _key(s) for s, _ in prev_speakers):
            prev_speakers.append((pq.speaker, pq.speaker_type))
            if len(prev_speakers) == NEIGHBOUR_QUOTES:
                break
    for rank, (name, typ) in enumerate(prev_speakers):
        c = group(name, typ)
        c.values["is_prev_speaker" if rank == 0 else "is_prev2_speaker"] = 1.0
    if index + 1 < len(ctx.quotes):
        nq = ctx.quotes[index + 1]
        if nq.speaker and ctx.paragraph_of(nq.start) <= p_idx + 1 and (
                _valid_name(nq.speaker) or not ctx.fragment(nq.speaker_start, nq.speaker_end)):
            group(nq.speaker, nq.speaker_type).values["is_next_speaker"] = 1.0

    # the rules' choice
    if q.speaker:
        c = group(q.speaker, q.speaker_type)
        c.values["is_rule"] = 1.0
        c.values[_confidence_bins(q.speaker_confidence)] = 1.0
        if indirect:
            c.values["is_rule_indirect"] = 1.0
        c.start, c.end = q.speaker_start, q.speaker_end
        c.mention = text[q.speaker_start : q.speaker_end] if q.speaker_start is not None else None
        if c.mention is None:
            c.values["is_rule_carried"] = 1.0  # a continuation of an earlier quote's speaker
        elif c.mention.strip().lower() in PRONOUNS:
            c.values["is_rule_pronoun"] = 1.0
        elif not _valid_name(q.speaker) and ctx.fragment(q.speaker_start, q.speaker_end):
            c.values["is_rule_fragment"] = 1.0
        if "_dist" not in c.values and q.speaker_start is not None:
            # no entity names it near the quote (a role, a pronoun): where the rules' mention is
            v, at = c.values, q.speaker_start
            after = at >= q.end
            v["log_char_distance"] = math.log1p((at - q.end) if after else max(0, q.start - (q.speaker_end or at)))
            m_par = ctx.paragraph_of(at)
            if sent[0] <= at < sent[1]:
                v["same_sentence"] = 1.0
            v["same_paragraph" if m_par == p_idx else ("next_paragraph" if m_par > p_idx else
              ("paragraph_distance_1" if p_idx - m_par == 1 else "paragraph_distance_2plus"))] = 1.0
            if after:
                v["after_quote"] = 1.0

    # a surname candidate is the full name the window also has ("Trump" with "Donald Trump")
    multi = {}
    for k in order:
        if len(k) > 1:
            multi.setdefault(k[-1], []).append(k)
    out: list[Candidate] = []
    for k in order:
        c = groups[k]
        if len(k) == 1 and len(multi.get(k[0], ())) == 1 and "is_rule" not in c.values:
            target = groups[multi[k[0]][0]]
            for f, x in c.values.items():
                if f.startswith("is_prev") or f == "is_next_speaker" or f == "any_subject_of_speech_verb":
                    target.values[f] = max(target.values.get(f, 0.0), x)
            continue
        out.append(c)
    nearest: dict[str, tuple] = {}
    for c in out:
        d = c.values.get("_dist")
        if d is None:
            continue
        side = "nearest_after" if c.values.get("after_quote") else "nearest_before"
        if side not in nearest or d[1] < nearest[side][0]:
            nearest[side] = (d[1], c)
        if c.values.get("subject_of_speech_verb") and ("nearest_speech_subject" not in nearest or d[1] < nearest["nearest_speech_subject"][0]):
            nearest["nearest_speech_subject"] = (d[1], c)
    for f, (_, c) in nearest.items():
        c.values[f] = 1.0
    for c in out:
        v = c.values
        d = v.pop("_dist", None)
        if d is None:
            v["no_mention"] = 1.0
            if v.get("is_rule"):
                v["is_rule_not_entity"] = 1.0
        if v.get("is_rule") and c.speaker_type == "role":
            v["is_rule_role"] = 1.0
        if v.get("subject_of_speech_verb") and v.get("same_sentence"):
            v["speech_subject_same_sentence"] = 1.0
        v["log_mentions_window"] = math.log1p(v.get("log_mentions_window", 0.0))
        v["log_mentions_article"] = math.log1p(ctx.article_counts.get(_key(c.name), 0))
        v["multiword"] = float(len(c.name.split()) > 1)
        before = bisect_left(ctx.speaker_positions.get(_key(c.name), []), q.start)
        v["log_times_quoted_before"] = math.log1p(before)
        if q.speaker is None:
            v["rule_gave_none"] = 1.0
        if indirect:
            if v.get("subject_of_speech_verb"):
                v["indirect_subject_of_speech_verb"] = 1.0
            if v.get("same_sentence"):
                v["indirect_same_sentence"] = 1.0
            if v.get("is_prev_speaker"):
                v["indirect_prev_speaker"] = 1.0
    # a he/she cue agrees with the candidate's gender, or not
    cue = text[q.speaker_start : q.speaker_end].strip().lower() if q.speaker_start is not None and q.speaker_end else ""
    if cue in ("he", "she"):
        want = "m" if cue == "he" else "f"
        for c in out:
            got = ctx.genders.of(_key(c.name)) if c.speaker_type != "organisation" else None
            if got is not None:
                c.values["pronoun_gender_agrees" if got == want else "pronoun_gender_clashes"] = 1.0
    nobody = Candidate(None, "unknown", {"is_none": 1.0, "none_log_words": math.log1p(len(q.text.split()))})
    if q.speaker is None:
        nobody.values["none_rule_none"] = 1.0
    if indirect:
        nobody.values["none_indirect"] = 1.0
    if q.cue is None:
        nobody.values["none_no_cue"] = 1.0
    if q.start - p_start < 3:
        nobody.values["none_quote_opens_paragraph"] = 1.0
    out.append(nobody)
    return out


def article_candidates(art, paragraphs: list[tuple[int, int]], quotes: list[Quote]) -> list[list[Candidate]]:
    """The candidates of every quote of an article, for training; none for a quote the rules
    settle alone (a transcript turn), which ``rerank`` leaves as it is."""
    ctx = _Context(art, paragraphs, quotes)
    return [[] if q.start in art.fixed else candidates(ctx, i) for i, q in enumerate(quotes)]


# --- the model --------------------------------------------------------------------------------

class ModelError(ValueError):
    """The ranker's model file does not fit this code."""


@dataclass(frozen=True, slots=True)
class Model:
    features: tuple[str, ...]
    coefficients: tuple[float, ...]
    intercept: float
    # the ranker decides only where the rules gave nobody or were less sure than this
    override_below: float = 1.01
    # ... and only when its choice is at least this probable
    min_probability: float = 0.0
    # "logistic": each candidate's own probability; "softmax": normalised over the quote's
    # candidates (a conditional logit, which has no use for the intercept)
    scoring: str = "logistic"

    def score(self, c: Candidate) -> float:
        return self.intercept + sum(self.coefficients[_INDEX[k]] * float(x) for k, x in c.values.items())

    def probabilities(self, cands: list[Candidate]) -> list[float]:
        z = [self.score(c) for c in cands]
        if self.scoring == "softmax":
            top = max(z)
            e = [math.exp(x - top) for x in z]
            total = sum(e)
            return [x / total for x in e]
        return [1.0 / (1.0 + math.exp(-x)) if x > -500 else 0.0 for x in z]


def model_from_dict(data: object) -> Model:
    """Validate the JSON content of a model file; a mismatch with ``FEATURES`` is a ModelError."""
    if not isinstance(data, dict):
        raise ModelError("speaker ranker model: expected a JSON object")
    if data.get("version") != MODEL_VERSION:
        raise ModelError(f"speaker ranker model: version {data.get('version')!r}, this code reads {MODEL_VERSION}")
    names = data.get("features")
    coef = data.get("coefficients")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ModelError("speaker ranker model: 'features' must be a list of names")
    if tuple(names) != FEATURES:
        missing = [n for n in FEATURES if n not in names]
        extra = [n for n in names if n not in FEATURES]
        raise ModelError(
            "speaker ranker model: its features do not match stance.quotes.ranker.FEATURES "
            f"(missing {missing}, unknown {extra}"
            + (", or in another order" if not missing and not extra else "")
            + "); retrain it with `python -m training.speaker_ranker`")
    if not isinstance(coef, list) or len(coef) != len(names):
        raise ModelError(f"speaker ranker model: {len(names)} features but "
                         f"{len(coef) if isinstance(coef, list) else 'no'} coefficients")
    numbers = [*coef, data.get("intercept"), data.get("override_below", 1.01), data.get("min_probability", 0.0)]
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in numbers):
        raise ModelError("speaker ranker model: coefficients, intercept and thresholds must be finite numbers")
    scoring = data.get("scoring", "logistic")
    if scoring not in ("logistic", "softmax"):
        raise ModelError(f"speaker ranker model: scoring {scoring!r}, expected 'logistic' or 'softmax'")
    return Model(tuple(names), tuple(float(x) for x in coef), float(data["intercept"]),
                 float(data.get("override_below", 1.01)), float(data.get("min_probability", 0.0)), scoring)


def load_model(path: str | Path | None = None) -> Model:
    """The model in ``path``, or the shipped ``stance/resources/speaker_ranker.json``."""
    if path is None:
        raw = (resources.files("stance") / "resources" / "speaker_ranker.json").read_text(encoding="utf-8")
    else:
        raw = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        raise ModelError(f"speaker ranker model: invalid JSON ({e})") from e
    return model_from_dict(data)


_MODEL: Model | None = None
_MODEL_FAILED = False


def shipped_model() -> Model | None:
    """The shipped model, loaded once; None (with a warning) when it is missing or broken, so
    extraction falls back to the rules instead of raising."""
    global _MODEL, _MODEL_FAILED
    if _MODEL is None and not _MODEL_FAILED:
        try:
            _MODEL = load_model()
        except (OSError, ModelError) as e:
            _MODEL_FAILED = True
            warnings.warn(f"speaker ranker disabled: {e}", RuntimeWarning, stacklevel=2)
    return _MODEL


def choose(model: Model, quote: Quote, cands: list[Candidate]) -> tuple[Candidate, float] | None:
    """The candidate the model picks for ``quote`` with its probability, or None to keep the
    rules' choice."""
    if quote.speaker is not None and quote.speaker_confidence >= model.override_below:
        return None
    scored = [(p, k, c) for k, (p, c) in enumerate(zip(model.probabilities(cands), cands))]
    p, _, best = max(scored, key=lambda t: (t[0], -t[1]))
    if best.values.get("is_rule") or (best.name is None and quote.speaker is None):
        return None
    if p < model.min_probability:
        return None
    return best, p


def rerank(art, paragraphs: list[tuple[int, int]], quotes: list[Quote], model: Model | None) -> list[Quote]:
    """``quotes`` with the speakers the model prefers where it overrides the rules."""
    if model is None or not quotes:
        return quotes
    from dataclasses import replace

    ctx = _Context(art, paragraphs, quotes)
    out = []
    for i, q in enumerate(quotes):
        if q.start in art.fixed:  # a transcript turn: its label is its speaker, Q and A nobody
            out.append(q)
            continue
        picked = choose(model, q, candidates(ctx, i))
        if picked is None:
            out.append(q)
            continue
        c, p = picked
        if c.name is None:
            out.append(replace(q, speaker=None, speaker_type="unknown", speaker_confidence=0.0,
                               speaker_start=None, speaker_end=None))
        else:
            kind = art.registry.kinds.get(c.name, c.speaker_type)
            out.append(replace(q, speaker=c.name, speaker_type=kind if kind in ("person", "organisation", "role") else "person",
                               speaker_confidence=round(max(0.01, min(1.0, p)), 3),
                               speaker_start=c.start, speaker_end=c.end))
    return out
