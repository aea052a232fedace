"""Cues: attributions next to a direct quote and reported speech in a sentence."""
from __future__ import annotations

import re

from stance.quotes.candidates import (
    _NAME_RE, _WORD_RE, _Speaker, _is_name, _np_in_clause, _plausible_subject, _subject,
)
from stance.quotes.lexicon import (
    ATTRIBUTION_WINDOW, BARE_COMPLEMENT_VERBS, OBJECT_VERBS, PREPOSITIONS, PRONOUNS, SPEECH_PARTICIPLES,
    SPEECH_VERBS, TIME_WORDS,
)
from stance.quotes.spans import _MASK


def _speech_verbs(segment: str) -> list[re.Match]:
    return [m for m in _WORD_RE.finditer(segment) if m.group(1).lower() in SPEECH_VERBS]


def _attribute_after(masked: str, a: int, b: int) -> tuple[_Speaker, str] | None:
    """`"...," Ahmed Almahmoud, an analyst, said.` or `"...," said the minister.`"""
    seg = masked[a:b]
    dash = re.match(r"[\s\u00a0]*[―—–][\s\u00a0]*", seg)  # `"..." ― Nell Carden Grey`
    if dash:
        name = _NAME_RE.match(seg, dash.end())
        if name and _is_name(name.group()):
            return _Speaker(name.group(), a + name.start(), a + name.end()), None
    verbs = _speech_verbs(seg)
    if not verbs or verbs[0].start() > ATTRIBUTION_WINDOW:
        acc = re.match(r"[\s,\u00a0—–-]*according to\s+([^,;:!?\"“”]{2,80})", seg)  # `"...," according to X.`
        spk = _np_in_clause(acc.group(1).strip().rstrip("."), a + acc.start(1)) if acc else None
        return (spk, "according to") if spk else None
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
    r"|(?P<verb2>said|says|added)\s+(?P<subj2>[^,]{2,80}?)(?:,\s*(?:who|whose|a|an|the)\s[^.]{2,120}?)?"
    r"|according\s+to\s+(?P<subj3>[^,]{2,80}?))"
    r"(?:\s+(?:on|in|at|late|early|last|this|during|after|before|today|yesterday|tonight|earlier|later|again|recently)\b[^.]*)?\s*[.!?]?[\s\"”’]*$",
    re.S,
)
_PARENTHETICAL_RE = re.compile(
    r"^(?P<a>.{10,}?),\s*(?P<subj>[^,]{2,60}?)\s+(?P<verb>said|say|says|added|argued|noted|warned|believe|believes|contend|contends|insisted),\s*(?P<b>.{10,})$",
    re.S,
)
# verbs of demand and accusation, whose complement is the statement: "called on X to ...",
# "urged X to", "blamed X for", "demanded the release", "condemned the attack"
_DEMAND_RE = re.compile(
    r"\b(?P<verb>(?:called|calls|call)\s+(?:on|upon|for)|urged|urges|blamed|blames|demanded|demands|condemned|condemns|"
    r"denounced|denounces|criticised|criticized|criticises|criticizes)\s+(?P<content>[^\s.;])"
)
# a time adverbial between a verb and its complement: "said late on Tuesday it would ..."
_TIME_ADVERBIAL_RE = re.compile(
    r"(?:\s+(?:late|early|earlier|later))?(?:\s+(?:on|last|this|next))?\s+(?:today|yesterday|tonight|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|week|weekend|month|year|morning|afternoon|evening|night)"
    r"(?:\s+(?:morning|afternoon|evening|night))?,?(?=\s)"
)
_ACCUSE_RE = re.compile(r"\b(?P<verb>accused|accuses|accuse)\s+(?P<content>[^.;]{3,}?\s+of\s+\S)")
_BARE_STOP = PREPOSITIONS | TIME_WORDS | frozenset(
    "and but or so as when while nothing something anything recently earlier later then yes no not also "
    "only just publicly privately repeatedly often".split()
)
# verbs of finding and believing that report a source's claim with a `that` complement only:
# "the report found that ...", "the poll shows that ...", "officials think that ..."
THAT_VERBS = frozenset(
    "find finds found show shows showed indicate indicates indicated report reports reported think thinks "
    "thought agree agrees agreed hope hopes hoped fear fears feared disclose discloses disclosed "
    "signal signals signaled signalled conclude concludes concluded".split()
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
    if after and (after[0] in _VERBISH or after[0].endswith("ed")):
        return True
    # "said Democrats and the media are to blame": a verb within a few words, before any comma
    clause = sent[pos:].split(",")[0].split()[1:7]
    return any(w in _VERBISH for w in clause)


def _reported(masked: str, a: int, b: int):
    """Reported speech in one sentence: (speaker, cue, start, end) or nothing."""
    sent = masked[a:b]
    quoted = sum(len(m.group()) for m in re.finditer(_MASK + "{6,}", sent))
    if quoted > len(sent) / 2:
        return None  # a sentence built around a direct quote
    t = _TRAILING_RE.match(sent)  # once: the early bare reading defers to it, and its own rule reads it
    inverted_at = t.start("verb2") if t and t.group("verb2") else None
    for w in _WORD_RE.finditer(sent):
        verb = w.group(1).lower()
        if verb not in SPEECH_VERBS and verb not in THAT_VERBS:
            continue
        m = _REPORTED_RE.match(sent, w.start())
        if m is not None and verb not in OBJECT_VERBS and len(m.group("mid").split()) > 6:
            m = None  # the `that` is too far from the verb to be its complement
        if verb in THAT_VERBS and verb not in SPEECH_VERBS and (m is None or m.group("mid").split()):
            continue  # `found`, `shows`: reported speech only with `that` right after them
        if m is None and verb in BARE_COMPLEMENT_VERBS:
            # `X says hackers are ..., and that ...`: the first speech verb is the cue, not a
            # later word that can be one (`state and local officials, and that`)
            bare = _bare_reported(masked, sent, w, a, b, inverted_at)
            if bare is not None:
                return bare
        if m is None:
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
    if t and _MASK * 4 not in t.group("content") and len(t.group("content").split()) >= 5:
        key = "subj" if t.group("subj") else ("subj2" if t.group("subj2") else "subj3")
        subj = t.group(key)
        verb = (t.group("verb") or t.group("verb2") or "according to")
        verb = verb if verb == "according to" else verb.split()[0]
        lead = len(subj) - len(subj.lstrip())
        spk = _plausible_subject(_np_in_clause(subj.strip(), a + t.start(key) + lead))
        if spk and len(subj.split()) <= 8 and _MASK * 4 not in subj \
                and not (key == "subj2" and spk.mention.split()[0].lower() in PRONOUNS):
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
    for m in _DEMAND_RE.finditer(sent):
        subj = _subject_before(sent, m.start("verb"), a)
        if subj:
            c = a + m.start("content")
            return subj, " ".join(m.group("verb").lower().split()), c, _content_end(masked, c, b)
    for w in _WORD_RE.finditer(sent):  # last: the bare clauses the rules above left
        if w.group(1).lower() in BARE_COMPLEMENT_VERBS:
            bare = _bare_reported(masked, sent, w, a, b)
            if bare is not None:
                return bare
    return None


def _bare_reported(masked: str, sent: str, w: re.Match, a: int, b: int, inverted_at: int | None = None):
    """`X said Russia had violated ...`: a clause right after a speech verb, with no `that`.
    `inverted_at`: where the trailing rule reads `..., said the minister.` (an inverted
    attribution, its speaker after the verb); a verb there is left to that rule."""
    verb = w.group(1).lower()
    if w.start() == inverted_at:
        return None
    adverbial = _TIME_ADVERBIAL_RE.match(sent, w.end())
    at = adverbial.end() if adverbial else w.end()
    if not _bare_content_start(sent, at):
        return None
    subj = _subject_before(sent, w.start(), a)
    if subj is None:
        return None
    c = a + at + len(sent[at:]) - len(sent[at:].lstrip())
    return (subj, verb, c, _content_end(masked, c, b)) if b - c >= 20 else None
