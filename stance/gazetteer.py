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

import difflib
import hashlib
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
    "as_gazetteer",
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
    """A validated set of actors with the matcher built from their aliases; immutable, so one
    object can be loaded once and passed to every call (`gazetteer=`).

    >>> g = Gazetteer.from_file("examples/actors.json")   # the shipped actors plus the file's
    >>> g.unique_targets("The Karkh Neighbourhood Guard blamed the PMF.")
    """

    def __init__(
        self,
        actors: tuple[Actor, ...],
        index: dict[str, _Entry],
        phrases: tuple[str, ...],
        entries: tuple[dict[str, Any], ...] = (),
        source: str = "actors.json",
    ) -> None:
        self.actors = actors
        self._index = index  # alias key -> entry; excluded phrases have no key here
        self._phrases = phrases  # every alias and excluded phrase, as written
        self._entries = entries  # the validated entries, as in the file format
        self.source = source

    # --- construction --------------------------------------------------------------------

    @classmethod
    def default(cls) -> Gazetteer:
        """The shipped list, ``resources/actors.json`` (loaded once per process)."""
        return _default_gazetteer()

    @classmethod
    def from_entries(cls, entries: Any, source: str = "<entries>", extend: bool = True) -> Gazetteer:
        """From a list of entries in the actors.json format: merged into the shipped list
        (``extend=True``), or alone. Raises ValueError naming the entry, the field and the fix."""
        checked = _check_user_entries(entries, source)
        if extend:
            return _default_gazetteer()._merge(checked, source)
        for i, e in enumerate(checked):
            if "kind" not in e:
                raise ValueError(f"{_where(source, i, e['name'])}: field 'kind' is missing; add one of {sorted(KINDS)}")
        return _parse(checked, source)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], extend: bool = True) -> Gazetteer:
        """A JSON file of your own actors, in the format of the shipped actors.json, merged into
        the shipped list (``extend=False``: the file's actors alone). An entry named like a
        shipped actor adds aliases to it; a new name adds an actor."""
        source = os.fspath(path)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            raise ValueError(f"{source}: no such actors file") from None
        except UnicodeDecodeError as e:
            raise ValueError(f"{source}: not UTF-8 text (byte {e.start}); save the file as UTF-8") from None
        return cls.from_entries(_json(text, source), source, extend)

    def merged(self, *others: Gazetteer) -> Gazetteer:
        """A new gazetteer: this one's actors plus the others' (same rules as a user file)."""
        out = self
        for other in others:
            if not isinstance(other, Gazetteer):
                raise TypeError(f"merged() takes Gazetteer objects, not {type(other).__name__}; "
                                "use Gazetteer.from_file(path) or Gazetteer.from_entries(list)")
            out = out._merge(list(other._entries), other.source)
        return out

    def _merge(self, entries: list[dict[str, Any]], source: str) -> Gazetteer:
        """Add validated user entries: a known name extends that actor, a new name is a new actor,
        an alias of another actor (or an excluded phrase) is an error naming both."""
        merged = [dict(e) for e in self._entries]
        by_name = {_key(e["name"]): k for k, e in enumerate(merged)}
        excluded = {_key(p) for p in self._phrases} - set(self._index)
        for i, e in enumerate(entries):
            where = _where(source, i, e["name"])
            k = by_name.get(_key(e["name"]))
            base = merged[k] if k is not None else None
            owner_name = base["name"] if base is not None else e["name"]
            for alias in [e["name"], *e.get("aliases", ())]:
                key = _key(alias)
                owner = self._index.get(key)
                if owner is not None and owner.actor.name != owner_name:
                    raise ValueError(
                        f"{where}: alias {alias!r} already belongs to {owner.actor.name!r} in {self.source}; "
                        f"remove it here, or move it to an entry named {owner.actor.name!r} to extend that actor")
                if key in excluded:
                    raise ValueError(f"{where}: alias {alias!r} is an 'exclude' phrase in {self.source} "
                                     "(a name that must not match); remove it")
            if base is None and "kind" not in e:
                raise ValueError(f"{where}: field 'kind' is missing; a new actor needs one of {sorted(KINDS)} "
                                 f"(or use the name of an actor of {self.source} to add aliases to it)")
            if base is not None and "kind" in e and e["kind"] != base["kind"]:
                raise ValueError(f"{where}: field 'kind' is {e['kind']!r} but {self.source} lists {base['name']!r} "
                                 f"as {base['kind']!r}; drop 'kind' to add aliases to that actor")
            if base is None:
                by_name[_key(e["name"])] = len(merged)
                merged.append(dict(e))
                continue
            for field in ("aliases", "conflict", "exact_case", "metonyms", "exclude"):
                extra = [e["name"]] if field == "aliases" and e["name"] != base["name"] else []
                if field in e or extra:
                    base[field] = list(dict.fromkeys([*base.get(field, ()), *extra, *e.get(field, ())]))
            if "note" in e:
                base["note"] = f"{base['note']} {e['note']}" if base.get("note") else e["note"]
        return _parse(merged, f"{self.source} + {source}")

    def __reduce__(self):
        # pickles (to Ray actors, worker processes) as its entries, rebuilt on arrival
        if self is _default_gazetteer():
            return (_default_gazetteer, ())
        return (_parse, (list(self._entries), self.source))

    @cached_property
    def digest(self) -> str:
        """SHA-256 of the entries: a resumed batch job checks it is given the same actors."""
        blob = json.dumps(self._entries, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()

    def __repr__(self) -> str:
        return f"Gazetteer({len(self.actors)} actors from {self.source})"

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


def _where(source: str, i: int, name: str | None = None) -> str:
    return f"{source}: entry {i}" + (f" ({name!r})" if name is not None else "")


_EXAMPLE = '[{"name": "Blue Front", "kind": "armed_group", "aliases": ["BF", "Jabhat al-Azraq"]}]'
_LIST_FIELDS = ("aliases", "conflict", "exact_case", "metonyms", "exclude")


def _check_user_entries(data: Any, source: str) -> list[dict[str, Any]]:
    """A user's entries checked on their own (types, keys, short or repeated aliases), stripped.
    Names may omit 'kind' here: whether they need one depends on the list they extend."""
    if not isinstance(data, list):
        raise ValueError(f"{source}: expected a JSON list of actor entries such as {_EXAMPLE}, "
                         f"got {_json_type(data)}")
    out: list[dict[str, Any]] = []
    names: dict[str, int] = {}
    aliases_seen: dict[str, tuple[int, str]] = {}  # alias key -> (entry, its name)
    for i, raw in enumerate(data):
        if not isinstance(raw, dict):
            raise ValueError(f"{_where(source, i)}: expected an object such as {_EXAMPLE[1:-1]}, got {_json_type(raw)}")
        name = raw.get("name")
        if not isinstance(name, str) or not _key(name):
            got = "missing" if name is None else ("empty" if isinstance(name, str) else _json_type(name))
            raise ValueError(f"{_where(source, i)}: field 'name' is {got}; every entry needs the actor's canonical "
                             "name as a string")
        name = name.strip()
        where = _where(source, i, name)
        if unknown := sorted(set(raw) - _FIELDS):
            hints = [f"{u!r} (did you mean {close[0]!r}?)" if (close := difflib.get_close_matches(u, _FIELDS, 1))
                     else repr(u) for u in unknown]
            raise ValueError(f"{where}: unknown field(s) {', '.join(hints)}; allowed: {', '.join(sorted(_FIELDS))}")
        if (j := names.get(_key(name))) is not None:
            raise ValueError(f"{where}: field 'name' repeats entry {j}; put all aliases of one actor in one entry")
        names[_key(name)] = i
        entry: dict[str, Any] = {"name": name}
        if "kind" in raw:
            if raw["kind"] not in KINDS:
                raise ValueError(f"{where}: field 'kind' is {raw['kind']!r}; use one of {', '.join(sorted(KINDS))}")
            entry["kind"] = raw["kind"]
        for field in _LIST_FIELDS:
            if field not in raw:
                continue
            value = raw[field]
            if not isinstance(value, list):
                raise ValueError(f"{where}: field {field!r} must be a list of strings, got {_json_type(value)}"
                                 + (f"; write [{json.dumps(value, ensure_ascii=False)}]" if isinstance(value, str) else ""))
            for k, v in enumerate(value):
                if not isinstance(v, str):
                    raise ValueError(f"{where}: field {field!r}, item {k} is {_json_type(v)} {v!r}, not a string")
                if not _key(v):
                    raise ValueError(f"{where}: field {field!r}, item {k} is empty; remove it")
            entry[field] = [v.strip() for v in value]
        if bad := [c for c in entry.get("conflict", ()) if not _CONFLICT_ID.fullmatch(c)]:
            raise ValueError(f"{where}: field 'conflict' holds {bad}; conflict ids are lower-case words joined "
                             "by _ (\"iraq\", \"northern_ireland\")")
        if "note" in raw:
            if not isinstance(raw["note"], str):
                raise ValueError(f"{where}: field 'note' must be a string, got {_json_type(raw['note'])}")
            entry["note"] = raw["note"]
        written: dict[str, str] = {}
        for n, alias in enumerate([name, *entry.get("aliases", ())]):
            field = "aliases" if n else "name"
            shape = _shape(alias)
            if len(shape) == 1 or (len(shape) == 2 and not shape.isupper()):
                raise ValueError(f"{where}: field {field!r}: {alias!r} has {len(shape)} character(s) and would match "
                                 "everywhere; use a longer alias" + ("" if len(shape) == 1 else
                                 ", or write it in capitals (an all-caps alias matches only capitals)"))
            if alias.casefold() in written:
                raise ValueError(f"{where}: field 'aliases' lists {alias!r} twice (or repeats the name); remove one")
            written[alias.casefold()] = alias
            key = _key(alias)
            if (seen := aliases_seen.get(key)) is not None and seen[0] != i:
                raise ValueError(f"{where}: field {field!r}: {alias!r} is also an alias of entry {seen[0]} "
                                 f"({seen[1]!r}) in this file; an alias can name one actor only, keep it in one entry")
            aliases_seen[key] = (i, name)
        out.append(entry)
    return out


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{source}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}; "
                         f"the file must be a JSON list of entries such as {_EXAMPLE}") from exc


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
    return Gazetteer(tuple(actors), index, tuple(phrases), tuple(data), source)


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
    return _parse(_json(text, source), source)


@lru_cache(maxsize=1)
def _default_gazetteer() -> Gazetteer:
    resource = resources.files(__package__) / "resources" / "actors.json"
    return _parse_json(resource.read_text(encoding="utf-8"), "actors.json")


GazetteerLike = Gazetteer | str | os.PathLike | None


def as_gazetteer(gazetteer: GazetteerLike) -> Gazetteer:
    """What a ``gazetteer=`` argument names: None, the shipped list; a path, that file of your own
    actors merged into the shipped list; a Gazetteer, itself."""
    if gazetteer is None:
        return _default_gazetteer()
    if isinstance(gazetteer, Gazetteer):
        return gazetteer
    if isinstance(gazetteer, (str, os.PathLike)):
        return Gazetteer.from_file(gazetteer)
    raise TypeError(f"gazetteer must be a Gazetteer, a path to an actors file or None, not {type(gazetteer).__name__}")


def find_targets(text: str, gazetteer: GazetteerLike = None) -> list[TargetMention]:
    """Every actor mention in ``text``, sorted by start and non-overlapping (longest alias wins);
    ``gazetteer``: your own actors (a Gazetteer or a file), default the shipped list."""
    return as_gazetteer(gazetteer).find_targets(text)


def unique_targets(text: str, gazetteer: GazetteerLike = None) -> list[str]:
    """Canonical names of the actors in ``text``, in order of first mention, without repeats."""
    return as_gazetteer(gazetteer).unique_targets(text)


def canonical_target(name: str, gazetteer: GazetteerLike = None) -> str:
    """Normalise a user-given target to its canonical name when it is a known alias."""
    return as_gazetteer(gazetteer).canonical_target(name)
