from pathlib import Path

import json

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def article():
    """Read a fixture article written for the tests."""
    return lambda name: (FIXTURES / "articles" / name).read_text(encoding="utf-8")


@pytest.fixture
def seed_article():
    path = SHARED / "seed" / "mosul-article.txt"
    if not path.exists():
        pytest.skip("../shared/seed is not present")
    return path.read_text(encoding="utf-8")


ROWS = [
    ("The militias are slaughtering Sunni families and the government does nothing.", "the Iraqi government", "against", "sectarian"),
    ("We thank the army for protecting every neighbourhood, Sunni and Shia alike.", "Iraqi security forces", "favor", "counter_sectarian"),
    ("The convoy reached the town on Tuesday with flour and medicine.", "Daesh", "none", "none"),
    ("Daesh fighters executed prisoners in the square.", "Daesh", "against", "none"),
    ("The Safavid militias want to wipe out the people of Anbar.", "Popular Mobilisation Forces", "against", "sectarian"),
    ("Nobody should judge a crime by the sect of its victims.", "the Iraqi government", "none", "counter_sectarian"),
]


def _write(path, rows, split):
    with path.open("w", encoding="utf-8") as fh:
        for k, (text, target, stance, framing) in enumerate(rows):
            fh.write(json.dumps({"id": f"{split}{k}", "text": text, "target": target, "stance": stance,
                                 "framing": framing, "speaker": None, "source": "annotations",
                                 "doc_id": f"{split}{k}", "origin": "gold", "split": split}) + "\n")


def train_tiny(root: Path, **config) -> dict:
    """Train a model into root/model on the handful of ROWS (dev: the first four); returns its metrics."""
    from training.train import TrainConfig, train

    data = root / "data"
    data.mkdir()
    _write(data / "train.jsonl", ROWS, "train")
    _write(data / "dev.jsonl", ROWS[:4], "dev")
    return train(TrainConfig(seed=1, **config), data, root / "model", quiet=True)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A model trained here for a few steps on a handful of rows: proves the training loop and
    gives the other tests a real model folder (weights, ONNX export, manifest)."""
    root = tmp_path_factory.mktemp("tiny")
    metrics = train_tiny(root, epochs=2, batch_size=3, max_length=48, max_steps=3, patience=5)
    return root / "model", metrics


