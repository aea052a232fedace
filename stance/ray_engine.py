"""The batch job on Ray Data, for clusters: the same reading, rejects, journal and writing as
the local engine, with classification fanned out by `map_batches` to an actor pool in which
each actor loads the model once.

    stance classify big.jsonl -o out.jsonl --engine ray --ray-address auto   # an existing cluster
"""
from __future__ import annotations

import json
from pathlib import Path

from stance.batch import BatchJob, JobOptions, JobSummary, label_groups
from stance.frames import default_layout
from stance.tables import table_format


class _Labeler:
    """A Ray Data actor: loads the model once, then labels batches of pending rows."""

    def __init__(self, model: str | None, backend: str, options: dict):
        from stance.model import StanceClassifier

        self.clf = StanceClassifier.from_pretrained(model, backend=backend)
        self.opts = JobOptions(**options)

    def __call__(self, batch: dict) -> dict:
        pending = [tuple(json.loads(item)) for item in batch["item"]]
        # one model call for the whole batch; a row may give any number of records (quotes, targets)
        grouped = label_groups(self.clf, self.opts, pending)
        return {"pos": batch["pos"], "out": [json.dumps(g) for g in grouped]}


class RayLabeler:
    def __init__(self, model: str | None, backend: str, options: JobOptions, actors: int, batch_size: int):
        self.args = (str(model) if model else None, backend, {**options.__dict__})
        self.actors, self.batch_size = actors, batch_size

    def __call__(self, pending: list) -> list[dict]:
        import ray.data

        if not pending:
            return []
        ds = ray.data.from_items([{"pos": i, "item": json.dumps(p)} for i, p in enumerate(pending)])
        ds = ds.map_batches(_Labeler, fn_constructor_args=self.args, concurrency=self.actors,
                            batch_size=self.batch_size, batch_format="numpy")
        rows = sorted(ds.take_all(), key=lambda r: int(r["pos"]))  # the input order, whatever ran first
        return [rec for r in rows for rec in json.loads(str(r["out"]))]


def run_on_ray(input_path, output_path, rejects_path=None, options: JobOptions | None = None,
               model: str | Path | None = None, backend: str = "auto", address: str | None = None,
               actors: int = 2, temp_dir: str | None = None) -> JobSummary:
    """Run the job with Ray: `address` None starts a local Ray; "auto" or "ray://host:10001"
    joins an existing cluster."""
    import ray

    options = options or JobOptions()
    if options.layout is None:  # the actors get a copy of the options: settle the layout first
        options.layout = default_layout(table_format(output_path, options.output_format))
    if not ray.is_initialized():
        kw = {"address": address} if address else {"_temp_dir": temp_dir, "include_dashboard": False}
        ray.init(ignore_reinit_error=True, log_to_driver=False, **{k: v for k, v in kw.items() if v is not None})
    ray.data.DataContext.get_current().execution_options.preserve_order = True
    labeler = RayLabeler(model, backend, options, actors, options.batch_size)
    return BatchJob(None, input_path, output_path, rejects_path, options, labeler=labeler).run()
