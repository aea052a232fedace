"""A model can read who speaks (issue 14): the stance is the speaker's, and "it has killed
thousands of Hamas fighters" takes a side only once one knows who said it."""
import json
import random

import numpy as np
import pytest

from conftest import ROWS, train_tiny
from stance.inputs import MAX_SPEAKER_WORDS, SPEAKER_SEP, stance_inputs
from stance.model import StanceClassifier


def test_the_speaker_follows_the_target_in_the_first_segment_with_its_mentions_marked():
    texts = ["It has killed thousands of Hamas fighters.", "It has killed thousands of Hamas fighters."]
    firsts, seconds = stance_inputs(texts, ["Israel", "Hamas"], True, speakers=["Israel's military", None])
    assert firsts == [f"Israel {SPEAKER_SEP} « Israel »'s military", "Hamas"]
    assert seconds[1] == "It has killed thousands of « Hamas » fighters."
    # without speakers (a model trained without them) the input is what it always was
    assert stance_inputs(texts, ["Israel", "Hamas"], True) == (["Israel", "Hamas"], seconds)
    # a blank speaker is no speaker; a long one keeps its first words, the statement is never cut
    long = " ".join(["word"] * 40)
    firsts, seconds = stance_inputs(texts, ["Israel", "Hamas"], False, speakers=["  ", long])
    assert firsts[0] == "Israel" and firsts[1] == f"Hamas {SPEAKER_SEP} " + " ".join(["word"] * MAX_SPEAKER_WORDS)
    assert seconds == texts


@pytest.fixture(scope="module")
def speaker_model(tmp_path_factory):
    root = tmp_path_factory.mktemp("speaker")
    train_tiny(root, epochs=1, batch_size=3, max_length=48, max_steps=2, speaker_input=True)
    return root / "model"


def test_speaker_input_round_trips_and_both_paths_read_the_speaker(speaker_model):
    assert json.loads((speaker_model / "config.json").read_text(encoding="utf-8"))["speaker_input"] is True
    fast = StanceClassifier.from_pretrained(speaker_model, verify_origin=False)
    slow = StanceClassifier.from_pretrained(speaker_model, backend="torch", verify_origin=False)
    assert fast.config.speaker_input and slow.config.speaker_input and fast.backend == "onnx"
    texts, targets = [r[0] for r in ROWS], [r[1] for r in ROWS]
    speakers = ["Hadi Jaber", None, "the Iraqi government", "a police spokesman", None, "Sunni Endowment"]
    with_fast, _ = fast.predict_proba(texts, targets, speakers=speakers)
    with_slow, _ = slow.predict_proba(texts, targets, speakers=speakers)
    np.testing.assert_allclose(with_fast, with_slow, atol=1e-5)
    without, _ = fast.predict_proba(texts, targets)
    known = [i for i, s in enumerate(speakers) if s]
    unknown = [i for i, s in enumerate(speakers) if not s]
    assert np.abs(with_fast[known] - without[known]).max() > 1e-4  # the speaker is read...
    np.testing.assert_allclose(with_fast[unknown], without[unknown], atol=1e-6)  # ...and only where given
    # a statement's scores with its speaker do not depend on the rows batched with it
    order = list(range(len(texts)))
    random.Random(3).shuffle(order)
    shuffled, _ = fast.predict_proba([texts[i] for i in order], [targets[i] for i in order],
                                     speakers=[speakers[i] for i in order], batch_size=2)
    np.testing.assert_allclose(shuffled[np.argsort(order)], with_fast, atol=1e-5)
    # predict, predict_targets and pipe pass it on the same way
    preds = fast.predict(texts, targets, speakers=speakers)
    np.testing.assert_allclose([[p.stance_scores[c] for c in fast.stance_classes_] for p in preds], with_fast, atol=1e-6)
    per_text = fast.predict_targets(texts, [[t] for t in targets], speakers=speakers)
    assert [p[0].stance_scores for p in per_text] == [p.stance_scores for p in preds]
    streamed = list(fast.pipe(zip(texts, targets, speakers), batch_size=2))
    assert [p.stance_scores for p in streamed] == [p.stance_scores for p in preds]


def test_a_model_trained_without_speakers_ignores_them(tiny_model):
    clf = StanceClassifier.from_pretrained(tiny_model[0])
    assert clf.config.speaker_input is False
    texts, targets = [r[0] for r in ROWS], [r[1] for r in ROWS]
    a, _ = clf.predict_proba(texts, targets, speakers=["Hadi Jaber"] * len(texts))
    b, _ = clf.predict_proba(texts, targets)
    np.testing.assert_array_equal(a, b)


def test_speakers_are_checked_with_the_position(tiny_model):
    clf = StanceClassifier.from_pretrained(tiny_model[0])
    with pytest.raises(ValueError, match="got 2 texts but 1 speakers"):
        clf.predict(["a statement", "another"], "Daesh", speakers=["X"])
    with pytest.raises(TypeError, match=r"speakers\[1\] must be a str or None, got int"):
        clf.predict_proba(["a statement", "another"], "Daesh", speakers=["X", 7])
    with pytest.raises(TypeError, match="pipe row 1 must be a"):
        list(clf.pipe([("a statement", "Daesh"), "not a pair"]))


def test_articles_and_tables_give_the_model_each_quotes_speaker(speaker_model):
    import pandas as pd

    from conftest import ROOT
    from stance import classify_article, label_frame

    clf = StanceClassifier.from_pretrained(speaker_model, verify_origin=False)
    text = (ROOT / "examples" / "article.txt").read_text(encoding="utf-8")
    labelled = [lq for lq in classify_article(text, ["Daesh"], classifier=clf) if lq.quote.speaker]
    assert labelled
    direct = clf.predict([lq.quote.text for lq in labelled], "Daesh", speakers=[lq.quote.speaker for lq in labelled])
    assert [lq.stances[0].scores for lq in labelled] == [p.stance_scores for p in direct]
    df = pd.DataFrame({"text": [lq.quote.text for lq in labelled], "who": [lq.quote.speaker for lq in labelled]})
    frame = label_frame(df, targets=["Daesh"], speaker="who", classifier=clf)
    np.testing.assert_allclose(frame["p_favor"], [p.stance_scores["favor"] for p in direct], atol=1e-6)


def test_training_examples_carry_the_rows_speaker_and_the_option_is_checked(tmp_path):
    from training.data.schema import Row
    from training.train import TrainConfig, _examples

    row = {"id": "annotations:1", "text": "It has killed thousands of Hamas fighters.", "target": "Hamas",
           "stance": "against", "framing": "none", "speaker": "Israel's military", "source": "annotations",
           "doc_id": "d1", "origin": "gold", "split": "train"}
    examples = _examples([Row.from_dict(row)], TrainConfig(), random.Random(0))
    assert examples[0].speaker == "Israel's military"
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps({"speaker_input": "yes"}), encoding="utf-8")
    with pytest.raises(ValueError, match="speaker_input must be true or false"):
        TrainConfig.load(path)


def test_a_batch_job_reads_the_rows_speaker_column(speaker_model, tmp_path):
    from stance.batch import BatchJob, JobOptions

    clf = StanceClassifier.from_pretrained(speaker_model, verify_origin=False)
    speakers = ["Hadi Jaber", None, 17, "a police spokesman", "", "Sunni Endowment"]  # 17: not a name
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": k, "text": r[0], "target": r[1], "speaker": s}) + "\n"
                           for k, (r, s) in enumerate(zip(ROWS, speakers))), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    summary = BatchJob(clf, src, out, options=JobOptions(chunk_size=4, quiet=True)).run()
    assert (summary.read, summary.written) == (len(ROWS), len(ROWS))
    got = [json.loads(line)["stances"][0]["scores"] for line in out.read_text(encoding="utf-8").splitlines()]
    expected = clf.predict([r[0] for r in ROWS], [r[1] for r in ROWS],
                           speakers=[s if isinstance(s, str) else None for s in speakers])
    for g, p in zip(got, expected):
        assert g == pytest.approx(p.stance_scores, abs=1e-6)
