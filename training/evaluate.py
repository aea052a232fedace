"""Evaluate a model folder on schema files, beside baselines trained on the same data.

    python -m training.evaluate --model models/stance-minilm --data data/build --out reports/stance-minilm

For each evaluation set (the bench first, then the old in-domain test, VAST test: all /
zero-shot / few-shot, BASIL quotes): per-class precision/recall/F1, macro-F1 with bootstrap
intervals, the SemEval F_avg, confusion matrices and expected calibration error with a
reliability diagram; for stance, target-swap accuracy (pairs on statements whose targets
differ in gold stance) and, on the bench, alias agreement (one label under three spellings of
a target); for the model and for two baselines on the same split (majority class; TF-IDF +
logistic regression trained on the model's training rows). `--sets` runs some sets only.
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
from stance.gazetteer import canonical_target, load_gazetteer
from stance.metrics import (
    confusion, expected_calibration_error, f_avg, macro_f1, macro_f1_interval, per_class_prf, reliability_bins,
)
from stance.model import StanceClassifier, write_manifest
from training.data.schema import read_jsonl


@dataclass(frozen=True)
class EvalSet:
    name: str
    keep: Callable  # row -> bool
    keep_stance: Callable = lambda r: True  # row -> bool, for the stance head only


def _seen(r) -> int | None:
    meta = r.meta or {}
    v = meta.get("seen", meta.get("seen?"))
    return None if v is None else int(v)


EVAL_SETS = (
    # stance on the statements that take a side toward one of their targets at least (their
    # polarity is that of real commentary, not of casualty reports); framing on every statement
    EvalSet("bench", lambda r: r.source == "bench", lambda r: bool((r.meta or {}).get("evaluative"))),
    EvalSet("bench (all pairs)", lambda r: r.source == "bench"),
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
        probs, _ = clf.predict_proba([r.text for r in rows], [r.target for r in rows], speakers=[r.speaker for r in rows])
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
    if head == "stance":
        swap = target_swap(gold, pred, rows)
        lines += [f"Target swap: on {swap['statements']} statements whose targets differ in gold stance "
                  f"({swap['pairs']} pairs), {swap['accuracy']:.3f} of the pairs are labelled right and the model gives "
                  f"the targets different labels on {swap['model_differs']:.3f} of the statements.", ""]
    summary = {"rows": len(rows), "macro_f1": macro_f1(gold, pred, labels), "macro_f1_interval": interval, "ece": ece,
               **({"target_swap": swap} if head == "stance" else {}),
               **({"f_avg": f_avg(gold, pred)} if head == "stance" else {}),
               "per_class": {lab: {"f1": prf[lab]["f1"], "support": prf[lab]["support"]} for lab in labels},
               "baselines": {k: macro_f1(gold, v, labels) for k, v in results.items() if k != "model"}}
    return lines, summary


def _statement(r) -> str:
    return (r.meta or {}).get("statement_id") or r.text


def target_swap(gold: list[str], pred: list[str], rows) -> dict:
    """On statements whose targets differ in gold stance (one text, favor toward one actor and
    against another, say): the share of their pairs labelled right, and the share of those
    statements where the model gives the targets different labels at all."""
    by_statement: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_statement.setdefault(_statement(r), []).append(i)
    swap = [idx for idx in by_statement.values() if len({gold[i] for i in idx}) > 1]
    pairs = [i for idx in swap for i in idx]
    return {"statements": len(swap), "pairs": len(pairs),
            "accuracy": sum(gold[i] == pred[i] for i in pairs) / len(pairs) if pairs else float("nan"),
            "model_differs": sum(len({pred[i] for i in idx}) > 1 for idx in swap) / len(swap) if swap else float("nan")}


def alias_variants(target: str, n: int = 3) -> list[str] | None:
    """`n` spellings of a gazetteer actor (its name, then its first and last listed aliases), or
    None when the target is not an actor with that many."""
    name = canonical_target(target)
    actor = next((a for a in load_gazetteer().actors if a.name == name), None)
    if actor is None or len(actor.aliases) < n:
        return None
    return [actor.aliases[0], *actor.aliases[1 : n - 1], actor.aliases[-1]][:n]


def alias_agreement(clf, rows) -> dict:
    """Share of (statement, target) pairs labelled the same under three spellings of the target."""
    items = [(r.text, r.speaker, v) for r in rows if (v := alias_variants(r.target))]
    if not items:
        return {"pairs": 0, "agreement": float("nan")}
    texts = [t for t, _, vs in items for _ in vs]
    speakers = [s for _, s, vs in items for _ in vs]
    targets = [a for _, _, vs in items for a in vs]
    probs, _ = clf.predict_proba(texts, targets, speakers=speakers)
    labels = probs.argmax(1).reshape(len(items), -1)
    same = (labels == labels[:, :1]).all(1)
    return {"pairs": len(items), "agreement": float(same.mean())}


CARD_HEADING = "## Test results"
# What the card compares against: the project's in-domain targets and published VAST results
TARGETS = {"bench / stance": 0.75, "in-domain test / stance": 0.70, "in-domain test / framing": 0.80}
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
    lines += ["", "Per class F1 (support in brackets):", ""]
    for key in ("bench / stance", "in-domain test / stance", "in-domain test / framing"):
        per_class = summary.get(key, {}).get("per_class", {})
        if per_class:
            cells = ", ".join(f"{lab} {v['f1']:.3f} ({v['support']})" for lab, v in per_class.items())
            lines.append(f"- {key}: {cells}")
    bench = summary.get("bench / stance", {})
    if "target_swap" in bench:
        swap, alias = bench["target_swap"], bench.get("alias_agreement", {})
        lines += ["", f"On the bench: target-swap accuracy {swap['accuracy']:.3f} ({swap['pairs']} pairs on "
                      f"{swap['statements']} statements whose targets differ in stance; target 0.75), alias agreement "
                      f"{alias.get('agreement', float('nan')):.3f} ({alias.get('pairs', 0)} pairs, three spellings each; target 1.0)."]
    vs_target = [f"{k} {summary[k]['macro_f1']:.3f} (target {v:.2f})" for k, v in TARGETS.items() if k in summary]
    if vs_target:
        lines += ["", "Macro-F1 against the project's targets: " + ", ".join(vs_target) + "."]
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
    ap.add_argument("--sets", default=None,
                    help="comma-separated evaluation sets to run (default: all): " + ", ".join(e.name for e in EVAL_SETS))
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
    chosen = EVAL_SETS
    if args.sets:
        names = [n.strip() for n in args.sets.split(",")]
        unknown = [n for n in names if n not in {e.name for e in EVAL_SETS}]
        if unknown:
            ap.error(f"--sets: unknown evaluation sets {unknown}; choose from {[e.name for e in EVAL_SETS]}")
        chosen = [e for e in EVAL_SETS if e.name in names]
    for es in chosen:
        subset = [r for r in rows if es.keep(r)]
        if not subset:
            continue
        report += [f"## {es.name}", ""]
        for head in ("stance", "framing"):
            hrows = [r for r in subset if getattr(r, head) and (head == "framing" or (r.target and es.keep_stance(r)))]
            if not hrows:
                continue
            lines, s = evaluate_head(clf, baselines, head, hrows, es.name, args.out)
            if head == "stance" and es.name == "bench":
                s["alias_agreement"] = alias_agreement(clf, hrows)
                a = s["alias_agreement"]
                lines += [f"Alias agreement: {a['agreement']:.3f} of {a['pairs']} pairs get one label under three "
                          "spellings of their target (the actor's name, its first and its last alias).", ""]
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
        if "target_swap" in s:
            print(f"{'':40} target swap {s['target_swap']['accuracy']:.3f} ({s['target_swap']['pairs']} pairs)"
                  + (f", alias agreement {s['alias_agreement']['agreement']:.3f} ({s['alias_agreement']['pairs']} pairs)"
                     if "alias_agreement" in s else ""))
    print(f"report: {args.out / 'report.md'}")
    if args.update_card:
        update_card(card, card_section(summary, args.split))
        write_manifest(card.parent)  # the folder was verified against its manifest when loaded
        print(f"card: {card}")
    return summary


if __name__ == "__main__":
    main()
