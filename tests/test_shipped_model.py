"""The model that ships in models/: it loads from a fresh clone with no training step and
labels the guideline's worked examples (ANNOTATION.md) and seed-style statements."""
from pathlib import Path

import pytest

from stance import StanceClassifier, classify_article
from stance.config import default_model_dir

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not (default_model_dir() / "manifest.json").exists(),
                                reason="the shipped model folder is missing")


@pytest.fixture(scope="module")
def clf():
    return StanceClassifier.from_pretrained()


WORKED = [  # ANNOTATION.md, worked examples 1 to 3: (statement, target, stance, framing)
    ("Many Iraqis are not judging such despicable acts by their severity, but rather by who is carrying them "
     "out. ... This kind of attitude allows the vicious circle of sectarian violence to continue.",
     "Iraqi government", "none", "counter_sectarian"),
    ("The government cannot on the one hand claim to be liberating the Iraqi people while at the same "
     "time slaughtering Sunni Arabs.", "Iraqi government", "against", "sectarian"),
    ("If the Green Zone regime can do nothing to stop these Iranian proxy Shia militias, then Daesh will "
     "simply say that they were right about Baghdad's anti-Sunni sectarianism, handing the extremists a "
     "political victory.", "Iraqi government", "against", "sectarian"),
]


def test_shipped_fast_path_gives_the_torch_paths_scores(clf):
    # issue 16: the int8 export moved scores by up to 0.19 and labels on every evaluation set
    import csv

    import numpy as np

    assert clf.backend == "onnx"
    torch_clf = StanceClassifier.from_pretrained(backend="torch")
    with (ROOT / "examples" / "statements.csv").open(encoding="utf-8") as fh:
        rows = [(r["text"], r["target"]) for r in csv.DictReader(fh) if r["target"].strip()]
    texts = [t for t, _ in rows] + [w[0] for w in WORKED] + [UNITY, CONVOY]
    targets = [g for _, g in rows] + [w[1] for w in WORKED] + ["Daesh", "Daesh"]
    fast, slow = clf.predict_proba(texts, targets), torch_clf.predict_proba(texts, targets)
    for a, b in zip(fast, slow):  # stance, then framing
        np.testing.assert_allclose(a, b, atol=1e-5)


@pytest.mark.parametrize("text,target,stance,framing", WORKED)
def test_worked_examples(clf, text, target, stance, framing):
    p = clf.predict([text], [target])[0]
    assert (p.stance, p.framing) == (stance, framing), (p.stance_scores, p.framing_scores)


UNITY = "Sunni and Shia buried their sons in the same cemetery here. Whoever tries to divide us is helping Daesh."
CONVOY = "The aid convoy reached the town on Tuesday with flour, fuel and medicine for 3,000 families."


def test_neutral_report(clf):
    pred = clf.predict([CONVOY], ["Daesh"])[0]
    assert (pred.framing, pred.stance) == ("none", "none"), (pred.framing_scores, pred.stance_scores)


def test_unity_appeal_is_counter_sectarian(clf):
    pred = clf.predict([UNITY])[0]
    assert pred.framing == "counter_sectarian", pred.framing_scores


def test_classify_article_on_the_seed(clf, seed_article):
    labelled = classify_article(seed_article, classifier=clf)
    by_text = {lq.quote.text[:40]: lq for lq in labelled}
    first = next(lq for t, lq in by_text.items() if t.startswith("The government cannot"))
    assert first.quote.speaker == "Ahmed Almahmoud"
    assert first.framing == "sectarian"
    second = next(lq for t, lq in by_text.items() if t.startswith("If the Green Zone regime"))
    # default targets: the actors the quote and its paragraph name, canonical names
    assert {"Iraqi government", "Daesh", "Shia militias"} <= {s.target for s in second.stances}
    assert all(abs(sum(s.scores.values()) - 1) < 1e-3 for lq in labelled for s in lq.stances)
