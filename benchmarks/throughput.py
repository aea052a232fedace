"""Throughput of the classifier against the Hugging Face pipeline, measured in one run.

    python benchmarks/throughput.py [--n 5000] [--job-sizes 10000 100000] [--data-dir ../shared/data]

The same realistic statements (quotes that `extract_quotes` finds in the FA-KES and FNC-1
articles about the conflicts, each paired with an actor it names) go through:

1. the reference: `transformers.pipeline("text-classification")` on an encoder of the same
   size, once for stance on the (target, statement) pairs and once for framing on the
   statements, as a user without this library would run it;
2. our PyTorch path (`backend="torch"`);
3. our fast path (`backend="onnx"`: int8 ONNX Runtime, length-bucketed batches, framing
   once per statement).

It prints statements per second with the ratio to the reference, the macro-F1 difference
between the fast and PyTorch paths on the in-domain test split, and peak resident memory;
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


def f1_difference(model_dir: Path, data: Path) -> tuple[float, float, float, float, int]:
    from stance.config import FRAMING_LABELS, STANCE_LABELS
    from stance.metrics import macro_f1
    from stance.model import StanceClassifier
    from training.data.schema import read_jsonl

    rows = [r for r in read_jsonl(data / "test.jsonl") if r.source == "annotations"]
    scores = {}
    for backend in ("torch", "onnx"):
        clf = StanceClassifier.from_pretrained(model_dir, backend=backend)
        preds = clf.predict([r.text for r in rows], [r.target for r in rows])
        scores[backend] = (macro_f1([r.stance for r in rows], [p.stance for p in preds], STANCE_LABELS),
                           macro_f1([r.framing for r in rows], [p.framing for p in preds], FRAMING_LABELS))
    return (*scores["torch"], *scores["onnx"], len(rows))


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
    if (args.build / "test.jsonl").exists():
        ts, tf, os_, of, n = f1_difference(args.model, args.build)
        print(f"in-domain test ({n} pairs) macro-F1 stance: torch {ts:.3f} onnx {os_:.3f} (diff {os_ - ts:+.3f}); "
              f"framing: torch {tf:.3f} onnx {of:.3f} (diff {of - tf:+.3f})")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.job_sizes:
            rate, peak = job(args.model, pairs, n, Path(tmp))
            print(f"batch job, {n:7d} rows: {rate:7.1f} rows/s, peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
