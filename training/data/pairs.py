"""Sixth round: multi-target (statement, target) pairs, and the benchmark that looks like use.

    python -m training.data.pairs candidates --data-dir ../shared/data --work data/pairs
    python -m training.data.pairs assemble   --work data/pairs --data-dir ../shared/data

Later rounds (train only) draw what is left and append to `annotations/pairs.jsonl`:

    python -m training.data.pairs more          --narration 2000 --work data/pairs7
    python -m training.data.pairs assemble-more --work data/pairs7

`candidates` takes real quotes that no earlier round labelled, from the region's articles
(FA-KES, FNC-1, PolNeAR, BASIL) and from the Gaza war sentences (gaza_blame, gaza_casualty),
and gives each two or three targets: the actors it names, then other actors of its article, so
that one text often carries different stances. Every article goes whole to one split, by hash:
`bench` (the benchmark's test split), `dev` (model choice) or `train`. An article an earlier
round used keeps its side (train stays train, dev dev, test goes to the bench), so the benchmark
shares no document with any train or dev row of any round. Batches of 100 statements go to
annotators with the statement, its speaker and its targets only (`annotations/BRIEF.md`).

`assemble` reads `labels/pass1` and `labels/pass2` (bench and dev are labelled twice, blind; a
random 5% of train too), reports Cohen's kappa per split and batch, takes `adjudication.jsonl`
where the passes disagree (pass 1 where no adjudication is given), and writes the benchmark
(`training/data/bench/{test,dev}.jsonl`) and the new train rows
(`training/data/annotations/pairs.jsonl`), in the corpus's row format: ids, offsets and a text
hash; text only where the source's terms allow (FA-KES). The label passes ship beside them
(`annotations/pairs_{pass1,pass2,adjudication}.jsonl`, ids and labels, no notes).

`more` draws a later train-only round: Gaza prose sentences and the train quotes still unlabelled,
none of them a statement (by id or by normalised text) that any earlier round labelled, in the
corpus, the pairs or the benchmark. `assemble-more` appends its rows and passes to the shipped
files: the rows of other rounds are kept as they are, its own are replaced in place, so running
it twice writes the same files.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from stance.metrics import cohen_kappa
from stance.gazetteer import unique_targets
from stance.quotes import extract_quotes
from training.data.converters.bench import BENCH_DIR
from training.data import candidates
from training.data.articles import ARTICLE_SOURCES, GAZA_SOURCES, REGION_RE, article_text, iter_articles
from training.data.corpus import (
    ANNOTATIONS_DIR, CORPUS_FILE, SHIPPABLE_SOURCES, load_corpus, norm_text, read_jsonl_dicts, read_label_pass,
    write_jsonl_dicts,
)
from training.data.splits import stable_hash

PAIRS_FILE = ANNOTATIONS_DIR / "pairs.jsonl"
MAX_CHARS = 600  # shorter than the earlier rounds' 700: two or three targets to read per statement
MAX_TARGETS = 3
# Share of new articles per split, by hash of the article key.
SHARES = {"bench": 0.2, "dev": 0.2}
BATCH = 100
DOUBLE_TRAIN_SHARE = 0.05
MORE_ROUND = "pairs7"  # meta.round of the rows `more` / `assemble-more` add


@dataclass(frozen=True, slots=True)
class PairCandidate:
    id: str  # source:doc_id:start-end
    source: str
    doc_id: str  # the row's document as the source's reader names it (text lookup)
    document: str  # the article it belongs to (split unit): source:article
    file: str
    start: int
    end: int
    text: str
    speaker: str | None
    kind: str
    targets: list[str]
    split: str  # bench / dev / train


def _usable(text: str) -> bool:
    return candidates._usable(text, MAX_CHARS)


def choose_targets(text: str, article_actors: list[str], key: str) -> list[str]:
    """The actors the statement names (up to three), then other actors of its article until it has
    two or three: a speaker's words about one side are often a stance toward the other."""
    own = unique_targets(text)[:MAX_TARGETS]
    others = [t for t in article_actors if t not in own]
    candidates._stable_rng(key).shuffle(others)
    want = 2 if len(own) >= 2 else 3 if not own else 2
    return own + others[: max(0, min(want, MAX_TARGETS) - len(own))]


def _labelled(corpus: Path = CORPUS_FILE) -> tuple[dict[str, str], set[str], set[str]]:
    """(split of every document an earlier round used, statement ids already labelled, their texts)."""
    docs: dict[str, str] = {}
    ids: set[str] = set()
    texts: set[str] = set()
    for row in read_jsonl_dicts(corpus):
        ref = row["meta"].get("ref") or {}
        docs.setdefault(row["doc_id"], row["split"])
        ids.add(row["meta"].get("statement_id", row["id"]))
        if row.get("text"):
            texts.add(norm_text(row["text"]))
        if ref.get("doc_id"):
            docs.setdefault(f"{ref['source']}:{ref['doc_id']}", row["split"])
    return docs, ids, texts


def labelled_everywhere(data_dir: Path, corpus: Path = CORPUS_FILE, pairs: Path = PAIRS_FILE,
                        bench_dir: Path = BENCH_DIR) -> tuple[dict[str, str], set[str], set[str]]:
    """`_labelled` over every round: the corpus, the pairs and the benchmark's test and dev files,
    texts rebuilt from data_dir where they are not shipped (so a repeat is found by its text too)."""
    docs: dict[str, str] = {}
    ids: set[str] = set()
    texts: set[str] = set()
    for path in (corpus, pairs, bench_dir / "test.jsonl", bench_dir / "dev.jsonl"):
        if not path.exists():
            continue
        for row in load_corpus(data_dir, path):
            ref = row["meta"].get("ref") or {}
            docs.setdefault(row["doc_id"], row["split"])
            # a Gaza ref names a sentence ("file:row"), which can spell another article's key
            # ("file:article_index"): only the row's doc_id names its article there
            if ref.get("doc_id") and ref["source"] not in GAZA_SOURCES:
                docs.setdefault(f"{ref['source']}:{ref['doc_id']}", row["split"])
            ids.add(row["meta"].get("statement_id", row["id"]))
            texts.add(norm_text(row["text"]))
            if row["meta"].get("edits"):  # a counterfactual: its original is labelled too
                texts.add(norm_text(article_text(data_dir, ref["source"], ref["doc_id"])[ref["start"]:ref["end"]]))
    # a statement an earlier round labelled but found unusable has no row: its labels say so
    passes = pairs.parent / "pairs_pass1.jsonl"
    if passes.exists():
        ids.update(r["id"] for r in read_jsonl_dicts(passes))
    return docs, ids, texts


def _split_of(document: str, earlier: dict[str, str]) -> str | None:
    """A new article by hash; one an earlier round used keeps its side of the line: its train
    articles stay train, its dev articles dev, its test articles go to the bench (no train or
    dev row of any round comes from a bench article)."""
    if document in earlier:
        return {"train": "train", "dev": "dev", "test": "bench"}[earlier[document]]
    u = stable_hash(document, "pairs") / 2**64
    return "bench" if u < SHARES["bench"] else "dev" if u < SHARES["bench"] + SHARES["dev"] else "train"


def _article_actors(arts) -> dict[str, list[str]]:
    """Actors of each whole article, in order of first mention (Gaza rows are sentences: their
    article's actors are the union of its rows')."""
    actors: dict[str, list[str]] = defaultdict(list)
    for a in arts:
        for t in unique_targets(a.text):
            if t not in actors[f"{a.source}:{a.document}"]:
                actors[f"{a.source}:{a.document}"].append(t)
    return actors


def collect(data_dir: Path, corpus: Path = CORPUS_FILE, labelled: tuple | None = None) -> list[PairCandidate]:
    """Unlabelled quotes of every split; `labelled` (from `labelled_everywhere`) for a later round."""
    earlier, done_ids, done_texts = labelled or _labelled(corpus)
    arts = [a for a in iter_articles(data_dir, ARTICLE_SOURCES) if REGION_RE.search(a.text)]
    arts += list(iter_articles(data_dir, GAZA_SOURCES))
    actors = _article_actors(arts)
    out: list[PairCandidate] = []
    seen = set(done_texts)
    for a in arts:
        document = f"{a.source}:{a.document}"
        split = _split_of(document, earlier)
        if split is None:
            continue
        for q in extract_quotes(a.text):
            key = f"{a.source}:{a.doc_id}:{q.start}-{q.end}"
            norm = norm_text(q.text)
            if key in done_ids or norm in seen or not _usable(q.text):
                continue
            targets = choose_targets(q.text, actors[document], key)
            if not unique_targets(q.text) or len(targets) < 2:
                continue  # a statement naming no actor is almost always `none`: little signal
            seen.add(norm)
            out.append(PairCandidate(key, a.source, a.doc_id, document, a.file, q.start, q.end, q.text,
                                     q.speaker, q.kind, targets, split))
    return out


def collect_narration(data_dir: Path, n: int, seed: int = 13, corpus: Path = CORPUS_FILE,
                      labelled: tuple | None = None) -> list[PairCandidate]:
    """Train only: `n` Gaza sentences of the articles' own prose (no quote in them) that name an
    actor, opinion pieces first (their writers take sides), then news at random. The stance is
    the writer's; most news narration is `none`, which the model must learn too. With `labelled`
    (a later round), a sentence labelled before, by id or text, or repeated in the pool is left out."""
    earlier, done_ids, seen = labelled or (_labelled(corpus)[0], set(), None)
    seen = set(seen) if seen is not None else None
    arts = list(iter_articles(data_dir, GAZA_SOURCES))
    actors = _article_actors(arts)
    pool = []
    for a in arts:
        document = f"{a.source}:{a.document}"
        if _split_of(document, earlier) != "train" or not _usable(a.text) or extract_quotes(a.text):
            continue
        key = f"{a.source}:{a.doc_id}:0-{len(a.text)}"
        if seen is not None:
            if key in done_ids or norm_text(a.text) in seen:
                continue
            seen.add(norm_text(a.text))
        targets = choose_targets(a.text, actors[document], key)
        if unique_targets(a.text) and len(targets) >= 2:
            pool.append(PairCandidate(key, a.source, a.doc_id, document, a.file, 0, len(a.text), a.text,
                                      None, "narration", targets, "train"))
    rng = random.Random(seed)
    rng.shuffle(pool)
    pool.sort(key=lambda c: "/opinion/" not in c.document)  # stable: shuffled within each group
    return pool[:n]


def select(cands: list[PairCandidate], n_bench: int, n_dev: int, n_train: int, seed: int = 13,
           gaza_share: float = 0.35, bench_extra: int = 0) -> dict[str, list[PairCandidate]]:
    """Per split, statements shuffled with at most `gaza_share` from the Gaza sources: the bench
    is about the region's conflicts, the Gaza war one of them. `bench_extra` appends that many
    more bench statements from what is left of its pool (a later batch; the first are unchanged)."""
    rng = random.Random(seed)
    out = {}
    for split, n in (("bench", n_bench), ("dev", n_dev), ("train", n_train)):
        pool = [c for c in cands if c.split == split]
        rng.shuffle(pool)
        gaza = [c for c in pool if c.source in GAZA_SOURCES][: int(n * gaza_share)]
        rest = [c for c in pool if c.source not in GAZA_SOURCES][: n - len(gaza)]
        chosen = gaza + rest
        if len(chosen) < n:  # not enough of the region's articles: fill from Gaza
            chosen += [c for c in pool if c.source in GAZA_SOURCES][len(gaza) : len(gaza) + n - len(chosen)]
        rng.shuffle(chosen)
        if split == "bench" and bench_extra:
            taken = {c.id for c in chosen}
            chosen += [c for c in pool if c.id not in taken][:bench_extra]
        out[split] = chosen
    return out


def write_candidates(chosen: dict[str, list[PairCandidate]], work: Path, seed: int = 13,
                     narration: list[PairCandidate] = ()) -> dict[str, int]:
    """Candidates, annotator batches (statement, speaker, targets only) and the list of
    statements that get a second, blind pass: all of bench and dev, 5% of train."""
    work.mkdir(parents=True, exist_ok=True)
    write_jsonl_dicts([asdict(c) for cs in (*chosen.values(), narration) for c in cs], work / "candidates.jsonl")
    for b in range(0, len(narration), BATCH):
        items = [{"id": c.id, "speaker": None, "text": c.text, "targets": c.targets} for c in narration[b : b + BATCH]]
        write_jsonl_dicts(items, work / "batches" / f"narration_{b // BATCH:02d}.jsonl")
    counts = {}
    for split, cs in chosen.items():
        for b in range(0, len(cs), BATCH):
            items = [{"id": c.id, "speaker": c.speaker, "text": c.text, "targets": c.targets} for c in cs[b : b + BATCH]]
            write_jsonl_dicts(items, work / "batches" / f"{split}_{b // BATCH:02d}.jsonl")
        counts[split] = len(cs)
    for name, cs in (("traincheck", chosen.get("train", [])), ("narrationcheck", narration)):
        cs = list(cs)
        random.Random(seed).shuffle(cs)
        check = cs[: round(len(cs) * DOUBLE_TRAIN_SHARE)]
        if check:
            items = [{"id": c.id, "speaker": c.speaker, "text": c.text, "targets": c.targets} for c in check]
            write_jsonl_dicts(items, work / "batches" / f"{name}_00.jsonl")
    return counts


# --- assembly ---------------------------------------------------------------------------------

def agreement(p1: dict[str, dict], p2: dict[str, dict], ids: list[str]) -> dict:
    """Cohen's kappa and raw agreement for stance (per pair) and framing (per statement)."""
    both = [i for i in ids if i in p1 and i in p2]
    s1, s2 = [], []
    for i in both:
        for t, lab in p1[i]["stance"].items():
            if t in p2[i]["stance"]:
                s1.append(lab)
                s2.append(p2[i]["stance"][t])
    f1 = [p1[i]["framing"] for i in both]
    f2 = [p2[i]["framing"] for i in both]
    return {"statements": len(both), "pairs": len(s1),
            "stance_kappa": round(cohen_kappa(s1, s2), 3) if s1 else None,
            "stance_agree": round(sum(a == b for a, b in zip(s1, s2)) / max(1, len(s1)), 3),
            "framing_kappa": round(cohen_kappa(f1, f2), 3) if f1 else None,
            "framing_agree": round(sum(a == b for a, b in zip(f1, f2)) / max(1, len(f1)), 3)}


def final_labels(p1: dict[str, dict], p2: dict[str, dict], adjudicated: dict[str, dict]) -> dict[str, dict]:
    """Pass 1's labels, replaced label by label by the adjudication where the two passes differ."""
    out = {}
    for sid, lab in p1.items():
        lab = {"framing": lab["framing"], "stance": dict(lab["stance"]), "usable": lab.get("usable", True)}
        if sid in adjudicated:
            adj = adjudicated[sid]
            lab["framing"] = adj.get("framing", lab["framing"])
            lab["stance"].update(adj.get("stance", {}))
            lab["usable"] = adj.get("usable", lab["usable"])
        out[sid] = lab
    return out


def disagreements(p1: dict[str, dict], p2: dict[str, dict]) -> list[dict]:
    out = []
    for sid in p1:
        if sid not in p2:
            continue
        diff_t = [t for t, lab in p1[sid]["stance"].items() if p2[sid]["stance"].get(t, lab) != lab]
        if diff_t or p1[sid]["framing"] != p2[sid]["framing"]:
            out.append({"id": sid, "framing": [p1[sid]["framing"], p2[sid]["framing"]],
                        "stance": {t: [p1[sid]["stance"][t], p2[sid]["stance"][t]] for t in diff_t}})
    return out


def rows_for(c: dict, lab: dict, split: str, double: bool, round_name: str = "pairs") -> list[dict]:
    """Corpus-format rows, one per target: text stored only where the source's terms allow."""
    text = c["text"]
    shippable = c["source"] in SHIPPABLE_SOURCES
    base = {"text": text if shippable else None, "framing": lab["framing"], "speaker": c["speaker"],
            "source": "annotations", "doc_id": c["document"], "origin": "gold",
            "split": "train" if split == "train" else "test" if split == "bench" else "dev",
            "meta": {"statement_id": c["id"], "kind": c["kind"], "round": round_name,
                     "ref": {"source": c["source"], "file": c["file"], "doc_id": c["doc_id"],
                             "start": c["start"], "end": c["end"]},
                     "text_sha1": hashlib.sha1(text.encode()).hexdigest()[:16],
                     "double_annotated": double, "n_targets": len(c["targets"]),
                     # takes a side toward one of its targets at least: the bench's stance set
                     "evaluative": any(v != "none" for v in lab["stance"].values())}}
    return [{"id": f"{c['id']}|{t}", **base, "target": t, "stance": lab["stance"][t]} for t in c["targets"]]


def _read_round(work: Path) -> tuple[dict[str, dict], dict[str, dict], dict[str, dict], dict[str, dict]]:
    """(candidates, pass 1, pass 2, adjudication) of a round's work folder, pass 1 checked against
    the candidates (every labelled id is one, with exactly its targets)."""
    cands = {c["id"]: c for c in read_jsonl_dicts(work / "candidates.jsonl")}
    p1 = read_label_pass(work / "labels" / "pass1")
    p2 = read_label_pass(work / "labels" / "pass2") if (work / "labels" / "pass2").is_dir() else {}
    adj_path = work / "adjudication.jsonl"
    adjudicated = {r["id"]: r for r in read_jsonl_dicts(adj_path)} if adj_path.exists() else {}
    for sid, lab in p1.items():
        if sid not in cands:
            raise ValueError(f"pass1 labels {sid!r}, which is no candidate of {work}")
        if set(lab["stance"]) != set(cands[sid]["targets"]):
            raise ValueError(f"pass1 labels for {sid} name targets {sorted(lab['stance'])}, expected {cands[sid]['targets']}")
    return cands, p1, p2, adjudicated


def _replace_rows(path: Path, rows: list[dict], owned: set[str], key) -> None:
    """Write `rows` into `path` in place of the rows `key` says are owned (where the first of them
    stood; at the end when there is none) and keep every other row as it is: each round rewrites
    only its own rows, so rerunning any round gives the same file."""
    old = read_jsonl_dicts(path) if path.exists() else []
    at = next((k for k, r in enumerate(old) if key(r) in owned), None)
    kept = [r for r in old if key(r) not in owned]
    if at is None:
        at = len(kept)
    else:
        at = sum(1 for r in old[:at] if key(r) not in owned)
    write_jsonl_dicts(kept[:at] + rows + kept[at:], path)


def _write_passes(passes: dict[str, dict[str, dict]], owned: set[str], round_name: str | None = None) -> None:
    """The label passes ship beside the rows, without free-text notes (they may quote the text),
    so that the agreement figures can be recomputed from a clone. A later round tags its labels
    with its name (the sixth round's carry none)."""
    tag = {"round": round_name} if round_name else {}
    for name, labs in passes.items():
        _replace_rows(ANNOTATIONS_DIR / f"pairs_{name}.jsonl",
                      [{k: v for k, v in lab.items() if k != "note"} | {"id": sid} | tag for sid, lab in labs.items()],
                      owned, lambda r: r["id"])


def _statement_of(row: dict) -> str:
    return row["meta"]["statement_id"]


def assemble(work: Path) -> dict:
    cands, p1, p2, adjudicated = _read_round(work)
    labels = final_labels(p1, p2, adjudicated)
    report = {}
    for split in ("bench", "dev", "train"):
        ids = [sid for sid, c in cands.items() if c["split"] == split]
        report[split] = agreement(p1, p2, ids)
    out: dict[str, list[dict]] = {"bench": [], "dev": [], "train": []}
    for sid, c in cands.items():
        if sid in labels and labels[sid]["usable"]:
            out[c["split"]].extend(rows_for(c, labels[sid], c["split"], sid in p2))
    write_jsonl_dicts(out["bench"], BENCH_DIR / "test.jsonl")
    write_jsonl_dicts(out["dev"], BENCH_DIR / "dev.jsonl")
    # later rounds' rows (assemble_more) stay where they are
    _replace_rows(PAIRS_FILE, out["train"], set(cands), _statement_of)
    write_jsonl_dicts(disagreements(p1, p2), work / "disagreements.jsonl")
    _write_passes({"pass1": p1, "pass2": p2, "adjudication": adjudicated}, set(cands))
    for split, rows in out.items():
        report[split]["rows"] = len(rows)
        report[split]["stance"] = dict(Counter(r["stance"] for r in rows))
        report[split]["framing_statements"] = dict(Counter(
            {r["meta"]["statement_id"]: r["framing"] for r in rows}.values()))
    return report


# --- later rounds (train only) -------------------------------------------------------------------

def draw_more(data_dir: Path, work: Path, n_narration: int, seed: int = 13, corpus: Path = CORPUS_FILE,
              pairs: Path = PAIRS_FILE, bench_dir: Path = BENCH_DIR) -> dict[str, int]:
    """A later round: `n_narration` Gaza prose sentences and every train quote still unlabelled,
    none labelled before in any round (by id or normalised text), written as the sixth round's
    candidates and batches (`train_NN`, `narration_NN`, and the 5% check batches)."""
    if work.exists() and any(work.iterdir()):
        raise FileExistsError(f"{work} is not empty: a round's candidates are drawn once (labels may refer to them)")
    labelled = labelled_everywhere(data_dir, corpus, pairs, bench_dir)
    quotes = [c for c in collect(data_dir, corpus, labelled) if c.split == "train"]
    texts = {norm_text(c.text) for c in quotes}
    narration = [c for c in collect_narration(data_dir, n_narration + len(quotes), seed, corpus, labelled)
                 if norm_text(c.text) not in texts][:n_narration]
    rng = random.Random(seed)
    rng.shuffle(quotes)
    counts = write_candidates({"train": quotes}, work, seed, narration)
    counts["narration"] = len(narration)
    return counts


def assemble_more(work: Path, round_name: str = MORE_ROUND) -> dict:
    """Append a later round's labelled train rows to `annotations/pairs.jsonl` and its passes to
    `pairs_{pass1,pass2,adjudication}.jsonl`, replacing only this round's own earlier output."""
    cands, p1, p2, adjudicated = _read_round(work)
    if any(c["split"] != "train" for c in cands.values()):
        raise ValueError(f"{work}: a later round holds train candidates only")
    clash = [r["id"] for r in read_jsonl_dicts(PAIRS_FILE) if _statement_of(r) in cands
             and r["meta"]["round"] != round_name] if PAIRS_FILE.exists() else []
    for split in ("test", "dev"):
        clash += [r["id"] for r in read_jsonl_dicts(BENCH_DIR / f"{split}.jsonl") if _statement_of(r) in cands]
    passes = ANNOTATIONS_DIR / "pairs_pass1.jsonl"  # labelled before, unusable there: no row, but labels
    clash += [r["id"] for r in (read_jsonl_dicts(passes) if passes.exists() else [])
              if r["id"] in cands and r.get("round") != round_name]
    if clash:
        raise ValueError(f"{work}: {len(clash)} rows of other rounds have statements of this round, e.g. {clash[0]}")
    labels = final_labels(p1, p2, adjudicated)
    rows = [r for sid, c in cands.items() if sid in labels and labels[sid]["usable"]
            for r in rows_for(c, labels[sid], "train", sid in p2, round_name)]
    _replace_rows(PAIRS_FILE, rows, set(cands), _statement_of)
    write_jsonl_dicts(disagreements(p1, p2), work / "disagreements.jsonl")
    _write_passes({"pass1": p1, "pass2": p2, "adjudication": adjudicated}, set(cands), round_name)
    report = {"train": agreement(p1, p2, list(cands)) | {
        "candidates": len(cands), "labelled": len(labels), "rows": len(rows),
        "stance": dict(Counter(r["stance"] for r in rows)),
        "framing_statements": dict(Counter({_statement_of(r): r["framing"] for r in rows}.values()))}}
    for kind in ("narration", "quotes"):
        ids = [sid for sid, c in cands.items() if (c["kind"] == "narration") == (kind == "narration")]
        report[kind] = agreement(p1, p2, ids)
    return report


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=["candidates", "assemble", "more", "assemble-more"])
    ap.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parents[3] / "shared" / "data")
    ap.add_argument("--work", type=Path, default=Path("data/pairs"))
    ap.add_argument("--bench", type=int, default=300, help="statements in the benchmark's test split")
    ap.add_argument("--dev", type=int, default=300, help="statements in the benchmark's dev split")
    ap.add_argument("--train", type=int, default=3000, help="new train statements")
    ap.add_argument("--bench-extra", type=int, default=0,
                    help="append this many more bench statements (the rest of its pool) after the first --bench")
    ap.add_argument("--narration", type=int, default=0,
                    help="also this many Gaza prose sentences naming an actor (train only; opinion pieces first)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--round", default=MORE_ROUND, help="assemble-more: meta.round of the rows it adds")
    args = ap.parse_args(argv)
    if args.command == "candidates":
        cands = collect(args.data_dir)
        pool = Counter((c.split, c.source) for c in cands)
        print("pool:", dict(sorted(pool.items())))
        narration = collect_narration(args.data_dir, args.narration, args.seed) if args.narration else []
        counts = write_candidates(select(cands, args.bench, args.dev, args.train, args.seed,
                                         bench_extra=args.bench_extra), args.work, args.seed, narration)
        counts["narration"] = len(narration)
        print("chosen:", counts)
    elif args.command == "more":
        counts = draw_more(args.data_dir, args.work, args.narration, args.seed)
        print("chosen:", counts)
    elif args.command == "assemble-more":
        print(json.dumps(assemble_more(args.work, args.round), indent=1))
    else:
        print(json.dumps(assemble(args.work), indent=1))


if __name__ == "__main__":
    main()
