import json
import subprocess
import sys

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score, f1_score

from conftest import ROOT
from stance.agreement import agreement, load_labels
from stance.metrics import expected_calibration_error, f_avg, krippendorff_alpha_nominal, macro_f1


def test_krippendorff_alpha_hand_computed():
    # coincidences: o_aa=2, o_ab=o_ba=1, o_bb=4; n_a=3, n_b=5, n=8
    # alpha = 1 - (n-1) * 2 / (2 * n_a * n_b) = 1 - 7*2/30
    units = [("a", "a"), ("a", "b"), ("b", "b"), ("b", "b")]
    assert krippendorff_alpha_nominal(units) == pytest.approx(1 - 14 / 30)
    assert krippendorff_alpha_nominal([("a", "a"), ("b", "b")]) == 1.0
    # a unit with one value carries no pairable information
    assert krippendorff_alpha_nominal(units + [("a", None)]) == pytest.approx(1 - 14 / 30)


def test_f1_variants_match_sklearn():
    gold = ["favor", "against", "none", "none", "against", "favor"]
    pred = ["favor", "none", "none", "against", "against", "against"]
    labels = ["favor", "against", "none"]
    assert macro_f1(gold, pred, labels) == pytest.approx(f1_score(gold, pred, labels=labels, average="macro"))
    per = f1_score(gold, pred, labels=["favor", "against"], average=None)
    assert f_avg(gold, pred) == pytest.approx(per.mean())


def test_ece_hand_computed():
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]])
    gold = np.array([0, 1, 0, 0])
    # bin 0.9: accuracy 0.5, confidence 0.9 -> 0.4; bin 0.6: accuracy 1.0, confidence 0.6 -> 0.4
    assert expected_calibration_error(probs, gold) == pytest.approx(0.4)


def write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_agreement_on_shared_ids(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write(a, [
        {"id": "s1", "framing": "sectarian", "stance": {"Daesh": "against", "Iran": "none"}},
        {"id": "s2", "framing": "none", "stance": {"Daesh": "favor"}},
        {"id": "s3", "framing": "counter_sectarian", "stance": {"Iran": "none"}},
        {"id": "only-a", "framing": "none", "stance": {"Iran": "none"}},
    ])
    write(b, [
        {"id": "s1", "framing": "sectarian", "stance": {"Daesh": "against", "Iran": "against"}},
        {"id": "s2", "framing": "none", "stance": {"Daesh": "favor"}},
        {"id": "s3", "framing": "none", "stance": {"Iran": "none"}},
    ])
    res = {r.label: r for r in agreement(load_labels(a), load_labels(b))}
    la, lb = ["against", "none", "favor", "none"], ["against", "against", "favor", "none"]
    assert res["stance"].items == 4
    assert res["stance"].kappa == pytest.approx(cohen_kappa_score(la, lb))
    assert res["framing"].items == 3
    assert res["framing"].confusion == {("counter_sectarian", "none"): 1}

    out = subprocess.run([sys.executable, "-m", "stance", "evaluate-labels", str(a), str(b)],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "| stance | 4 |" in out.stdout and "Krippendorff" in out.stdout


def test_bad_label_is_named(tmp_path):
    a = tmp_path / "a.jsonl"
    write(a, [{"id": "s1", "framing": "sectarian"}, {"id": "s2", "framing": "sectarianism"}])
    with pytest.raises(ValueError, match=r"a.jsonl:2: framing label 'sectarianism'"):
        load_labels(a)


def test_macro_f1_interval_brackets_the_point_estimate_and_narrows_with_data():
    from stance.metrics import macro_f1_interval

    rng = np.random.default_rng(1)
    labels = ["favor", "against", "none"]
    gold = list(rng.choice(labels, 400))
    pred = [g if rng.random() < 0.7 else rng.choice(labels) for g in gold]
    docs = [f"d{i // 4}" for i in range(400)]
    point = f1_score(gold, pred, labels=labels, average="macro")
    lo, hi = macro_f1_interval(gold, pred, labels, docs)
    assert lo < point < hi and 0.05 < hi - lo < 0.3
    small = macro_f1_interval(gold[:40], pred[:40], labels, docs[:40])
    assert small[1] - small[0] > hi - lo
    # every resample of a perfect prediction scores 1
    assert macro_f1_interval(gold, gold, labels, docs) == (1.0, 1.0)
