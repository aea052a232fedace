"""Conflict-actor gazetteer: finds armed groups, states, parties, people and sects named in a
text and maps every alias to one canonical name.

The data, ``resources/actors.json``, is a list of entries: ``name`` (canonical, itself an alias),
``kind`` (one of KINDS), ``conflict`` (lower-case ids such as "iraq", "northern_ireland"),
``aliases``, and optionally ``exact_case``, ``metonyms``, ``exclude`` and a free-text ``note``
recording why an alias was included or left out.

Matching rules, in short:

* whole words only, leftmost and then longest alias wins ("Iraqi government", not "Iraqi");
* case-insensitive, except that an all-caps token in an alias ("ISIS", "US-led coalition") must
  appear in capitals, so "Ira Glass" or "us" do not match, and an alias listed under an entry's
  ``exact_case`` must appear exactly as written ("Turkey", not "turkey");
* any run of spaces and hyphens in an alias matches any run in the text (al-Shaabi / al Shaabi);
  any apostrophe matches any apostrophe (Shi'ites / Shi’ites); an accented letter in an alias
  also matches its plain letter (Sinn Féin / Sinn Fein), not the other way round;
* an alias listed under ``metonyms`` (a capital standing for its government) is dropped where
  the text uses it as a place: "fighting in Baghdad", "a London-based analyst";
* phrases listed under ``exclude`` ("Washington Post", "trade unionists") swallow the alias
  they contain, so it is not reported.
"""
from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

from stance.types import TargetMention

__all__ = [
    "KINDS",
    "Actor",
    "Gazetteer",
    "canonical_target",
    "find_targets",
    "load_gazetteer",
    "unique_targets",
]

KINDS = frozenset(
    {
        "armed_group",
        "coalition",
        "ethnic_group",
        "government",
        "movement",
        "organisation",
        "party",
        "person",
        "sect",
        "security_forces",
        "state",
    }
)
_FIELDS = frozenset({"name", "aliases", "kind", "conflict", "exact_case", "metonyms", "exclude", "note"})
_CONFLICT_ID = re.compile(r"[a-z][a-z_]*")

_APOSTROPHES = "'\u2019\u2018\u02bc\u02bb`\u00b4"
_SEP_CHARS = r"\s\-\u2010\u2011"  # whitespace, hyphen-minus, hyphen, non-breaking hyphen
_SEP_RUN = re.compile(f"[{_SEP_CHARS}]+")
_APOS_CHAR = re.compile(f"[{re.escape(_APOSTROPHES)}]")
_WORD_CHAR = re.compile(r"\w")
_NON_WORD_CHAR = re.compile(r"\W")
_LEADING_THE = re.compile(r"the ")

_ARABIC_PROCLITIC = "(?:(?:وبال|وال|بال|فال|وب|ال|و|ب|ف)(?=[\u0621-\u064a]))?"

# Trie edge labels that are not a single character (so they cannot collide with one).
_SEP = "<sep>"
_APOS = "<apos>"

_COMPASS = r"(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)"
# A metonym preceded by one of these is a place, not the actor it can stand for.
_PLACE_BEFORE = re.compile(
    rf"(?<!\w)(?:in|inside|within|near|outside|around|across|into|throughout|central|downtown|{_COMPASS}(?:ern)?"
    rf"|(?:{_COMPASS}|outskirts|suburbs|streets|heart|parts)\s+of)\s+(?:the\s+)?\Z",
    re.IGNORECASE,
)
_PLACE_AFTER = re.compile(r"[\-\u2010\u2011](?:based|born|made|headquartered|registered)(?!\w)", re.IGNORECASE)
_CONTEXT = 40  # characters before a metonym searched for a locative preposition


@lru_cache(maxsize=4096)  # the same few surface forms recur throughout a corpus
def _shape(s: str) -> str:
    """The alias as compared for case: apostrophes and accents dropped, separators one space."""
    s = _APOS_CHAR.sub("", s)
    if not s.isascii():
        s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return _SEP_RUN.sub(" ", s).strip()


def _key(s: str) -> str:
    """Lookup key: every spelling the matcher treats as the same maps to one key."""
    return _shape(s).casefold()


def _is_acronym(token: str) -> bool:
    return any(c.isupper() for c in token) and not any(c.islower() for c in token)


def _base(ch: str) -> str:
    """The unaccented lower-case letter a character is filed under in the trie."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).lower()
    return plain if len(plain) == 1 else ch.lower()


@dataclass(frozen=True, slots=True)
class Actor:
    """One gazetteer entry."""

    name: str
    kind: str
    conflict: tuple[str, ...]
    aliases: tuple[str, ...]  # the name first, then the listed aliases
    note: str | None = None


@dataclass(frozen=True, slots=True)
class _Entry:
    """What an alias key resolves to."""

    actor: Actor
    metonym: bool
    # For each spelling with this key: its tokens and the positions of the tokens that must match
    # as written (all of them for an exact_case alias, else its all-caps tokens). None when some
    # spelling accepts any case.
    spellings: tuple[tuple[tuple[str, ...], tuple[int, ...]], ...] | None

    def accepts(self, surface: str) -> bool:
        if self.spellings is None:
            return True
        tokens = _shape(surface).split(" ")
        return any(
            len(tokens) == len(spelling) and all(tokens[i] == spelling[i] for i in strict)
            for spelling, strict in self.spellings
        )


class _Node:
    __slots__ = ("children", "variants", "terminal")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.variants: dict[str, set[str]] = {}  # edge label -> the characters it accepts
        self.terminal = False


def _labels(phrase: str) -> list[tuple[str, str | None]]:
    """Trie edge labels for a phrase, each with the character it was written as (None for separators)."""
    labels: list[tuple[str, str | None]] = []
    for ch in phrase:
        if _SEP_RUN.fullmatch(ch):
            if not labels or labels[-1][0] != _SEP:
                labels.append((_SEP, None))
        elif ch in _APOSTROPHES:
            labels.append((_APOS, None))
        else:
            lower = ch.lower()
            labels.append((_base(ch), lower if len(lower) == 1 else ch))
    return labels


def _insert(root: _Node, phrase: str) -> None:
    node = root
    for label, written in _labels(phrase):
        accepted = node.variants.setdefault(label, set())
        if written is not None:
            accepted.update((label, written))
        node = node.children.setdefault(label, _Node())
    node.terminal = True


def _edge_regex(label: str, accepted: set[str]) -> str:
    if label == _SEP:
        return f"[{_SEP_CHARS}]+"
    if label == _APOS:
        return f"[{re.escape(_APOSTROPHES)}]"
    if len(accepted) == 1:
        return re.escape(label)
    return "[" + "".join(re.escape(c) for c in sorted(accepted)) + "]"


def _trie_regex(node: _Node) -> str:
    """Regex for the phrases below ``node``. Edges out of a node accept disjoint characters, so
    trying the longer continuation before stopping at a terminal gives the longest match."""
    branches = []
    for label, child in node.children.items():
        parts = [_edge_regex(label, node.variants[label])]
        # Follow single-child chains iteratively so long aliases do not deepen the recursion.
        while len(child.children) == 1 and not child.terminal:
            (next_label, next_child), = child.children.items()
            parts.append(_edge_regex(next_label, child.variants[next_label]))
            child = next_child
        parts.append(_trie_regex(child))
        branches.append("".join(parts))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if node.terminal else body


class Gazetteer:
    """A validated set of actors with the matcher built from their aliases."""

    def __init__(
        self,
        actors: tuple[Actor, ...],
        index: dict[str, _Entry],
        phrases: tuple[str, ...],
    ) -> None:
        self.actors = actors
        self._index = index  # alias key -> entry; excluded phrases have no key here
        self._phrases = phrases  # every alias and excluded phrase, as written

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        root = _Node()
        for phrase in self._phrases:
            _insert(root, phrase)
        body = _trie_regex(root) or "(?!)"  # an empty gazetteer matches nothing
        # Arabic writes the conjunction wa-, the preposition bi- and the article al- on the word:
        # "وداعش", "بالحشد الشعبي" name the actor; the alias itself is group "a"
        return re.compile(rf"(?<!\w){_ARABIC_PROCLITIC}(?P<a>{body})(?!\w)", re.IGNORECASE)

    def _shorter(self, text: str, start: int, end: int) -> tuple[re.Match[str], _Entry] | None:
        """The longest acceptable alias at ``start`` ending before ``end`` (after a case mismatch)."""
        limit = end - 1
        while limit > start and (m := self._pattern.match(text, start, limit)) is not None:
            # endpos makes the text look as if it ended there; check the real word boundary.
            if not _WORD_CHAR.match(text, m.end()):
                entry = self._index.get(_key(m.group("a")))
                if entry is None:  # an excluded phrase
                    return None
                if entry.accepts(m.group("a")):
                    return m, entry
            limit = m.end() - 1
        return None

    @staticmethod
    def _used_as_place(text: str, start: int, end: int) -> bool:
        return bool(
            _PLACE_AFTER.match(text, end) or _PLACE_BEFORE.search(text, max(0, start - _CONTEXT), start)
        )

    def find_targets(self, text: str) -> list[TargetMention]:
        """Every actor mention in ``text``, sorted by start, non-overlapping."""
        if not isinstance(text, str):
            raise TypeError(f"find_targets() expects a str, not {type(text).__name__}")
        mentions: list[TargetMention] = []
        pos = 0
        while (m := self._pattern.search(text, pos)) is not None:
            # None for an excluded phrase, and for the odd character the regex folds differently.
            entry = self._index.get(_key(m.group("a")))
            if entry is None:
                pos = m.end()
                continue
            if not entry.accepts(m.group("a")):
                # Only a span with a non-word character inside can hold a shorter alias, or the
                # start of another one; most rejections ("us", "Ira") are single words.
                if not _NON_WORD_CHAR.search(text, m.start("a"), m.end()):
                    pos = m.end()
                    continue
                shorter = self._shorter(text, m.start("a"), m.end())
                if shorter is None:
                    pos = m.start("a") + 1
                    continue
                m, entry = shorter
            pos = m.end()
            if entry.metonym and self._used_as_place(text, m.start("a"), m.end()):
                continue
            actor = entry.actor
            mentions.append(TargetMention(actor.name, m.group("a"), m.start("a"), m.end(), actor.kind, actor.conflict))
        return mentions

    def unique_targets(self, text: str) -> list[str]:
        """Canonical names in order of first mention, each once."""
        return list(dict.fromkeys(m.name for m in self.find_targets(text)))

    def canonical_target(self, name: str) -> str:
        """The canonical name for a known alias (any case, leading "the" ignored), else ``name`` stripped."""
        if not isinstance(name, str):
            raise TypeError(f"target must be a str, not {type(name).__name__}")
        stripped = name.strip()
        key = _key(stripped)
        entry = self._index.get(key) or self._index.get(_LEADING_THE.sub("", key, count=1))
        return entry.actor.name if entry is not None else stripped


def _string_list(raw: dict[str, Any], field: str, where: str) -> list[str]:
    value = raw.get(field, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: '{field}' must be a list of strings")
    if any(not _key(v) for v in value):
        raise ValueError(f"{where}: '{field}' contains an empty string")
    return [v.strip() for v in value]


def _parse(data: Any, source: str) -> Gazetteer:
    if not isinstance(data, list):
        raise ValueError(f"{source}: expected a JSON list of actor entries, got {type(data).__name__}")
    actors: list[Actor] = []
    index: dict[str, _Entry] = {}
    excluded: set[str] = set()
    phrases: list[str] = []
    names: dict[str, int] = {}
    for i, raw in enumerate(data):
        where = f"{source}: entry {i}"
        if not isinstance(raw, dict):
            raise ValueError(f"{where}: expected an object, got {type(raw).__name__}")
        name = raw.get("name")
        if not isinstance(name, str) or not _key(name):
            raise ValueError(f"{where}: missing or empty 'name'")
        name = name.strip()
        where = f"{source}: entry {i} ({name!r})"
        if unknown := sorted(set(raw) - _FIELDS):
            raise ValueError(f"{where}: unknown field(s) {unknown}; allowed: {sorted(_FIELDS)}")
        if name in names:
            raise ValueError(f"{where}: name already used by entry {names[name]}")
        names[name] = i
        kind = raw.get("kind")
        if not isinstance(kind, str) or kind not in KINDS:
            raise ValueError(f"{where}: 'kind' is {kind!r}; expected one of {sorted(KINDS)}")
        conflict = _string_list(raw, "conflict", where)
        if bad := [c for c in conflict if not _CONFLICT_ID.fullmatch(c)]:
            raise ValueError(f"{where}: conflict ids must be lower-case identifiers, got {bad}")
        aliases = list(dict.fromkeys([name, *_string_list(raw, "aliases", where)]))
        exact = set(_string_list(raw, "exact_case", where))
        metonyms = set(_string_list(raw, "metonyms", where))
        for field, subset in (("exact_case", exact), ("metonyms", metonyms)):
            if missing := sorted(subset - set(aliases)):
                raise ValueError(f"{where}: '{field}' lists {missing}, which are not its name or aliases")
        note = raw.get("note")
        if note is not None and not isinstance(note, str):
            raise ValueError(f"{where}: 'note' must be a string")
        actor = Actor(name, kind, tuple(conflict), tuple(aliases), note)
        actors.append(actor)

        for alias in aliases:
            key = _key(alias)
            if key in excluded:
                raise ValueError(f"{where}: alias {alias!r} is also an 'exclude' phrase")
            tokens = tuple(_shape(alias).split(" "))
            strict = tuple(j for j, t in enumerate(tokens) if alias in exact or _is_acronym(t))
            spelling = ((tokens, strict),) if strict else None
            previous = index.get(key)
            if previous is not None:
                if previous.actor is not actor:
                    raise ValueError(f"{where}: alias {alias!r} already belongs to {previous.actor.name!r}")
                if previous.metonym != (alias in metonyms):
                    raise ValueError(f"{where}: alias {alias!r} is listed both as a metonym and not")
                if previous.spellings is not None and spelling is not None:
                    spelling = previous.spellings + spelling
                else:
                    spelling = None
            index[key] = _Entry(actor, alias in metonyms, spelling)
            phrases.append(alias)
        for phrase in _string_list(raw, "exclude", where):
            if (previous := index.get(_key(phrase))) is not None:
                raise ValueError(f"{where}: exclude phrase {phrase!r} is an alias of {previous.actor.name!r}")
            excluded.add(_key(phrase))
            phrases.append(phrase)
    return Gazetteer(tuple(actors), index, tuple(phrases))


def load_gazetteer(path: str | os.PathLike[str] | None = None) -> Gazetteer:
    """Load and validate a gazetteer; ``None`` gives the bundled ``resources/actors.json`` (cached).

    Raises ValueError naming the entry and the problem for malformed data.
    """
    if path is None:
        return _default_gazetteer()
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return _parse_json(text, os.fspath(path))


def _parse_json(text: str, source: str) -> Gazetteer:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{source}: not valid JSON: {exc}") from exc
    return _parse(data, source)


@lru_cache(maxsize=1)
def _default_gazetteer() -> Gazetteer:
    resource = resources.files(__package__) / "resources" / "actors.json"
    return _parse_json(resource.read_text(encoding="utf-8"), "actors.json")


def find_targets(text: str) -> list[TargetMention]:
    """Every actor mention in ``text``, sorted by start and non-overlapping (longest alias wins)."""
    return _default_gazetteer().find_targets(text)


def unique_targets(text: str) -> list[str]:
    """Canonical names of the actors in ``text``, in order of first mention, without repeats."""
    return _default_gazetteer().unique_targets(text)


def canonical_target(name: str) -> str:
    """Normalise a user-given target to its canonical name when it is a known alias."""
    return _default_gazetteer().canonical_target(name)
