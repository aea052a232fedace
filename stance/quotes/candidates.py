"""Speaker candidates: names, pronouns and noun phrases in an attribution segment."""
from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass

from stance.quotes.lexicon import (
    NON_PERSON_WORDS, NOT_NAME_START, PREPOSITIONS, PRONOUNS, ROLE_NOUNS, TIME_WORDS, TITLES,
)
from stance.quotes.spans import _MASK

# "Rep. Jim Jordan", "Ursula von der Leyen".
_TITLE_ABBR = r"(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Sgt|Capt|Maj|Gov|Sen|Rep|Rev|Adm|St|Jr|Sr)\."
_CAP_TOKEN = rf"(?:{_TITLE_ABBR}|(?:[A-Z]\.){{1,3}}|(?:(?:al|el|ad|an|ar|as|ash|at|az|ul)-)?[A-Z][\w’'\-]*)"
_SPACED_PARTICLE = r"(?:al|el|bin|ibn|bint|de|da|di|del|der|du|van|von|la|le|abu|dos|das)"
_NAME_RE = re.compile(rf"{_CAP_TOKEN}(?:[ \u00a0]+(?:{_SPACED_PARTICLE}[ \u00a0]+)*{_CAP_TOKEN})*")
_TRAILING_NAME_RE = re.compile(rf"(?:^|[ \u00a0])({_NAME_RE.pattern})$")
_WORD_RE = re.compile(r"\b([A-Za-z]+)\b")


@dataclass(slots=True)
class _Speaker:
    mention: str
    start: int
    end: int


_TITLE_STEMS = frozenset(t.rstrip(".") for t in TITLES)


def _strip_titles(name: str) -> str:
    """'Defence Minister Samir Khoury' -> 'Samir Khoury'; a bare title is kept as it is."""
    words = name.split()
    last_title = max((k for k, w in enumerate(words) if w.lower().rstrip(".") in _TITLE_STEMS), default=-1)
    if 0 <= last_title < len(words) - 1 and all(w[:1].isupper() for w in words[: last_title + 1]):
        words = words[last_title + 1 :]
    return " ".join(words)


# Capitalised words the current article also uses mid-sentence: proper nouns, as opposed to
# words capitalised only because they open a sentence ("Recently", "Whether", "Basing").
# A ContextVar keeps extract_quotes safe to call from several threads.
_PROPER: ContextVar[frozenset[str] | None] = ContextVar("_PROPER", default=None)
_MID_SENTENCE_CAP_RE = re.compile(r"(?<=[a-z0-9,;:)] )[A-Z][\w’'\-]*|(?<=[a-z0-9,;:)] )(?:al|el|at|as|ad|an|ar)-[A-Z][\w’'\-]*")


def _proper_words(text: str) -> frozenset[str]:
    return frozenset(m.group() for m in _MID_SENTENCE_CAP_RE.finditer(text))


def _is_name(clause: str) -> bool:
    if not _NAME_RE.fullmatch(clause):
        return False
    words = clause.split()
    lowered = [w.lower().rstrip(".") for w in words]
    if lowered[0] in NOT_NAME_START or all(w in TIME_WORDS for w in lowered):
        return False
    proper = _PROPER.get()
    if proper is not None and words[0] not in proper and not re.match(_TITLE_ABBR, words[0]):
        # a sentence-initial word that never appears capitalised mid-sentence is no name,
        # unless a longer name follows it ("Ahmed Almahmoud")
        return len(words) > 1 and not lowered[0].endswith("ing") and words[1] in proper
    return True


def _is_person_like(name: str) -> bool:
    words = name.split()
    if not 2 <= len(words) <= 5 or words[0].lower() in NOT_NAME_START:
        return False
    if any(w.isupper() and len(w) > 1 for w in words):  # acronyms: CNN, US, ISIS
        return False
    return not any(w.lower().strip(".’'s") in NON_PERSON_WORDS or w.lower() in TIME_WORDS for w in words)


def _name_in_clause(clause: str, start: int) -> _Speaker | None:
    """A name the clause is about: the whole clause, a trailing name after a title
    ('Republican pollster Bill McInturff'), or a leading name before an adverbial
    ('Sanders on Tuesday')."""
    if _is_name(clause):
        return _Speaker(clause, start, start + len(clause))
    t = _TRAILING_NAME_RE.search(clause)
    if t and _is_name(t.group(1)):
        before = clause[: t.start(1)].split()
        if before and len(before) <= 5 and before[-1].lower() not in PREPOSITIONS and before[0].lower() not in PREPOSITIONS | {"the", "a", "an"}:
            return _Speaker(t.group(1), start + t.start(1), start + t.end(1))
    lead = _NAME_RE.match(clause)
    if lead and _is_name(lead.group()) and not re.search(r"['’]s?$", lead.group()):
        rest = clause[lead.end() :].split()
        # `Sanders on Tuesday`, `Sherry smiled and`: the name is the subject
        if rest and rest[0][:1].islower():
            return _Speaker(lead.group(), start, start + lead.end())
    return None


def _subject(segment: str, seg_start: int) -> _Speaker | None:
    """The source named in an attribution segment (between a quote and its cue verb, or between
    the sentence start and the cue verb). Appositives (", an analyst with X,") are skipped in
    favour of the name they describe; fronted phrases ("Speaking to reporters,") are skipped."""
    candidates = []
    for m in re.finditer(r"[^,;—()]+", segment):
        part = m.group()
        if part.strip() and set(part.strip()) != {_MASK}:
            candidates.append((seg_start + m.start() + len(part) - len(part.lstrip()), part.strip()))
    if not candidates:
        return None
    for off, clause in candidates:
        if clause.lower() in PRONOUNS:
            return _Speaker(clause, off, off + len(clause))
        named = _name_in_clause(clause, off)
        if named:
            return named
    # no name: the first clause that is not a fronted phrase ("In a statement, the ministry",
    # "The lawmaker, who represents ...,")
    for off, clause in candidates:
        first = clause.split()[0].lower()
        if first in PREPOSITIONS | NOT_NAME_START - {"the", "a", "an", "this", "these", "those", "his", "her", "their", "its", "our"} \
                or first.endswith("ing") or first in ("who", "which", "whose", "whom"):
            continue
        return _np_in_clause(clause, off)
    off, clause = candidates[-1]
    return _np_in_clause(clause, off)


_LEADING_PHRASE_RE = re.compile(
    r"^(?:(?:in|on|at|during|after|before|speaking|writing|asked|earlier|later|meanwhile|"
    r"however|but|and|yet|so|then|also|separately|last|this|next)\b[^A-Z]*?)(?=[A-Z]|\b(?:he|she|they|we|i|the|a|an)\b)",
)


def _np_in_clause(clause: str, start: int) -> _Speaker | None:
    m = _LEADING_PHRASE_RE.match(clause)
    if m and m.end() < len(clause):
        start += m.end()
        clause = clause[m.end() :]
    words = clause.split()
    if not words:
        return None
    if words[0].lower() in PRONOUNS and len(words) <= 2:
        return _Speaker(words[0], start, start + len(words[0]))
    named = _name_in_clause(clause.rstrip(" ."), start)
    if named:
        return named
    if len(words) > 9:
        return None  # too long to be a subject noun phrase
    text = clause.rstrip(" .")
    return _Speaker(text, start, start + len(text)) if text else None


def _plausible_subject(spk: _Speaker | None) -> _Speaker | None:
    if spk is None:
        return None
    words = spk.mention.split()
    if not words:
        return None
    first = words[0].lower()
    if first in {"that", "which", "who", "to", "of", "and", "but", "or", "if", "when", "because", "what", "while"} | PREPOSITIONS:
        return None
    if not (first in PRONOUNS or spk.mention[:1].isupper() or words[-1].lower() in ROLE_NOUNS or first in {
            "the", "a", "an", "some", "many", "several", "one", "two", "three", "officials", "sources",
            "witnesses", "residents", "activists", "analysts", "experts", "critics", "observers", "police"}):
        return None
    return spk


def _clean_speaker(mention: str) -> str:
    s = mention.strip(" \u00a0,.:;\"“”'’")
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r"^(?:the|The)\s+(?=[A-Z])", "", s)
    s = re.sub(r"\s*\([^)]*\)$", "", s)  # trailing acronym or party: "(FRB)", "(R-IN)"
    s = re.sub(r"^[A-Z][\w\-]*['’]s\s+(?=[A-Z])", "", s)  # "Iraq's Prime Minister X"
    s = re.sub(r"['’]s?$", "", s)  # a possessive is the owner: "Bill Clinton’s"
    return _strip_titles(s)



def checked(spk: _Speaker | None, parsed) -> tuple[_Speaker, str] | None:
    """The mention as a speaker with its kind (pronoun, person, organisation, role), repaired
    by the parse where the grammar cut it; None for a fragment (a dateline, a verb phrase, a
    clause). Beyond the parsed part of a long article the rules decide."""
    if spk is None:
        return None
    mention = spk.mention.strip()
    if mention.lower() in PRONOUNS:
        return spk, "pronoun"
    if parsed.covers(spk.start, spk.end):
        phrase = parsed.phrase(spk.start, spk.end)
        if phrase is not None:
            return _Speaker(parsed.text[phrase.start : phrase.end], phrase.start, phrase.end), phrase.kind
        toks = parsed.tokens(spk.start, spk.end)
        if toks and not any(t.ent_type_ or t.pos_ in ("PROPN", "NOUN") for t in toks):
            return None  # no name or noun anywhere in it for the parser: a capitalised verb ("Responding")
    # no noun at the head for the parser (or beyond the parsed part): the rules decide
    words = mention.rstrip(" .").split()
    if _is_name(mention) or _name_in_clause(mention, spk.start) is not None:
        return spk, ("person" if _is_person_like(_strip_titles(mention)) else "organisation")
    if words and words[-1].lower() in ROLE_NOUNS and len(words) <= 6 and not _VERB_LIKE.search(mention):
        return spk, "role"
    return None


# a verb inside a mention makes it a clause, not a noun phrase ("He went on to", "was quoted")
_VERB_LIKE = re.compile(r"\b(?:was|were|is|are|been|being|to|went|used|quoted|\w+ing)\b", re.I)
