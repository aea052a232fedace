"""Paragraphs, quotation-mark spans and sentences (quote interiors masked)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from stance.quotes.lexicon import _ABBREVIATIONS, SPEECH_VERBS

MARK_CHARS = "“”«»„\""  # the one-character quotation marks (`''` and ``` `` ``` are marks too)
_MARK_RE = re.compile(rf"''|``|[{MARK_CHARS}]")
_OPEN_MARKS = ("“", "«", "„", "``")
_CLOSE_MARKS = ("”", "»")
_MASK = "x"


@dataclass(slots=True)
class _Span:
    start: int  # first char of the quoted words (after the opening mark)
    end: int  # one past the last quoted char (before the closing mark, or the paragraph end)
    open_at: int  # position of the opening mark
    close_end: int  # one past the closing mark (== end when unbalanced)
    closed: bool



# Any line break ends a paragraph: `\n`, Windows `\r\n`, old Mac `\r`, Unicode separators.
LINE_BREAKS = "\n\r\u2028\u2029\x85\x0b\x0c"
_LINE_RE = re.compile(f"[^{LINE_BREAKS}]+")


def _paragraphs(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _LINE_RE.finditer(text) if m.group().strip()]


# A blank line in any line-break convention separates paragraphs of running text.
_BLANK_LINES = ("\n\n", "\r\n\r\n", "\r\r", "\u2029")


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph (text between blank lines, any line-break convention) around text[start:end]."""
    before = [(i + len(sep)) for sep in _BLANK_LINES if (i := text.rfind(sep, 0, start)) >= 0]
    after = [i for sep in _BLANK_LINES if (i := text.find(sep, end)) >= 0]
    return max(before, default=0), min(after, default=len(text))


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
    return _with_single_quotes(text, p_start, p_end, spans)


# Single quotation marks: curly, or straight ones that are not apostrophes (`don't`, `'90s`)
# and not half of the NYT's doubled `''`.
_SINGLE_RE = re.compile(r"[‘’‚]|(?<!')'(?!')")


def _with_single_quotes(text: str, p_start: int, p_end: int, doubles: list[_Span]) -> list[_Span]:
    """Add the spans of single quotation marks outside double ones (`He replied, ‘...’`); a
    double-quoted phrase inside single marks (British style) is part of the outer quote. An
    unclosed single mark is an apostrophe or a stray, never a quote to the paragraph's end."""
    singles: list[_Span] = []
    opened: int | None = None
    d = 0
    for m in _SINGLE_RE.finditer(text, p_start, p_end):
        i = m.start()
        while d < len(doubles) and doubles[d].close_end <= i:
            d += 1
        if d < len(doubles) and doubles[d].open_at <= i:
            continue  # inside a double quote: a quote within a quote, or an apostrophe
        prev = text[i - 1] if i > p_start else " "
        nxt = text[i + 1] if i + 1 < p_end else " "
        if prev.isalnum() and nxt.isalnum():
            continue  # an apostrophe: don't, it’s, Shi'ite
        if opened is None:
            if (prev.isspace() or prev in "([{—–-:,") and nxt.isalpha() and m.group() != "’":
                opened = i
        elif not prev.isspace() and (nxt.isspace() or nxt in ".,;:!?)]}—–-" or i + 1 >= p_end) and m.group() != "‘":
            if len(text[opened + 1 : i].split()) >= 1:
                singles.append(_Span(opened + 1, i, opened, i + 1, True))
            opened = None
    if not singles:
        return doubles
    merged = []
    k = 0
    for sp in doubles:  # drop doubles nested in a single span, and singles that cross a double
        while k < len(singles) and singles[k].close_end <= sp.open_at:
            merged.append(singles[k])
            k += 1
        if k < len(singles) and singles[k].open_at <= sp.open_at and sp.close_end <= singles[k].close_end:
            continue
        if k < len(singles) and singles[k].open_at < sp.close_end:
            k += 1  # crossing marks: trust the double quote
        merged.append(sp)
    merged.extend(singles[k:])
    return sorted(merged, key=lambda sp: sp.open_at)


def _masked(text: str, spans: list[_Span]) -> str:
    """Text with quote interiors replaced by a neutral letter, so cues and sentence boundaries
    are found outside quotes only; lengths are unchanged. A capital first letter and a final
    . ! ? are kept because sentence boundaries depend on them."""
    chars = list(text)
    for s in spans:
        for k in range(s.start, s.end):
            if chars[k] not in LINE_BREAKS:
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


# Longer "sentences" (lists, text without punctuation) are cut into pieces of at most this
# many characters, so the per-sentence grammar costs a constant and extraction stays linear.
MAX_SENTENCE_CHARS = 1000
_LAST_WORD_RE = re.compile(r"([\w.]+)$")


def _sentences(masked: str, p_start: int, p_end: int) -> list[tuple[int, int]]:
    return [piece for a, b in _raw_sentences(masked, p_start, p_end) for piece in _cut(masked, a, b)]


def _cut(masked: str, a: int, b: int) -> list[tuple[int, int]]:
    pieces = []
    while b - a > MAX_SENTENCE_CHARS:
        cut = masked.rfind(" ", a + MAX_SENTENCE_CHARS // 2, a + MAX_SENTENCE_CHARS)
        if cut < 0:  # a masked quote or one long token: cut at the next space after it
            cut = masked.find(" ", a + MAX_SENTENCE_CHARS, b)
            if cut < 0:
                break
        cut += 1
        pieces.append((a, cut))
        a = cut
    pieces.append((a, b))
    return pieces


def _raw_sentences(masked: str, p_start: int, p_end: int) -> list[tuple[int, int]]:
    out = []
    s = p_start
    for m in _BOUNDARY_RE.finditer(masked, p_start, p_end):
        dot = m.start()
        word = _LAST_WORD_RE.search(masked, max(s, dot - 40), dot)
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

