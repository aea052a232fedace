"""The in-domain annotated corpus: assembling label passes into the shipped file, and reading it back.

    python -m training.data.corpus restore    --work data/annotation --data-dir ../shared/data
    python -m training.data.corpus split      --work data/annotation
    python -m training.data.corpus counterfactual-batches | contrast-batches | both-batches --work data/annotation
    python -m training.data.corpus assemble   --work data/annotation

`restore` rebuilds the working folder (candidates, label passes, splits, counterfactuals) from
the shipped files, so that a new annotation round can start from a fresh clone.

`training/data/annotations/corpus.jsonl` is what ships: our labels, and the statement text only
where the source's terms allow redistribution (FA-KES, CC BY 4.0, and our counterfactual edits
of it). Every other row stores its source file, document id and character offsets, and its text
is rebuilt from the data directory at build time.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from difflib import SequenceMatcher
from pathlib import Path

from stance.config import FRAMING_LABELS, STANCE_LABELS
from training.data.articles import article_text, fixed_split
from training.data.splits import stable_hash

ANNOTATIONS_DIR = Path(__file__).resolve().parent / "annotations"
CORPUS_FILE = ANNOTATIONS_DIR / "corpus.jsonl"
SHIPPABLE_SOURCES = frozenset({"fa_kes"})  # CC BY 4.0; the others' terms do not allow redistribution
SPLIT_SHARES = {"test": 0.2, "dev": 0.2, "train": 0.6}
RARE_SPLIT_SHARES = {"test": 0.3, "dev": 0.3, "train": 0.4}


def read_jsonl_dicts(path: Path) -> list[dict]:
    rows = []
    with Path(path).open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise ValueError(f"{path}:{lineno}: invalid JSON ({e.msg})") from None
    return rows


def write_jsonl_dicts(rows, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def norm_text(text: str) -> str:
    """A text's identity for finding repeats: lower case, whitespace collapsed."""
    return " ".join(text.lower().split())


def doc_key(c: dict) -> str:
    """The corpus's document id of a candidate: `source:doc_id`."""
    return f"{c['source']}:{c['doc_id']}"


def _counterfactuals(work: Path) -> list[tuple[Path, int, dict]]:
    """Every counterfactual of the working folder, with its file and line for error messages."""
    return [(path, k, cf) for path in sorted((work / "counterfactuals").glob("*.jsonl"))
            for k, cf in enumerate(read_jsonl_dicts(path), 1)]


def _write_batches(rows: list[dict], folder: Path, prefix: str, batch_size: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for b in range(0, len(rows), batch_size):
        write_jsonl_dicts(rows[b : b + batch_size], folder / f"{prefix}_{b // batch_size:02d}.jsonl")


def read_label_pass(folder: Path) -> dict[str, dict]:
    """Label files of one pass, keyed by statement id, each checked against the contract."""
    out: dict[str, dict] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for k, row in enumerate(read_jsonl_dicts(path), 1):
            where = f"{path}:{k}"
            if row.get("framing") not in FRAMING_LABELS:
                raise ValueError(f"{where}: framing {row.get('framing')!r} is not one of {FRAMING_LABELS}")
            stance = row.get("stance")
            if not isinstance(stance, dict) or any(v not in STANCE_LABELS for v in stance.values()):
                raise ValueError(f"{where}: stance must map each target to one of {STANCE_LABELS}")
            out[row["id"]] = row
    return out


def assign_splits(cands: list[dict], labels: dict[str, dict], existing: dict[str, str] | None = None) -> dict[str, str]:
    """Document-level split: each article goes whole to the split furthest below its share,
    counted both in rows and in sectarian/counter_sectarian rows, so that the rare classes reach
    dev and test too (they get a larger share of those: counterfactuals fill train). Documents
    already assigned keep their split, so a second annotation round never moves rows, and a
    sentence from a source with official splits keeps its source's split (no text in two splits).
    Deterministic (documents in hash order)."""
    existing = dict(existing or {})
    docs: dict[str, list[dict]] = defaultdict(list)
    for c in cands:
        if c["id"] in labels:
            doc = doc_key(c)
            docs[doc].append(c)
            # a sentence the build also takes from its source stays in that source's split
            if doc not in existing and (fixed := fixed_split(c["source"], c.get("file", ""))):
                existing[doc] = fixed

    def size(doc: str) -> tuple[int, int]:
        rows = sum(len(c["targets"]) for c in docs[doc])
        return rows, sum(len(c["targets"]) for c in docs[doc] if labels[c["id"]]["framing"] != "none")

    totals, rare_totals = Counter(), Counter()
    n_rows = sum(size(d)[0] for d in docs)
    n_rare = sum(size(d)[1] for d in docs)
    for doc, split in existing.items():
        if doc in docs:
            rows, rare = size(doc)
            totals[split] += rows
            rare_totals[split] += rare
    out = dict(existing)
    for doc in sorted((d for d in docs if d not in existing), key=lambda d: stable_hash(d, "corpus")):
        rows, rare = size(doc)

        def deficit(split: str) -> float:
            d = SPLIT_SHARES[split] - totals[split] / max(1, n_rows)
            if rare:
                d += RARE_SPLIT_SHARES[split] - rare_totals[split] / max(1, n_rare)
            return d

        split = max(SPLIT_SHARES, key=deficit)
        totals[split] += rows
        rare_totals[split] += rare
        out[doc] = split
    return out


def _final_labels(work: Path) -> tuple[dict[str, dict], dict[str, str]]:
    """Pass-1 labels, overridden by adjudicated decisions where a second pass disagreed."""
    labels = read_label_pass(work / "labels" / "pass1")
    adjudicated = work / "adjudication.jsonl"
    sources = {k: "pass1" for k in labels}
    if adjudicated.exists():
        for d in read_jsonl_dicts(adjudicated):
            row = labels[d["id"]]
            if d["label"] == "framing":
                row["framing"] = d["final"]
            elif d["label"] == "usable":
                row["usable"] = d["final"]
            else:
                row["stance"][d["target"]] = d["final"]
            sources[d["id"]] = "adjudicated"
    return labels, sources


def _one_per_text(cands: dict[str, dict], labels: dict[str, dict], splits: dict[str, str], edited: set[str]) -> set[str]:
    """Statement ids to keep: one per distinct text. FNC-1 repeats bodies and FA-KES repeats
    paragraphs, so one sentence can sit in two documents that landed in different splits. The
    train copy is kept (counterfactuals are made from train statements), one with
    counterfactuals before one without, else the first by id: no text is in two splits and
    none is counted twice."""
    order = {"train": 0, "dev": 1, "test": 2}

    def rank(sid: str) -> tuple[int, bool]:
        return order[splits[doc_key(cands[sid])]], sid not in edited

    best: dict[str, str] = {}
    for sid in sorted(labels):
        # a restored folder has no candidate for the repeated texts that were dropped before
        if not labels[sid].get("usable", True) or sid not in cands:
            continue
        key = norm_text(cands[sid]["text"])
        if key not in best or rank(sid) < rank(best[key]):
            best[key] = sid
    return set(best.values())


def assemble(work: Path) -> list[dict]:
    cands = {c["id"]: c for c in read_jsonl_dicts(work / "candidates.jsonl")}
    labels, provenance = _final_labels(work)
    splits = json.loads((work / "splits.json").read_text(encoding="utf-8"))
    pass2 = set(read_label_pass(work / "labels" / "pass2")) if (work / "labels" / "pass2").exists() else set()
    cfs = _counterfactuals(work)
    keep = _one_per_text(cands, labels, splits, {cf["counterfactual_of"] for _, _, cf in cfs})
    out = []
    for sid, lab in sorted(labels.items()):
        if not lab.get("usable", True) or sid not in keep:
            continue
        c = cands[sid]
        doc = doc_key(c)
        ref = {"source": c["source"], "file": c["file"], "doc_id": c["doc_id"], "start": c["start"], "end": c["end"]}
        for target in c["targets"]:
            out.append({
                "id": f"{sid}|{target}",
                "text": c["text"] if c["source"] in SHIPPABLE_SOURCES else None,
                "target": target, "stance": lab["stance"][target], "framing": lab["framing"],
                "speaker": c["speaker"], "source": "annotations", "doc_id": doc, "origin": "gold",
                "split": splits[doc],
                "meta": {"statement_id": sid, "kind": c["kind"], "ref": ref, "text_sha1": hashlib.sha1(c["text"].encode()).hexdigest()[:16],
                         "label_source": provenance[sid], "double_annotated": sid in pass2,
                         # annotators' notes quote the statement: shipped only where its text is
                         **({"note": lab["note"]} if lab.get("note") and c["source"] in SHIPPABLE_SOURCES else {})},
            })
    gold_split = {r["meta"]["statement_id"]: r["split"] for r in out}
    for cf_path, k, cf in cfs:
        orig = cf["counterfactual_of"]
        if orig in labels and orig not in keep:
            continue  # an edit of a repeated text: the kept copy has its own
        if gold_split.get(orig) != "train":
            raise ValueError(f"{cf_path}:{k}: counterfactual of {orig}, which is not a train statement")
        c = cands[orig]
        shipped = c["source"] in SHIPPABLE_SOURCES
        # an edit of a text we may not redistribute ships as the edit alone
        edit_meta = {} if shipped else {
            "ref": {"source": c["source"], "file": c["file"], "doc_id": c["doc_id"], "start": c["start"], "end": c["end"]},
            "edits": text_edits(c["text"], cf["text"]),
            "text_sha1": hashlib.sha1(cf["text"].encode()).hexdigest()[:16],
        }
        for target, stance in cf["stance"].items():
            out.append({
                "id": f"{cf['id']}|{target}", "text": cf["text"] if shipped else None, "target": target,
                "stance": stance, "framing": cf["framing"], "speaker": c["speaker"], "source": "annotations",
                "doc_id": doc_key(c), "origin": "counterfactual", "split": "train",
                "meta": {"statement_id": cf["id"], "counterfactual_of": orig, **edit_meta,
                         **({"note": cf["note"]} if cf.get("note") and shipped else {})},
            })
    return out


def text_edits(original: str, edited: str) -> list[list]:
    """[start, end, replacement] operations that turn original into edited."""
    ops = SequenceMatcher(None, original, edited, autojunk=False).get_opcodes()
    return [[i1, i2, edited[j1:j2]] for tag, i1, i2, j1, j2 in ops if tag != "equal"]


def apply_edits(original: str, edits: list[list]) -> str:
    out = original
    for start, end, replacement in sorted(edits, key=lambda e: e[0], reverse=True):
        out = out[:start] + replacement + out[end:]
    return out


def load_corpus(data_dir: Path, path: Path = CORPUS_FILE) -> Iterator[dict]:
    """Shipped corpus rows with every text filled in (rebuilt from data_dir where not shipped)."""
    for k, row in enumerate(read_jsonl_dicts(path), 1):
        if row["text"] is None:
            ref = row["meta"]["ref"]
            try:
                article = article_text(data_dir, ref["source"], ref["doc_id"])
            except FileNotFoundError as e:
                raise FileNotFoundError(f"{path}:{k}: the text of {row['id']} is rebuilt from {ref['file']}, but {e}") from None
            text = apply_edits(article[ref["start"] : ref["end"]], row["meta"].get("edits", []))
            if hashlib.sha1(text.encode()).hexdigest()[:16] != row["meta"]["text_sha1"]:
                raise ValueError(f"{path}:{k}: {data_dir / ref['file']} does not hold the expected text at "
                                 f"{ref['start']}-{ref['end']} (a different version of the dataset?)")
            row = {**row, "text": text}
        yield row


def restore(work: Path, data_dir: Path, path: Path = CORPUS_FILE) -> int:
    """Rebuild the working folder from the shipped corpus and label passes; `assemble` on the
    result writes the shipped corpus back unchanged (checked in the tests)."""
    cands: dict[str, dict] = {}
    splits: dict[str, str] = {}
    cfs: dict[str, dict] = {}
    for row in load_corpus(data_dir, path):
        m = row["meta"]
        sid = m["statement_id"]
        if row["origin"] == "counterfactual":
            cf = cfs.setdefault(sid, {"id": sid, "counterfactual_of": m["counterfactual_of"], "text": row["text"],
                                      "framing": row["framing"], "stance": {},
                                      **({"note": m["note"]} if "note" in m else {})})
            cf["stance"][row["target"]] = row["stance"]
            continue
        ref = m["ref"]
        c = cands.setdefault(sid, {"id": sid, "source": ref["source"], "doc_id": ref["doc_id"], "file": ref["file"],
                                   "start": ref["start"], "end": ref["end"], "text": row["text"],
                                   "speaker": row["speaker"], "kind": m["kind"], "targets": [], "pool": "shipped"})
        c["targets"].append(row["target"])
        splits[row["doc_id"]] = row["split"]
    work.mkdir(parents=True, exist_ok=True)
    write_jsonl_dicts(cands.values(), work / "candidates.jsonl")
    for name in ("pass1", "pass2"):
        write_jsonl_dicts(read_jsonl_dicts(path.parent / f"{name}.jsonl"), work / "labels" / name / f"{name}.jsonl")
    if (path.parent / "adjudication.jsonl").exists():
        write_jsonl_dicts(read_jsonl_dicts(path.parent / "adjudication.jsonl"), work / "adjudication.jsonl")
    (work / "splits.json").write_text(json.dumps(splits, indent=1) + "\n", encoding="utf-8")
    write_jsonl_dicts(cfs.values(), work / "counterfactuals" / "shipped.jsonl")
    return len(cands)


def counterfactual_batches(work: Path, n_sectarian: int, n_counter: int, batch_size: int) -> int:
    """Train statements (framing none, usable) for minimal label-flipping edits, in batches.
    Every chosen statement gets a sectarian version; the first n_counter also a counter_sectarian one."""
    cands = read_jsonl_dicts(work / "candidates.jsonl")
    labels = read_label_pass(work / "labels" / "pass1")
    splits = json.loads((work / "splits.json").read_text(encoding="utf-8"))
    pool = [c for c in cands if c["id"] in labels and labels[c["id"]].get("usable", True)
            and labels[c["id"]]["framing"] == "none" and splits[doc_key(c)] == "train"]
    pool.sort(key=lambda c: stable_hash(c["id"], "counterfactual"))
    rows = [{"id": c["id"], "speaker": c["speaker"], "text": c["text"], "targets": c["targets"],
             "make": ["sectarian", "counter_sectarian"] if k < n_counter else ["sectarian"]}
            for k, c in enumerate(pool[:n_sectarian])]
    _write_batches(rows, work / "cf_batches", "cf", batch_size)
    return len(rows)


def _round_inputs(work: Path) -> tuple[dict[str, dict], dict[str, dict], dict[str, str], set[str]]:
    """What a counterfactual round picks from: candidates by id, final labels, document splits,
    and the statements that already have a counterfactual."""
    cands = {c["id"]: c for c in read_jsonl_dicts(work / "candidates.jsonl")}
    labels, _ = _final_labels(work)
    splits = json.loads((work / "splits.json").read_text(encoding="utf-8"))
    return cands, labels, splits, {cf["counterfactual_of"] for _, _, cf in _counterfactuals(work)}


def _request(c: dict, framing: str, make: list[str]) -> dict:
    """One line of a counterfactual batch: the statement, its framing, and the labels to make."""
    return {"id": c["id"], "speaker": c["speaker"], "text": c["text"], "framing": framing,
            "targets": c["targets"], "make": make}


def contrast_batches(work: Path, batch_size: int, n_named: int = 60) -> int:
    """Second counterfactual round, against the model's known confusion of the two rare labels:
    train statements that are sectarian get a counter_sectarian version that keeps the sects
    they name, counter_sectarian ones a sectarian version, and up to n_named `none` statements
    that name a sect a counter_sectarian version. Statements with counterfactuals are skipped."""
    from training.data.candidates import SECT_RE

    cands, labels, splits, done = _round_inputs(work)
    flip = {"sectarian": "counter_sectarian", "counter_sectarian": "sectarian"}
    rows, named = [], []
    for c in sorted(cands.values(), key=lambda c: stable_hash(c["id"], "contrast")):
        lab = labels.get(c["id"])
        if (not lab or not lab.get("usable", True) or c["id"] in done
                or splits[doc_key(c)] != "train"):
            continue
        if lab["framing"] in flip:
            rows.append(_request(c, lab["framing"], [flip[lab["framing"]]]))
        elif SECT_RE.search(c["text"]) and len(named) < n_named:
            named.append(_request(c, lab["framing"], ["counter_sectarian"]))
    rows += named
    _write_batches(rows, work / "contrast_batches", "contrast", batch_size)
    return len(rows)


def both_batches(work: Path, batch_size: int) -> int:
    """Third counterfactual round: every real sectarian train statement, for an edit that adds a
    condemnation of sectarianism while keeping the blame on a sect (the guideline's "does both"
    rule: still sectarian), which the contrast round alone taught the model to misread."""
    cands, labels, splits, done = _round_inputs(work)
    keep = _one_per_text(cands, labels, splits, done)
    rows = [_request(cands[sid], "sectarian", ["sectarian"]) for sid in sorted(keep)
            if labels[sid]["framing"] == "sectarian" and splits[doc_key(cands[sid])] == "train"]
    random.Random(5).shuffle(rows)
    _write_batches(rows, work / "both_batches", "both", batch_size)
    return len(rows)


def rhetoric_batches(work: Path, batch_size: int, n: int = 100) -> int:
    """Fourth counterfactual round, against a confusion seen on dev: statements that criticise
    someone else's sectarian or anti-religious claim (a ban on Muslims, a "religious war"
    reading) were read as sectarian because they name the claim. Up to n `none` train
    statements that name a sect or faith, none edited before, get a counter_sectarian version
    that rejects such a claim while naming the group."""
    from training.data.candidates import FAITH_RE

    cands, labels, splits, done = _round_inputs(work)
    keep = _one_per_text(cands, labels, splits, done)
    pool = [cands[sid] for sid in keep if sid not in done and labels[sid]["framing"] == "none"
            and splits[doc_key(cands[sid])] == "train" and FAITH_RE.search(cands[sid]["text"])]
    pool.sort(key=lambda c: stable_hash(c["id"], "rhetoric"))
    rows = [_request(c, "none", ["counter_sectarian"]) for c in pool[:n]]
    _write_batches(rows, work / "rhetoric_batches", "rhetoric", batch_size)
    return len(rows)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=["restore", "split", "counterfactual-batches", "contrast-batches", "both-batches",
                                        "rhetoric-batches", "assemble"])
    ap.add_argument("--work", type=Path, default=Path("data/annotation"))
    ap.add_argument("--out", type=Path, default=CORPUS_FILE)
    ap.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parents[3] / "shared" / "data",
                    help="restore: the datasets the shipped offsets point into")
    args = ap.parse_args(argv)
    if args.command == "restore":
        n = restore(args.work, args.data_dir, args.out)
        print(f"restored {n} statements into {args.work}")
        return
    if args.command == "split":
        cands = read_jsonl_dicts(args.work / "candidates.jsonl")
        labels = read_label_pass(args.work / "labels" / "pass1")
        path = args.work / "splits.json"
        existing = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        splits = assign_splits(cands, labels, existing)
        path.write_text(json.dumps(splits, indent=1) + "\n", encoding="utf-8")
        print(Counter(splits.values()))
        return
    if args.command == "rhetoric-batches":
        n = rhetoric_batches(args.work, batch_size=50)
        print(f"{n} statements in {args.work / 'rhetoric_batches'}")
        return
    if args.command == "both-batches":
        n = both_batches(args.work, batch_size=45)
        print(f"{n} statements in {args.work / 'both_batches'}")
        return
    if args.command == "contrast-batches":
        n = contrast_batches(args.work, batch_size=55)
        print(f"{n} statements in {args.work / 'contrast_batches'}")
        return
    if args.command == "counterfactual-batches":
        n = counterfactual_batches(args.work, n_sectarian=320, n_counter=200, batch_size=40)
        print(f"{n} statements in {args.work / 'cf_batches'}")
        return
    rows = assemble(args.work)
    write_jsonl_dicts(rows, args.out)
    # the two label passes and the adjudication ship too, so agreement can be recomputed:
    #   python -m stance evaluate-labels training/data/annotations/pass1.jsonl training/data/annotations/pass2.jsonl
    keep = ("id", "framing", "stance", "usable")
    for name in ("pass1", "pass2"):
        labels = read_label_pass(args.work / "labels" / name)
        # statement ids are "source:doc:start-end"; notes quote the statement, so ship with its text only
        write_jsonl_dicts([{k: v for k, v in r.items()
                            if k in keep or (k == "note" and r["id"].split(":")[0] in SHIPPABLE_SOURCES)}
                           for _, r in sorted(labels.items())], args.out.parent / f"{name}.jsonl")
    if (args.work / "adjudication.jsonl").exists():
        write_jsonl_dicts(read_jsonl_dicts(args.work / "adjudication.jsonl"), args.out.parent / "adjudication.jsonl")
    table = Counter((r["split"], r["origin"]) for r in rows)
    print(f"{len(rows)} rows -> {args.out}")
    for k, v in sorted(table.items()):
        print(f"  {k[0]:5} {k[1]:14} {v}")
    print("stance:", Counter(r["stance"] for r in rows))
    stmts = {r["meta"]["statement_id"]: r["framing"] for r in rows}
    print("framing (statements):", Counter(stmts.values()))


if __name__ == "__main__":
    main()
