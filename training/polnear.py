"""Reader for PolNeAR (brat standoff attribution relations) in the project's quote schema.

Layout: ``<root>/data/<split>/text/<article>.txt`` and
``<root>/data/<split>/attributions/<article>_<annotator>.ann``. Each ``E`` line ties an
``Attribution`` (or ``Attribution-no-source``) trigger to ``Source``, ``Cue`` and
``Content`` (rarely also ``Content2``) text-bound ``T`` spans; a span may be
discontinuous (``a b;c d``). ``Discard``/``Discuss`` spans belong to no relation and are
ignored.

Decisions (documented here because the gold depends on them):

* Several ``.ann`` per article (the inter-annotator-agreement articles, 6 annotators
  each): the annotator id that sorts first is used, so the choice is deterministic and
  independent of file-system order.
* Offsets are taken from the ``.ann`` and the text is sliced from the ``.txt`` (the
  ``.ann`` copy of the span text is ignored; it may contain newlines).
* Source and Cue are swapped back where an annotator swapped them (Source ``said``).
* Content: surrounding whitespace and double quotation marks are trimmed from each
  part (the contract's ``text`` excludes the marks). ``parts`` keeps the pieces; ``start``
  and ``end`` cover them all, so ``article[start:end] == text`` as for ``Quote``, and a
  split quote (``"A," he said. "B."``) stays one statement, as PolNeAR annotates it.
  ``Content2`` parts are merged into the content.
* kind: ``direct`` when at least half of the content's letters/digits lie inside double
  quotation marks (straight, curly or the NYT's ``''``; quote state is tracked per
  paragraph so an unclosed mark never leaks into the next one), else ``indirect``.
* speaker (``resolution`` says how it was obtained; ``guessed`` marks the guessed ones):
  - ``none``: no source (``Attribution-no-source``) -> None.
  - ``name``: the source (cut at its first comma, parenthesis or preposition) ends in a
    capitalised run -> that run after its last title or function word
    (``Republican nominee Mike Pence`` -> ``Mike Pence``, ``What Mr. Obama`` -> ``Obama``).
  - ``surname``: that name is one word (``Clinton``, ``Mr. Obama``; not ``The Times``)
    and earlier capitalised runs of two or more words end with it -> their first name +
    initials + surname; the first name mentioned most often wins, then the longest form,
    then the nearest (``Trump`` -> ``Donald J. Trump``, not ``Melania Trump``). Guessed.
  - ``pronoun``: a pronoun source -> the speaker of the nearest previous relation (by
    source offset) whose speaker came from a name. Guessed; ``unresolved`` when there is
    none (speaker stays the pronoun).
  - ``relative``: ``who``/``which``/``that`` -> the name run right before it
    (``Smith, who said``), else ``unresolved``. Guessed.
  - ``description``: anything else (``the report``, ``The Clinton campaign``) -> the
    source text as written.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from stance.types import QuoteKind

Resolution = Literal["none", "name", "surname", "pronoun", "relative", "unresolved", "description"]
Spans = tuple[tuple[int, int], ...]

PRONOUNS = frozenset("he she they it we i you him her them us me his its their our".split())
RELATIVE_PRONOUNS = frozenset("who which that whom".split())
# A name run keeps only the words after the last of these: titles, roles, party labels and
# the function words that are capitalised at the start of a sentence ("What Mr. Obama").
NAME_PREFIXES = frozenset(
    """the a an mr mrs ms dr prof rev sen rep gov gen lt col sgt capt maj adm president vice
    senator governor representative secretary general retired former sheikh pope king queen
    prince minister mayor judge chairman chief speaker candidate nominee republican
    democratic democrat gop but and or so when while after before as if then yet also in on
    at by for from with of to what why how where who which this that these those there here
    it its he she they we i you his her their our my today yesterday monday tuesday
    wednesday thursday friday saturday sunday""".split()
)
_PREPOSITIONS = frozenset("of for in at from with by on to about among".split())
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
# A few relations have Source and Cue swapped (Source "said", Cue "Molitor").
_SWAPPED_SOURCES = frozenset("say says said tell tells told add adds added write writes wrote".split())
_QUOTE_MARKS = '"\u201c\u201d'
_QUOTE_TOKEN = re.compile("''|[\"\u201c\u201d\n]")
# A capitalised word, an initial/acronym ("E.", "U.S.") or a dotted title; a dot after any
# other word ends the run, so "Rand Paul. Trump" is two runs.
_NAME_WORD = r"(?:[A-Z]\.)+|(?:Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Maj|Adm|Jr|Sr|St|Rev|Prof)\.|[A-Z][\w'\u2019-]*"
_NAME_RUN = re.compile(rf"(?:{_NAME_WORD})(?:[ \t]+(?:{_NAME_WORD}))*")
_INITIAL = re.compile(r"[A-Z]\.$")
_POSSESSIVE = re.compile(r"['\u2019]s?$")


@dataclass(frozen=True, slots=True)
class GoldQuote:
    """One PolNeAR attribution in the shape of ``stance.types.Quote``, plus provenance."""

    text: str
    start: int
    end: int
    parts: Spans
    kind: QuoteKind
    speaker: str | None
    speaker_mention: str | None  # the Source span as written, e.g. "he"
    speaker_start: int | None
    speaker_end: int | None
    cue: str | None
    resolution: Resolution
    relation: str  # the E-line id, e.g. "E5"

    @property
    def guessed(self) -> bool:
        return self.resolution in ("surname", "pronoun", "relative", "unresolved")


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    split: str
    annotator: str
    text: str
    quotes: tuple[GoldQuote, ...]


@dataclass(frozen=True, slots=True)
class Relation:
    """One E-line: the spans of its roles (Content2 merged into content)."""

    id: str
    source: Spans
    cue: Spans
    content: Spans


# --- brat -----------------------------------------------------------------------------

def parse_ann(ann: str) -> list[Relation]:
    """Relations of one .ann file, with their role spans (unsorted pieces are sorted)."""
    spans: dict[str, Spans] = {}
    events: list[tuple[str, list[tuple[str, str]]]] = []
    for line in ann.splitlines():
        fields = line.split("\t")
        if len(fields) < 2:
            continue  # continuation of a span text that contained a newline
        if fields[0].startswith("T"):
            _label, _, offsets = fields[1].partition(" ")
            spans[fields[0]] = tuple(
                sorted((int(a), int(b)) for a, b in (p.split() for p in offsets.split(";")))
            )
        elif fields[0].startswith("E"):
            events.append((fields[0], [arg.split(":", 1) for arg in fields[1].split() if ":" in arg]))
    relations = []
    for eid, args in events:
        roles: dict[str, list[tuple[int, int]]] = {"Source": [], "Cue": [], "Content": []}
        for role, tid in args:
            role = role.rstrip("0123456789")  # Content2 -> Content
            if role in roles and tid in spans:
                roles[role].extend(spans[tid])
        if roles["Content"]:  # a relation without content has nothing to score
            relations.append(Relation(eid, *(tuple(sorted(roles[r])) for r in ("Source", "Cue", "Content"))))
    return relations


def _unswap(text: str, rel: Relation) -> Relation:
    source = " ".join(text[s:e] for s, e in rel.source).strip().lower()
    if source in _SWAPPED_SOURCES and rel.cue:
        return Relation(rel.id, rel.cue, rel.source, rel.content)
    return rel


# --- conversion -------------------------------------------------------------------------

def trim_quotes(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``, ``end`` moved inwards past whitespace and double quotation marks."""
    while start < end:
        if text.startswith("''", start):  # the NYT's typewriter double quote
            start += 2
        elif text[start].isspace() or text[start] in _QUOTE_MARKS:
            start += 1
        else:
            break
    while end > start:
        if text.startswith("''", end - 2):
            end -= 2
        elif text[end - 1].isspace() or text[end - 1] in _QUOTE_MARKS:
            end -= 1
        else:
            break
    return start, end


def _inside_quotes(text: str) -> bytearray:
    """1 for every character between double quotation marks; state resets at each newline."""
    inside = bytearray(len(text))
    opened: int | None = None
    for m in _QUOTE_TOKEN.finditer(text):
        mark = m.group()
        if opened is not None and mark != "\u201c":
            inside[opened : m.start()] = b"\x01" * (m.start() - opened)
            opened = None
        elif mark not in ("\n", "\u201d"):
            opened = m.end()
    return inside


def _kind(text: str, parts: Spans, inside: bytearray) -> QuoteKind:
    alnum = [i for s, e in parts for i in range(s, e) if text[i].isalnum()]
    quoted = sum(inside[i] for i in alnum)
    return "direct" if alnum and quoted * 2 >= len(alnum) else "indirect"


def _words(run: str) -> list[str]:
    return [_POSSESSIVE.sub("", w) for w in run.split()]


def _strip_prefixes(words: list[str]) -> list[str]:
    """Words after the last title or function word; the last word always stays ("Charlie King")."""
    cut = max((i + 1 for i, w in enumerate(words[:-1]) if w.lower().rstrip(".") in NAME_PREFIXES), default=0)
    return words[cut:]


def name_in(mention: str) -> str | None:
    """The name a source mention ends with, titles dropped; None for a description.

    The mention is cut at its first comma, parenthesis or preposition (``Rep. Charles B.
    Rangel of New York``, ``Sen. X (D-Mo.)``). ``Republican nominee Mike Pence`` and
    ``Mr. Obama`` end in names; ``the super PAC`` (one capitalised word after a plain
    noun), ``The President`` and ``members of the House`` do not.
    """
    words = _PARENTHESES.sub("", mention).split(",")[0].split()
    cut = next((i for i, w in enumerate(words) if w in _PREPOSITIONS), len(words))
    head = " ".join(words[:cut])
    runs = list(_NAME_RUN.finditer(head))
    if not runs or runs[-1].end() != len(head):
        return None
    before = head[: runs[-1].start()].lower().split()
    name = _strip_prefixes(_words(runs[-1].group()))
    if len(name) == 1 and (name[0].lower() in NAME_PREFIXES or any(w not in NAME_PREFIXES for w in before)):
        return None
    return " ".join(name)


def _person(words: list[str]) -> list[str]:
    """The first name, middle initials and surname at the end of a run ("CNN Jake Tapper")."""
    i = len(words) - 2
    while i > 0 and _INITIAL.match(words[i]):
        i -= 1
    return words[max(i, 0) :]


def _full_name(text: str, surname: str, before: int) -> str:
    """The full name, mentioned before ``before``, that a one-word name refers to.

    Candidates are the earlier capitalised runs of two or more words ending in ``surname``
    (cut to first name + initials + surname). The first name mentioned most often wins
    ("Donald" over "Melania" for "Trump"), then the longest form, then the nearest.
    """
    names = []
    for m in _NAME_RUN.finditer(text, 0, before):
        words = _strip_prefixes(_words(m.group()))
        if len(words) > 1 and words[-1] == surname:
            names.append(_person(words))
    if not names:
        return surname
    firsts = Counter(n[0] for n in names)
    _, _, best = max((firsts[n[0]], len(n), i) for i, n in enumerate(names))
    return " ".join(names[best])


def _resolve(text: str, rel: Relation, previous_name: str | None) -> tuple[str | None, Resolution]:
    if not rel.source:
        return None, "none"
    start = rel.source[0][0]
    mention = text[start : rel.source[-1][1]]
    low = mention.strip().lower()
    if low in PRONOUNS:
        return (previous_name, "pronoun") if previous_name else (mention, "unresolved")
    if low in RELATIVE_PRONOUNS:
        # The antecedent is the phrase right before the relative pronoun: "Smith, who said".
        line = text[max(0, start - 200) : start].rstrip(" ,").rpartition("\n")[2]
        name = name_in(line.rpartition(",")[2])
        if name is None:
            return mention, "unresolved"
        return (name if " " in name else _full_name(text, name, start)), "relative"
    name = name_in(mention)
    if name is None:
        return mention, "description"
    if " " in name or low.startswith("the "):  # full already, or an organisation ("The Times")
        return name, "name"
    full = _full_name(text, name, start)
    return (full, "surname") if full != name else (name, "name")


def convert(text: str, relations: Iterable[Relation]) -> tuple[GoldQuote, ...]:
    """Gold quotes of one article, sorted by position, speakers resolved as documented above."""
    inside = _inside_quotes(text)
    previous_name: str | None = None
    quotes = []
    # Pronouns look back to earlier sources, so relations are taken in source order.
    for rel in sorted((_unswap(text, r) for r in relations), key=lambda r: (r.source or r.content)[0][0]):
        speaker, how = _resolve(text, rel, previous_name)
        if how in ("name", "surname"):
            previous_name = speaker
        parts = tuple(p for p in (trim_quotes(text, s, e) for s, e in rel.content) if p[0] < p[1])
        if not parts:
            continue
        start, end = parts[0][0], parts[-1][1]
        src_start, src_end = (rel.source[0][0], rel.source[-1][1]) if rel.source else (None, None)
        quotes.append(
            GoldQuote(
                text=text[start:end],
                start=start,
                end=end,
                parts=parts,
                kind=_kind(text, parts, inside),
                speaker=speaker,
                speaker_mention=text[src_start:src_end] if rel.source else None,
                speaker_start=src_start,
                speaker_end=src_end,
                cue=" ".join(text[s:e] for s, e in rel.cue) or None,
                resolution=how,
                relation=rel.id,
            )
        )
    return tuple(sorted(quotes, key=lambda q: (q.start, q.end)))


# --- files ------------------------------------------------------------------------------

def read_split(root: Path, split: str) -> Iterator[Article]:
    """Articles of one split, sorted by id; ``root`` is the PolNeAR folder (holding ``data/``)."""
    base = Path(root) / "data" / split
    if not (base / "text").is_dir():
        raise FileNotFoundError(f"no PolNeAR split {split!r}: {base / 'text'} does not exist")
    chosen: dict[str, tuple[str, Path]] = {}
    for ann in sorted((base / "attributions").glob("*.ann")):
        article, _, annotator = ann.stem.rpartition("_")
        chosen.setdefault(article, (annotator, ann))  # sorted: first annotator id wins
    for article, (annotator, ann) in sorted(chosen.items()):
        text = (base / "text" / f"{article}.txt").read_text(encoding="utf-8")
        quotes = convert(text, parse_ann(ann.read_text(encoding="utf-8")))
        yield Article(article, split, annotator, text, quotes)


def read_polnear(root: Path, splits: Iterable[str]) -> Iterator[Article]:
    for split in splits:
        yield from read_split(root, split)
