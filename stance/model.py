"""The stance and framing classifier: one shared encoder, two heads.

Stance is read from the pair (target, statement); framing from the statement alone, so it is
computed once per statement and is the same for every target. A model folder holds
safetensors weights, optionally an ONNX export (the fast CPU path), the tokenizer, a
plain JSON config and a manifest of file hashes; nothing is ever unpickled.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from stance.config import (
    BATCH_SIZE, FRAMING_LABELS, MAX_LENGTH, PAD_MULTIPLE, SHIPPED_MANIFEST_SHA256, STANCE_LABELS, WINDOW_STRIDE,
    base_encoder_dir, default_model_dir, shipped_model_dir,
)
from stance.inputs import stance_inputs
from stance.types import Prediction, PredictionList

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
    # the statement's mentions of the target are wrapped in « » (stance.inputs); a model reads
    # its input the way it was trained, so this is part of the model, not a user option
    target_markers: bool = False
    # the speaker's name follows the target in the pair's first segment (stance.inputs); a model
    # trained without it ignores speakers it is given
    speaker_input: bool = False
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
        if not isinstance(cfg.target_markers, bool):
            raise ModelFileError(f"{where}: target_markers must be true or false, got {cfg.target_markers!r}")
        if not isinstance(cfg.speaker_input, bool):
            raise ModelFileError(f"{where}: speaker_input must be true or false, got {cfg.speaker_input!r}")
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
    listed = set(files) | {MANIFEST_FILE}
    unknown = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                     if (p.is_file() or p.is_symlink()) and str(p.relative_to(folder)) not in listed)
    if unknown:
        raise ModelFileError(f"{folder}: {', '.join(unknown[:5])} {'is' if len(unknown) == 1 else 'are'} not in the "
                             "manifest; a model folder holds only the files it lists (remove them, or re-save the model)")
    for name, digest in files.items():
        p = folder / name
        if p.is_symlink() or not p.is_file():
            raise ModelFileError(f"{folder}: {name} is listed in the manifest but missing")
        if _sha256(p) != digest:
            raise ModelFileError(f"{folder}: {name} does not match its hash in the manifest (tampered or truncated); refusing to load")
    for required in (CONFIG_FILE, WEIGHTS_FILE, ENCODER_CONFIG_FILE):
        if required not in files:
            raise ModelFileError(f"{folder}: {required} is missing from the manifest")
    return files


def manifest_digest(folder: Path) -> str:
    """SHA-256 of a folder's manifest.json: one digest that names every file's content."""
    return _sha256(Path(folder) / MANIFEST_FILE)


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ModelFileError(f"{path}: invalid JSON ({e})") from None
    if not isinstance(data, dict):
        raise ModelFileError(f"{path}: expected a JSON object")
    return data


TOKENIZER_SETTINGS = ("cls_token", "sep_token", "pad_token", "unk_token", "mask_token", "model_max_length",
                      "do_lower_case")


def _load_tokenizer(folder: Path, files: dict):
    """The tokenizer from tokenizer.json alone (special tokens and lengths from the listed
    tokenizer_config.json); transformers' loader would also read unlisted files such as
    added_tokens.json or special_tokens_map.json."""
    from transformers import PreTrainedTokenizerFast

    if "tokenizer.json" not in files:
        raise ModelFileError(f"{folder}: tokenizer.json is missing from the manifest")
    settings = _read_json(folder / "tokenizer_config.json") if "tokenizer_config.json" in files else {}
    kw = {k: v for k, v in settings.items() if k in TOKENIZER_SETTINGS and isinstance(v, (str, int, bool))}
    return PreTrainedTokenizerFast(tokenizer_file=str(folder / "tokenizer.json"),
                                   model_input_names=["input_ids", "token_type_ids", "attention_mask"], **kw)


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
        self.digest: str | None = None  # its manifest's SHA-256: outputs name the model by both

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
    def from_pretrained(cls, path: str | Path | None = None, backend: str = "auto",
                        verify_origin: bool = True) -> StanceClassifier:
        """Load a model folder written by save_pretrained (None: the shipped default model).

        backend: "onnx" (ONNX Runtime, the fast CPU path), "torch", or "auto" (onnx when
        the folder has an ONNX export). Only JSON, safetensors and ONNX files that the manifest
        lists are read, after every file is checked against its hash; a folder holding any
        other file is refused. The shipped folder must also match the manifest digest pinned
        in stance/config.py (verify_origin=False skips that, for re-exporting it); any other
        folder is named by its digest in the log and in outputs (`stance.frames.model_name`).
        """
        if backend not in ("auto", "onnx", "torch"):
            raise ValueError(f"backend must be 'auto', 'onnx' or 'torch', got {backend!r}")
        folder = Path(path) if path is not None else default_model_dir()
        if not folder.is_dir():
            hint = " (the default model ships in the repository's models/ folder; set STANCE_MODEL or pass a path)" if path is None else ""
            raise FileNotFoundError(f"model folder {folder} does not exist{hint}")
        files = verify_manifest(folder)
        digest = manifest_digest(folder)
        if folder.resolve() == shipped_model_dir().resolve():
            if verify_origin and digest != SHIPPED_MANIFEST_SHA256:
                raise ModelFileError(
                    f"{folder}: its manifest (sha256 {digest}) is not the shipped model's, pinned in stance/config.py "
                    f"(SHIPPED_MANIFEST_SHA256 = {SHIPPED_MANIFEST_SHA256}); the folder was edited and re-hashed, or a new "
                    "model was put there without updating the pin")
        else:
            logging.getLogger("stance").info("model folder %s: manifest sha256 %s", folder, digest)
        cfg = ModelConfig.from_dict(_read_json(folder / CONFIG_FILE), str(folder / CONFIG_FILE))
        positions = _read_json(folder / ENCODER_CONFIG_FILE).get("max_position_embeddings")
        if isinstance(positions, int) and cfg.max_length > positions:
            raise ModelFileError(f"{folder / CONFIG_FILE}: max_length {cfg.max_length} is over the encoder's "
                                 f"position limit ({positions} in {ENCODER_CONFIG_FILE})")
        tokenizer = _load_tokenizer(folder, files)
        from stance.onnx_backend import ONNX_FILE, OnnxHeads

        if backend == "onnx" or (backend == "auto" and ONNX_FILE in files):
            if ONNX_FILE not in files:
                raise ModelFileError(f"{folder}: no {ONNX_FILE}; export one with `python -m training.export_onnx {folder}`")
            clf = cls(OnnxHeads(folder / ONNX_FILE), tokenizer, cfg)
        else:
            clf = cls(_load_torch_net(folder, cfg), tokenizer, cfg)
        clf.name = folder.name
        clf.digest = digest
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

    def _encode(self, firsts: list[str], seconds: list[str] | None) -> tuple[list[list[int]], list[list[int]], np.ndarray]:
        """Tokenize into windows (input ids, token type ids, owning item): long statements
        become overlapping windows, never cut silently."""
        kw = dict(max_length=self.config.max_length, stride=self.config.window_stride,
                  return_overflowing_tokens=True, padding=False)
        with self._lock:
            if seconds is None:
                enc = self.tokenizer(firsts, truncation=True, **kw)
            else:
                enc = self.tokenizer(firsts, seconds, truncation="only_second", **kw)
        ids = enc["input_ids"]
        types = enc["token_type_ids"] if "token_type_ids" in enc else [[0] * len(x) for x in ids]
        return ids, types, np.asarray(enc["overflow_to_sample_mapping"], dtype=np.int64)

    def _padded(self, ids: list[list[int]], types: list[list[int]], length: int) -> dict:
        pad = self.tokenizer.pad_token_id or 0
        n = len(ids)
        input_ids = np.full((n, length), pad, dtype=np.int64)
        token_type_ids = np.zeros((n, length), dtype=np.int64)
        attention_mask = np.zeros((n, length), dtype=np.int64)
        for r, (x, t) in enumerate(zip(ids, types)):
            input_ids[r, : len(x)], token_type_ids[r, : len(t)], attention_mask[r, : len(x)] = x, t, 1
        enc = {"input_ids": input_ids, "attention_mask": attention_mask, "token_type_ids": token_type_ids}
        if self.backend == "torch":
            torch = _torch()
            enc = {k: torch.from_numpy(v) for k, v in enc.items()}
        return enc

    def _logits(self, head: str, firsts: list[str], seconds: list[str] | None,
                batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        """Mean logits over each item's windows (and the window counts).

        Windows, not items, are batched, at most `batch_size` a model call, so one very long
        statement cannot blow up memory. A window is padded to a length that depends on it
        alone (its own length rounded up to PAD_MULTIPLE) and shares a batch only with
        windows of that length, so its scores do not depend on the rows batched with it."""
        n_out = len(self.stance_classes_ if head == "stance" else self.framing_classes_)
        fn = self.net.stance_logits if head == "stance" else self.net.framing_logits
        sums = np.zeros((len(firsts), n_out), dtype=np.float64)
        windows = np.zeros(len(firsts), dtype=np.int64)
        # tokenize a slice of items at a time: token lists of a huge call stay bounded too
        step = max(batch_size * 8, 256)
        for start in range(0, len(firsts), step):
            f = firsts[start : start + step]
            s = seconds[start : start + step] if seconds is not None else None
            ids, types, owner = self._encode(f, s)
            owner = owner + start
            padded = [-(-len(x) // PAD_MULTIPLE) * PAD_MULTIPLE for x in ids]
            order = sorted(range(len(ids)), key=lambda w: (padded[w], w))
            b = 0
            while b < len(order):
                length = padded[order[b]]
                e = b
                while e < len(order) and e - b < batch_size and padded[order[e]] == length:
                    e += 1
                idx = order[b:e]
                enc = self._padded([ids[w] for w in idx], [types[w] for w in idx], length)
                if self.backend == "torch":
                    with _torch().inference_mode():
                        logits = fn(**enc).float().numpy()
                else:
                    logits = fn(**enc)
                np.add.at(sums, owner[idx], logits)
                np.add.at(windows, owner[idx], 1)
                b = e
        return (sums / np.maximum(windows, 1)[:, None]).astype(np.float32), np.maximum(windows, 1)

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

    @staticmethod
    def _speakers(speakers, n: int) -> list[str | None] | None:
        """One speaker (a str, or None where unknown) per text; a single str for all."""
        if speakers is None:
            return None
        if isinstance(speakers, str):
            return [speakers] * n
        speakers = list(speakers)
        if len(speakers) != n:
            raise ValueError(f"got {n} texts but {len(speakers)} speakers; give one speaker (or None) per text")
        for i, s in enumerate(speakers):
            if s is not None and not isinstance(s, str):
                raise TypeError(f"speakers[{i}] must be a str or None, got {type(s).__name__}")
        return speakers

    def predict_proba(self, texts: Iterable[str], targets: Iterable[str] | str | None = None,
                      batch_size: int = BATCH_SIZE, gazetteer=None,
                      speakers: Iterable[str | None] | str | None = None) -> tuple[np.ndarray | None, np.ndarray]:
        """(stance probabilities [n, 3] or None without targets, framing probabilities [n, 3]);
        columns follow `stance_classes_` and `framing_classes_`. Calibrated by temperature.
        gazetteer: your own actors (`stance.gazetteer.Gazetteer`), whose aliases canonicalise
        the targets and are marked in the statements; default the shipped list. speakers: who
        says each text (None where unknown), read by a model trained with `speaker_input`."""
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        texts, targets = self._validate(texts, targets)
        stance, framing, _ = self._scores(texts, targets, batch_size, gazetteer, self._speakers(speakers, len(texts)))
        return stance, framing

    def _scores(self, texts: list[str], targets: list[str] | None, batch_size: int, gazetteer=None,
                speakers: list[str | None] | None = None):
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
            firsts, seconds = stance_inputs(texts, targets, self.config.target_markers, gazetteer,
                                            speakers if self.config.speaker_input else None)
            s_logits, windows = self._logits("stance", firsts, seconds, batch_size)
            stance = _softmax(s_logits, self.config.stance_temperature)
        return stance, framing, windows

    def predict(self, texts: Iterable[str], targets: Iterable[str] | str | None = None,
                batch_size: int = BATCH_SIZE, explain: bool = False, gazetteer=None,
                speakers: Iterable[str | None] | str | None = None) -> list[Prediction]:
        """One Prediction per (text, target) pair, in input order (gazetteer, speakers: as in
        `predict_proba`). explain=True adds `evidence`:
        per label of each head, the words whose removal lowers that label's probability most
        (occlusion on this classifier's backend; `stance.explain`), at one model pass per word."""
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        texts, targets = self._validate(texts, targets)
        speakers = self._speakers(speakers, len(texts))
        stance, framing, windows = self._scores(texts, targets, batch_size, gazetteer, speakers)
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
        if explain:
            from dataclasses import replace

            from stance.explain import explain as occlusion

            evidence = occlusion(self, texts, targets_list, batch_size=batch_size, gazetteer=gazetteer,
                                 speakers=speakers)
            out = [replace(p, evidence=ev) for p, ev in zip(out, evidence)]
        return PredictionList(out)

    def predict_targets(self, texts: Sequence[str], targets: Sequence[Sequence[str]],
                        batch_size: int = BATCH_SIZE, explain: bool = False,
                        gazetteer=None, speakers: Sequence[str | None] | None = None) -> list[list[Prediction]]:
        """For each text, one Prediction per target in its list, or a single framing-only
        Prediction when the list is empty; all pairs go through the model together (speakers:
        one per text, as in `predict_proba`). A text that
        is not English (`stance.language`) is not labelled: its labels are `unsupported` and its
        `language` says what it is."""
        if len(texts) != len(targets):
            raise ValueError(f"got {len(texts)} texts but {len(targets)} target lists; give one list per text")
        speakers = self._speakers(speakers, len(texts))
        from stance.language import UNSUPPORTED, detect

        out: list[list[Prediction]] = [[] for _ in texts]
        # the model reads English only: other statements are marked, not labelled
        foreign = {k: lang for k, lang in ((k, detect(t)) for k, t in enumerate(texts)) if lang}
        for k, lang in foreign.items():
            out[k] = [Prediction(texts[k], t, UNSUPPORTED, {}, UNSUPPORTED, {}, language=lang)
                      for t in (targets[k] or [None])]
        pairs = [(k, t) for k, ts in enumerate(targets) if k not in foreign for t in ts]
        if pairs:
            preds = self.predict([texts[k] for k, _ in pairs], [t for _, t in pairs], batch_size, explain=explain,
                                 gazetteer=gazetteer, speakers=None if speakers is None else [speakers[k] for k, _ in pairs])
            for (k, _), pred in zip(pairs, preds):
                out[k].append(pred)
        untargeted = [k for k, ts in enumerate(targets) if not ts and k not in foreign]
        if untargeted:
            for k, pred in zip(untargeted, self.predict([texts[k] for k in untargeted], None, batch_size, explain=explain)):
                out[k].append(pred)
        return out

    def pipe(self, rows: Iterable[tuple[str, str | None]], batch_size: int = BATCH_SIZE) -> Iterator[Prediction]:
        """Stream (text, target) pairs, or (text, target, speaker) triples, lazily, in input
        order, a chunk at a time."""
        chunk: list[tuple[str, str | None]] = []
        for k, row in enumerate(rows):
            if isinstance(row, str) or not isinstance(row, Sequence) or len(row) not in (2, 3):
                raise TypeError(f"pipe row {k} must be a (text, target) or (text, target, speaker) tuple, got {row!r}")
            chunk.append(row)
            if len(chunk) >= batch_size * 8:
                yield from self._predict_chunk(chunk, batch_size)
                chunk = []
        if chunk:
            yield from self._predict_chunk(chunk, batch_size)

    def _predict_chunk(self, chunk, batch_size) -> list[Prediction]:
        """Rows with a target get stance and framing, rows with None framing only; input order kept."""
        with_target = [i for i, row in enumerate(chunk) if row[1] is not None]
        without = [i for i, row in enumerate(chunk) if row[1] is None]
        out: list[Prediction | None] = [None] * len(chunk)
        if with_target:
            preds = self.predict([chunk[i][0] for i in with_target], [chunk[i][1] for i in with_target], batch_size,
                                 speakers=[chunk[i][2] if len(chunk[i]) == 3 else None for i in with_target])
            for i, p in zip(with_target, preds):
                out[i] = p
        if without:
            for i, p in zip(without, self.predict([chunk[i][0] for i in without], None, batch_size)):
                out[i] = p
        return out
