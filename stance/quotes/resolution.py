"""Article-level resolution: pronouns, surnames and roles back to full names."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from stance.quotes.candidates import (
    _NAME_RE, _TITLE_ABBR, _Speaker, _clean_speaker, _is_name, _is_person_like, _strip_titles,
)
from stance.quotes.lexicon import PERSON_PRONOUNS, PRONOUNS, SPEAKER_MEMORY
from stance.quotes.spans import _LINE_RE


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

    def __init__(self, text: str):
        self.text = text
        self.persons = _Timeline()  # people named in the text or quoted: he/she antecedents
        self.speakers = _Timeline()  # every source so far: they/it antecedents
        self.person_speakers = _Timeline()
        self.by_surname: dict[str, _Timeline] = {}
        self.line_starts = [m.start() for m in _LINE_RE.finditer(text)]  # "Almahmoud" -> full names ending in it
        names = [(m.start(), m.group(), _strip_titles(m.group())) for m in _NAME_RE.finditer(text)]
        # a person is usually named in full once and by surname after; places and
        # organisations ("San Diego", "White House") rarely lose their first word
        standalone = {name for _, raw, name in names if len(raw.split()) == 1}
        for pos, raw, name in names:
            titled = name != raw or re.match(_TITLE_ABBR, raw) is not None
            if _is_person_like(name) and (titled or name.split()[-1] in standalone):
                self._add_person(pos, name)
            elif titled and len(name.split()) == 1 and _is_name(name):
                self._add_person(pos, name)

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

    def antecedent(self, pronoun: str, pos: int) -> str | None:
        """he/she: the latest person (speaker or named in the text) before pos; they/it: the
        latest speaker."""
        person = pronoun.lower() in PERSON_PRONOUNS
        latest = (self.persons if person else self.speakers).latest(pos)
        if latest is None:
            return None
        # a person named in this paragraph wins; otherwise the latest speaker, who is who
        # news prose keeps talking about between quotes
        if latest[0] < self.paragraph_start(pos):
            spoke = (self.person_speakers if person else self.speakers).latest(pos)
            if spoke and latest[0] - spoke[0] < SPEAKER_MEMORY:
                latest = spoke
        return self.full_name(latest[1], pos)



def _resolve(registry: _Registry, spk: _Speaker, pos: int) -> str | None:
    mention = spk.mention.strip()
    if mention.lower() in PRONOUNS:
        if mention.lower() in ("we", "i"):
            return None
        return registry.antecedent(mention, pos)
    name = _clean_speaker(mention)
    return registry.full_name(name, pos) if name else None

