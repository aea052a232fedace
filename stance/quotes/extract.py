"""The extraction flow: spans -> cues -> candidates -> resolution, paragraph by paragraph."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from dataclasses import dataclass, field

from stance.quotes.candidates import _PROPER, _clean_speaker, _proper_words, _Speaker, checked
from stance.quotes.cues import _attribute_after, _attribute_before, _reported
from stance.quotes.lexicon import ROLE_NOUNS, SCARE_QUOTE_MAX_WORDS, SPEECH_VERBS, UNATTRIBUTED_MIN_WORDS
from stance.quotes.nlp import Parsed
from stance.quotes.ranker import Candidate, article_candidates, rerank, shipped_model
from stance.quotes.resolution import _Registry, _resolve
from stance.quotes.spans import _looks_like_heading, _masked, _paragraphs, _quote_spans, _sentences, _trim
from stance.types import Quote


def extract_quotes(text: str) -> list[Quote]:
    """Find the quoted statements in an article and say who made them.

    Direct quotes (straight, curly or doubled-apostrophe quotation marks, or a block
    paragraph after a ``said:`` line) and reported speech (``said that``, ``told X that``,
    ``according to``, ``warned that``, ``accused X of``, ``..., the minister said.``).
    Speakers are resolved to the fullest name the article gives. Quotes come in article order.
    """
    return _run(text, "extract_quotes", lambda q, art, paragraphs: rerank(art, paragraphs, q, shipped_model()), [])


def rule_quotes(text: str) -> list[Quote]:
    """``extract_quotes`` without the speaker ranker: the rules' attributions alone."""
    return _run(text, "rule_quotes", lambda q, art, paragraphs: q, [])


def rule_candidates(text: str) -> tuple[list[Quote], list[list[Candidate]]]:
    """The rules' quotes of an article and each one's speaker candidates (for training the
    ranker, ``training/speaker_ranker.py``)."""
    return _run(text, "rule_candidates", lambda q, art, paragraphs: (q, article_candidates(art, paragraphs, q)), ([], []))


def _run(text: str, name: str, finish, empty):
    """The rules' pass over an article, with the article's proper words known to the helpers
    (`_PROPER`), then `finish(quotes, article, paragraphs)`."""
    if not isinstance(text, str):
        raise TypeError(f"{name}() takes a str, got {type(text).__name__}")
    if not text.strip():
        return empty
    token = _PROPER.set(_proper_words(text))
    try:
        return finish(*_extract(text))
    finally:
        _PROPER.reset(token)


_NO_SPEAKER: tuple[str | None, str, float] = (None, "unknown", 0.0)
# a person named right after a pronoun cue, as the subject of a speech verb
_FORWARD_CUE_RE = re.compile(r"[^.!?]{0,80}?\b(?:" + "|".join(sorted(SPEECH_VERBS | {"mentioned"})) + r")\b")


def _extract(text: str) -> tuple[list[Quote], _Article, list[tuple[int, int]]]:
    paragraphs = _paragraphs(text)
    para_spans = [_quote_spans(text, a, b) for a, b in paragraphs]
    masked = _masked(text, [sp for spans in para_spans for sp in spans])  # once: linear in the article
    parsed = Parsed(text, paragraphs)
    art = _Article(text, masked, parsed, _Registry(text, masked, parsed))
    registry = art.registry
    quotes: list[Quote] = []
    block_cue: tuple[_Speaker, str | None, str] | None = None  # the previous paragraph ended in `said:`
    last_speaker: tuple[int, tuple] | None = None  # (paragraph index, resolved speaker) of the latest direct quote

    turns = _transcript_turns(text, paragraphs)
    for p_idx, ((p_start, p_end), spans) in enumerate(zip(paragraphs, para_spans)):
        if p_idx in turns:  # `JANE PORTER: ...`, `Q: ...`, `A: ...`
            label, s = turns[p_idx]
            s, e = _trim(text, s, p_end)
            if e > s:
                spk = None if label.mention in ("Q", "A") else label  # the interviewer and guest are unnamed
                resolved = (spk.mention, "person", 0.85) if spk else _NO_SPEAKER
                quotes.append(_quote(text, s, e, resolved, "direct", None, spk))
                art.fixed.add(s)
                if spk:
                    registry.add_speaker(spk.start, spk.mention)
            block_cue = None
            continue
        sentences = _sentences(masked, p_start, p_end)
        found: list[Quote] = []

        # A paragraph with no quotation marks after a `said:` line is the quote itself.
        if block_cue is not None and not spans and not _looks_like_heading(text[p_start:p_end]):
            spk, cue, kind = block_cue
            resolved = _resolve(registry, spk, p_start, kind)
            s, e = _trim(text, p_start, p_end)
            if e > s:
                quotes.append(_quote(text, s, e, resolved, "direct", cue, spk))
                if resolved[0]:
                    registry.add_speaker(spk.start, resolved[0])
                    last_speaker = (p_idx, resolved)
            block_cue = None
            continue
        prev_block, block_cue = block_cue, None

        # reported speech names its source before a quote that follows in the paragraph
        # (`X accused the government of ... "...," she said.`): its named speakers are known first
        reported = {(a, b): _reported(masked, a, b) for a, b in sentences}
        for hit in reported.values():
            ok = checked(hit[0], parsed) if hit else None
            if ok and ok[1] != "pronoun":
                name = _resolve(registry, ok[0], ok[0].start, ok[1])[0]
                if name:
                    registry.add_speaker(ok[0].start, name)

        para_speaker: tuple | None = None
        for k, sp in enumerate(spans):
            recent = last_speaker[1] if last_speaker and p_idx - last_speaker[0] <= 1 else None
            quote = _direct(art, spans, k, sentences, (p_start, p_end), prev_block, recent, para_speaker)
            if quote is None:
                continue
            found.append(quote)
            if quote.speaker:
                registry.add_speaker(quote.speaker_start if quote.speaker_start is not None else quote.start, quote.speaker)
                last_speaker = (p_idx, (quote.speaker, quote.speaker_type, quote.speaker_confidence))
                para_speaker = last_speaker[1]

        direct = found[:]  # in article order, not overlapping
        direct_starts = [q.start for q in direct]
        for (a, b), hit in reported.items():
            if hit is None:
                continue
            spk, cue, c_start, c_end = hit
            s, e = _trim(text, c_start, c_end, marks=False)
            # only the direct quotes of this sentence (and one running into it) can overlap
            near = direct[max(0, bisect_left(direct_starts, a) - 1) : bisect_right(direct_starts, b)]
            if e - s < 8 or any(q.start <= s < q.end for q in near):
                continue
            inside = sum(q.end - q.start for q in near if s <= q.start and q.end <= e + 2)
            if inside >= 0.5 * (e - s):
                continue  # `He vowed that "..."`: the direct quote carries the statement
            ok = checked(spk, parsed)
            resolved = _resolve(registry, ok[0], ok[0].start, ok[1]) if ok else _NO_SPEAKER
            found.append(_quote(text, s, e, resolved, "indirect", cue, ok[0] if ok else None))
            if resolved[0]:
                registry.add_speaker(ok[0].start, resolved[0])

        # A direct fragment inside a reported statement is part of it (mixed quotes).
        indirect = [q for q in found if q.kind == "indirect"]  # one per sentence: in order, disjoint
        indirect_starts = [q.start for q in indirect]
        found = [q for q in found if q.kind == "indirect" or not _within(q, indirect, indirect_starts)]
        quotes.extend(sorted(found, key=lambda q: q.start))

        if sentences and not (spans and spans[-1].close_end >= p_end - 1):
            a = sentences[-1][0]
            if masked[a:p_end].rstrip().endswith(":"):
                pre = _attribute_before(masked, a, len(masked[:p_end].rstrip()))
                ok = checked(pre[0], parsed) if pre else None
                block_cue = (ok[0], pre[1], ok[1]) if ok else None
    return quotes, art, paragraphs


@dataclass(frozen=True, slots=True)
class _Article:
    text: str
    masked: str
    parsed: Parsed
    registry: _Registry
    fixed: set[int] = field(default_factory=set)  # starts of the quotes the ranker leaves alone


def _direct(art: _Article, spans, k, sentences, paragraph, block_cue, recent_speaker,
            para_speaker) -> Quote | None:
    """The k-th quotation-mark span of a paragraph as a statement, or None for a scare quote."""
    text, masked, registry = art.text, art.masked, art.registry
    sp = spans[k]
    words = len(text[sp.start : sp.end].split())
    if words == 0:
        return None
    p_start, p_end = paragraph
    # spans and sentences are in order: the neighbours are found by position, not by a scan
    i = bisect_right(sentences, (sp.open_at, len(text) + 1)) - 1
    sent = sentences[i] if i >= 0 and sentences[i][0] <= sp.open_at < sentences[i][1] else paragraph
    after_lim = min(spans[k + 1].open_at, sent[1]) if k + 1 < len(spans) else sent[1]
    before_lim = max(spans[k - 1].close_end, sent[0]) if k > 0 and spans[k - 1].closed else sent[0]
    inner = text[sp.start : sp.end].rstrip().rstrip("’'‘ ")  # `...,'" he said`: a nested quote ends it
    ends_like_speech = inner[-1:] in ",.!?…—-"
    before_seg = masked[before_lim : sp.open_at]
    after_seg = masked[sp.close_end : after_lim]
    # a cue must touch its quote: `said: "`, `, he said`, `"...," said X`
    pre = _attribute_before(masked, before_lim, sp.open_at) if re.search(r"(?:[:,]|\b[a-z]+)\s*$", before_seg) else None
    post = (_attribute_after(masked, sp.close_end, after_lim)
            if sp.closed and (ends_like_speech or re.match(r"\s*[,—–―]", after_seg)) else None)
    # a fragment is no speaker: the cue on the other side of the quote may still name one
    # and a noun is no cue (`Responding to the president's remarks, "..." the governor said`)
    pre_ok = checked(pre[0], art.parsed) if pre else None
    post_ok = checked(post[0], art.parsed) if post else None
    if pre_ok and post_ok and not _cue_is_verb(art, pre[1], before_lim, sp.open_at, True):
        pre_ok = None
    if pre_ok and (re.search(r"[:,]\s*$", before_seg) or post_ok is None):
        attribution = (pre_ok, pre[1])
    elif post_ok:
        attribution = (post_ok, post[1])
    else:
        attribution = None
    spk, cue, resolved = None, None, _NO_SPEAKER
    if attribution:
        (spk, kind), cue = attribution
        forward = _forward_person(art, spk, p_end) if kind == "pronoun" and spk.start > sp.close_end else None
        resolved = _resolve(registry, spk, spk.start, kind, forward)
    elif k == 0 and block_cue is not None and sp.open_at - p_start < 3:
        spk, cue, kind = block_cue
        resolved = _resolve(registry, spk, p_start, kind)
    elif (fallback := _sentence_subject(art, sp, before_lim, after_lim)) is not None:
        spk, kind = fallback
        resolved = _resolve(registry, spk, spk.start, kind)
        resolved = (resolved[0], resolved[1], resolved[2] * 0.6)  # no speech verb: less sure
    elif para_speaker is not None and words > SCARE_QUOTE_MAX_WORDS:
        resolved = (*para_speaker[:2], min(para_speaker[2], 0.7))  # a continuation: `"A," he said. "B."`
    elif recent_speaker is not None and words > SCARE_QUOTE_MAX_WORDS and not before_seg.strip(" \u00a0"):
        resolved = (*recent_speaker[:2], min(recent_speaker[2], 0.6))  # a quote paragraph right after an attributed one
    if words <= SCARE_QUOTE_MAX_WORDS and attribution is None:
        return None
    in_sentence = before_seg.strip() or after_seg.strip(" .,\"”")
    is_statement = (
        words >= UNATTRIBUTED_MIN_WORDS
        or (resolved[0] is not None and (ends_like_speech or not in_sentence))
        or (attribution is not None and ends_like_speech)
    )
    if not is_statement:
        return None
    s, e = _trim(text, sp.start, sp.end)
    return _quote(text, s, e, resolved, "direct", cue, spk) if e > s else None


# a transcript turn: a speaker's name in capitals, or Q / A, then a colon
_TURN_RE = re.compile(r"[ \t\u00a0]*[\"“]?(?P<name>Q|A|[A-Z][A-Z’'.\-]+(?:[ \u00a0]+[A-Z][A-Z’'.\-]+){0,3})[ \u00a0]*:[ \u00a0]+(?=\S)")
_NOT_TURNS = frozenset("UPDATE UPDATED WATCH BREAKING NOTE READ RELATED PHOTO PHOTOS VIDEO CLICK SOURCE SOURCES WARNING".split())


def _transcript_turns(text: str, paragraphs: list[tuple[int, int]]) -> dict[int, tuple[_Speaker, int]]:
    """Paragraph index -> (speaker label, start of the words) for an interview transcript: at
    least two turns by two different labels, so a one-off dateline (`KARACHI: ...`) is none."""
    turns = {}
    for i, (a, b) in enumerate(paragraphs):
        m = _TURN_RE.match(text, a, b)
        if m and m.group("name").split()[-1].rstrip(".") not in _NOT_TURNS:
            turns[i] = (_Speaker(m.group("name"), m.start("name"), m.end("name")), m.end())
    return turns if len(turns) >= 2 and len({t[0].mention for t in turns.values()}) >= 2 else {}


def _sentence_subject(art: _Article, sp, lo: int, hi: int) -> tuple[_Speaker, str] | None:
    """A quote with no speech cue: the subject of the sentence's verb nearest to it, when that
    is a name, a pronoun or a role (`"..." Mr. Burton fumed`)."""
    found = art.parsed.verb_subject(lo, hi, sp.open_at, sp.close_end)
    if found is None and sp.closed and not art.masked[sp.close_end : hi].strip():
        # the quote is a whole sentence: `"...?" Mr. Burton fumed, ...` (SUBJECT VERB then , or .)
        tail = re.match(r"[ \u00a0]+[^,;:!?\"“”]{1,40}?\b[a-z]+ed(?=[,.])", art.masked[sp.close_end : sp.close_end + 60])
        if tail:
            found = art.parsed.verb_subject(sp.close_end, sp.close_end + tail.end(), sp.open_at, sp.close_end)
    if found is None:
        return None
    spk = checked(_Speaker(art.text[found[0] : found[1]], *found), art.parsed)
    if spk is None or (spk[1] == "role" and spk[0].mention.split()[-1].lower() not in ROLE_NOUNS):
        return None
    return spk


def _cue_is_verb(art: _Article, cue: str | None, lo: int, hi: int, last: bool) -> bool:
    if cue is None:
        return True
    at = art.masked.rfind(cue, lo, hi) if last else art.masked.find(cue, lo, hi)
    return at < 0 or art.parsed.is_verb(at)


def _forward_person(art: _Article, spk: _Speaker, p_end: int) -> str | None:
    """A person named in the sentence after a pronoun cue, as the subject of a speech verb,
    when the paragraph names nobody before it."""
    if art.registry.named_in_paragraph(spk.start):
        return None
    for start, end, label in art.parsed.entities(spk.end, min(p_end, spk.end + 300)):
        if label == "PERSON" and art.masked[start:end] == art.text[start:end] \
                and _FORWARD_CUE_RE.match(art.masked, end, p_end):
            return art.registry.full_name(_clean_speaker(art.text[start:end]), end)
    return None


def _within(q: Quote, indirect: list[Quote], starts: list[int]) -> bool:
    """A direct fragment inside a reported statement (up to two characters past its end)."""
    i = bisect_right(starts, q.start) - 1
    return i >= 0 and q.end <= indirect[i].end + 2


def _quote(text: str, s: int, e: int, resolved: tuple[str | None, str, float], kind: str,
           cue: str | None, spk: _Speaker | None) -> Quote:
    speaker, speaker_type, confidence = resolved
    return Quote(
        text=text[s:e], start=s, end=e, speaker=speaker,
        kind=kind,  # type: ignore[arg-type]
        cue=cue.lower() if cue else None,
        speaker_start=spk.start if spk else None,
        speaker_end=spk.end if spk else None,
        speaker_type=speaker_type if speaker else "unknown",  # type: ignore[arg-type]
        speaker_confidence=round(confidence, 3) if speaker else 0.0,
    )
