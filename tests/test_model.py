"""The classifier: a tiny model trained here proves the training loop and the save/load round
trip; loading refuses tampered folders; inputs are validated with clear messages."""
import json
import threading

import numpy as np
import pytest

from conftest import ROWS
from stance.model import ModelFileError, StanceClassifier


def test_training_writes_a_loadable_model(tiny_model):
    folder, metrics = tiny_model
    for name in ("model.safetensors", "config.json", "encoder_config.json", "tokenizer.json", "manifest.json", "metrics.json"):
        assert (folder / name).exists(), name
    assert not list(folder.glob("*.bin")) and not list(folder.glob("*.pt")), "no pickled files"
    assert [h["step"] for h in metrics["history"]] == [2, 3]  # 2 steps an epoch, stopped at max_steps
    assert 0.05 <= metrics["stance_temperature"] <= 20


def test_a_second_stage_starts_from_the_first_stage_weights(tiny_model, tmp_path):
    from conftest import train_tiny
    from safetensors.numpy import load_file

    first = load_file(str(tiny_model[0] / "model.safetensors"))
    # learning rates too small to move a weight: the second stage's weights are the first's
    train_tiny(tmp_path, epochs=1, batch_size=3, max_length=48, max_steps=1, learning_rate=1e-12,
               head_learning_rate=1e-12, init_from=str(tiny_model[0]))
    second = load_file(str(tmp_path / "model" / "model.safetensors"))
    assert set(first) == set(second)
    for name in ("stance_head.weight", "framing_head.weight"):
        assert name in first
    for name, weights in first.items():
        np.testing.assert_allclose(second[name].astype(np.float32), weights.astype(np.float32), atol=1e-3, err_msg=name)
    with pytest.raises(ValueError, match="target_markers"):
        (tmp_path / "other").mkdir()
        train_tiny(tmp_path / "other", epochs=1, batch_size=3, max_length=48, max_steps=1, target_markers=True,
                   init_from=str(tiny_model[0]))


def test_round_trip_gives_identical_scores(tiny_model, tmp_path):
    folder, _ = tiny_model
    clf = StanceClassifier.from_pretrained(folder, backend="torch")
    texts = [r[0] for r in ROWS]
    targets = [r[1] for r in ROWS]
    s1, f1 = clf.predict_proba(texts, targets)
    clf.save_pretrained(tmp_path / "copy")
    s2, f2 = StanceClassifier.from_pretrained(tmp_path / "copy", backend="torch").predict_proba(texts, targets)
    np.testing.assert_allclose(s1, s2, atol=1e-6)
    np.testing.assert_allclose(f1, f2, atol=1e-6)
    assert np.allclose(s1.sum(1), 1) and np.allclose(f1.sum(1), 1)


def test_predictions_are_typed_and_framing_is_per_statement(tiny_model):
    clf = StanceClassifier.from_pretrained(tiny_model[0])
    text = ROWS[0][0]
    preds = clf.predict([text, text], ["the Iraqi government", "Popular Mobilisation Forces"])
    assert [p.target for p in preds] == ["the Iraqi government", "Popular Mobilisation Forces"]
    assert preds[0].framing_scores == preds[1].framing_scores  # framing ignores the target
    assert preds[0].stance in clf.stance_classes_ and set(preds[0].stance_scores) == set(clf.stance_classes_)
    only_framing = clf.predict([text])
    assert only_framing[0].stance is None and only_framing[0].framing in clf.framing_classes_


def test_long_statements_are_read_in_windows(tiny_model):
    clf = StanceClassifier.from_pretrained(tiny_model[0])
    long_text = " ".join([ROWS[0][0]] * 80)
    pred = clf.predict([long_text], ["the Iraqi government"])[0]
    assert pred.windows > 1
    assert abs(sum(pred.stance_scores.values()) - 1) < 1e-5


@pytest.mark.parametrize("texts,targets,error,match", [
    (["a", "b"], ["x"], ValueError, "2 texts but 1 targets"),
    (["ok", "  "], None, ValueError, r"texts\[1\] is empty"),
    (["ok"], [3], TypeError, r"targets\[0\] must be a str"),
    ("a single string", None, TypeError, "not a single str"),
])
def test_inputs_are_validated(tiny_model, texts, targets, error, match):
    clf = StanceClassifier.from_pretrained(tiny_model[0])
    with pytest.raises(error, match=match):
        clf.predict(texts, targets)


def test_tampered_or_truncated_model_is_refused(tiny_model, tmp_path):
    clf = StanceClassifier.from_pretrained(tiny_model[0], backend="torch")
    folder = clf.save_pretrained(tmp_path / "m")
    weights = folder / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="does not match its hash"):
        StanceClassifier.from_pretrained(folder)
    weights.write_bytes(data)
    cfg = json.loads((folder / "config.json").read_text())
    cfg["stance_labels"] = ["yes", "no", "maybe"]
    (folder / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelFileError, match="config.json"):
        StanceClassifier.from_pretrained(folder)
    (folder / "manifest.json").unlink()
    with pytest.raises(ModelFileError, match="no manifest.json"):
        StanceClassifier.from_pretrained(folder)


@pytest.mark.parametrize("backend", ["onnx", "torch"])
def test_predict_is_safe_from_threads(tiny_model, backend):
    clf = StanceClassifier.from_pretrained(tiny_model[0], backend=backend)
    texts = [r[0] for r in ROWS] * 3
    targets = [r[1] for r in ROWS] * 3
    expected, _ = clf.predict_proba(texts, targets, batch_size=4)
    results, errors = [None] * 8, []

    def work(i):
        try:
            results[i] = clf.predict_proba(texts, targets, batch_size=4)[0]
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for r in results:
        np.testing.assert_allclose(r, expected, atol=1e-5)


def test_onnx_and_torch_paths_agree(tiny_model):
    folder = tiny_model[0]
    fast = StanceClassifier.from_pretrained(folder)  # auto: the ONNX export
    slow = StanceClassifier.from_pretrained(folder, backend="torch")
    assert (fast.backend, slow.backend) == ("onnx", "torch")
    texts = [r[0] for r in ROWS]
    targets = [r[1] for r in ROWS]
    fs, ff = fast.predict_proba(texts, targets)
    ss, sf = slow.predict_proba(texts, targets)
    # one graph, one set of float16 weights, float32 arithmetic on both: the same scores, so
    # the same labels (issue 16: the int8 export moved labels on every evaluation set)
    np.testing.assert_allclose(fs, ss, atol=1e-5)
    np.testing.assert_allclose(ff, sf, atol=1e-5)
    with pytest.raises(TypeError, match="cannot be saved"):
        fast.save_pretrained(folder / "nope")


def test_generators_and_pipe_keep_input_order(tiny_model):
    clf = StanceClassifier.from_pretrained(tiny_model[0], backend="torch")
    texts = [r[0] for r in ROWS]
    targets = [r[1] for r in ROWS]
    from_lists = clf.predict(texts, targets)
    from_generators = clf.predict((t for t in texts), (t for t in targets))
    assert [p.stance_scores for p in from_lists] == [p.stance_scores for p in from_generators]
    mixed = [(t, tg if i % 2 else None) for i, (t, tg) in enumerate(zip(texts, targets))]
    streamed = list(clf.pipe(iter(mixed), batch_size=1))
    assert [p.text for p in streamed] == texts
    assert [p.target for p in streamed] == [tg for _, tg in mixed]
    assert streamed[1].stance_scores == pytest.approx(from_lists[1].stance_scores, abs=1e-5)


def test_evaluation_script_reports_model_and_baselines(tiny_model, tmp_path):
    from conftest import ROWS, _write
    from stance.metrics import macro_f1
    from training.evaluate import main as evaluate

    model_dir, _ = tiny_model
    data = tmp_path / "data"
    data.mkdir()
    _write(data / "train.jsonl", ROWS, "train")
    _write(data / "test.jsonl", ROWS, "test")
    summary = evaluate(["--model", str(model_dir), "--data", str(data), "--out", str(tmp_path / "report")])
    stance = summary["in-domain test / stance"]
    assert stance["rows"] == len(ROWS)
    lo, hi = stance["macro_f1_interval"]
    assert 0 <= lo <= hi <= 1
    # the majority baseline predicts the commonest training label for every row
    gold = [r[2] for r in ROWS]
    majority = max(set(gold), key=gold.count)  # train and test rows are the same here
    assert stance["baselines"]["majority class"] == pytest.approx(macro_f1(gold, [majority] * len(gold), ["favor", "against", "none"]))
    report = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert "TF-IDF + LR" in report and "95% interval" in report
    assert (tmp_path / "report" / "in_domain_test_framing_reliability.png").stat().st_size > 1000


def test_evaluation_rewrites_the_model_cards_test_section(tiny_model, tmp_path):
    import shutil

    from conftest import ROWS, _write
    from training.evaluate import main as evaluate

    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model[0], model_dir)  # the fixture's folder is shared with other tests
    data = tmp_path / "data"
    data.mkdir()
    _write(data / "train.jsonl", ROWS, "train")
    _write(data / "test.jsonl", ROWS, "test")
    card = model_dir / "README.md"
    before = card.read_text(encoding="utf-8")
    assert "## Test results" not in before and "## Known limits" in before
    args = ["--model", str(model_dir), "--data", str(data), "--out", str(tmp_path / "report"), "--update-card"]
    summary = evaluate(args)
    evaluate(args)  # a second run replaces the section rather than adding one
    text = card.read_text(encoding="utf-8")
    assert text.count("## Test results") == 1
    start, end = text.index("## Test results"), text.index("## Known limits")
    assert start < end and text[:start] + text[end:] == before  # the rest of the card is untouched
    stance = summary["in-domain test / stance"]
    lo, hi = stance["macro_f1_interval"]
    assert f"| in-domain test | stance | {len(ROWS)} | {stance['macro_f1']:.3f} ({lo:.3f}-{hi:.3f}) |" in text
    StanceClassifier.from_pretrained(model_dir)  # the manifest was rewritten to cover the new card


def test_class_weights_are_per_source():
    from training.train import Example, class_weights

    def ex(source, stance):
        return Example("a statement", "Daesh", stance, -1, 1.0, source)

    # in-domain: none dominates; VAST-like: balanced
    examples = [ex("annotations", 2)] * 8 + [ex("annotations", 0)] * 2 + [ex("vast", k) for k in (0, 1, 2)] * 3
    w = class_weights(examples)
    assert w["annotations"][0][0] > 1 > w["annotations"][0][2]
    assert w["vast"][0] == pytest.approx([1.0, 1.0, 1.0])  # balanced classes are left alone
    # power 1: each class weighs as much in total as if the source were balanced; 0: as drawn
    full = class_weights(examples, power=1.0)["annotations"][0]
    assert 2 * full[0] == pytest.approx(8 * full[2])
    assert class_weights(examples, power=0.0)["annotations"][0] == pytest.approx([1.0, 1.0, 1.0])


@pytest.mark.parametrize("power", [1.5, -0.1, "1", True])
def test_class_weight_power_is_checked(tmp_path, power):
    import json

    from training.train import TrainConfig

    path = tmp_path / "cfg.json"
    path.write_text(json.dumps({"class_weight_power": power}), encoding="utf-8")
    with pytest.raises(ValueError, match="class_weight_power must be a number from 0 to 1"):
        TrainConfig.load(path)


def test_precision_option_is_checked_and_bf16_trains(tmp_path):
    import json

    from conftest import train_tiny
    from training.train import TrainConfig

    path = tmp_path / "cfg.json"
    path.write_text(json.dumps({"precision": "fp16"}), encoding="utf-8")
    with pytest.raises(ValueError, match="precision must be 'fp32' or 'bf16'"):
        TrainConfig.load(path)
    metrics = train_tiny(tmp_path, epochs=1, batch_size=3, max_length=32, max_steps=2, precision="bf16")
    assert metrics["history"] and (tmp_path / "model" / "model.onnx").exists()


def test_weight_averaging_is_checked_recorded_and_exact(tmp_path):
    import json

    import torch

    from conftest import train_tiny
    from training.train import TrainConfig, _accumulate, _mean

    path = tmp_path / "cfg.json"
    path.write_text(json.dumps({"epochs": 3, "average_from": 3}), encoding="utf-8")
    with pytest.raises(ValueError, match="average_from must be an epoch from 1 to epochs - 1"):
        TrainConfig.load(path)
    states = [{"w": torch.tensor([1.0, 2.0]), "ids": torch.tensor([0, 1])},
              {"w": torch.tensor([3.0, 6.0]), "ids": torch.tensor([0, 1])}]
    total = None
    for s in states:
        total = _accumulate(total, s)
    assert torch.equal(_mean(total, 2)["w"], torch.tensor([2.0, 4.0])) and _mean(total, 2)["ids"].dtype == torch.int64
    assert torch.equal(states[0]["w"], torch.tensor([1.0, 2.0]))  # the live weights are not touched

    metrics = train_tiny(tmp_path, epochs=3, batch_size=4, max_length=32, patience=5, average_from=2)
    avg = metrics["weight_average"]
    assert avg["epochs"] == [2, 3] and isinstance(avg["kept"], bool) and "stance_macro_f1" in avg
    best = max(h["stance_macro_f1"] + h["framing_macro_f1"] for h in metrics["history"])
    assert avg["kept"] == (avg["stance_macro_f1"] + avg["framing_macro_f1"] >= best - 1e-12)
    card = (tmp_path / "model" / "README.md").read_text(encoding="utf-8")
    assert ("average of the weights after epochs 2, 3" in card) == avg["kept"]


def test_group_by_length_batches_every_example_once_with_little_padding(tmp_path):
    import json
    import random

    from training.train import POOL_BATCHES, Example, TrainConfig, _batches

    path = tmp_path / "cfg.json"
    path.write_text(json.dumps({"group_by_length": "yes"}), encoding="utf-8")
    with pytest.raises(ValueError, match="group_by_length must be true or false"):
        TrainConfig.load(path)
    rng = random.Random(0)
    examples = [Example("x" * rng.randint(5, 500), "Daesh", 2, 2, 1.0, "annotations") for _ in range(2000)]

    def waste(batches):  # padded characters over real characters
        return sum(max(len(e.text) for e in b) * len(b) for b in batches) / sum(len(e.text) for e in examples)

    plain = _batches(examples, 16, random.Random(1), False)
    grouped = _batches(examples, 16, random.Random(1), True)
    for batches in (plain, grouped):
        assert sorted(id(e) for b in batches for e in b) == sorted(id(e) for e in examples)
        assert all(1 <= len(b) <= 16 for b in batches)
    assert waste(plain) > 1.5 and waste(grouped) < 1.1
    assert [id(e) for e in grouped[0]] == [id(e) for e in _batches(examples, 16, random.Random(1), True)[0]]
    # the batches are shuffled: in pool order, the longest item would only drop at pool boundaries
    pools = -(-len(examples) // (16 * POOL_BATCHES))
    drops = sum(max(len(e.text) for e in b) < max(len(e.text) for e in a) for a, b in zip(grouped, grouped[1:]))
    assert drops > 10 * pools


def test_framing_loss_counts_a_statement_once_per_pair(tiny_model):
    import torch

    from stance import StanceClassifier
    from training.train import Example, TrainConfig, _loss

    folder, _ = tiny_model
    clf = StanceClassifier.from_pretrained(folder, backend="torch")
    cfg = TrainConfig(max_length=48)
    a = Example("The militias are slaughtering Sunni families.", None, -1, 0, 1.0, "annotations")
    b = Example("The convoy reached the town on Tuesday.", None, -1, 2, 1.0, "annotations")
    with torch.no_grad():
        la, lb, both = (_loss(clf, batch, cfg).item() for batch in ([a], [b], [a, a, b]))
    # two pairs of statement a and one of b: the mean over three pairs, not over two statements
    assert both == pytest.approx((2 * la + lb) / 3, rel=1e-4)
    assert abs(both - (la + lb) / 2) > 1e-4
