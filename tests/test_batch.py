"""Batch jobs: formats, pass-through columns, rejects, resume after a kill, one job per output."""
import csv
import fcntl
import json
import os
import signal
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, ROWS
from stance.batch import BatchJob, JobError, JobOptions
from stance.gazetteer import canonical_target
from stance.model import StanceClassifier


@pytest.fixture(scope="module")
def clf(tiny_model):
    return StanceClassifier.from_pretrained(tiny_model[0])


def statements(n):
    return [{"id": f"s{i}", "text": ROWS[i % len(ROWS)][0], "target": ROWS[i % len(ROWS)][1], "outlet": f"o{i % 3}"}
            for i in range(n)]


def write_jsonl(path, rows, extra_lines=()):
    lines = [json.dumps(r) for r in rows] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_jsonl_job_with_rejects_and_pass_through(clf, tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, statements(10), ['{"id": "bad", "text": ', '{"id": "empty", "text": "  "}', '{"id": "t", "text": "ok text", "targets": 5}'])
    out = tmp_path / "out.jsonl"
    summary = BatchJob(clf, src, out, options=JobOptions(chunk_size=4, quiet=True)).run()
    assert (summary.read, summary.written, summary.rejected) == (13, 10, 3)
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == [f"s{i}" for i in range(10)]
    assert all(r["outlet"] == f"o{i % 3}" for i, r in enumerate(rows))  # other columns pass through
    assert all(r["stance"] in ("favor", "against", "none") and r["framing"] for r in rows)
    rejects = read_jsonl(tmp_path / "out.jsonl.rejects.jsonl")
    assert [r["row"] for r in rejects] == [11, 12, 13]
    assert "invalid JSON" in rejects[0]["reason"] and "'text' is empty" in rejects[1]["reason"]
    assert "targets must be" in rejects[2]["reason"]
    assert not (tmp_path / "out.jsonl.progress.json").exists()


def test_csv_and_parquet_in_and_out(clf, tmp_path):
    rows = statements(7)
    src = tmp_path / "in.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    out = tmp_path / "out.parquet"
    BatchJob(clf, src, out, options=JobOptions(chunk_size=3, quiet=True)).run()
    table = pq.read_table(out).to_pylist()
    assert [r["id"] for r in table] == [r["id"] for r in rows] and table[0]["outlet"] == "o0"
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet")
    out_csv = tmp_path / "out.csv"
    BatchJob(clf, tmp_path / "in.parquet", out_csv, options=JobOptions(quiet=True)).run()
    with out_csv.open(encoding="utf-8") as fh:
        got = list(csv.DictReader(fh))
    assert [r["id"] for r in got] == [r["id"] for r in rows]
    # CSV and Parquet get the long layout: flat columns, one row per (statement, target), no JSON text
    assert got[0]["target"] == canonical_target(rows[0]["target"]) and got[0]["stance"] in ("favor", "against", "none")
    assert abs(sum(float(got[0][c]) for c in ("p_sectarian", "p_counter_sectarian", "p_none_framing")) - 1) < 1e-4
    schema = pq.read_schema(out)
    assert pa.types.is_floating(schema.field("p_favor").type) and pa.types.is_string(schema.field("stance").type)


def test_existing_output_and_concurrent_jobs_are_refused(clf, tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, statements(3))
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n")
    with pytest.raises(JobError, match="already exists"):
        BatchJob(clf, src, out, options=JobOptions(quiet=True)).run()
    assert out.read_text() == "precious\n"
    out2 = tmp_path / "out2.jsonl"
    (tmp_path / "out2.jsonl.lock").write_text(str(os.getpid()))  # a stale file: no process holds it
    BatchJob(clf, src, out2, options=JobOptions(quiet=True)).run()
    assert len(read_jsonl(out2)) == 3 and not (tmp_path / "out2.jsonl.lock").exists()
    out3 = tmp_path / "out3.jsonl"
    with (tmp_path / "out3.jsonl.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # a live owner holds the lock
        with pytest.raises(JobError, match="another job"):
            BatchJob(clf, src, out3, options=JobOptions(quiet=True)).run()
    assert not out3.exists()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_killed_job_resumes_with_every_row_exactly_once(tiny_model, tmp_path, seed):
    n = 240
    src = tmp_path / "in.jsonl"
    write_jsonl(src, statements(n), ["{broken"])
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "stance", "classify", str(src), "-o", str(out), "--model", str(tiny_model[0]),
           "--chunk-size", "16", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # kill -9 somewhere after the first chunks are on disk
    deadline = time.time() + 120
    while time.time() < deadline and not (out.exists() and out.stat().st_size > 0):
        time.sleep(0.05)
    time.sleep(0.1 * seed)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    res = subprocess.run(cmd + ["--resume"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 1, res.stderr  # 1: the broken line was rejected
    ids = [r["id"] for r in read_jsonl(out)]
    assert ids == [f"s{i}" for i in range(n)]  # no duplicates, no gaps, in order
    assert f"read {n + 1} = written {n} + rejected 1" in res.stderr
    assert len(read_jsonl(tmp_path / "out.jsonl.rejects.jsonl")) == 1


def test_ray_engine_gives_the_local_output(tiny_model, tmp_path_factory):
    ray = pytest.importorskip("ray")
    from stance.ray_engine import run_on_ray

    tmp = tmp_path_factory.mktemp("r")  # Ray's own files stay in the test's temp dir (short path: socket names)
    src = tmp / "in.jsonl"
    write_jsonl(src, statements(25), ['{"id": "x"}'])
    # the PyTorch path: its scores do not depend on how rows are batched together
    torch_clf = StanceClassifier.from_pretrained(tiny_model[0], backend="torch")
    local = BatchJob(torch_clf, src, tmp / "local.jsonl", options=JobOptions(chunk_size=10, quiet=True)).run()
    try:
        remote = run_on_ray(src, tmp / "ray.jsonl", options=JobOptions(chunk_size=10, batch_size=8, quiet=True),
                            model=tiny_model[0], backend="torch", actors=1, temp_dir=str(tmp / "t"))
    finally:
        ray.shutdown()
    assert (remote.read, remote.written, remote.rejected) == (local.read, local.written, local.rejected) == (26, 25, 1)
    a, b = read_jsonl(tmp / "local.jsonl"), read_jsonl(tmp / "ray.jsonl")
    assert [r["id"] for r in a] == [r["id"] for r in b]
    assert [(r["stance"], r["framing"]) for r in a] == [(r["stance"], r["framing"]) for r in b]
    assert read_jsonl(tmp / "local.jsonl.rejects.jsonl") == read_jsonl(tmp / "ray.jsonl.rejects.jsonl")


def test_ray_engine_long_layout_with_several_targets_per_row_matches_the_local_onnx_job(tiny_model, tmp_path_factory):
    # the long layout writes one row per (statement, target) and one per (quote, target) of an
    # article: several output rows per input row. The fast path is batch-invariant, so the
    # Ray engine (other batches, other actors) must give the local job's scores, not just labels.
    ray = pytest.importorskip("ray")
    from stance.ray_engine import run_on_ray

    tmp = tmp_path_factory.mktemp("rl")
    rows = [{"id": f"m{i}", "text": ROWS[i % len(ROWS)][0], "targets": ["Popular Mobilisation Forces", "Daesh"][: 1 + i % 2],
             "outlet": f"o{i % 3}"} for i in range(13)]
    src = tmp / "in.jsonl"
    write_jsonl(src, rows, ['{"id": "x"}'])
    art = tmp / "articles.jsonl"
    para = '"The PMF protected our town from Daesh," said Omar Saleh, a local elder.\n\nHe added: "Daesh will not return."'
    write_jsonl(art, [{"id": f"a{i}", "text": para, "outlet": "x"} for i in range(3)])
    clf = StanceClassifier.from_pretrained(tiny_model[0])
    try:
        for name, path, extra in (("stmts", src, {}), ("arts", art, {"articles": True})):
            opts = dict(chunk_size=5, quiet=True, layout="long", **extra)
            local = BatchJob(clf, path, tmp / f"{name}_local.jsonl", options=JobOptions(**opts)).run()
            remote = run_on_ray(path, tmp / f"{name}_ray.jsonl", options=JobOptions(batch_size=3, **opts),
                                model=tiny_model[0], actors=2, temp_dir=str(tmp / "t"))
            assert (remote.read, remote.written, remote.rejected, remote.output_rows) == \
                (local.read, local.written, local.rejected, local.output_rows)
            a, b = read_jsonl(tmp / f"{name}_local.jsonl"), read_jsonl(tmp / f"{name}_ray.jsonl")
            assert len(a) > local.written  # several rows per input row
            assert [(r["article_id"], r["quote_id"], r["target"]) for r in a] == \
                [(r["article_id"], r["quote_id"], r["target"]) for r in b]
            for x, y in zip(a, b):
                for col in ("p_favor", "p_against", "p_none", "p_sectarian", "p_counter_sectarian", "p_none_framing"):
                    assert x[col] == pytest.approx(y[col], abs=1e-5), (x["article_id"], col)
    finally:
        ray.shutdown()
