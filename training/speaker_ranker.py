"""Train the speaker ranker (``stance.quotes.ranker``) on PolNeAR's train split.

    python -m training.speaker_ranker [--data-dir ../shared/data] [--out stance/resources/speaker_ranker.json]

For every quote the rules extract from a train article, the candidates of
``stance.quotes.ranker`` are labelled against the gold quote it matches (the gold quote
holding at least half of its word tokens): a candidate is right when its name is the gold
speaker the way ``training.evaluate_quotes`` compares them (normalised name or same
surname, or its mention as written where the gold is a description); "nobody" is right
when the gold has no source. Quotes that match no gold quote are left out. Two logistic
regressions are tried (standardised features, L2): a binary one over all candidates
(scikit-learn) and a conditional logit, a softmax over each quote's candidates (scipy's
L-BFGS); the variant, the regularisation and the decision policy (override the rules only
below a confidence, only above a probability) are chosen by 5-fold cross-validation over
articles, scored by
the number of matched quotes whose chosen speaker is right. The model is written as JSON
(feature names, coefficients on the raw features, intercept, policy, the CV figures): no
pickle. Only the train split is read.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from stance.quotes.extract import rule_candidates
from stance.quotes.ranker import FEATURES, MODEL_VERSION, Model, choose, model_from_dict
from training.evaluate_quotes import DEFAULT_DATA, ROOT, Tokens, gold_items, speaker_matches
from training.polnear import read_polnear

DEFAULT_OUT = ROOT / "stance" / "resources" / "speaker_ranker.json"
C_GRID = (0.01, 0.03, 0.1, 1.0)
OVERRIDE_GRID = (0.0, 0.5, 0.6, 0.7, 0.8, 0.86, 0.95, 1.01)  # 0.0: only where the rules gave nobody
MIN_PROB_GRID = (0.0, 0.3, 0.5, 0.7)
FOLDS = 5
SCORINGS = ("logistic", "softmax")


def examples(articles) -> list[dict]:
    """One record per extracted quote that matches a gold quote: its candidates' feature
    vectors and labels, the rules' speaker and whether it is right."""
    out = []
    for n, art in enumerate(articles):
        quotes, cands = rule_candidates(art.text)
        gold = gold_items(art)
        tokens = Tokens(art.text)
        gsets = [tokens.within(g.parts) for g in gold]
        for q, cs in zip(quotes, cands):
            ps = tokens.within(((q.start, q.end),))
            if not ps or not cs:  # no candidates: the rules settle it (a transcript turn)
                continue
            best = max(range(len(gold)), key=lambda i: len(ps & gsets[i]), default=None)
            if best is None or len(ps & gsets[best]) * 2 < len(ps):
                continue
            g = gold[best]
            # the rules' mention counts only where it named someone: a cue left unresolved is nobody
            rule_mention = (art.text[q.speaker_start : q.speaker_end]
                            if q.speaker is not None and q.speaker_start is not None else None)
            out.append({
                "article": art.id,
                "kind": q.kind,
                "rule_speaker": q.speaker,
                "rule_confidence": q.speaker_confidence,
                "rule_right": speaker_matches(g, q.speaker, rule_mention),
                "gold_speaker": g.speaker,
                "names": [c.name for c in cs],
                "x": [c.vector() for c in cs],
                "y": [int(speaker_matches(g, c.name, c.mention)) for c in cs],
                "values": [c.values for c in cs],
            })
        if (n + 1) % 100 == 0:
            print(f"  {n + 1} articles", file=sys.stderr)
    return out


def fit(records: list[dict], c: float, scoring: str) -> tuple[np.ndarray, float]:
    """Coefficients on the raw features and the intercept: a binary logistic regression over
    all candidates ("logistic"), or a conditional logit, softmax over each quote's candidates
    with the right ones' probability summed ("softmax"); L2 penalty 1/(2C) on the
    standardised coefficients either way."""
    x = np.array([v for r in records for v in r["x"]], dtype=float)
    y = np.array([v for r in records for v in r["y"]], dtype=int)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    xs = (x - mean) / scale
    if scoring == "logistic":
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=c, max_iter=2000)
        lr.fit(xs, y)
        return lr.coef_[0] / scale, float(lr.intercept_[0] - (lr.coef_[0] * mean / scale).sum())
    from scipy.optimize import minimize

    sizes = [len(r["x"]) for r in records]
    group = np.repeat(np.arange(len(records)), sizes)
    keep = np.bincount(group, weights=y, minlength=len(records)) > 0  # a quote no candidate gets right teaches nothing
    rows = keep[group]
    xs, y, group = xs[rows], y[rows], np.searchsorted(np.flatnonzero(keep), group[rows])
    n = int(keep.sum())

    def loss(w):
        z = xs @ w
        top = np.full(n, -np.inf)
        np.maximum.at(top, group, z)
        e = np.exp(z - top[group])
        total = np.bincount(group, weights=e, minlength=n)
        right = np.bincount(group, weights=e * y, minlength=n)
        nll = -(np.log(right) - np.log(total)).sum()
        p_all, p_right = e / total[group], e * y / right[group]
        grad = xs.T @ (p_all - p_right)
        return nll + (w @ w) / (2 * c), grad + w / c

    res = minimize(loss, np.zeros(xs.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return res.x / scale, 0.0


class _Q:
    """The fields of a Quote ``choose`` reads."""

    def __init__(self, r: dict):
        self.speaker = r["rule_speaker"]
        self.speaker_confidence = r["rule_confidence"]


class _C:
    def __init__(self, name, values):
        self.name, self.values = name, values


def decisions(model: Model, records: list[dict]) -> Counter:
    """Right speakers of the rules and of the ranker, by kind."""
    tally: Counter = Counter()
    for r in records:
        cands = [_C(n, v) for n, v in zip(r["names"], r["values"])]
        picked = choose(model, _Q(r), cands)  # type: ignore[arg-type]
        right = r["rule_right"] if picked is None else bool(r["y"][cands.index(picked[0])])
        tally[r["kind"], "quotes"] += 1
        tally[r["kind"], "rules"] += r["rule_right"]
        tally[r["kind"], "ranker"] += right
        tally[r["kind"], "oracle"] += r["rule_right"] or any(r["y"])
        tally[r["kind"], "changed"] += picked is not None
    return tally


def cross_validate(records: list[dict]) -> dict:
    arts = sorted({r["article"] for r in records})
    fold_of = {a: i % FOLDS for i, a in enumerate(arts)}
    results: dict[tuple, Counter] = {}
    for scoring in SCORINGS:
        for c in C_GRID:
            for f in range(FOLDS):
                train = [r for r in records if fold_of[r["article"]] != f]
                held = [r for r in records if fold_of[r["article"]] == f]
                coef, b = fit(train, c, scoring)
                for ob in OVERRIDE_GRID:
                    for mp in MIN_PROB_GRID:
                        m = Model(FEATURES, tuple(coef), b, ob, mp, scoring)
                        results.setdefault((c, ob, mp, scoring), Counter()).update(decisions(m, held))
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--cache", type=Path, help="JSON cache of the extracted train examples (read if it exists)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    if args.cache and args.cache.exists():
        records = json.loads(args.cache.read_text(encoding="utf-8"))
        if records and len(records[0]["x"][0]) != len(FEATURES):
            sys.exit(f"{args.cache} was made with other features; delete it")
    else:
        records = examples(read_polnear(args.data_dir / "polnear", ["train"]))
        if args.cache:
            args.cache.write_text(json.dumps(records), encoding="utf-8")
    print(f"{len(records)} matched train quotes ({time.perf_counter() - started:.0f} s)", file=sys.stderr)

    results = cross_validate(records)

    def score(t: Counter) -> int:
        return t["direct", "ranker"] + t["indirect", "ranker"]

    best = max(results, key=lambda k: (score(results[k]), k[1] == 1.01, -k[2], k[0]))
    for scoring in SCORINGS:
        top = max((k for k in results if k[3] == scoring), key=lambda k: score(results[k]))
        print(f"  best {scoring}: C={top[0]}, override_below={top[1]}, min_probability={top[2]}: "
              f"direct {results[top]['direct', 'ranker']}, indirect {results[top]['indirect', 'ranker']}")
    t = results[best]
    lines = [f"train CV ({FOLDS} folds over articles), right speakers of matched quotes:"]
    for kind in ("direct", "indirect"):
        n = t[kind, "quotes"]
        lines.append(f"  {kind}: {n} quotes; rules {t[kind, 'rules']} ({100 * t[kind, 'rules'] / n:.1f}%), "
                     f"ranker {t[kind, 'ranker']} ({100 * t[kind, 'ranker'] / n:.1f}%), "
                     f"candidates hold it {t[kind, 'oracle']} ({100 * t[kind, 'oracle'] / n:.1f}%), changed {t[kind, 'changed']}")
    lines.append(f"  chosen: {best[3]}, C={best[0]}, override_below={best[1]}, min_probability={best[2]}")
    for ob in OVERRIDE_GRID:
        k = (best[0], ob, best[2], best[3])
        lines.append(f"    override_below={ob}: direct {results[k]['direct', 'ranker']}, indirect {results[k]['indirect', 'ranker']}")
    print("\n".join(lines))

    coef, b = fit(records, best[0], best[3])
    model = {
        "version": MODEL_VERSION,
        "about": "stance.quotes.ranker: logistic regression over speaker candidates, trained on PolNeAR train "
                 "by `python -m training.speaker_ranker`",
        "features": list(FEATURES),
        "coefficients": [round(float(x), 6) for x in coef],
        "intercept": round(b, 6),
        "override_below": best[1],
        "min_probability": best[2],
        "scoring": best[3],
        "C": best[0],
        "train_quotes": len(records),
        "cv_right_speakers": {kind: {s: t[kind, s] for s in ("quotes", "rules", "ranker", "oracle")}
                              for kind in ("direct", "indirect")},
    }
    model_from_dict(model)  # what is written must load
    args.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
