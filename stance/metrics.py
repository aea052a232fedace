"""Metrics shared by training, evaluation and label agreement: F1 variants, calibration, agreement."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np


def per_class_prf(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, dict[str, float]]:
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=list(labels), zero_division=0)
    return {lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
            for i, lab in enumerate(labels)}


def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    scores = per_class_prf(gold, pred, labels)
    return float(np.mean([scores[lab]["f1"] for lab in labels]))


def macro_f1_interval(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str], groups: Sequence[str],
                      n_resamples: int = 1000, level: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Bootstrap interval of macro-F1, resampling whole groups (documents) with replacement:
    rows of one article are not independent, and small test sets deserve a visible error bar."""
    k = len(labels)
    index = {lab: i for i, lab in enumerate(labels)}
    g = np.array([index[x] for x in gold])
    p = np.array([index.get(x, k) for x in pred])  # a label outside `labels` is always wrong
    _, group_idx = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    members = [np.flatnonzero(group_idx == j) for j in range(group_idx.max() + 1)]
    rng = np.random.default_rng(seed)
    # the F1 of macro_f1, computed from a confusion count: sklearn costs ~8 ms a call, too slow
    # for 1,000 resamples of every evaluation set
    scores = np.empty(n_resamples)
    for b in range(n_resamples):
        rows = np.concatenate([members[j] for j in rng.integers(0, len(members), len(members))])
        cm = np.bincount(g[rows] * (k + 1) + p[rows], minlength=k * (k + 1)).reshape(k, k + 1)
        tp = np.diag(cm[:, :k])
        support, predicted = cm.sum(1), cm[:, :k].sum(0)
        denom = support + predicted
        f1 = np.divide(2 * tp, denom, out=np.zeros(k), where=denom > 0)
        scores[b] = f1.mean()
    lo, hi = np.quantile(scores, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def f_avg(gold: Sequence[str], pred: Sequence[str]) -> float:
    """SemEval-2016 stance score: the mean F1 of favor and against (none still counts as an error)."""
    scores = per_class_prf(gold, pred, ["favor", "against", "none"])
    return (scores["favor"]["f1"] + scores["against"]["f1"]) / 2


def confusion(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(gold, pred, labels=list(labels))


def expected_calibration_error(probs: np.ndarray, gold_idx: np.ndarray, n_bins: int = 10) -> float:
    """ECE over equal-width confidence bins of the top-1 probability."""
    probs = np.asarray(probs, dtype=np.float64)
    gold_idx = np.asarray(gold_idx)
    if len(probs) == 0:
        return 0.0
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == gold_idx
    bins = np.minimum((conf * n_bins).astype(int), n_bins - 1)
    ece = 0.0
    for b in range(n_bins):
        m = bins == b
        if m.any():
            ece += m.mean() * abs(correct[m].mean() - conf[m].mean())
    return float(ece)


def reliability_bins(probs: np.ndarray, gold_idx: np.ndarray, n_bins: int = 10) -> list[tuple[float, float, int]]:
    """(mean confidence, accuracy, count) per bin, for a reliability diagram."""
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == gold_idx
    bins = np.minimum((conf * n_bins).astype(int), n_bins - 1)
    return [(float(conf[bins == b].mean()), float(correct[bins == b].mean()), int((bins == b).sum()))
            for b in range(n_bins) if (bins == b).any()]


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float:
    from sklearn.metrics import cohen_kappa_score

    if len(a) != len(b):
        raise ValueError(f"cohen_kappa needs paired labels, got {len(a)} and {len(b)}")
    if len(set(a) | set(b)) < 2:
        return 1.0 if list(a) == list(b) else 0.0
    return float(cohen_kappa_score(a, b))


def krippendorff_alpha_nominal(units: Sequence[Sequence[str | None]]) -> float:
    """Krippendorff's alpha for nominal data; each unit lists the values its coders gave
    (None for a missing value). Units with fewer than two values do not count."""
    coincidence: Counter = Counter()
    for unit in units:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    coincidence[(c, k)] += 1 / (m - 1)
    n_c: Counter = Counter()
    for (c, _), v in coincidence.items():
        n_c[c] += v
    n = sum(n_c.values())
    if n <= 1:
        return float("nan")
    observed = sum(v for (c, k), v in coincidence.items() if c != k)
    expected = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k) / (n - 1)
    if expected == 0:
        return 1.0
    return float(1 - observed / expected)
