"""Throughput of the classifier against the Hugging Face pipeline, measured in one run.

    python benchmarks/throughput.py [--n 5000] [--job-sizes 10000 100000] [--data-dir ../shared/data]

The same realistic statements (quotes that `extract_quotes` finds in the FA-KES and FNC-1
articles about the conflicts, each paired with an actor it names) go through:

1. the reference: `transformers.pipeline("text-classification")` on an encoder of the same
   size, once for stance on the (target, statement) pairs and once for framing on the
   statements, as a user without this library would run it;
2. our PyTorch path (`backend="torch"`);
3. our fast path (`backend="onnx"`: ONNX Runtime, length-bucketed batches, framing
   once per statement).

It prints statements per second with the ratio to the reference, the macro-F1 of the fast and
PyTorch paths on the bench and the in-domain test split with the number of labels on which
they differ, and peak resident memory;
then it runs the batch job on files of 10,000 and 100,000 rows and prints rate and peak memory
for each (each job runs in its own process, so its peak is its own).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stance.gazetteer import unique_targets  # noqa: E402
from stance.quotes import extract_quotes  # noqa: E402
from training.data.articles import REGION_RE, iter_articles  # noqa: E402


def statements(data_dir: Path, n: int) -> list[tuple[str, str]]:
    out = []
    for art in iter_articles(data_dir, ("fa_kes", "fnc1")):
        if not REGION_RE.search(art.text):
            continue
        for q in extract_quotes(art.text):
            if len(q.text.split()) >= 5:
                targets = unique_targets(q.text) or unique_targets(art.text) or ["Daesh"]
                out.append((q.text, targets[0]))
    if len(out) < n:  # repeat the pool rather than invent text
        out = (out * (n // len(out) + 1))
    return out[:n]


def peak_mb() -> float:
    """This process's peak resident set (VmHWM; ru_maxrss would carry the parent's over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reference_rate(model_dir: Path, pairs: list[tuple[str, str]], batch_size: int) -> float:
    """HF pipeline on a BERT of the same size: our encoder weights and a fresh 3-way head."""
    import torch
    from transformers import AutoConfig, AutoTokenizer, BertForSequenceClassification, pipeline
    from safetensors.torch import load_file

    cfg = AutoConfig.from_pretrained(str(model_dir / "encoder_config.json"), num_labels=3)
    model = BertForSequenceClassification(cfg)
    state = {k.removeprefix("encoder."): v.float() for k, v in load_file(str(model_dir / "model.safetensors")).items()
             if k.startswith("encoder.")}
    model.bert.load_state_dict(state, strict=False)
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    clf = pipeline("text-classification", model=model.eval(), tokenizer=tok, device=-1, top_k=None)
    t0 = time.perf_counter()
    with torch.inference_mode():
        clf([{"text": t, "text_pair": s} for s, t in pairs], batch_size=batch_size, truncation=True)
        clf([s for s, _ in pairs], batch_size=batch_size, truncation=True)
    return len(pairs) / (time.perf_counter() - t0)


def our_rate(model_dir: Path, backend: str, pairs, batch_size: int) -> float:
    from stance.model import StanceClassifier

    clf = StanceClassifier.from_pretrained(model_dir, backend=backend)
    clf.predict([pairs[0][0]], [pairs[0][1]])  # warm-up
    t0 = time.perf_counter()
    clf.predict([s for s, _ in pairs], [t for _, t in pairs], batch_size=batch_size)
    return len(pairs) / (time.perf_counter() - t0)


def f1_difference(model_dir: Path, data: Path) -> list[tuple[str, int, float, float, int]]:
    """(set, n, torch macro-F1, onnx macro-F1, labels that differ) for stance and framing on the
    bench (its stance set: the pairs of statements that take a side) and the in-domain test."""
    from stance.config import FRAMING_LABELS, STANCE_LABELS
    from stance.metrics import macro_f1
    from stance.model import StanceClassifier
    from training.data.schema import read_jsonl

    test = list(read_jsonl(data / "test.jsonl"))
    stance_sets = {"bench stance": [r for r in test if r.source == "bench" and (r.meta or {}).get("evaluative")],
                   "in-domain stance": [r for r in test if r.source == "annotations"]}
    framing_sets = {f"{src} framing": list({r.text: r for r in test if r.source == key}.values())
                    for src, key in (("bench", "bench"), ("in-domain", "annotations"))}
    preds: dict[str, dict[str, list[str]]] = {}
    for backend in ("torch", "onnx"):
        clf = StanceClassifier.from_pretrained(model_dir, backend=backend)
        for name, rows in stance_sets.items():
            preds.setdefault(name, {})[backend] = [p.stance for p in clf.predict([r.text for r in rows], [r.target for r in rows])]
        for name, rows in framing_sets.items():
            preds.setdefault(name, {})[backend] = [p.framing for p in clf.predict([r.text for r in rows])]
    out = []
    for name, rows in (*stance_sets.items(), *framing_sets.items()):
        stance = name.endswith("stance")
        gold = [r.stance if stance else r.framing for r in rows]
        labels = STANCE_LABELS if stance else FRAMING_LABELS
        t, o = preds[name]["torch"], preds[name]["onnx"]
        out.append((name, len(rows), macro_f1(gold, t, labels), macro_f1(gold, o, labels), sum(a != b for a, b in zip(t, o))))
    return out


def batch_invariance(model_dir: Path, pairs, batch_size: int) -> tuple[float, int, int]:
    """(largest score shift, stance labels that change, framing labels that change) on the fast
    path between each statement alone and in shuffled batches of batch_size (issue 16: the int8
    export moved labels with their batch mates)."""
    import random

    import numpy as np

    from stance.model import StanceClassifier

    clf = StanceClassifier.from_pretrained(model_dir, backend="onnx")
    texts, targets = [s for s, _ in pairs], [t for _, t in pairs]
    alone_s, alone_f = clf.predict_proba(texts, targets, batch_size=1)
    order = list(range(len(pairs)))
    random.Random(0).shuffle(order)
    back = np.argsort(order)
    mixed_s, mixed_f = clf.predict_proba([texts[i] for i in order], [targets[i] for i in order], batch_size=batch_size)
    mixed_s, mixed_f = mixed_s[back], mixed_f[back]
    shift = float(max(np.abs(alone_s - mixed_s).max(), np.abs(alone_f - mixed_f).max()))
    return shift, int((alone_s.argmax(1) != mixed_s.argmax(1)).sum()), int((alone_f.argmax(1) != mixed_f.argmax(1)).sum())


def job(model_dir: Path, pairs, n_rows: int, workdir: Path) -> tuple[float, float]:
    src = workdir / f"in_{n_rows}.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        for i in range(n_rows):
            s, t = pairs[i % len(pairs)]
            fh.write(json.dumps({"id": i, "text": s, "target": t}) + "\n")
    out = workdir / f"out_{n_rows}.jsonl"
    code = ("import time;from stance.cli import main;from benchmarks.throughput import peak_mb;t=time.time();"
            f"rc=main(['classify',{str(src)!r},'-o',{str(out)!r},'--model',{str(model_dir)!r},'--quiet']);"
            "print(time.time()-t, peak_mb())")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    seconds, peak = map(float, res.stdout.split()[-2:])
    return n_rows / seconds, peak


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "stance-minilm")
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--build", type=Path, default=ROOT / "data" / "build", help="for the F1 difference (test split)")
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--job-sizes", type=int, nargs="*", default=[10_000, 100_000])
    args = ap.parse_args(argv)

    pairs = statements(args.data_dir, args.n)
    print(f"{len(pairs)} statements, {os.cpu_count()} CPU cores, batch size {args.batch_size}")
    ref = reference_rate(args.model, pairs, args.batch_size)
    print(f"reference HF pipeline (stance + framing passes): {ref:7.1f} statements/s   1.00x")
    for backend in ("torch", "onnx"):
        rate = our_rate(args.model, backend, pairs, args.batch_size)
        print(f"stance {backend:5} path:                          {rate:7.1f} statements/s  {rate / ref:5.2f}x")
    print(f"peak resident memory so far: {peak_mb():.0f} MB")
    shift, stance_moved, framing_moved = batch_invariance(args.model, pairs[:300], args.batch_size)
    print(f"fast path, {min(300, len(pairs))} statements alone vs in shuffled batches of {args.batch_size}: "
          f"largest score shift {shift:.1e}, {stance_moved} stance and {framing_moved} framing labels change")
    if (args.build / "test.jsonl").exists():
        for name, n, t, o, flips in f1_difference(args.model, args.build):
            print(f"{name:18} ({n:3d}) macro-F1 torch {t:.3f} onnx {o:.3f} (diff {o - t:+.3f}); "
                  f"{flips} labels differ ({flips / n:.1%})")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.job_sizes:
            rate, peak = job(args.model, pairs, n, Path(tmp))
            print(f"batch job, {n:7d} rows: {rate:7.1f} rows/s, peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
