"""Candidate statements for the in-domain corpus: quotes from real conflict news.

    python -m training.data.candidates --data-dir ../shared/data --out data/annotation

Quotes come from the project's own `extract_quotes`; pre-selection only decides what is
worth a reader's time (sect and actor vocabulary, plus a random share so that `none` is
realistic). Every label is later decided by reading the statement.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from stance.gazetteer import unique_targets
from stance.quotes import extract_quotes
from training.data.articles import REGION_RE, SENTENCE_SOURCES, iter_articles
from training.data.corpus import doc_key, norm_text, read_jsonl_dicts, read_label_pass

# Pre-selection vocabulary: sect identities, sect-coded slurs (English transliterations of the
# AraHate lexicon's high-scoring terms) and words about sectarianism itself.
SECT_NAMES = (r"sunnis?|shi[a'’]?(?:a|as|ite|ites)|alawites?|druze|christians?|yazidis?|catholics?|protestants?|"
              r"maronites?")
SECT_RE = re.compile(
    r"\b(" + SECT_NAMES + r"|sect|sects|sectarian\w*|safavids?|rafid\w*|majus|magians?|nusayri\w*|nawasib|crusaders?|"
    r"takfir\w*|wahhabi\w*|salafi\w*|infidels?|apostates?|heretics?|religious|sectarianism|"
    r"loyalists?|republicans?|unionists?|nationalists?)\b",
    re.I,
)
# Fourth counterfactual round (corpus.rhetoric_batches): a sect or faith named, Muslims and Islam
# too but not "Islamic State"; without SECT_RE's Northern Ireland party words, which match US Republicans.
FAITH_RE = re.compile(r"\b(" + SECT_NAMES + r"|sects?|muslims?|islam(?!ic state)\w*|jews?|jewish|faiths?|religio\w*)\b", re.I)
# Third round: words of unity and division, where counter-sectarian statements are found.
UNITY_RE = re.compile(
    r"\b(unity|unite|uniting|brotherhood|coexist\w*|reconcil\w*|divisions?|divisive|strife|fitna|"
    r"sectarian\w*|non-sectarian|inclusive|tolerance|pluralis\w*|interfaith|"
    r"all (?:iraqis|syrians|lebanese|yemenis|bahrainis|pakistanis))\b",
    re.I,
)
# Fifth round: words of support, where the rare `favor` stance is found (pre-selection only).
SUPPORT_RE = re.compile(
    r"\b(support\w*|backs?|backing|backed|welcom\w*|prais\w*|thank\w*|ally|allies|allied|solidarity|"
    r"stand(?:s|ing)? (?:with|by)|defend\w*|legitima\w*|commend\w*|endors\w*|applaud\w*|hail\w*|friend\w*|"
    r"partners?|brave|heroic|liberat\w*)\b",
    re.I,
)
MIN_CHARS, MAX_CHARS = 40, 700


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    source: str
    doc_id: str
    file: str
    start: int
    end: int
    text: str
    speaker: str | None
    kind: str
    targets: list[str]
    pool: str  # "sect", "actor" or "random": why it was picked


def _stable_rng(key: str) -> random.Random:
    return random.Random(int(hashlib.sha1(key.encode()).hexdigest()[:12], 16))


def _choose_targets(text: str, article_actors: list[str], rng: random.Random) -> tuple[list[str], list[str]]:
    """(actors the statement names, its targets): up to two named actors, and, about a
    quarter of the time (always when it names none), an actor of the article it does not name."""
    own = unique_targets(text)[:2]
    others = [t for t in article_actors if t not in own]
    targets = list(own)
    if others and (not own or rng.random() < 0.3):
        targets.append(rng.choice(others[:6]))
    return own, targets


def _usable(text: str, max_chars: int = MAX_CHARS) -> bool:
    words = text.split()
    return MIN_CHARS <= len(text) <= max_chars and len(words) >= 6 and sum(w.isalpha() for w in words) >= 0.6 * len(words)


def collect(data_dir: Path, seed: int = 13) -> list[Candidate]:
    out: list[Candidate] = []
    seen: set[str] = set()
    for art in iter_articles(data_dir):
        if not REGION_RE.search(art.text):
            continue
        article_actors = unique_targets(art.text)
        for q in extract_quotes(art.text):
            norm = norm_text(q.text)
            if not _usable(q.text) or norm in seen:
                continue
            seen.add(norm)
            key = f"{art.source}:{art.doc_id}:{q.start}-{q.end}"
            own, targets = _choose_targets(q.text, article_actors, _stable_rng(f"{seed}:{key}"))
            if not targets:
                continue
            pool = "sect" if SECT_RE.search(q.text) else ("actor" if own else "random")
            out.append(Candidate(key, art.source, art.doc_id, art.file, q.start, q.end, q.text,
                                 q.speaker, q.kind, targets, pool))
    return out


_SENTENCE_RE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"”’]?|$)")


def collect_narration(data_dir: Path, exclude_docs_spans: dict[str, list[tuple[int, int]]], seed: int = 13,
                      pattern: re.Pattern | None = None) -> list[Candidate]:
    """Sentences of the articles' own prose that use sect vocabulary (second round: real quotes
    alone hold too few sectarian and counter-sectarian statements for dev and test)."""
    out: list[Candidate] = []
    seen: set[str] = set()
    for art in iter_articles(data_dir, ("fa_kes", "fnc1")):
        if not REGION_RE.search(art.text):
            continue
        taken = [(q.start, q.end) for q in extract_quotes(art.text)]
        taken += exclude_docs_spans.get(f"{art.source}:{art.doc_id}", [])
        article_actors = unique_targets(art.text)
        for m in _SENTENCE_RE.finditer(art.text):
            start = m.start() + len(m.group()) - len(m.group().lstrip())
            end = m.end()
            text = art.text[start:end].strip()
            end = start + len(text)
            norm = norm_text(text)
            if not (SECT_RE.search(text) or (pattern and pattern.search(text))) or not _usable(text) or norm in seen:
                continue
            if any(a < end and start < b for a, b in taken):
                continue  # overlaps a quote: the quote is the statement
            seen.add(norm)
            key = f"{art.source}:{art.doc_id}:{start}-{end}"
            _, targets = _choose_targets(text, article_actors, _stable_rng(f"{seed}:{key}"))
            if targets:
                out.append(Candidate(key, art.source, art.doc_id, art.file, start, end, text, None,
                                     "narration", targets, "sect"))
    return out


def _spans(cands: list[dict]) -> dict[str, list[tuple[int, int]]]:
    """Character spans already taken, per `source:doc_id`: prose overlapping them is not a new statement."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for c in cands:
        spans.setdefault(doc_key(c), []).append((c["start"], c["end"]))
    return spans


def collect_rare(data_dir: Path, previous: list[dict], seed: int = 13) -> list[Candidate]:
    """Third round: every statement not yet picked that uses sect or unity vocabulary: quotes of
    all article sources, sentences of FA-KES/FNC-1 prose, and single news sentences of
    directed_sentiment_news that name a conflict of ours (both rare framing labels are too thin
    in dev and test otherwise)."""
    def rare(text: str) -> bool:
        return bool(SECT_RE.search(text) or UNITY_RE.search(text))

    picked = {c["id"] for c in previous}
    out = [c for c in collect(data_dir, seed) if c.id not in picked and rare(c.text)]
    taken = _spans([*previous, *map(asdict, out)])
    out += [c for c in collect_narration(data_dir, taken, seed, pattern=UNITY_RE) if c.id not in picked]
    for art in iter_articles(data_dir, SENTENCE_SOURCES):
        text = art.text
        key = f"{art.source}:{art.doc_id}:0-{len(text)}"
        if not (REGION_RE.search(text) and rare(text)) or not _usable(text) or key in picked:
            continue
        _, targets = _choose_targets(text, [], _stable_rng(f"{seed}:{key}"))
        if targets:
            out.append(Candidate(key, art.source, art.doc_id, art.file, 0, len(text), text, None,
                                 "narration", targets, "sect"))
    return out


def collect_actor(data_dir: Path, previous: list[dict], labelled: set[str], n: int, seed: int = 13) -> list[Candidate]:
    """Fifth round: n quotes that name an actor, never labelled before (`labelled` holds the
    ids of statements dropped as not usable, which a restored folder has no candidate for) and
    not a repeat of an earlier text; every one with support vocabulary first (`favor` is the
    thinnest stance label in dev and test), the rest at random."""
    picked = {c["id"] for c in previous}
    pool = [c for c in collect(data_dir, seed) if c.id not in picked and c.pool == "actor"]
    random.Random(seed).shuffle(pool)
    # filtered after the shuffle, which depends on the pool's length: the shipped round drew these 400
    texts = {norm_text(c["text"]) for c in previous}
    pool = [c for c in pool if c.id not in labelled and norm_text(c.text) not in texts]
    pool.sort(key=lambda c: not SUPPORT_RE.search(c.text))  # stable: shuffled within each group
    chosen = pool[:n]
    random.Random(seed).shuffle(chosen)
    return chosen


def select(cands: list[Candidate], n_statements: int, seed: int = 13) -> list[Candidate]:
    """All sect-vocabulary statements, then actor and random ones to fill up to n_statements."""
    rng = random.Random(seed)
    by_pool = {p: [c for c in cands if c.pool == p] for p in ("sect", "actor", "random")}
    for pool in by_pool.values():
        rng.shuffle(pool)
    chosen = by_pool["sect"][:n_statements]
    rest = n_statements - len(chosen)
    n_actor = min(len(by_pool["actor"]), int(rest * 0.75))
    chosen += by_pool["actor"][:n_actor]
    chosen += by_pool["random"][: n_statements - len(chosen)]
    rng.shuffle(chosen)
    return chosen


def write_batches(chosen: list[Candidate], out: Path, batch_size: int, first_batch: int = 0, append: bool = False) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "candidates.jsonl").open("a" if append else "w", encoding="utf-8") as fh:
        for c in chosen:
            fh.write(json.dumps(asdict(c), ensure_ascii=False) + "\n")
    batches = out / "batches"
    batches.mkdir(exist_ok=True)
    # annotators see the statement, its speaker and the targets: nothing about why it was picked
    for b in range(0, len(chosen), batch_size):
        with (batches / f"batch_{first_batch + b // batch_size:02d}.jsonl").open("w", encoding="utf-8") as fh:
            for c in chosen[b : b + batch_size]:
                item = {"id": c.id, "speaker": c.speaker, "text": c.text, "targets": c.targets}
                fh.write(json.dumps(item, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parents[3] / "shared" / "data")
    ap.add_argument("--out", type=Path, default=Path("data/annotation"))
    ap.add_argument("--statements", type=int, default=1100)
    ap.add_argument("--batch-size", type=int, default=100)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--narration", type=int, default=0,
                    help="second round: add this many sect-vocabulary sentences of article prose")
    ap.add_argument("--rare", action="store_true",
                    help="third round: every remaining statement with sect or unity vocabulary")
    ap.add_argument("--actor", type=int, default=0,
                    help="fifth round: this many more quotes naming an actor, support vocabulary first")
    args = ap.parse_args(argv)
    if args.rare or args.narration or args.actor:  # a later round: appended after the batches already written
        previous = read_jsonl_dicts(args.out / "candidates.jsonl")
        if args.actor:
            labelled = set(read_label_pass(args.out / "labels" / "pass1"))
            chosen = collect_actor(args.data_dir, previous, labelled, args.actor, args.seed)
            what = f"{sum(bool(SUPPORT_RE.search(c.text)) for c in chosen)} with support vocabulary"
        elif args.rare:
            chosen = collect_rare(args.data_dir, previous, args.seed)
            random.Random(args.seed).shuffle(chosen)
            what = f"{dict(sorted(Counter(c.source for c in chosen).items()))}"
        else:
            pool = collect_narration(args.data_dir, _spans(previous), args.seed)
            random.Random(args.seed).shuffle(pool)
            chosen = pool[: args.narration]
            what = f"of {len(pool)} sect-vocabulary sentences"
        n_batches = len(list((args.out / "batches").glob("batch_*.jsonl")))
        write_batches(chosen, args.out, args.batch_size, first_batch=n_batches, append=True)
        print(f"added {len(chosen)} statements ({what}) in batches from {n_batches:02d}")
        return
    cands = collect(args.data_dir, args.seed)
    chosen = select(cands, args.statements, args.seed)
    write_batches(chosen, args.out, args.batch_size)
    pools = {p: sum(c.pool == p for c in chosen) for p in ("sect", "actor", "random")}
    print(f"{len(cands)} usable quotes; chose {len(chosen)} statements, "
          f"{sum(len(c.targets) for c in chosen)} (statement, target) pairs; pools {pools}")


if __name__ == "__main__":
    main()
