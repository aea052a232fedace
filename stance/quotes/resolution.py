"""Article-level resolution: pronouns, surnames and roles back to full names."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from stance.quotes.candidates import (
    _NAME_RE, _TITLE_ABBR, _Speaker, _clean_speaker, _is_name, _is_person_like, _strip_titles,
)
from stance.quotes.lexicon import PERSON_PRONOUNS, PRONOUNS, ROLE_TITLE_WORDS, SPEAKER_MEMORY
from stance.quotes.spans import _LINE_RE


# "Health Minister Leila Darwish", "army commander Tariq Aziz": role words right before a name
_TITLE_BEFORE_RE = re.compile(r"((?:[A-Za-z][\w\-]*[ \u00a0]+){1,3})$")
# "Tariq Aziz, the commander of the border brigade," / ", a spokesman for"
_APPOSITION_RE = re.compile(r",[ \u00a0]+(?:the|a|an|its|his|her|their)[ \u00a0]+((?:[\w\-]+[ \u00a0]+){0,3}?[\w\-]+)\b(?=[ \u00a0]+(?:of|for|at|in|on|with)\b|[,.;])")


class _Timeline:
    """(position, name) entries kept in position order: 'the latest before pos' in O(log n),
    so a 10 MB article costs no more per quote than a short one."""

    def __init__(self) -> None:
        self.pos: list[int] = []
        self.names: list[str] = []

    def add(self, pos: int, name: str) -> None:
        i = bisect_right(self.pos, pos)
        self.pos.insert(i, pos)
        self.names.insert(i, name)

    def latest(self, pos: int) -> tuple[int, str] | None:
        i = bisect_left(self.pos, pos) - 1
        return (self.pos[i], self.names[i]) if i >= 0 else None


class _Registry:
    """Names seen so far in the article, to resolve pronouns and surnames to full names."""

    def __init__(self, text: str, masked: str | None = None, parsed=None):
        self.text = text
        self.persons = _Timeline()  # people named in the text or quoted: he/she antecedents
        self.speakers = _Timeline()  # every source so far: they/it antecedents
        self.person_speakers = _Timeline()
        self.named_persons = _Timeline()  # PERSON entities: the antecedent when nobody else is
        self.by_surname: dict[str, _Timeline] = {}  # "Almahmoud" -> full names ending in it
        self.roles: dict[str, _Timeline] = {}  # "minister" -> people introduced with that role
        self.titles: dict[tuple[int, str], str] = {}  # (position, name) -> "health minister"
        self.kinds: dict[str, str] = {}  # name -> person / organisation
        self.line_starts = [m.start() for m in _LINE_RE.finditer(text)]
        masked = text if masked is None else masked
        # names inside a quote are never a source of the article's own attributions
        names = [(m.start(), m.group(), _strip_titles(m.group())) for m in _NAME_RE.finditer(text)
                 if masked[m.start() : m.end()] == m.group()]
        # a person is usually named in full once and by surname after; places and
        # organisations ("San Diego", "White House") rarely lose their first word
        standalone = {name for _, raw, name in names if len(raw.split()) == 1}
        for pos, raw, name in names:
            titled = name != raw or re.match(_TITLE_ABBR, raw) is not None
            if _is_person_like(name) and (titled or name.split()[-1] in standalone):
                self._add_person(pos, name)
            elif titled and len(name.split()) == 1 and _is_name(name):
                self._add_person(pos, name)
            if titled and name != raw:
                self._add_role(pos, name, raw[: len(raw) - len(name)])
        for start, end, label in (parsed.ents if parsed else ()):
            if masked[start:end] != text[start:end]:
                continue
            longer = _NAME_RE.match(text, start)  # the tagger cut a name: "Leila" of "Leila Darwish"
            if label == "PERSON" and longer and longer.end() > end and masked[start : longer.end()] == longer.group():
                end = longer.end()
            name = _clean_speaker(text[start:end])
            if not name:
                continue
            if label == "PERSON":
                self.kinds[name] = "person"
                self.named_persons.add(start, name)
                if len(name.split()) > 1:  # "Karim Haddad" named once, untitled
                    self.by_surname.setdefault(name.split()[-1], _Timeline()).add(start, name)
                before = _TITLE_BEFORE_RE.search(text, max(0, start - 60), start)
                if before:
                    self._add_role(start, name, before.group(1))
                appos = _APPOSITION_RE.match(text, end)
                if appos:
                    self._add_role(start, name, appos.group(1))
            elif label in ("ORG", "NORP", "GPE"):
                self.kinds.setdefault(name, "organisation")

    def _add_role(self, pos: int, name: str, title: str) -> None:
        words = [w.lower().rstrip(".,") for w in title.split()]
        heads = [w for w in words if w in ROLE_TITLE_WORDS]
        if not heads:
            return
        self.titles[pos, name] = " ".join(words)
        for head in set(heads):
            self.roles.setdefault(head, _Timeline()).add(pos, name)

    def role_holder(self, mention: str, pos: int) -> str | None:
        """`the minister`, `The health minister`, `Saudi minister` -> the latest person introduced
        with that role before pos (one whose title has the mention's modifiers preferred)."""
        words = [w.lower().rstrip(".,") for w in mention.split()]
        if not words or words[0] in ("a", "an", "one", "another", "some", "two", "three", "several", "many"):
            return None  # an indefinite role is someone else
        words = [w for w in words if w not in ("the", "this", "that")]
        if not words or words[-1] not in self.roles:
            return None
        timeline = self.roles[words[-1]]
        i = bisect_left(timeline.pos, pos) - 1
        best = None
        for k in range(i, max(-1, i - 20), -1):  # the 20 latest holders of that role
            title = self.titles.get((timeline.pos[k], timeline.names[k]), "")
            if all(w in title.split() for w in words[:-1]):
                return timeline.names[k]
            best = best or timeline.names[k]
        return best if len(words) == 1 or best is None else None

    def paragraph_start(self, pos: int) -> int:
        i = bisect_right(self.line_starts, pos) - 1
        return self.line_starts[i] if i >= 0 else 0

    def _add_person(self, pos: int, name: str) -> None:
        parts = name.split()
        if _is_person_like(name) or (len(parts) == 1 and name[:1].isupper()):
            self.persons.add(pos, name)
        if len(parts) > 1 and _is_person_like(name):
            self.by_surname.setdefault(parts[-1], _Timeline()).add(pos, name)

    def add_speaker(self, pos: int, name: str) -> None:
        self.speakers.add(pos, name)
        if _is_person_like(name) or len(name.split()) == 1:
            self.person_speakers.add(pos, name)
        self._add_person(pos, name)

    def full_name(self, mention: str, pos: int) -> str:
        """A surname (or other short form) back to the latest earlier full name ending in it."""
        if len(mention.split()) != 1 or not mention[:1].isupper() or mention not in self.by_surname:
            return mention
        hit = self.by_surname[mention].latest(pos)
        return hit[1] if hit else mention

    def named_in_paragraph(self, pos: int) -> bool:
        start = self.paragraph_start(pos)
        return any(t is not None and t[0] >= start for t in (self.persons.latest(pos), self.named_persons.latest(pos)))

    def antecedent(self, pronoun: str, pos: int) -> str | None:
        """he/she: the latest person (speaker or named in the text) before pos; they/it: the
        latest speaker."""
        person = pronoun.lower() in PERSON_PRONOUNS
        latest = (self.persons if person else self.speakers).latest(pos)
        if latest is None and person:
            latest = self.named_persons.latest(pos)  # "Karim Haddad, the head of ..., toured"
        if latest is None:
            return None
        # a person named in this paragraph wins; otherwise the latest speaker, who is who
        # news prose keeps talking about between quotes
        if latest[0] < self.paragraph_start(pos):
            spoke = (self.person_speakers if person else self.speakers).latest(pos)
            if spoke and latest[0] - spoke[0] < SPEAKER_MEMORY:
                latest = spoke
        return self.full_name(latest[1], pos)



def _resolve(registry: _Registry, spk: _Speaker, pos: int, kind: str = "person",
             forward: str | None = None) -> tuple[str | None, str, float]:
    """(full name, speaker type, confidence) for a checked mention of kind pronoun / person /
    organisation / role; ``forward`` is a person named just after a pronoun cue with no
    antecedent in its paragraph (`"...," she said. Samira Nouri, who ...`)."""
    mention = spk.mention.strip()
    if mention.lower() in PRONOUNS:
        if mention.lower() in ("we", "i"):
            return None, "unknown", 0.0
        name = registry.antecedent(mention, pos)
        if forward and (name is None or not registry.named_in_paragraph(pos)):
            name = forward
        if name is None:
            return None, "unknown", 0.0
        return name, registry.kinds.get(name, "person" if mention.lower() in PERSON_PRONOUNS else "organisation"), 0.7
    if kind == "role":
        holder = registry.role_holder(mention, pos)
        if holder:
            return holder, "person", 0.75
        return mention.rstrip(" ."), "role", 0.8
    name = _clean_speaker(mention)
    if not name:
        return None, "unknown", 0.0
    full = registry.full_name(name, pos)
    return full, registry.kinds.get(full, kind if kind in ("person", "organisation") else "person"), 0.9
