"""The benchmark files, the target input (canonical name, marked mentions) and the bench metrics."""
import json
from collections import defaultdict

import pytest

from conftest import SHARED, train_tiny
from stance.inputs import mark_target, stance_inputs, target_spans
from training.data.converters.bench import BENCH_DIR
from training.data.corpus import CORPUS_FILE
from training.data.pairs import PAIRS_FILE
from training.data.schema import validate_row
from training.evaluate import alias_variants, target_swap

BENCH_FILES = {"test": BENCH_DIR / "test.jsonl", "dev": BENCH_DIR / "dev.jsonl"}


def _rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- target input --------------------------------------------------------------------------

def test_aliases_are_canonicalised_and_every_mention_is_marked():
    text = "The PMF said Hashd al-Shaabi units, not Daesh, hold the road."
    firsts, seconds = stance_inputs([text] * 3, ["PMF", "Hashd al-Shaabi", "popular mobilization forces"], mark=True)
    assert firsts == ["Popular Mobilisation Forces"] * 3
    assert seconds == ["The « PMF » said « Hashd al-Shaabi » units, not Daesh, hold the road."] * 3
    assert stance_inputs([text], ["PMF"], mark=False) == (["Popular Mobilisation Forces"], [text])


def test_a_target_outside_the_gazetteer_is_marked_by_its_own_words():
    assert mark_target("The local council failed us, said the mayor.", "the Local Council") == \
        "The « local council » failed us, said the mayor."
    assert target_spans("Nothing about it here.", "the local council") == []
    assert mark_target("No mention.", "the") == "No mention."  # a target of no words marks nothing


def test_a_government_named_only_as_the_government_is_marked():
    # worked example 2 of the guideline: its target is never named, only "The government"
    text = "The government cannot claim to be liberating the Iraqi people."
    assert mark_target(text, "the Iraqi government") == "« The government » cannot claim to be liberating the Iraqi people."
    # a named mention wins, and a target of another kind does not take "the army"
    assert mark_target("The Iraqi government and the government of Syria.", "Iraqi government") == \
        "The « Iraqi government » and the government of Syria."
    assert mark_target("The army came.", "Daesh") == "The army came."


def test_three_aliases_get_one_label_from_the_shipped_model():
    from stance import StanceClassifier

    clf = StanceClassifier.from_pretrained()
    text = "The Hashd stood between these towns and the terrorists; those who attack them serve Daesh."
    preds = clf.predict([text] * 3, ["PMF", "Hashd al-Shaabi", "Popular Mobilization Forces"])
    assert len({p.stance for p in preds}) == 1
    assert preds[0].stance_scores == preds[1].stance_scores == preds[2].stance_scores
    assert [p.target for p in preds] == ["PMF", "Hashd al-Shaabi", "Popular Mobilization Forces"]  # as given


def test_marker_input_round_trips_through_save_load_and_onnx(tmp_path):
    from stance import StanceClassifier

    train_tiny(tmp_path, epochs=1, batch_size=3, max_length=48, max_steps=2, target_markers=True)
    folder = tmp_path / "model"
    assert json.loads((folder / "config.json").read_text())["target_markers"] is True
    texts = ["Daesh fighters executed prisoners in the square.", "The army protected the Sunni and Shia towns."]
    targets = ["ISIS", "Iraqi security forces"]
    for backend in ("torch", "onnx"):
        clf = StanceClassifier.from_pretrained(folder, backend=backend)
        assert clf.config.target_markers is True
        marked, _ = clf.predict_proba(texts, targets)
        # the same model fed the marked statements by hand, with markers off, reads the same input
        clf.config.target_markers = False
        by_hand, _ = clf.predict_proba([mark_target(x, t) for x, t in zip(texts, targets)], targets)
        plain, _ = clf.predict_proba(texts, targets)
        assert marked == pytest.approx(by_hand, abs=1e-6)
        assert not marked == pytest.approx(plain, abs=1e-6)


# --- bench metrics -----------------------------------------------------------------------------

class _Row:
    def __init__(self, sid, target):
        self.meta, self.text, self.target = {"statement_id": sid}, sid, target


def test_target_swap_counts_only_statements_whose_targets_differ():
    rows = [_Row("a", "X"), _Row("a", "Y"), _Row("b", "X"), _Row("b", "Y"), _Row("c", "X")]
    gold = ["favor", "against", "none", "none", "against"]
    pred = ["favor", "favor", "none", "against", "against"]
    out = target_swap(gold, pred, rows)
    assert (out["statements"], out["pairs"]) == (1, 2)
    assert out["accuracy"] == 0.5 and out["model_differs"] == 0.0


def test_alias_variants_are_three_spellings_of_one_actor():
    variants = alias_variants("PMF")
    assert len(set(variants)) == 3 and variants[0] == "Popular Mobilisation Forces"
    assert alias_variants("the local council") is None


# --- bench files -------------------------------------------------------------------------------

@pytest.mark.parametrize("split", ["test", "dev"])
def test_bench_rows_follow_the_schema_and_design(split):
    rows = _rows(BENCH_FILES[split])
    assert len({r["id"] for r in rows}) == len(rows)
    by_statement = defaultdict(list)
    for k, r in enumerate(rows, 1):
        # texts that are not shipped are rebuilt from ../shared/data: checked below when it is here
        validate_row({**r, "text": r["text"] or "(rebuilt from meta.ref)"}, f"{BENCH_FILES[split]}:{k}")
        assert r["split"] == split and r["origin"] == "gold" and r["target"] and r["stance"]
        assert r["meta"]["ref"]["source"] in ("fa_kes", "fnc1", "polnear", "basil", "gaza_blame", "gaza_casualty")
        by_statement[r["meta"]["statement_id"]].append(r)
    assert all(len(pairs) >= 2 for pairs in by_statement.values())  # every statement has two targets or more
    if split == "test":
        assert all(r["meta"]["double_annotated"] for r in rows)
        differing = [p for p in by_statement.values() if len({r["stance"] for r in p}) > 1]
        assert len(differing) >= 100


def test_no_bench_article_holds_a_train_or_dev_row():
    bench_docs = {r["doc_id"] for r in _rows(BENCH_FILES["test"])}
    other = _rows(CORPUS_FILE) + _rows(PAIRS_FILE) + _rows(BENCH_FILES["dev"])
    assert not bench_docs & {r["doc_id"] for r in other if r["split"] in ("train", "dev")}
    assert not {r["doc_id"] for r in _rows(BENCH_FILES["dev"])} & {r["doc_id"] for r in _rows(PAIRS_FILE)}


def test_bench_texts_are_rebuilt_exactly_from_the_data_directory():
    data = SHARED / "data"
    if not (data / "gaza_blame_sentences").exists():
        pytest.skip("../shared/data is not present")
    from training.data.converters.bench import convert

    rows = list(convert(data))
    assert len(rows) == sum(len(_rows(p)) for p in BENCH_FILES.values())
    assert all(r.text and r.source == "bench" for r in rows)


def test_evaluation_reports_the_bench_with_target_swap_and_alias_agreement(tiny_model, tmp_path):
    from conftest import ROWS, _write
    from training.evaluate import main as evaluate

    data = tmp_path / "data"
    data.mkdir()
    _write(data / "train.jsonl", ROWS, "train")
    # one statement, two targets of different stance (and a framing-only neutral statement that
    # takes no side: outside the bench's stance set, inside its framing set)
    bench = [
        {"id": "b1|Daesh", "text": "Daesh fighters were driven out by the PMF, who saved the town.", "target": "Daesh",
         "stance": "against", "meta": {"statement_id": "b1", "evaluative": True}},
        {"id": "b1|PMF", "text": "Daesh fighters were driven out by the PMF, who saved the town.", "target": "PMF",
         "stance": "favor", "meta": {"statement_id": "b1", "evaluative": True}},
        {"id": "b2|Daesh", "text": "The convoy reached the town on Tuesday.", "target": "Daesh",
         "stance": "none", "meta": {"statement_id": "b2", "evaluative": False}},
    ]
    with (data / "test.jsonl").open("w", encoding="utf-8") as fh:
        for r in bench:
            fh.write(json.dumps({**r, "framing": "none", "speaker": None, "source": "bench", "doc_id": r["id"][:2],
                                 "origin": "gold", "split": "test"}) + "\n")
    summary = evaluate(["--model", str(tiny_model[0]), "--data", str(data), "--out", str(tmp_path / "r"),
                        "--sets", "bench,bench (all pairs)"])
    stance = summary["bench / stance"]
    assert stance["rows"] == 2 and summary["bench (all pairs) / stance"]["rows"] == 3
    assert summary["bench / framing"]["rows"] == 2
    assert (stance["target_swap"]["statements"], stance["target_swap"]["pairs"]) == (1, 2)
    # canonicalised targets: the PMF and Daesh pairs are asked under three spellings each, one label each
    assert stance["alias_agreement"] == {"pairs": 2, "agreement": 1.0}
    with pytest.raises(SystemExit):
        evaluate(["--model", str(tiny_model[0]), "--data", str(data), "--sets", "no such set"])
