"""Quote extraction and speaker attribution.

Pure Python: paragraphs -> quotation-mark spans -> sentences (with quote interiors masked so
punctuation inside a quote never splits a sentence) -> a small grammar of cues for
attribution and reported speech -> speaker resolution (pronouns and surnames back to the
full name introduced earlier).

Every returned ``Quote`` satisfies ``text[q.start:q.end] == q.text``; the function never
raises on a ``str``, and an unmatched quotation mark never reaches past its paragraph.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from contextvars import ContextVar
from dataclasses import dataclass

from stance.types import Quote

# --- vocabulary -------------------------------------------------------------------------

# Verbs that introduce a source's words. Inflected forms are listed so no stemmer is needed.
SPEECH_VERBS = frozenset(
    """say says said tell tells told add adds added state states stated note notes noted
    explain explains explained stress stresses stressed insist insists insisted argue argues
    argued claim claims claimed warn warns warned declare declares declared announce
    announces announced ask asks asked write writes wrote tweet tweets tweeted reply replies
    replied continue continues continued conclude concludes concluded urge urges urged recall
    recalls recalled remark remarks remarked comment comments commented acknowledge
    acknowledges acknowledged admit admits admitted allege alleges alleged deny denies denied
    confirm confirms confirmed emphasise emphasises emphasised emphasize emphasizes
    emphasized suggest suggests suggested believe believes believed vow vows vowed pledge
    pledges pledged accuse accuses accused predict predicts predicted estimate estimates
    estimated charge charges charged complain complains complained maintain maintains
    maintained contend contends contended assert asserts asserted observe observes observed
    reveal reveals revealed promise promises promised threaten threatens threatened boast
    boasts boasted lament laments lamented joke jokes joked quip quips quipped shout shouts
    shouted counter counters countered respond responds responded retort retorts retorted
    testify testifies testified concede concedes conceded caution cautions cautioned demand
    demands demanded snap snaps snapped chant chants chanted exclaim exclaims exclaimed
    proclaim proclaims proclaimed cry cries cried yell yells yelled scream screams screamed
    whisper whispers whispered interject interjects interjected interrupt interrupts
    interrupted plead pleads pleaded sigh sighs sighed muse muses mused scoff scoffs scoffed
    echo echoes echoed wonder wonders wondered recount recounts recounted posted""".split()
)
# Participles that attach a quote to the sentence's subject: `X told Newsmax ..., adding, "..."`.
SPEECH_PARTICIPLES = frozenset(
    """saying adding telling noting writing warning explaining insisting arguing asking claiming
    declaring stressing tweeting calling""".split()
)
# Verbs whose bare complement (no "that") is reliably reported speech: "X said the army ...".
BARE_COMPLEMENT_VERBS = frozenset(
    "say says said add adds added warn warns warned claim claims claimed insist insists insisted "
    "argue argues argued believe believes believed predict predicts predicted".split()
)
# Verbs whose object comes before the reported content: "told MEMO that", "warned reporters that".
OBJECT_VERBS = frozenset("tell tells told warn warns warned remind reminds reminded assure assures assured inform informs informed".split())

PRONOUNS = frozenset("he she they it we i".split())
PERSON_PRONOUNS = frozenset("he she".split())

TITLES = frozenset(
    """mr mrs ms dr prof gen lt col sgt capt maj gov sen rep rev adm president vice prime
    minister secretary general sheikh shaikh imam ayatollah grand king queen prince emir
    sultan pope father brigadier colonel major captain lieutenant commander spokesman
    spokeswoman spokesperson chairman chairwoman mayor judge senator governor ambassador
    envoy director chief leader pollster analyst""".split()
)
TIME_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december jan feb mar apr jun jul aug sep
    sept oct nov dec last next early late this today yesterday tonight morning evening""".split()
)
# Capitalised words that do not begin a name.
NOT_NAME_START = TIME_WORDS | frozenset(
    """the a an this that these those it its he she they we i you his her their our my in on
    at by for from with after before during when while but and or so yet if as since because
    although though however meanwhile according also still then there here thus asked
    speaking writing despite""".split()
)
# Words that mark an organisation or a place rather than a person.
NON_PERSON_WORDS = frozenset(
    """ministry ministries government forces force army police bureau council party
    committee commission watch organisation organization agency office department union
    movement front brigade brigades group coalition network news times post press institute
    centre center foundation association court parliament assembly league authority
    authorities command service services corps units unit regime state states nations
    campaign company corporation bank university tv radio channel guard guards observatory
    house kingdom republic city street school college county island airport hall club
    tower square river valley bay church mosque hotel hospital camp road avenue universe
    times journal magazine daily weekly reuters memo cnn bbc fox nbc cbs abc pbs""".split()
)
PREPOSITIONS = frozenset(
    "of for at from with in on by to about into over under against between among than like near".split()
)

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen lt col sgt capt maj gov sen rep rev adm st jr sr jan feb mar apr
    jun jul aug sep sept oct nov dec no vs etc e.g i.e u.s u.n u.k a.m p.m inc ltd co corp
    fig al""".split()
)

# Tokens of personal and organisation names: "Abu Bakr al-Baghdadi", "G.K. Butterfield",
# "Rep. Jim Jordan", "Ursula von der Leyen".
_TITLE_ABBR = r"(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Sgt|Capt|Maj|Gov|Sen|Rep|Rev|Adm|St|Jr|Sr)\."
_CAP_TOKEN = rf"(?:{_TITLE_ABBR}|(?:[A-Z]\.){{1,3}}|(?:(?:al|el|ad|an|ar|as|ash|at|az|ul)-)?[A-Z][\w’'\-]*)"
_SPACED_PARTICLE = r"(?:al|el|bin|ibn|bint|de|da|di|del|der|du|van|von|la|le|abu|dos|das)"
_NAME_RE = re.compile(rf"{_CAP_TOKEN}(?:[ \u00a0]+(?:{_SPACED_PARTICLE}[ \u00a0]+)*{_CAP_TOKEN})*")
_TRAILING_NAME_RE = re.compile(rf"(?:^|[ \u00a0])({_NAME_RE.pattern})$")
_WORD_RE = re.compile(r"\b([A-Za-z]+)\b")

_MARK_RE = re.compile(r"''|``|[“”«»„\"]")
_OPEN_MARKS = ("“", "«", "„", "``")
_CLOSE_MARKS = ("”", "»")
_MASK = "x"

# A quoted phrase of this many words or fewer is a scare quote or title unless a cue attributes it.
SCARE_QUOTE_MAX_WORDS = 2
# Without a cue, a quoted span needs this many words to count as a statement.
UNATTRIBUTED_MIN_WORDS = 6
# An attribution is looked for this many characters from its quote.
ATTRIBUTION_WINDOW = 220
# A pronoun prefers the latest speaker over a person named less than this many characters later.
SPEAKER_MEMORY = 1000


@dataclass(slots=True)
class _Span:
    start: int  # first char of the quoted words (after the opening mark)
    end: int  # one past the last quoted char (before the closing mark, or the paragraph end)
    open_at: int  # position of the opening mark
    close_end: int  # one past the closing mark (== end when unbalanced)
    closed: bool


@dataclass(slots=True)
class _Speaker:
    mention: str
    start: int
    end: int


# --- paragraphs and quotation marks --------------------------------------------------------


def _paragraphs(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]


def _mark_role(text: str, i: int, j: int) -> str:
    """'open', 'close' or 'ambig' for the quotation mark text[i:j], judged by its neighbours."""
    prev = text[i - 1] if i > 0 else " "
    nxt = text[j] if j < len(text) else " "
    left_open = prev.isspace() or prev in "([{—–-:/"
    right_closed = nxt.isspace() or nxt in ".,;:!?)]}—–-"
    if left_open and not nxt.isspace():
        return "open"
    if right_closed and not prev.isspace():
        return "close"
    mark = text[i:j]
    if mark in _OPEN_MARKS:
        return "open"
    if mark in _CLOSE_MARKS or mark == "''":
        return "close"
    return "ambig"


def _quote_spans(text: str, p_start: int, p_end: int) -> list[_Span]:
    """Pair quotation marks inside one paragraph; an unmatched opener closes at the paragraph end."""
    spans: list[_Span] = []
    open_mark: tuple[int, int] | None = None
    for m in _MARK_RE.finditer(text, p_start, p_end):
        role = _mark_role(text, m.start(), m.end())
        if open_mark is None:
            if role in ("open", "ambig"):
                open_mark = (m.start(), m.end())
            # a stray closer with no opener is ignored
        elif role in ("close", "ambig"):
            spans.append(_Span(open_mark[1], m.start(), open_mark[0], m.end(), True))
            open_mark = None
        else:
            open_mark = (m.start(), m.end())  # a second opener: the first one was stray
    if open_mark is not None and p_end > open_mark[1]:
        spans.append(_Span(open_mark[1], p_end, open_mark[0], p_end, False))
    return spans


def _masked(text: str, spans: list[_Span]) -> str:
    """Text with quote interiors replaced by a neutral letter, so cues and sentence boundaries
    are found outside quotes only; lengths are unchanged. A capital first letter and a final
    . ! ? are kept because sentence boundaries depend on them."""
    chars = list(text)
    for s in spans:
        for k in range(s.start, s.end):
            if chars[k] != "\n":
                chars[k] = _MASK
        inner = text[s.start : s.end]
        if inner[:1].isupper():
            chars[s.start] = "X"
        stripped = inner.rstrip()
        if stripped and stripped[-1] in ".!?":
            chars[s.start + len(stripped) - 1] = stripped[-1]
    return "".join(chars)


# --- sentences ---------------------------------------------------------------------------

_BOUNDARY_RE = re.compile(r"[.!?][\"”’»)\]']*\s+(?=[\"“‘«(\[`']*[A-Z0-9])")
# `"Is it true?" Lisa Monaco said.`: no sentence boundary between a quote and its attribution.
_ATTRIBUTION_AHEAD_RE = re.compile(
    r"[^.!?\"“”]{0,100}?\b(?:" + "|".join(sorted(SPEECH_VERBS)) + r")\b"
)


def _sentences(masked: str, p_start: int, p_end: int) -> list[tuple[int, int]]:
    out = []
    s = p_start
    for m in _BOUNDARY_RE.finditer(masked, p_start, p_end):
        dot = m.start()
        word = re.search(r"([\w.]+)$", masked[s:dot])
        prev = word.group(1).lower() if word else ""
        if masked[dot] == "." and (prev in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)*[a-z]", prev)):
            continue  # "Mr. Smith", "U.S. forces", "John F. Kennedy"
        closing = masked[dot + 1 : m.end()].strip()
        if closing and closing[0] in "\"”'»" and _ATTRIBUTION_AHEAD_RE.match(masked, m.end(), p_end):
            continue
        out.append((s, m.end()))
        s = m.end()
    if s < p_end:
        out.append((s, p_end))
    return out


# --- names and speakers --------------------------------------------------------------------

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
    if not (first in PRONOUNS or spk.mention[:1].isupper() or first in {
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
    return _strip_titles(s)


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
        self.by_surname: dict[str, _Timeline] = {}  # "Almahmoud" -> full names ending in it
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
        if latest[0] < self.text.rfind("\n", 0, pos) + 1:
            spoke = (self.person_speakers if person else self.speakers).latest(pos)
            if spoke and latest[0] - spoke[0] < SPEAKER_MEMORY:
                latest = spoke
        return self.full_name(latest[1], pos)


# --- cues ----------------------------------------------------------------------------------


def _speech_verbs(segment: str) -> list[re.Match]:
    return [m for m in _WORD_RE.finditer(segment) if m.group(1).lower() in SPEECH_VERBS]


def _attribute_after(masked: str, a: int, b: int) -> tuple[_Speaker, str] | None:
    """`"...," Ahmed Almahmoud, an analyst, said.` or `"...," said the minister.`"""
    seg = masked[a:b]
    verbs = _speech_verbs(seg)
    if not verbs or verbs[0].start() > ATTRIBUTION_WINDOW:
        return None
    verb = verbs[0]
    before = seg[: verb.start()]
    cue = verb.group(1)
    lead = len(before) - len(before.lstrip(" ,\u00a0—–-"))
    if before.strip(" ,\u00a0—–-"):
        if len(before.split()) > 25:
            return None
        spk = _subject(before[lead:], a + lead)
    else:  # inverted: `said the minister`, `said Rep. G.K. Butterfield (D-N.C.), head of ...`
        rest = seg[verb.end() :]
        lead = len(rest) - len(rest.lstrip())
        name = _NAME_RE.match(rest, lead)
        if name and _is_name(name.group()):
            spk = _Speaker(name.group(), a + verb.end() + lead, a + verb.end() + name.end())
        else:
            m = re.match(r"[\s\u00a0]*([^,;:!?\"“”]+)", rest)
            spk = _np_in_clause(m.group(1).strip().rstrip("."), a + verb.end() + m.start(1)) if m else None
    spk = _plausible_subject(spk)
    return (spk, cue) if spk else None


def _attribute_before(masked: str, a: int, b: int) -> tuple[_Speaker, str] | None:
    """`Almahmoud added: "..."`, `He said, "..."`, `According to X, "..."`, `Smith, The Post: "..."`."""
    seg = masked[a:b]
    acc = re.search(r"\b[Aa]ccording to\s+([^,]+),?\s*$", seg)
    if acc:
        spk = _np_in_clause(acc.group(1), a + acc.start(1))
        return (spk, "according to") if spk else None
    ends_with_cue_punct = re.search(r"[:,]\s*$", seg) is not None
    part = re.search(r"\b(" + "|".join(SPEECH_PARTICIPLES) + r")\b[^.!?;]{0,40}?[:,]?\s*$", seg)
    if part:
        sent_start = masked.rfind("\n", 0, a) + 1 if a == 0 else a
        spk = _plausible_subject(_sentence_subject(masked[sent_start:b], sent_start))
        if spk:
            return spk, part.group(1)
    verbs = _speech_verbs(seg)
    verb = verbs[-1] if verbs else None
    if verb is not None:
        tail = seg[verb.end() :]
        # the verb must introduce this quote: right before it, before a short object and a
        # colon or comma, or as its complement (`Warren said Trump University was "..."`)
        if not (not tail.strip() or (ends_with_cue_punct and len(tail.split()) <= 6)
                or (len(tail.split()) <= 12 and not re.search(r"[.!?;\"“”]", tail))):
            verb = None
    if verb is None:
        if not seg.rstrip().endswith(":") or len(seg.split()) > 12:
            return None
        # a colon with no verb: `Chris Cillizza, The Washington Post: "..."`, `He sighed: "..."`
        spk = _subject(seg.rstrip().rstrip(":"), a)
        return (spk, None) if _plausible_subject(spk) else None
    cue = verb.group(1)
    subj_seg = seg[: verb.start()]
    if not subj_seg.strip():  # `said Smith: "..."`
        n = _NAME_RE.match(seg, verb.end() + 1)
        spk = _Speaker(n.group(), a + n.start(), a + n.end()) if n and _is_name(n.group()) else None
    else:
        lead = len(subj_seg) - len(subj_seg.lstrip())
        spk = _subject(subj_seg.strip(), a + lead)
        if spk and spk.mention.lower() in ("and", "but"):
            spk = None
    spk = _plausible_subject(spk)
    return (spk, cue) if spk else None


# reported speech: SUBJECT VERB [OBJECT] [ADVERBIAL] that CONTENT
_REPORTED_RE = re.compile(r"(?P<verb>[A-Za-z]+)\b(?P<mid>[^.;:!?\"“”]{0,80}?)\s+that\s*,?\s+(?P<content>\S)")
_TRAILING_RE = re.compile(
    r"^(?P<content>.{20,}?),\s*(?:"
    r"(?P<subj>[^,]{2,80}?)\s+(?P<verb>said|says|added|adds|warned|claimed|insisted|argued|noted|stated|explained|told(?:\s+[A-Z][\w’'\-\.]*){1,4}|told\s+\w+)"
    r"|(?P<verb2>said|says|added)\s+(?P<subj2>[^,]{2,80}?)"
    r"|according\s+to\s+(?P<subj3>[^,]{2,80}?))"
    r"(?:\s+(?:on|in|at|late|early|last|this|during|after|before)\b[^.]*)?\s*[.!?]?[\s\"”’]*$",
    re.S,
)
_PARENTHETICAL_RE = re.compile(
    r"^(?P<a>.{10,}?),\s*(?P<subj>[^,]{2,60}?)\s+(?P<verb>said|say|says|added|argued|noted|warned|believe|believes|contend|contends|insisted),\s*(?P<b>.{10,})$",
    re.S,
)
_ACCUSE_RE = re.compile(r"\b(?P<verb>accused|accuses|accuse)\s+(?P<content>[^.;]{3,}?\s+of\s+\S)")
_BARE_STOP = PREPOSITIONS | TIME_WORDS | frozenset(
    "and but or so as when while nothing something anything recently earlier later then yes no not also "
    "only just publicly privately repeatedly often".split()
)
_VERBISH = frozenset("will would could should can may might must is was are were has had have did does do won't wouldn't".split())


def _content_end(masked: str, start: int, s_end: int) -> int:
    end = s_end
    while end > start and masked[end - 1].isspace():
        end -= 1
    if end > start and masked[end - 1] == ".":
        end -= 1
    return end


def _sentence_subject(sent: str, offset: int) -> _Speaker | None:
    """The subject at the start of a sentence, for coordinated verbs: `Cruz urged X and said ...`."""
    words = sent.split()
    if words and words[0].lower() in PRONOUNS:
        return _Speaker(words[0], offset, offset + len(words[0]))
    m = _NAME_RE.match(sent)
    return _Speaker(m.group(), offset, offset + m.end()) if m and _is_name(m.group()) else None


def _subject_before(sent: str, verb_at: int, offset: int) -> _Speaker | None:
    seg = sent[:verb_at]
    if re.search(r"\b(?:was|were|been|being|is|are|be)\s+(?:\w+ly\s+)?$", seg):
        return None  # passive: "were accused of", "was told that" names no source
    # auxiliaries and adverbs between subject and verb: "has claimed", "had earlier said"
    seg = re.sub(r"(\s+(?:has|have|had|also|earlier|later|then|previously|repeatedly|once|will|would|could|did|does|do|not|publicly|again|further|recently|reportedly))+\s*$", " ", seg)
    if re.search(r"\b(?:and|but)\s*$", seg):
        return _sentence_subject(sent, offset)
    if not seg.strip() or _MASK * 4 in seg[-20:]:
        return None
    lead = len(seg) - len(seg.lstrip())
    return _plausible_subject(_subject(seg.strip(), offset + lead))


def _bare_content_start(sent: str, pos: int) -> bool:
    """After `said`: a clause follows (not a preposition, an adverb or an inverted name)."""
    m = re.match(r"\s+([A-Za-z’']+)", sent[pos:])
    if not m:
        return False
    word = m.group(1)
    if word[0].islower():
        return word.lower() not in _BARE_STOP
    name = _NAME_RE.match(sent, pos + m.start(1))
    after = sent[name.end() :].split() if name else []
    # "said Russia had violated ...", not "said Jeffrey Trimble, a senior official"
    return bool(after) and (after[0] in _VERBISH or after[0].endswith("ed"))


def _reported(masked: str, a: int, b: int):
    """Reported speech in one sentence: (speaker, cue, start, end) or nothing."""
    sent = masked[a:b]
    quoted = sum(len(m.group()) for m in re.finditer(_MASK + "{6,}", sent))
    if quoted > len(sent) / 2:
        return None  # a sentence built around a direct quote
    for w in _WORD_RE.finditer(sent):
        verb = w.group(1).lower()
        if verb not in SPEECH_VERBS:
            continue
        m = _REPORTED_RE.match(sent, w.start())
        if m is None or (verb not in OBJECT_VERBS and len(m.group("mid").split()) > 6):
            continue
        subj = _subject_before(sent, w.start(), a)
        if subj is None:
            continue
        c = a + m.start("content")
        return subj, verb, c, _content_end(masked, c, b)
    acc = re.search(r"^(?P<lead>.{0,40}?)\b[Aa]ccording to\s+(?P<subj>[^,]{2,80}),\s*(?P<content>\S)", sent)
    if acc:
        spk = _np_in_clause(acc.group("subj"), a + acc.start("subj"))
        if spk:
            c = a + acc.start("content")
            return spk, "according to", c, _content_end(masked, c, b)
    t = _TRAILING_RE.match(sent)
    if t and _MASK * 4 not in t.group("content") and len(t.group("content").split()) >= 5:
        key = "subj" if t.group("subj") else ("subj2" if t.group("subj2") else "subj3")
        subj = t.group(key)
        verb = (t.group("verb") or t.group("verb2") or "according to")
        verb = verb if verb == "according to" else verb.split()[0]
        lead = len(subj) - len(subj.lstrip())
        spk = _plausible_subject(_np_in_clause(subj.strip(), a + t.start(key) + lead))
        if spk and len(subj.split()) <= 8 and not (key == "subj2" and spk.mention.split()[0].lower() in PRONOUNS):
            return spk, verb, a + t.start("content"), a + t.end("content")
    p = _PARENTHETICAL_RE.match(sent)
    if p and _MASK * 4 not in sent:
        spk = _plausible_subject(_np_in_clause(p.group("subj").strip(), a + p.start("subj")))
        if spk and len(p.group("subj").split()) <= 6:
            return spk, p.group("verb").lower(), a, _content_end(masked, a, b)
    for m in _ACCUSE_RE.finditer(sent):
        subj = _subject_before(sent, m.start("verb"), a)
        if subj:
            c = a + m.start("content")
            return subj, m.group("verb").lower(), c, _content_end(masked, c, b)
    for w in _WORD_RE.finditer(sent):
        verb = w.group(1).lower()
        if verb not in BARE_COMPLEMENT_VERBS or not _bare_content_start(sent, w.end()):
            continue
        subj = _subject_before(sent, w.start(), a)
        if subj is None:
            continue
        c = a + w.end() + len(sent[w.end() :]) - len(sent[w.end() :].lstrip())
        if b - c >= 20:
            return subj, verb, c, _content_end(masked, c, b)
    return None


# --- main entry point ----------------------------------------------------------------------


def extract_quotes(text: str) -> list[Quote]:
    """Find the quoted statements in an article and say who made them.

    Direct quotes (straight, curly or doubled-apostrophe quotation marks, or a block
    paragraph after a ``said:`` line) and reported speech (``said that``, ``told X that``,
    ``according to``, ``warned that``, ``accused X of``, ``..., the minister said.``).
    Speakers are resolved to the fullest name the article gives. Quotes come in article order.
    """
    if not isinstance(text, str):
        raise TypeError(f"extract_quotes() takes a str, got {type(text).__name__}")
    if not text.strip():
        return []
    token = _PROPER.set(_proper_words(text))
    try:
        return _extract(text)
    finally:
        _PROPER.reset(token)


def _extract(text: str) -> list[Quote]:
    registry = _Registry(text)
    quotes: list[Quote] = []
    block_cue: tuple[_Speaker, str | None] | None = None  # the previous paragraph ended in `said:`
    last_speaker: tuple[int, str] | None = None  # (paragraph index, speaker) of the latest direct quote

    paragraphs = _paragraphs(text)
    para_spans = [_quote_spans(text, a, b) for a, b in paragraphs]
    masked = _masked(text, [sp for spans in para_spans for sp in spans])  # once: linear in the article
    for p_idx, ((p_start, p_end), spans) in enumerate(zip(paragraphs, para_spans)):
        sentences = _sentences(masked, p_start, p_end)
        found: list[Quote] = []

        # A paragraph with no quotation marks after a `said:` line is the quote itself.
        if block_cue is not None and not spans and not _looks_like_heading(text[p_start:p_end]):
            spk, cue = block_cue
            name = _resolve(registry, spk, p_start)
            s, e = _trim(text, p_start, p_end)
            if e > s:
                quotes.append(_quote(text, s, e, name, "direct", cue, spk))
                if name:
                    registry.add_speaker(spk.start, name)
                    last_speaker = (p_idx, name)
            block_cue = None
            continue
        prev_block, block_cue = block_cue, None

        para_speaker: str | None = None
        for k, sp in enumerate(spans):
            recent = last_speaker[1] if last_speaker and p_idx - last_speaker[0] <= 1 else None
            quote = _direct(text, masked, spans, k, sentences, (p_start, p_end), registry,
                            prev_block, recent, para_speaker)
            if quote is None:
                continue
            found.append(quote)
            if quote.speaker:
                registry.add_speaker(quote.speaker_start if quote.speaker_start is not None else quote.start, quote.speaker)
                last_speaker = (p_idx, quote.speaker)
                para_speaker = quote.speaker

        for a, b in sentences:
            hit = _reported(masked, a, b)
            if hit is None:
                continue
            spk, cue, c_start, c_end = hit
            s, e = _trim(text, c_start, c_end, marks=False)
            if e - s < 8 or any(q.start <= s < q.end for q in found):
                continue
            inside = sum(q.end - q.start for q in found if s <= q.start and q.end <= e + 2)
            if inside >= 0.5 * (e - s):
                continue  # `He vowed that "..."`: the direct quote carries the statement
            name = _resolve(registry, spk, spk.start)
            found.append(_quote(text, s, e, name, "indirect", cue, spk))
            if name:
                registry.add_speaker(spk.start, name)

        # A direct fragment inside a reported statement is part of it (mixed quotes).
        indirect = [q for q in found if q.kind == "indirect"]
        found = [q for q in found if q.kind == "indirect"
                 or not any(i.start <= q.start and q.end <= i.end + 2 for i in indirect)]
        quotes.extend(sorted(found, key=lambda q: q.start))

        if sentences and not (spans and spans[-1].close_end >= p_end - 1):
            a = sentences[-1][0]
            if masked[a:p_end].rstrip().endswith(":"):
                pre = _attribute_before(masked, a, len(masked[:p_end].rstrip()))
                block_cue = pre
    return quotes


def _direct(text, masked, spans, k, sentences, paragraph, registry, block_cue, recent_speaker,
            para_speaker) -> Quote | None:
    """The k-th quotation-mark span of a paragraph as a statement, or None for a scare quote."""
    sp = spans[k]
    words = len(text[sp.start : sp.end].split())
    if words == 0:
        return None
    p_start, p_end = paragraph
    sent = next(((a, b) for a, b in sentences if a <= sp.open_at < b), paragraph)
    after_lim = min([o.open_at for o in spans[k + 1 :] if o.open_at < sent[1]] or [sent[1]])
    before_lim = max([o.close_end for o in spans[:k] if o.closed and o.close_end > sent[0]] or [sent[0]])
    inner = text[sp.start : sp.end].rstrip()
    ends_like_speech = inner[-1:] in ",.!?…—-"
    before_seg = masked[before_lim : sp.open_at]
    after_seg = masked[sp.close_end : after_lim]
    # a cue must touch its quote: `said: "`, `, he said`, `"...," said X`
    pre = _attribute_before(masked, before_lim, sp.open_at) if re.search(r"(?:[:,]|\b[a-z]+)\s*$", before_seg) else None
    post = (_attribute_after(masked, sp.close_end, after_lim)
            if sp.closed and (ends_like_speech or re.match(r"\s*[,—–]", after_seg)) else None)
    attribution = pre if pre and (re.search(r"[:,]\s*$", before_seg) or post is None) else (post or pre)
    spk, cue, speaker = None, None, None
    if attribution:
        spk, cue = attribution
        speaker = _resolve(registry, spk, spk.start)
    elif k == 0 and block_cue is not None and sp.open_at - p_start < 3:
        spk, cue = block_cue
        speaker = _resolve(registry, spk, p_start)
    elif para_speaker is not None and words > SCARE_QUOTE_MAX_WORDS:
        speaker = para_speaker  # a continuation: `"A," he said. "B."`
    elif recent_speaker is not None and words > SCARE_QUOTE_MAX_WORDS and not before_seg.strip(" \u00a0"):
        speaker = recent_speaker  # a quote paragraph right after an attributed one
    if words <= SCARE_QUOTE_MAX_WORDS and attribution is None:
        return None
    in_sentence = before_seg.strip() or after_seg.strip(" .,\"”")
    is_statement = (
        words >= UNATTRIBUTED_MIN_WORDS
        or (speaker is not None and (ends_like_speech or not in_sentence))
        or (attribution is not None and ends_like_speech)
    )
    if not is_statement:
        return None
    s, e = _trim(text, sp.start, sp.end)
    return _quote(text, s, e, speaker, "direct", cue, spk) if e > s else None


def _resolve(registry: _Registry, spk: _Speaker, pos: int) -> str | None:
    mention = spk.mention.strip()
    if mention.lower() in PRONOUNS:
        if mention.lower() in ("we", "i"):
            return None
        return registry.antecedent(mention, pos)
    name = _clean_speaker(mention)
    return registry.full_name(name, pos) if name else None


def _trim(text: str, s: int, e: int, marks: bool = True) -> tuple[int, int]:
    strip_end = ",;:" + ("\"“”«»„'`" if marks else "")
    strip_start = ",;:" + ("\"“”«»„'`" if marks else "")
    while s < e and (text[s].isspace() or text[s] in strip_start):
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] in strip_end):
        e -= 1
    return s, e


def _looks_like_heading(par: str) -> bool:
    return len(par.split()) <= 6 and not re.search(r"[.!?]\s*$", par.strip())


def _quote(text: str, s: int, e: int, speaker: str | None, kind: str, cue: str | None, spk: _Speaker | None) -> Quote:
    return Quote(
        text=text[s:e], start=s, end=e, speaker=speaker,
        kind=kind,  # type: ignore[arg-type]
        cue=cue.lower() if cue else None,
        speaker_start=spk.start if spk else None,
        speaker_end=spk.end if spk else None,
    )
