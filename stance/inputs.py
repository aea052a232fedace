"""How a (statement, target) pair becomes the stance model's input, the same way in the library,
the CLI and training.

Two steps, both so that the label depends on who the target is and not on how it is written:

* the target is canonicalised by the actor gazetteer (`PMF`, `PMU`, `Hashd al-Shaabi` ->
  `Popular Mobilisation Forces`), so aliases cannot change a label;
* the target's mentions inside the statement (any alias the gazetteer knows, or the target's own
  words for a target it does not know, or else "the government" for a government, "the army"
  for an army: see GENERIC_HEADS) are wrapped in marker tokens, `« ... »`, which the encoder's
  vocabulary already holds, so the model sees where the target is talked about.

A model trained with `speaker_input` also reads who speaks: the stance is the speaker's, and
"it has killed thousands of Hamas fighters" takes a side only once one knows the Israeli army
said it. The speaker goes into the first segment, after the target and a `[SEP]`, so every
window of a long statement keeps it; the target's mentions in the speaker's name are marked
too ("« Israel »'s military" speaking of Israel).
"""
from __future__ import annotations

import re
from functools import lru_cache

from stance.gazetteer import GazetteerLike, as_gazetteer

OPEN, CLOSE = "«", "»"
SPEAKER_SEP = "[SEP]"  # the tokenizer's own separator: target, then speaker, in the first segment
MAX_SPEAKER_WORDS = 12  # a speaker is a name or a role phrase; a longer one is cut, never the statement
_LEADING_THE = re.compile(r"^the\s+", re.I)
# Head nouns by which an article refers back to a named institution ("the government" for the
# Iraqi government): marked as the target when the statement names it no other way.
GENERIC_HEADS = frozenset({"government", "regime", "army", "military", "authorities", "administration", "militias"})


@lru_cache(maxsize=4096)
def _literal(target: str, the: bool = False) -> re.Pattern[str]:
    """The target's words, any case, whole words; with `the`, its leading "the" is kept."""
    words = (target if the else _LEADING_THE.sub("", target)).split()
    return re.compile(r"(?<!\w)" + r"[\s\-]+".join(map(re.escape, words)) + r"(?!\w)", re.I)


def target_spans(text: str, target: str, gazetteer: GazetteerLike = None) -> list[tuple[int, int]]:
    """Character spans in `text` that mention `target` (canonical or not), in order, never overlapping."""
    g = as_gazetteer(gazetteer)
    name = g.canonical_target(target)
    spans = [(m.start, m.end) for m in g.find_targets(text) if m.name == name]
    words = _LEADING_THE.sub("", name).split()
    if not spans and words:
        spans = [m.span() for m in _literal(name).finditer(text)]
    if not spans and len(words) > 1 and words[-1].lower() in GENERIC_HEADS:
        spans = [m.span() for m in _literal(f"the {words[-1]}", the=True).finditer(text)]
    return spans


def mark_target(text: str, target: str, gazetteer: GazetteerLike = None) -> str:
    """The statement with every mention of the target wrapped in `« ... »`."""
    out, last = [], 0
    for start, end in target_spans(text, target, gazetteer):
        out += [text[last:start], OPEN, " ", text[start:end], " ", CLOSE]
        last = end
    return "".join(out) + text[last:] if out else text


def speaker_text(speaker: str | None) -> str | None:
    """The speaker as the model reads it: its first MAX_SPEAKER_WORDS words, None when blank."""
    words = speaker.split()[:MAX_SPEAKER_WORDS] if isinstance(speaker, str) else []
    return " ".join(words) or None


def stance_inputs(texts: list[str], targets: list[str], mark: bool,
                  gazetteer: GazetteerLike = None,
                  speakers: list[str | None] | None = None) -> tuple[list[str], list[str]]:
    """(first segments, second segments) for the tokenizer: the canonical target first, then the
    statement, with the target's mentions marked when the model was trained that way. With your
    own actors (`gazetteer`), their aliases canonicalise and are marked too. speakers (for a
    model trained with `speaker_input`): one per pair, or None where it is not known; a known
    one follows the target in the first segment."""
    g = as_gazetteer(gazetteer)
    canon = [g.canonical_target(t) for t in targets]
    seconds = [mark_target(x, t, g) for x, t in zip(texts, canon)] if mark else list(texts)
    if speakers is None:
        return canon, seconds
    firsts = []
    for t, spk in zip(canon, speakers):
        spk = speaker_text(spk)
        if spk is not None:
            t = f"{t} {SPEAKER_SEP} {mark_target(spk, t, g) if mark else spk}"
        firsts.append(t)
    return firsts, seconds
