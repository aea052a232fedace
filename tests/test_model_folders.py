"""Model folders: only the files the manifest lists are read, the shipped folder must match
the pinned digest, settings are checked against the encoder, outputs name the model."""
import hashlib
import json
import shutil

import pytest

from conftest import ROOT, ROWS
from stance import config
from stance.batch import BatchJob, JobOptions
from stance.frames import model_name
from stance.model import ModelFileError, StanceClassifier, manifest_digest, write_manifest


def test_pinned_digest_is_the_shipped_manifests():
    # a new shipped model fails here until SHIPPED_MANIFEST_SHA256 in stance/config.py is updated
    manifest = ROOT / "models" / "stance-minilm" / "manifest.json"
    assert hashlib.sha256(manifest.read_bytes()).hexdigest() == config.SHIPPED_MANIFEST_SHA256


@pytest.fixture
def folder(tiny_model, tmp_path):
    return shutil.copytree(tiny_model[0], tmp_path / "m")


@pytest.mark.parametrize("name,content", [
    ("special_tokens_map.json", {"cls_token": "[SEP]", "sep_token": "[CLS]"}),
    ("added_tokens.json", {"militias": 999999}),
])
def test_files_outside_the_manifest_are_refused(folder, name, content):
    StanceClassifier.from_pretrained(folder)
    (folder / name).write_text(json.dumps(content))
    with pytest.raises(ModelFileError, match=f"{name} is not in the manifest"):
        StanceClassifier.from_pretrained(folder)


def test_max_length_over_the_encoders_position_limit_is_refused(folder):
    cfg = json.loads((folder / "config.json").read_text())
    cfg["max_length"] = 1024  # MiniLM has 512 positions
    (folder / "config.json").write_text(json.dumps(cfg))
    write_manifest(folder)
    with pytest.raises(ModelFileError, match="max_length 1024 is over the encoder's position limit"):
        StanceClassifier.from_pretrained(folder)


def test_an_edited_and_rehashed_shipped_folder_is_refused(folder, tmp_path, monkeypatch):
    shipped = tmp_path / "models" / config.DEFAULT_MODEL_NAME
    shutil.copytree(folder, shipped)
    cfg = json.loads((shipped / "config.json").read_text())
    cfg["stance_labels"] = cfg["stance_labels"][::-1]  # labels swapped: still a valid permutation
    (shipped / "config.json").write_text(json.dumps(cfg))
    write_manifest(shipped)  # re-hashed: the manifest alone cannot tell
    monkeypatch.setattr(config, "MODELS_DIR", tmp_path / "models")
    monkeypatch.delenv(config.MODEL_ENV, raising=False)
    with pytest.raises(ModelFileError, match="not the shipped model's, pinned in stance/config.py"):
        StanceClassifier.from_pretrained()
    with pytest.raises(ModelFileError, match="pinned"):
        StanceClassifier.from_pretrained(shipped)
    monkeypatch.setenv(config.MODEL_ENV, str(folder))  # another folder: loads, named by its digest
    assert model_name(StanceClassifier.from_pretrained()) == f"m@{manifest_digest(folder)[:16]}"


def test_outputs_name_the_model_by_digest(folder, tmp_path):
    clf = StanceClassifier.from_pretrained(folder)
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "text": ROWS[0][0], "target": ROWS[0][1]}) + "\n")
    BatchJob(clf, src, tmp_path / "out.jsonl", options=JobOptions(quiet=True)).run()
    row = json.loads((tmp_path / "out.jsonl").read_text())
    assert row["model"] == f"m@{manifest_digest(folder)[:16]}"
