"""Agreement between two label files (two annotators, or a model and a human) on shared ids."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from stance.config import FRAMING_LABELS, STANCE_LABELS
from stance.metrics import cohen_kappa, krippendorff_alpha_nominal, macro_f1

LABEL_SETS = {"stance": STANCE_LABELS, "framing": FRAMING_LABELS}


@dataclass(frozen=True, slots=True)
class Agreement:
    label: str
    items: int
    observed: float  # share of items with the same label
    kappa: float
    alpha: float
    macro_f1: float  # B scored against A as reference
    confusion: dict[tuple[str, str], int]  # (A label, B label) -> count, disagreements only


def load_labels(path: str | Path) -> dict[str, dict]:
    """Labels keyed by item: framing by statement id, stance by (id, target).

    Accepts annotation files (`{"id", "framing", "stance": {target: label}}`) and schema rows
    (`{"id", "target", "stance", "framing"}`); a bad line is an error naming file and line.
    """
    out: dict[str, dict] = {"stance": {}, "framing": {}}
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                rid = str(row["id"])
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                raise ValueError(f"{path}:{lineno}: not a label row with an id ({e})") from None
            if row.get("framing") is not None:
                _put(out["framing"], rid, row["framing"], "framing", path, lineno)
            stance = row.get("stance")
            if isinstance(stance, dict):
                for target, lab in stance.items():
                    _put(out["stance"], (rid, target), lab, "stance", path, lineno)
            elif stance is not None:
                _put(out["stance"], (rid, row.get("target")), stance, "stance", path, lineno)
    return out


def _put(store: dict, key, label, kind: str, path: Path, lineno: int) -> None:
    if label not in LABEL_SETS[kind]:
        raise ValueError(f"{path}:{lineno}: {kind} label {label!r} is not one of {list(LABEL_SETS[kind])}")
    store[key] = label


def agreement(a: dict[str, dict], b: dict[str, dict]) -> list[Agreement]:
    out = []
    for kind in ("stance", "framing"):
        keys = sorted(set(a[kind]) & set(b[kind]), key=str)
        if not keys:
            continue
        la = [a[kind][k] for k in keys]
        lb = [b[kind][k] for k in keys]
        conf = Counter((x, y) for x, y in zip(la, lb) if x != y)
        out.append(Agreement(
            label=kind, items=len(keys),
            observed=sum(x == y for x, y in zip(la, lb)) / len(keys),
            kappa=cohen_kappa(la, lb), alpha=krippendorff_alpha_nominal(list(zip(la, lb))),
            macro_f1=macro_f1(la, lb, LABEL_SETS[kind]), confusion=dict(conf),
        ))
    return out
