"""The grammatical gender of the people an article names, for agreeing a `he`/`she` cue with
a candidate speaker: from a title next to the name (`Mr.`, `Mrs.`, `Ms.`, `congresswoman`),
the first name (a short list of common, unambiguous ones) and the pronouns of the sentences
that name the person alone (`Lee said her party ...`). One pass over the article's entity
mentions: linear in its length."""
from __future__ import annotations

import re

MALE_TITLES = frozenset("mr sir king prince lord father brother sheikh congressman spokesman chairman "
                        "businessman councilman assemblyman husband son".split())
FEMALE_TITLES = frozenset("mrs ms miss madam dame queen princess lady mother sister congresswoman "
                          "spokeswoman chairwoman businesswoman councilwoman assemblywoman wife daughter".split())

MALE_NAMES = frozenset("""
aaron abdul abdullah adam ahmad ahmed alan albert alex alexander ali andrew andy anthony antonio
barack ben benjamin bernie bill billy bob bobby brad brandon brian bruce carl carlos charles charlie chris
christopher chuck colin craig dan daniel danny dave david dennis dick don donald doug douglas ed eddie
edward eric frank fred gary george gerald greg gregory harry henry howard hugh ian jack jacob jake james
jason jeb jeff jeffrey jeremy jerry jim jimmy joe joel john johnny jon jonathan jose joseph josh joshua
juan justin keith ken kenneth kevin larry lawrence louis marco mark martin matt matthew
michael mike mitch mohammad mohammed muhammad nathan neil nicholas nick omar patrick paul peter phil
philip ralph randy raymond reince richard rick rob robert roger ron ronald roy rudy rand russell ryan
sam samuel scott sean sergei stephen steve steven ted terry thomas tim timothy todd tom tony vladimir
walter wayne william willie yusuf hassan hussein khalid mahmoud mustafa ibrahim ismail karim tariq
newt mitt rex jared elijah devin trey
""".split())
FEMALE_NAMES = frozenset("""
abigail alice alicia amanda amy andrea angela ann anna anne barbara betsy betty beverly brenda carly
carol caroline carolyn catherine cathy cheryl christina christine cindy claire cynthia dana deborah
debbie diana diane donna dorothy elaine elizabeth ellen emily emma evelyn fatima frances gina gloria
hannah heather helen hillary holly ivanka jane janet janice jean jennifer jessica jill joan joanne
judith judy julia julie karen kate katherine kathleen kathy kelly kellyanne kim kimberly kirsten laura
lauren linda lisa lori louise lucy margaret maria marie marilyn martha mary megan melania melissa
michelle monica nancy natalie nicole nikki olivia pamela patricia paula rachel rebecca rose ruth sally
samantha sandra sara sarah sharon shirley sophia stephanie susan susana suzanne teresa theresa tina
tracy valerie victoria virginia wendy yasmin zainab layla leila aisha amina mariam nadia huma elena
dianne tammy tulsi elise kamala marsha mazie nita jeanne heidi patty kristen
""".split())

_HE = re.compile(r"\b(?:he|him|his|himself)\b", re.I)
_SHE = re.compile(r"\b(?:she|her|hers|herself)\b", re.I)


def name_gender(name: str) -> str | None:
    """'m' or 'f' from a name's first word, or None."""
    first = name.split()[0].lower().strip(".,") if name.split() else ""
    if first in MALE_NAMES:
        return "m"
    if first in FEMALE_NAMES:
        return "f"
    return None


def title_gender(before: str) -> str | None:
    """'m' or 'f' from the word just before a name (`Mr.`, `spokeswoman`), or None."""
    words = before.lower().split()
    if not words:
        return None
    w = words[-1].strip(",").rstrip(".")  # `Mr.` and `Mr` alike
    if w in MALE_TITLES:
        return "m"
    if w in FEMALE_TITLES:
        return "f"
    return None


class Genders:
    """Votes per name key, summed into one gender each."""

    def __init__(self) -> None:
        self.votes: dict[tuple[str, ...], list[float]] = {}

    def vote(self, key: tuple[str, ...], gender: str | None, weight: float = 1.0) -> None:
        if gender is None or not key:
            return
        v = self.votes.setdefault(key, [0.0, 0.0])
        v[0 if gender == "m" else 1] += weight

    def pronoun_votes(self, key: tuple[str, ...], sentence_after: str, weight: float = 0.5) -> None:
        """The third-person pronouns after the name in its sentence (one person named in it)."""
        he, she = len(_HE.findall(sentence_after)), len(_SHE.findall(sentence_after))
        if he and not she:
            self.vote(key, "m", weight)
        elif she and not he:
            self.vote(key, "f", weight)

    def of(self, key: tuple[str, ...]) -> str | None:
        v = self.votes.get(key)
        if v is None and len(key) > 1:
            v = self.votes.get(key[-1:])
        if v is None:
            return None
        if v[0] > v[1]:
            return "m"
        if v[1] > v[0]:
            return "f"
        return None
