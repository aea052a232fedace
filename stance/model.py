"""The stance and framing classifier: one shared encoder, two heads.

Stance is read from the pair (target, statement); framing from the statement alone, so it is
computed once per statement and is the same for every target. A model folder holds
safetensors weights, optionally an int8 ONNX export (the fast CPU path), the tokenizer, a
plain JSON config and a manifest of file hashes; nothing is ever unpickled.
"""
from __future__ import annotations

import hashlib
import json
import math
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from stance.config import (
    BATCH_SIZE, FRAMING_LABELS, MAX_LENGTH, STANCE_LABELS, WINDOW_STRIDE, base_encoder_dir, default_model_dir,
)
from stance.types import Prediction

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
ENCODER_CONFIG_FILE = "encoder_config.json"
MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1


class ModelFileError(ValueError):
    """A model folder that is incomplete, tampered with or malformed."""


@dataclass
class ModelConfig:
    stance_labels: list[str] = field(default_factory=lambda: list(STANCE_LABELS))
    framing_labels: list[str] = field(default_factory=lambda: list(FRAMING_LABELS))
    max_length: int = MAX_LENGTH
    window_stride: int = WINDOW_STRIDE
    stance_temperature: float = 1.0
    framing_temperature: float = 1.0
    base_model: str = "all-MiniLM-L6-v2"
    format_version: int = FORMAT_VERSION
    extra: dict = field(default_factory=dict)  # training metadata: data, metrics, seed

    @classmethod
    def from_dict(cls, d: dict, where: str) -> ModelConfig:
        if not isinstance(d, dict):
            raise ModelFileError(f"{where}: expected a JSON object")
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(d) - known
        if unknown:
            raise ModelFileError(f"{where}: unknown keys {sorted(unknown)}")
        cfg = cls(**d)
        if cfg.format_version != FORMAT_VERSION:
            raise ModelFileError(f"{where}: format_version {cfg.format_version} is not supported (expected {FORMAT_VERSION})")
        for name, labels, expected in (("stance_labels", cfg.stance_labels, STANCE_LABELS),
                                       ("framing_labels", cfg.framing_labels, FRAMING_LABELS)):
            if not isinstance(labels, list) or sorted(labels) != sorted(expected):
                raise ModelFileError(f"{where}: {name} must be a permutation of {list(expected)}, got {labels!r}")
        for name in ("stance_temperature", "framing_temperature"):
            t = getattr(cfg, name)
            if not isinstance(t, (int, float)) or not (0.05 <= t <= 20) or math.isnan(t):
                raise ModelFileError(f"{where}: {name} must be a number in [0.05, 20], got {t!r}")
        if not isinstance(cfg.max_length, int) or not 16 <= cfg.max_length <= 8192:
            raise ModelFileError(f"{where}: max_length must be an integer in [16, 8192], got {cfg.max_length!r}")
        if not isinstance(cfg.window_stride, int) or not 0 <= cfg.window_stride < cfg.max_length // 2:
            raise ModelFileError(f"{where}: window_stride must be an integer in [0, max_length/2), got {cfg.window_stride!r}")
        return cfg


def _torch():
    import torch

    return torch


def build_net(encoder, n_stance: int, n_framing: int, dropout: float = 0.1):
    """Encoder + mean pooling + two linear heads, as a torch module."""
    torch = _torch()
    nn = torch.nn

    class StanceNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = encoder
            hidden = encoder.config.hidden_size
            self.dropout = nn.Dropout(dropout)
            self.stance_head = nn.Linear(hidden, n_stance)
            self.framing_head = nn.Linear(hidden, n_framing)

        def embed(self, input_ids, attention_mask, token_type_ids=None):
            out = self.encoder(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            mask = attention_mask.unsqueeze(-1).to(out.last_hidden_state.dtype)
            return (out.last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

        def stance_logits(self, **enc):
            return self.stance_head(self.dropout(self.embed(**enc)))

        def framing_logits(self, **enc):
            return self.framing_head(self.dropout(self.embed(**enc)))

    return StanceNet()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_manifest(folder: Path) -> None:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST_FILE)
    manifest = {"format_version": FORMAT_VERSION,
                "files": {str(p.relative_to(folder)): _sha256(p) for p in files}}
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def verify_manifest(folder: Path) -> dict[str, str]:
    """Check every file against the hashes written at save time; refuse anything else."""
    mpath = folder / MANIFEST_FILE
    if not mpath.exists():
        raise ModelFileError(f"{folder}: no {MANIFEST_FILE}; the folder was not written by save_pretrained")
    try:
        files = json.loads(mpath.read_text(encoding="utf-8"))["files"]
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        raise ModelFileError(f"{mpath}: unreadable manifest ({e})") from None
    for name, digest in files.items():
        p = folder / name
        if not p.is_file():
            raise ModelFileError(f"{folder}: {name} is listed in the manifest but missing")
        if _sha256(p) != digest:
            raise ModelFileError(f"{folder}: {name} does not match its hash in the manifest (tampered or truncated); refusing to load")
    for required in (CONFIG_FILE, WEIGHTS_FILE, ENCODER_CONFIG_FILE):
        if required not in files:
            raise ModelFileError(f"{folder}: {required} is missing from the manifest")
    return files


def _load_torch_net(folder: Path, cfg: ModelConfig):
    from safetensors.torch import load_file
    from transformers import AutoConfig, AutoModel

    encoder = AutoModel.from_config(AutoConfig.from_pretrained(str(folder / ENCODER_CONFIG_FILE)))
    net = build_net(encoder, len(cfg.stance_labels), len(cfg.framing_labels))
    state = {k: v.float() if v.is_floating_point() else v for k, v in load_file(str(folder / WEIGHTS_FILE)).items()}
    missing, unexpected = net.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        raise ModelFileError(f"{folder / WEIGHTS_FILE}: weights do not fit the config (missing {missing[:3]}, unexpected {unexpected[:3]})")
    return net.eval()


def _check_texts(texts: Sequence, what: str = "texts") -> None:
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"{what}[{i}] must be a str, got {type(t).__name__}")
        if not t.strip():
            raise ValueError(f"{what}[{i}] is empty or whitespace only; drop it or give it text")


def _softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


class StanceClassifier:
    """Labels (statement, target) pairs with stance and statements with sectarian framing.

    >>> clf = StanceClassifier.from_pretrained()          # the shipped default model
    >>> clf.predict(["They are slaughtering Sunnis."], ["the Iraqi government"])[0].stance
    """

    def __init__(self, net, tokenizer, config: ModelConfig):
        self.net = net.eval() if hasattr(net, "eval") else net
        self.tokenizer = tokenizer
        self.config = config
        self.stance_classes_ = list(config.stance_labels)
        self.framing_classes_ = list(config.framing_labels)
        self._lock = threading.Lock()  # tokenizers' truncation settings are shared mutable state
        self.name: str | None = None  # the model folder's name, recorded in the tables' `model` column

    # --- loading and saving ---------------------------------------------------------------

    @classmethod
    def from_base(cls, base_dir: str | Path | None = None, config: ModelConfig | None = None) -> StanceClassifier:
        """A fresh, untrained classifier on a local Hugging Face encoder (default: all-MiniLM-L6-v2)."""
        from transformers import AutoModel, AutoTokenizer

        base = Path(base_dir) if base_dir else base_encoder_dir()
        if not (base / "config.json").exists():
            raise FileNotFoundError(f"{base} is not a local Hugging Face model folder (no config.json)")
        cfg = config or ModelConfig(base_model=base.name if base_dir else "all-MiniLM-L6-v2")
        encoder = AutoModel.from_pretrained(str(base), use_safetensors=True)
        tokenizer = AutoTokenizer.from_pretrained(str(base))
        return cls(build_net(encoder, len(cfg.stance_labels), len(cfg.framing_labels)), tokenizer, cfg)

    @classmethod
    def from_pretrained(cls, path: str | Path | None = None, backend: str = "auto") -> StanceClassifier:
        """Load a model folder written by save_pretrained (None: the shipped default model).

        backend: "onnx" (int8 ONNX Runtime, the fast CPU path), "torch", or "auto" (onnx when
        the folder has an ONNX export). Only JSON, safetensors and ONNX files are read, after
        every file is checked against the manifest of hashes written at save time.
        """
        from transformers import AutoTokenizer

        if backend not in ("auto", "onnx", "torch"):
            raise ValueError(f"backend must be 'auto', 'onnx' or 'torch', got {backend!r}")
        folder = Path(path) if path is not None else default_model_dir()
        if not folder.is_dir():
            hint = " (the default model ships in the repository's models/ folder; set STANCE_MODEL or pass a path)" if path is None else ""
            raise FileNotFoundError(f"model folder {folder} does not exist{hint}")
        files = verify_manifest(folder)
        try:
            raw = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise ModelFileError(f"{folder / CONFIG_FILE}: invalid JSON ({e})") from None
        cfg = ModelConfig.from_dict(raw, str(folder / CONFIG_FILE))
        tokenizer = AutoTokenizer.from_pretrained(str(folder))
        from stance.onnx_backend import ONNX_FILE, OnnxHeads

        if backend == "onnx" or (backend == "auto" and ONNX_FILE in files):
            if ONNX_FILE not in files:
                raise ModelFileError(f"{folder}: no {ONNX_FILE}; export one with `python -m training.export_onnx {folder}`")
            clf = cls(OnnxHeads(folder / ONNX_FILE), tokenizer, cfg)
        else:
            clf = cls(_load_torch_net(folder, cfg), tokenizer, cfg)
        clf.name = folder.name
        return clf

    def save_pretrained(self, path: str | Path, half: bool = False) -> Path:
        """Write weights (safetensors; float16 when half=True, a smaller file), tokenizer,
        config and the manifest of file hashes. Files already in the folder (an ONNX export,
        a model card) are kept and covered by the manifest."""
        from safetensors.torch import save_file

        if not hasattr(self.net, "state_dict"):
            raise TypeError("an ONNX-backed classifier cannot be saved; load it with backend='torch'")
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        state = {k: (v.half() if half and v.is_floating_point() else v).detach().contiguous()
                 for k, v in self.net.state_dict().items()}
        save_file(state, str(folder / WEIGHTS_FILE))
        (folder / CONFIG_FILE).write_text(json.dumps(asdict(self.config), indent=2) + "\n", encoding="utf-8")
        self.net.encoder.config.to_json_file(str(folder / ENCODER_CONFIG_FILE))
        self.tokenizer.save_pretrained(str(folder))
        write_manifest(folder)
        return folder

    @property
    def backend(self) -> str:
        return "torch" if hasattr(self.net, "state_dict") else "onnx"

    # --- inference ---------------------------------------------------------------------

    def _encode(self, firsts: list[str], seconds: list[str] | None):
        """Tokenize into windows: long statements become overlapping windows, never cut silently."""
        kw = dict(max_length=self.config.max_length, stride=self.config.window_stride,
                  return_overflowing_tokens=True, padding=True,
                  return_tensors="pt" if self.backend == "torch" else "np")
        with self._lock:
            if seconds is None:
                enc = self.tokenizer(firsts, truncation=True, **kw)
            else:
                enc = self.tokenizer(firsts, seconds, truncation="only_second", **kw)
        owner = np.asarray(enc.pop("overflow_to_sample_mapping"))
        return {k: v for k, v in enc.items() if k in ("input_ids", "attention_mask", "token_type_ids")}, owner

    def _logits(self, head: str, firsts: list[str], seconds: list[str] | None,
                batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        """Mean logits over each item's windows (and the window counts), batched by length so
        little is padded."""
        order = np.argsort([len(x) for x in (seconds or firsts)], kind="stable")
        n_out = len(self.stance_classes_ if head == "stance" else self.framing_classes_)
        out = np.zeros((len(firsts), n_out), dtype=np.float32)
        windows = np.ones(len(firsts), dtype=np.int64)
        fn = self.net.stance_logits if head == "stance" else self.net.framing_logits
        for b in range(0, len(order), batch_size):
            idx = order[b : b + batch_size]
            f = [firsts[i] for i in idx]
            s = [seconds[i] for i in idx] if seconds is not None else None
            enc, owner = self._encode(f, s)
            if self.backend == "torch":
                with _torch().inference_mode():
                    logits = fn(**enc).float().numpy()
            else:
                logits = fn(**enc)
            sums = np.zeros((len(idx), n_out), dtype=np.float32)
            np.add.at(sums, owner, logits)
            counts = np.bincount(owner, minlength=len(idx)).reshape(-1, 1)
            out[idx] = sums / counts
            windows[idx] = counts[:, 0]
        return out, windows

    def _validate(self, texts, targets) -> tuple[list[str], list[str] | None]:
        if isinstance(texts, str):
            raise TypeError("texts must be a list (or other iterable) of strings, not a single str; wrap it: [text]")
        texts = list(texts)
        _check_texts(texts)
        if targets is None:
            return texts, None
        if isinstance(targets, str):
            targets = [targets] * len(texts)
        else:
            targets = list(targets)
        if len(targets) != len(texts):
            raise ValueError(f"got {len(texts)} texts but {len(targets)} targets; give one target per text, or one str for all")
        _check_texts(targets, "targets")
        return texts, targets

    def predict_proba(self, texts: Iterable[str], targets: Iterable[str] | str | None = None,
                      batch_size: int = BATCH_SIZE) -> tuple[np.ndarray | None, np.ndarray]:
        """(stance probabilities [n, 3] or None without targets, framing probabilities [n, 3]);
        columns follow `stance_classes_` and `framing_classes_`. Calibrated by temperature."""
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        stance, framing, _ = self._scores(*self._validate(texts, targets), batch_size)
        return stance, framing

    def _scores(self, texts: list[str], targets: list[str] | None, batch_size: int):
        if not texts:
            return (np.zeros((0, len(self.stance_classes_))) if targets is not None else None,
                    np.zeros((0, len(self.framing_classes_))), np.zeros(0, dtype=np.int64))
        unique = list(dict.fromkeys(texts))  # framing once per statement, whatever its targets
        f_logits, f_windows = self._logits("framing", unique, None, batch_size)
        position = {t: i for i, t in enumerate(unique)}
        rows = [position[t] for t in texts]
        framing = _softmax(f_logits[rows], self.config.framing_temperature)
        windows = f_windows[rows]
        stance = None
        if targets is not None:
            s_logits, windows = self._logits("stance", targets, texts, batch_size)
            stance = _softmax(s_logits, self.config.stance_temperature)
        return stance, framing, windows

    def predict(self, texts: Iterable[str], targets: Iterable[str] | str | None = None,
                batch_size: int = BATCH_SIZE) -> list[Prediction]:
        """One Prediction per (text, target) pair, in input order."""
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        texts, targets = self._validate(texts, targets)
        stance, framing, windows = self._scores(texts, targets, batch_size)
        targets_list = targets if targets is not None else [None] * len(texts)
        out = []
        for i, text in enumerate(texts):
            fs = {lab: float(p) for lab, p in zip(self.framing_classes_, framing[i])}
            ss = {lab: float(p) for lab, p in zip(self.stance_classes_, stance[i])} if stance is not None else None
            out.append(Prediction(
                text=text, target=targets_list[i],
                stance=max(ss, key=ss.get) if ss else None, stance_scores=ss,
                framing=max(fs, key=fs.get), framing_scores=fs,
                windows=int(windows[i]),
            ))
        return out

    def predict_targets(self, texts: Sequence[str], targets: Sequence[Sequence[str]],
                        batch_size: int = BATCH_SIZE) -> list[list[Prediction]]:
        """For each text, one Prediction per target in its list, or a single framing-only
        Prediction when the list is empty; all pairs go through the model together."""
        if len(texts) != len(targets):
            raise ValueError(f"got {len(texts)} texts but {len(targets)} target lists; give one list per text")
        pairs = [(k, t) for k, ts in enumerate(targets) for t in ts]
        out: list[list[Prediction]] = [[] for _ in texts]
        if pairs:
            preds = self.predict([texts[k] for k, _ in pairs], [t for _, t in pairs], batch_size)
            for (k, _), pred in zip(pairs, preds):
                out[k].append(pred)
        untargeted = [k for k, ts in enumerate(targets) if not ts]
        if untargeted:
            for k, pred in zip(untargeted, self.predict([texts[k] for k in untargeted], None, batch_size)):
                out[k].append(pred)
        return out

    def pipe(self, rows: Iterable[tuple[str, str | None]], batch_size: int = BATCH_SIZE) -> Iterator[Prediction]:
        """Stream (text, target) pairs lazily, in input order, a chunk at a time."""
        chunk: list[tuple[str, str | None]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch_size * 8:
                yield from self._predict_chunk(chunk, batch_size)
                chunk = []
        if chunk:
            yield from self._predict_chunk(chunk, batch_size)

    def _predict_chunk(self, chunk, batch_size) -> list[Prediction]:
        """Rows with a target get stance and framing, rows with None framing only; input order kept."""
        with_target = [i for i, (_, tg) in enumerate(chunk) if tg is not None]
        without = [i for i, (_, tg) in enumerate(chunk) if tg is None]
        out: list[Prediction | None] = [None] * len(chunk)
        if with_target:
            preds = self.predict([chunk[i][0] for i in with_target], [chunk[i][1] for i in with_target], batch_size)
            for i, p in zip(with_target, preds):
                out[i] = p
        if without:
            for i, p in zip(without, self.predict([chunk[i][0] for i in without], None, batch_size)):
                out[i] = p
        return out
