"""Evaluate a model folder on schema files, beside baselines trained on the same data.

    python -m training.evaluate --model models/stance-minilm --data data/build --out reports/stance-minilm

For each evaluation set (in-domain test, VAST test: all / zero-shot / few-shot, BASIL quotes):
per-class precision/recall/F1, macro-F1, the SemEval F_avg, confusion matrices and expected
calibration error with a reliability diagram, for the model and for two baselines on the same
split (majority class; TF-IDF + logistic regression trained on the model's training rows).
Writes report.md and PNG plots.
"""
from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stance.config import FRAMING_LABELS, STANCE_LABELS, default_model_dir
from stance.metrics import (
    confusion, expected_calibration_error, f_avg, macro_f1, macro_f1_interval, per_class_prf, reliability_bins,
)
from stance.model import StanceClassifier, write_manifest
from training.data.schema import read_jsonl


@dataclass(frozen=True)
class EvalSet:
    name: str
    keep: Callable  # row -> bool


def _seen(r) -> int | None:
    meta = r.meta or {}
    v = meta.get("seen", meta.get("seen?"))
    return None if v is None else int(v)


EVAL_SETS = (
    EvalSet("in-domain test", lambda r: r.source == "annotations"),
    EvalSet("VAST test (all)", lambda r: r.source == "vast"),
    EvalSet("VAST test (zero-shot)", lambda r: r.source == "vast" and _seen(r) == 0),
    EvalSet("VAST test (few-shot)", lambda r: r.source == "vast" and _seen(r) == 1),
    EvalSet("BASIL quotes test", lambda r: r.source == "basil"),
)


class Baselines:
    """Majority class and TF-IDF + logistic regression, fit on the model's own training rows."""

    def __init__(self, train_rows):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        self.models = {}
        self.majority = {}
        for head, labels in (("stance", STANCE_LABELS), ("framing", FRAMING_LABELS)):
            rows = [r for r in train_rows if getattr(r, head) and (head == "framing" or r.target)]
            if not rows:
                continue
            y = [getattr(r, head) for r in rows]
            self.majority[head] = Counter(y).most_common(1)[0][0]
            pipe = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=200_000),
                                 LogisticRegression(max_iter=2000, C=4.0, class_weight="balanced"))
            pipe.fit([_input(head, r) for r in rows], y)
            self.models[head] = pipe

    def predict(self, head: str, rows) -> dict[str, list[str]]:
        out = {}
        if head in self.majority:
            out["majority class"] = [self.majority[head]] * len(rows)
        if head in self.models:
            out["TF-IDF + LR"] = list(self.models[head].predict([_input(head, r) for r in rows]))
        return out


def _input(head: str, r) -> str:
    # the target is prefixed so a bag-of-words model can tell pairs apart at all
    return f"{r.target} || {r.text}" if head == "stance" else r.text


def _plot(path: Path, title: str, bins_before, bins_after=None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 4))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    for bins, label in ((bins_before, "model"), (bins_after, "after temperature")):
        if bins:
            ax.plot([b[0] for b in bins], [b[1] for b in bins], "o-", label=label)
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _table(results: dict[str, list[str]], gold: list[str], labels, stance: bool) -> list[str]:
    head = "| system | macro-F1 | " + (" F_avg |" if stance else "") + " ".join(f" F1 {lab} |" for lab in labels)
    lines = [head, "|" + "---|" * (2 + stance + len(labels))]
    for name, pred in results.items():
        prf = per_class_prf(gold, pred, labels)
        cells = [f"{macro_f1(gold, pred, labels):.3f}"]
        if stance:
            cells.append(f"{f_avg(gold, pred):.3f}")
        cells += [f"{prf[lab]['f1']:.3f}" for lab in labels]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def evaluate_head(clf, baselines, head: str, rows, set_name: str, out_dir: Path) -> tuple[list[str], dict]:
    labels = STANCE_LABELS if head == "stance" else FRAMING_LABELS
    if head == "framing":
        rows = list({r.text: r for r in rows}.values())  # framing is per statement
    gold = [getattr(r, head) for r in rows]
    if head == "stance":
        probs, _ = clf.predict_proba([r.text for r in rows], [r.target for r in rows])
        classes = clf.stance_classes_
    else:
        _, probs = clf.predict_proba([r.text for r in rows])
        classes = clf.framing_classes_
    pred = [classes[i] for i in probs.argmax(1)]
    gold_idx = np.array([classes.index(g) for g in gold])
    results = {"model": pred, **baselines.predict(head, rows)}
    prf = per_class_prf(gold, pred, labels)
    ece = expected_calibration_error(probs, gold_idx)
    slug = "".join(c if c.isalnum() else "_" for c in f"{set_name}_{head}").strip("_").lower()
    _plot(out_dir / f"{slug}_reliability.png", f"{set_name}: {head}", reliability_bins(probs, gold_idx))
    cm = confusion(gold, pred, labels)
    interval = macro_f1_interval(gold, pred, labels, [r.doc_id for r in rows])
    lines = [f"#### {head} ({len(rows)} rows; gold: {dict(Counter(gold))})", ""]
    lines += _table(results, gold, labels, head == "stance")
    lines += ["", f"Model macro-F1 95% interval: {interval[0]:.3f} to {interval[1]:.3f} "
                  f"(bootstrap over {len({r.doc_id for r in rows})} documents, 1,000 resamples)."]
    lines += ["", "Model per class:", "", "| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    lines += [f"| {lab} | {prf[lab]['precision']:.3f} | {prf[lab]['recall']:.3f} | {prf[lab]['f1']:.3f} | {prf[lab]['support']} |" for lab in labels]
    lines += ["", "Confusion (rows gold, columns predicted): " + ", ".join(labels), "", "```"]
    lines += [f"{lab:>18} " + " ".join(f"{v:5d}" for v in row) for lab, row in zip(labels, cm)]
    lines += ["```", "", f"Expected calibration error: {ece:.3f} (reliability diagram: `{slug}_reliability.png`)", ""]
    summary = {"rows": len(rows), "macro_f1": macro_f1(gold, pred, labels), "macro_f1_interval": interval, "ece": ece,
               **({"f_avg": f_avg(gold, pred)} if head == "stance" else {}),
               "per_class": {lab: {"f1": prf[lab]["f1"], "support": prf[lab]["support"]} for lab in labels},
               "baselines": {k: macro_f1(gold, v, labels) for k, v in results.items() if k != "model"}}
    return lines, summary


CARD_HEADING = "## Test results"
# What the card compares against: the project's in-domain targets and published VAST results
TARGETS = {"in-domain test / stance": 0.70, "in-domain test / framing": 0.80}
VAST_ANCHORS = "BERT-joint 0.66, TGA-Net 0.67 (macro-F1, all topics)"


def card_section(summary: dict, split: str) -> str:
    """The model card's test-results section, built from an evaluation summary."""
    lines = [CARD_HEADING, "",
             f"`python -m training.evaluate` on the {split} split, beside baselines trained on the same training",
             "rows; intervals are 95% bootstrap intervals over documents.", "",
             "| evaluation set | head | rows | macro-F1 (95% interval) | F_avg | ECE | majority class | TF-IDF + LR |",
             "|---|---|---|---|---|---|---|---|"]
    for key, s in summary.items():
        set_name, head = key.rsplit(" / ", 1)
        lo, hi = s["macro_f1_interval"]
        f_avg_cell = f"{s['f_avg']:.3f}" if "f_avg" in s else "–"
        base = s["baselines"]
        lines.append(f"| {set_name} | {head} | {s['rows']} | {s['macro_f1']:.3f} ({lo:.3f}-{hi:.3f}) | {f_avg_cell} "
                     f"| {s['ece']:.3f} | {base['majority class']:.3f} | {base['TF-IDF + LR']:.3f} |")
    lines += ["", "Per class F1 on the in-domain test split (support in brackets):", ""]
    for head in ("stance", "framing"):
        per_class = summary.get(f"in-domain test / {head}", {}).get("per_class", {})
        if per_class:
            cells = ", ".join(f"{lab} {v['f1']:.3f} ({v['support']})" for lab, v in per_class.items())
            lines.append(f"- {head}: {cells}")
    vs_target = [f"{k.split(' / ')[1]} {summary[k]['macro_f1']:.3f} (target {v:.2f})" for k, v in TARGETS.items() if k in summary]
    if vs_target:
        lines += ["", "In-domain test macro-F1 against the project's targets: " + ", ".join(vs_target) + "."]
    if any(k.startswith("VAST") for k in summary):
        lines += [f"Published anchors on VAST test: {VAST_ANCHORS}."]
    return "\n".join(lines) + "\n"


def update_card(card: Path, section: str) -> None:
    """Replace the card's test-results section (up to the next `## ` heading), or insert it before
    its first later section when it has none."""
    text = card.read_text(encoding="utf-8")
    start = text.find(CARD_HEADING + "\n")
    if start < 0:
        limits = text.find("\n## Known limits")
        start = end = len(text) if limits < 0 else limits + 1
    else:
        nxt = text.find("\n## ", start + len(CARD_HEADING))
        end = len(text) if nxt < 0 else nxt + 1
    card.write_text(text[:start] + section + ("\n" if end < len(text) else "") + text[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description="Evaluate a model folder beside baselines.")
    ap.add_argument("--model", type=Path, default=None, help="model folder (default: the shipped model)")
    ap.add_argument("--data", type=Path, default=Path("data/build"), help="folder with train.jsonl and test.jsonl")
    ap.add_argument("--split", default="test", help="which split file to evaluate (test or dev)")
    ap.add_argument("--out", type=Path, default=Path("reports/evaluation"))
    ap.add_argument("--update-card", action="store_true",
                    help="rewrite the test-results section of the model folder's README.md from this run "
                         "(and its manifest, which hashes the card)")
    args = ap.parse_args(argv)
    card = (args.model or default_model_dir()) / "README.md"
    if args.update_card and not card.is_file():
        ap.error(f"--update-card: {card} does not exist; the model folder has no card to update")
    t0 = time.time()
    clf = StanceClassifier.from_pretrained(args.model)
    sources = set((clf.config.extra.get("train_config") or {}).get("sources") or {}) or None
    train_rows = [r for r in read_jsonl(args.data / "train.jsonl") if sources is None or r.source in sources]
    baselines = Baselines(train_rows)
    rows = list(read_jsonl(args.data / f"{args.split}.jsonl"))
    args.out.mkdir(parents=True, exist_ok=True)
    report = [f"# Evaluation of `{args.model or 'default model'}` on the {args.split} split", "",
              "Baselines are trained on the same training rows as the model (same sources).", ""]
    summary: dict = {}
    for es in EVAL_SETS:
        subset = [r for r in rows if es.keep(r)]
        if not subset:
            continue
        report += [f"## {es.name}", ""]
        for head in ("stance", "framing"):
            hrows = [r for r in subset if getattr(r, head) and (head == "framing" or r.target)]
            if not hrows:
                continue
            lines, s = evaluate_head(clf, baselines, head, hrows, es.name, args.out)
            report += lines
            summary[f"{es.name} / {head}"] = s
    report += [f"Run time: {time.time() - t0:.0f} s", ""]
    (args.out / "report.md").write_text("\n".join(report), encoding="utf-8")
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    for k, s in summary.items():
        extra = f" F_avg {s['f_avg']:.3f}" if "f_avg" in s else ""
        base = ", ".join(f"{n} {v:.3f}" for n, v in s["baselines"].items())
        lo, hi = s["macro_f1_interval"]
        print(f"{k:40} n={s['rows']:5d} macro-F1 {s['macro_f1']:.3f} [{lo:.3f}, {hi:.3f}]{extra} ECE {s['ece']:.3f} | {base}")
    print(f"report: {args.out / 'report.md'}")
    if args.update_card:
        update_card(card, card_section(summary, args.split))
        write_manifest(card.parent)  # the folder was verified against its manifest when loaded
        print(f"card: {card}")
    return summary


if __name__ == "__main__":
    main()
