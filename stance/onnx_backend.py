"""The fast CPU path: the classifier exported to ONNX and run by onnxruntime. One graph returns
both heads' logits from one encoder pass.

The graph computes in float32 from the same float16 weights as the PyTorch path (stored as
float16 in the file, cast once when the session loads), so both paths give the same labels and
a window's scores never depend on the windows batched with it. The static int8 export it replaces
was hardly faster on a 2-core AVX-512/AMX CPU (benchmarks/throughput.py: 2.60x the Hugging
Face pipeline against 2.37x) and moved up to 9 labels in each evaluation set of a few hundred
items, up to 0.06 macro-F1 on their small classes (issue 16).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

ONNX_FILE = "model.onnx"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export_onnx(clf, folder: str | Path) -> Path:
    """Write `model.onnx` into folder: the classifier's graph with its weights rounded to float16
    as `save_pretrained(half=True)` writes them, so it reads what the PyTorch path reads."""
    import copy
    import warnings

    import torch

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)

    class BothHeads(torch.nn.Module):
        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, input_ids, attention_mask, token_type_ids):
            pooled = self.net.embed(input_ids, attention_mask, token_type_ids)
            return self.net.stance_head(pooled), self.net.framing_head(pooled)

    net = copy.deepcopy(clf.net).float().eval()
    # the attention pattern onnxruntime fuses into one operator (about 5% faster here)
    net.encoder.set_attn_implementation("eager")
    with torch.no_grad():
        for p in net.parameters():  # the float16 weights of the shipped safetensors file
            p.copy_(p.half().float())
    wrapper = BothHeads(net).eval()
    enc = clf.tokenizer(["a target"], ["a statement to trace the graph with"], return_tensors="pt")
    args = tuple(enc[k] for k in _INPUTS)
    work = Path(tempfile.mkdtemp(prefix="stance-export-"))  # intermediate graphs never enter the folder
    fp32 = work / "model.fp32.onnx"
    dyn = {k: {0: "batch", 1: "tokens"} for k in _INPUTS}
    dyn.update({"stance_logits": {0: "batch"}, "framing_logits": {0: "batch"}})
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes about shape-constant branches of BERT's masks
            torch.onnx.export(wrapper, args, str(fp32), input_names=list(_INPUTS),
                              output_names=["stance_logits", "framing_logits"], dynamic_axes=dyn,
                              opset_version=17, dynamo=False)
        fused = _fuse(fp32, work / "model.fused.onnx", net.encoder.config)
        out = _store_half(fused, work / ONNX_FILE)
        return Path(shutil.move(out, folder / ONNX_FILE))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fuse(src: Path, out: Path, config) -> Path:
    """onnxruntime's transformer fusions (attention, embedding + layer norm, bias + GELU), written
    into the file so every session starts from the fused graph."""
    from onnxruntime.transformers.optimizer import optimize_model

    model = optimize_model(str(src), model_type="bert", num_heads=config.num_attention_heads,
                           hidden_size=config.hidden_size, opt_level=1)
    model.save_model_to_file(str(out))
    return out


def _store_half(src: Path, out: Path) -> Path:
    """Store every float32 initializer that float16 holds exactly (the weights, rounded on export)
    as float16 behind a Cast to float32, which onnxruntime folds once at load: half the file,
    the same arithmetic. Constants float16 cannot hold (mask fill values) stay float32."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(src))
    graph = model.graph
    casts = []
    for init in graph.initializer:
        if init.data_type != TensorProto.FLOAT:
            continue
        weights = numpy_helper.to_array(init)
        if weights.size < 2:
            continue
        half = weights.astype(np.float16)
        if not np.array_equal(half.astype(np.float32), weights):
            continue
        name = init.name
        init.CopyFrom(numpy_helper.from_array(half, f"{name}.f16"))
        casts.append(helper.make_node("Cast", [f"{name}.f16"], [name], to=TensorProto.FLOAT, name=f"{name}.cast"))
    nodes = casts + list(graph.node)  # the casts first: the graph stays in topological order
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, str(out))
    return out


class OnnxHeads:
    """Drop-in for the torch net's `stance_logits`/`framing_logits` at inference."""

    def __init__(self, path: str | Path, threads: int | None = None):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        # all cores for one batch: the job runs one batch at a time
        opts.intra_op_num_threads = threads or os.cpu_count() or 1
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])

    def _run(self, enc) -> tuple[np.ndarray, np.ndarray]:
        feed = {k: np.asarray(enc[k], dtype=np.int64) for k in _INPUTS if k in enc}
        if "token_type_ids" not in feed:
            feed["token_type_ids"] = np.zeros_like(feed["input_ids"])
        stance, framing = self.session.run(None, feed)
        return stance, framing

    def stance_logits(self, **enc) -> np.ndarray:
        return self._run(enc)[0]

    def framing_logits(self, **enc) -> np.ndarray:
        return self._run(enc)[1]
