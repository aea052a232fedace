"""Why a label (occlusion), the notebook view, and the language guard."""
import json
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT
from stance.explain import words
from stance.language import detect

STATEMENT = "The militias are slaughtering Sunni families and the government does nothing."


@pytest.fixture(scope="module")
def shipped():
    from stance.model import StanceClassifier

    return StanceClassifier.from_pretrained()  # the fast path: ONNX Runtime


def _without(text, ws):
    for w in ws:
        text = " ".join(t for t in text.split(" ") if t.strip(".,") != w)
    return text


def test_removing_the_top_words_lowers_the_label_score(shipped):
    pred = shipped.predict([STATEMENT], ["Iraqi government"], explain=True)[0]
    for head, label, scores in (("stance", pred.stance, pred.stance_scores), ("framing", pred.framing, pred.framing_scores)):
        top = pred.evidence[head][label]
        assert 1 <= len(top) <= 3 and all(w in STATEMENT for w, _ in top)
        assert [wt for _, wt in top] == sorted((wt for _, wt in top), reverse=True) and top[0][1] > 0
        first = _without(STATEMENT, [top[0][0]])
        every = _without(STATEMENT, [w for w, _ in top])
        st, fr = shipped.predict_proba([first, every], "Iraqi government")
        probs = st if head == "stance" else fr
        j = (shipped.stance_classes_ if head == "stance" else shipped.framing_classes_).index(label)
        assert probs[0, j] < scores[label] and probs[1, j] < scores[label]
    # every label of both heads has its words (possibly none that raise it)
    assert set(pred.evidence["stance"]) == {"favor", "against", "none"}
    assert set(pred.evidence["framing"]) == {"sectarian", "counter_sectarian", "none"}
    assert shipped.predict([STATEMENT], ["Iraqi government"])[0].evidence is None  # only when asked


def test_words_are_what_occlusion_removes():
    text = "Hashd al-Shaabi's men didn't stay, 3 said."
    assert [text[a:b] for a, b in words(text)] == ["Hashd", "al-Shaabi's", "men", "didn't", "stay", "3", "said"]


def test_notebook_view_of_an_article_and_of_predictions(shipped):
    from stance import classify_article

    text = (ROOT / "examples" / "article.txt").read_text(encoding="utf-8")
    labelled = classify_article(text, classifier=shipped, explain=True)
    page = labelled._repr_html_()
    assert page.count("class='quote-row'") == len(labelled) == 9
    assert page.count("<mark class='q") >= len(labelled) and "<mark class='s'>Hadi Jaber</mark>" in page
    assert "class='q ev'" in page or "class='ev q'" in page or "ev" in page.split("<style>")[1].split("</style>")[1]
    jaber = next(lq for lq in labelled if lq.quote.text.startswith("Those who attack"))
    assert jaber.framing_evidence and all(w in jaber.quote.text for w, _ in jaber.framing_evidence)
    preds = shipped.predict([STATEMENT], ["PMF"], explain=True)
    assert preds._repr_html_().count("class='quote-row'") == 1


def test_language_guard_marks_instead_of_labelling(shipped):
    assert detect("قال المتحدث إن الحشد الشعبي يحمي المدن من داعش") == "ar"
    assert detect("Le gouvernement a promis une enquête sur les incendies dans les villages du sud.") == "fr"
    assert detect(STATEMENT) is None and detect("ISIS") is None
    from stance.frames import label_frame

    df = pd.DataFrame({"text": ["قال المتحدث إن الحشد الشعبي يحمي المدن من داعش", STATEMENT]})
    out = label_frame(df, classifier=shipped)
    arabic = out[out["quote_id"] == 0]
    # the actors are still found in Arabic text; the labels are not given
    assert set(arabic["target"]) == {"Popular Mobilisation Forces", "Daesh"}
    assert set(arabic["stance"]) == {"unsupported"} and set(arabic["framing"]) == {"unsupported"}
    assert set(arabic["language"]) == {"ar"} and arabic["p_against"].isna().all()
    english = out[out["quote_id"] == 1]
    assert english["language"].isna().all() and english["stance"].isin(["favor", "against", "none"]).all()


def test_arabic_prefixes_before_an_alias_still_find_the_actor():
    from stance.gazetteer import find_targets

    for text, name, alias in [("وداعش هاجمت القرية", "Daesh", "داعش"), ("بالحشد الشعبي", "Popular Mobilisation Forces", "الحشد الشعبي"),
                              ("والحشد الشعبي قوة", "Popular Mobilisation Forces", "الحشد الشعبي"), ("فداعش", "Daesh", "داعش")]:
        m = find_targets(text)
        assert [(x.name, x.alias, text[x.start:x.end]) for x in m] == [(name, alias, alias)]
    assert find_targets("وداعشي") == []  # a longer word is not the name


def test_classify_summary_counts_statements_it_did_not_label(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({"id": i, "text": t}) for i, t in enumerate(
        [STATEMENT, "قال المتحدث إن الحشد الشعبي يحمي المدن من داعش"])) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = subprocess.run([sys.executable, "-m", "stance", "classify", str(src), "-o", str(out), "--quiet"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "1 not English (unsupported, not labelled)" in res.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[1]["language"] == "ar" and rows[1]["framing"] == "unsupported" and "language" not in rows[0]
