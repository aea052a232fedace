"""Batch jobs under faults: one poison row is one reject, nothing is lost silently, outputs
never overwrite inputs or follow planted links, a changed input is not resumed."""
import csv
import json
import math
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import ROWS
from stance.batch import BatchJob, JobError, JobOptions, label_rows
from stance.model import StanceClassifier
from stance.tables import TableWriter, read_rows
from stance.types import InputError


@pytest.fixture(scope="module")
def clf(tiny_model):
    return StanceClassifier.from_pretrained(tiny_model[0])


def statements(n, start=0):
    return [{"id": f"s{i}", "text": ROWS[i % len(ROWS)][0], "target": ROWS[i % len(ROWS)][1]}
            for i in range(start, start + n)]


def write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_jsonl(path):
    strict = dict(parse_constant=lambda c: pytest.fail(f"{path} holds {c}, which is not JSON"))
    return [json.loads(line, **strict) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(clf, src, out, **kw):
    return BatchJob(clf, src, out, options=JobOptions(quiet=True, **kw)).run()


# --- a row can no longer stop a job ---------------------------------------------------------

def test_lone_surrogates_are_rejected_by_row_and_the_chunk_is_written(clf, tmp_path):
    src = tmp_path / "in.jsonl"
    good = [json.dumps(r) for r in statements(6)]
    poison = ['{"id": "t", "text": "He said \\ud800 this.", "target": "Daesh"}',
              '{"id": "g", "text": "The army shelled the town.", "target": "Daesh \\udfff"}',
              '{"id": "p", "text": "The army shelled the town.", "outlet": "x\\ud83d"}']
    write_lines(src, good[:2] + poison + good[2:])
    for out in (tmp_path / "out.jsonl", tmp_path / "out.csv", tmp_path / "out.parquet"):
        s = run(clf, src, out, chunk_size=100)
        assert (s.read, s.written, s.rejected) == (9, 6, 3)
        rejects = read_jsonl(tmp_path / f"{out.name}.rejects.jsonl")
        assert [r["row"] for r in rejects] == [3, 4, 5]
        assert "column 'text' holds a lone surrogate U+D800 at character 8" in rejects[0]["reason"]
        assert "'target'" in rejects[1]["reason"] and "'outlet'" in rejects[2]["reason"]
        assert rejects[0]["input"]["text"] == "He said \ud800 this."  # kept as it was (escaped)
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == [f"s{i}" for i in range(6)]


def test_any_exception_on_one_row_is_that_rows_reject(clf, tmp_path):
    src = tmp_path / "in.jsonl"
    write_lines(src, [json.dumps(r) for r in statements(10)])
    opts = JobOptions(quiet=True, chunk_size=100)

    def labeler(pending):  # fails whenever row 4 is in the batch, as a poison row would
        if any(n == 4 for n, *_ in pending):
            raise RuntimeError("onnxruntime: Failed to allocate memory")
        return label_rows(clf, opts, pending)

    s = BatchJob(clf, src, tmp_path / "out.jsonl", options=opts, labeler=labeler).run()
    assert (s.read, s.written, s.rejected) == (10, 9, 1)
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == [f"s{i}" for i in range(10) if i != 3]
    (reject,) = read_jsonl(tmp_path / "out.jsonl.rejects.jsonl")
    assert reject["row"] == 4 and "Failed to allocate memory" in reject["reason"]


def test_long_texts_run_in_bounded_batches_and_over_the_limit_are_rejected(tiny_model, tmp_path):
    clf = StanceClassifier.from_pretrained(tiny_model[0])
    calls = []
    real = clf.net.stance_logits

    def counted(**enc):
        calls.append(enc["input_ids"].shape)
        return real(**enc)

    clf.net.stance_logits = counted
    long = " ".join(r[0] for r in ROWS) * 30  # 12 windows of 256 tokens
    pred = clf.predict([long], ["Daesh"], batch_size=4)[0]
    assert pred.windows == 12 and max(shape[0] for shape in calls) <= 4
    src = tmp_path / "in.jsonl"
    write_lines(src, [json.dumps(r) for r in statements(3)] + [json.dumps({"id": "L", "text": long})])
    s = run(clf, src, tmp_path / "out.jsonl", max_text_chars=5_000)
    assert (s.written, s.rejected) == (3, 1)
    (reject,) = read_jsonl(tmp_path / "out.jsonl.rejects.jsonl")
    assert reject["row"] == 4 and f"holds {len(long):,} characters, over the limit of 5,000" in reject["reason"]


# --- good rows are never lost silently ------------------------------------------------------

def test_csv_invalid_utf8_mid_file_costs_only_its_row(tmp_path):
    lines = [b"id,text"] + [f"s{i},Statement number {i}.".encode() for i in range(1000)]
    lines[501] = b"s500,Bad byte \xff here."  # row 501 of 1,000, on line 502
    (tmp_path / "in.csv").write_bytes(b"\n".join(lines) + b"\n")
    items = list(read_rows(tmp_path / "in.csv", "csv"))
    assert len(items) == 1000
    bad = [(n, r) for n, r in items if isinstance(r, InputError)]
    assert [n for n, _ in bad] == [502] and "not valid UTF-8" in bad[0][1].reason
    assert items[-1] == (1001, {"id": "s999", "text": "Statement number 999."})
    replaced = list(read_rows(tmp_path / "in.csv", "csv", errors="replace"))
    assert replaced[500][1]["text"] == "Bad byte \ufffd here."


def test_csv_unterminated_quote_does_not_swallow_the_next_rows(tmp_path):
    (tmp_path / "in.csv").write_text(
        'id,text\n'
        's0,"Fine, with a comma."\n'
        's1,"An unterminated quote\n'
        's2,"A good row that quotes."\n'
        's3,"A multi-line\ncell is still one row."\n'
        's4,Last.\n', encoding="utf-8")
    items = list(read_rows(tmp_path / "in.csv", "csv"))
    good = [r["id"] for _, r in items if isinstance(r, dict)]
    assert good == ["s0", "s2", "s3", "s4"]
    assert [n for n, r in items if isinstance(r, InputError)] == [3]
    assert [r["text"] for _, r in items if isinstance(r, dict)][2] == "A multi-line\ncell is still one row."


def test_corrupt_parquet_row_group_costs_only_its_rows(tmp_path):
    rows = [{"id": i, "text": f"Statement number {i} about the army."} for i in range(1000)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "ok.parquet", row_group_size=250, compression="snappy")
    data = bytearray((tmp_path / "ok.parquet").read_bytes())
    col = pq.ParquetFile(tmp_path / "ok.parquet").metadata.row_group(2).column(1)  # footer stays intact
    middle = (col.dictionary_page_offset or col.data_page_offset) + col.total_compressed_size // 2
    data[middle : middle + 40] = bytes(b ^ 0xFF for b in data[middle : middle + 40])
    (tmp_path / "bad.parquet").write_bytes(bytes(data))
    items = list(read_rows(tmp_path / "bad.parquet", "parquet"))
    assert [n for n, _ in items] == list(range(1, 1001))
    bad = [n for n, r in items if isinstance(r, InputError)]
    assert bad == list(range(501, 751)) and "row group 3 of 4 (rows 501-750)" in items[600][1].reason
    assert items[999][1] == rows[999]


def heterogeneous():
    """Pass-through columns that appear late, are missing from a chunk's first row, and an
    id that is a number in some rows and a string in others."""
    rows = statements(9)
    rows[0]["id"] = 7
    rows[2]["desk"] = "politics"  # not in the first row of its chunk
    rows[5]["id"] = 8
    rows[7]["region"] = "Anbar"  # first seen in the third chunk
    rows[8]["id"] = 9.5
    return rows


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_output_keeps_every_column_and_mixed_types_across_chunks(clf, tmp_path, fmt):
    src = tmp_path / "in.jsonl"
    rows = heterogeneous()
    write_lines(src, [json.dumps(r) for r in rows])
    out = tmp_path / f"out.{fmt}"
    s = run(clf, src, out, chunk_size=3)
    assert (s.written, s.rejected) == (9, 0)
    if fmt == "csv":
        with out.open(encoding="utf-8", newline="") as fh:
            got = list(csv.DictReader(fh))
    else:
        got = pq.read_table(out).to_pylist()
    assert [str(r["id"]) for r in got] == ["7", "s1", "s2", "s3", "s4", "8", "s6", "s7", "9.5"]
    assert got[2]["desk"] == "politics" and got[7]["region"] == "Anbar"
    assert got[0]["desk"] in (None, "") and got[1]["region"] in (None, "")


def test_kill_during_parquet_cleanup_loses_no_row(clf, tmp_path, monkeypatch):
    src = tmp_path / "in.jsonl"
    write_lines(src, [json.dumps(r) for r in statements(12)])
    out = tmp_path / "out.parquet"
    real_unlink = type(out).unlink
    removed = []

    def unlink(self, *a, **kw):  # the process is killed as it removes the second part
        if self.name.startswith("part-"):
            removed.append(self.name)
            if len(removed) == 2:
                raise KeyboardInterrupt
        return real_unlink(self, *a, **kw)

    monkeypatch.setattr(type(out), "unlink", unlink)
    with pytest.raises(KeyboardInterrupt):
        run(clf, src, out, chunk_size=4)
    monkeypatch.undo()
    if (tmp_path / "out.parquet.progress.json").exists():
        run(clf, src, out, chunk_size=4, resume=True)
    assert [r["id"] for r in pq.read_table(out).to_pylist()] == [f"s{i}" for i in range(12)]


def test_rejects_path_that_would_destroy_a_file_is_refused(clf, tmp_path):
    src = tmp_path / "in.jsonl"
    write_lines(src, [json.dumps(r) for r in statements(3)])
    before = src.read_bytes()
    other = tmp_path / "notes.jsonl"
    other.write_text("keep me\n")
    for rejects, match in ((other, "already exists"), (src, "same file"), (tmp_path / "out.jsonl", "same file")):
        with pytest.raises(JobError, match=match):
            BatchJob(clf, src, tmp_path / "out.jsonl", rejects, JobOptions(quiet=True)).run()
    assert src.read_bytes() == before and other.read_text() == "keep me\n"
    assert not (tmp_path / "out.jsonl").exists()


def test_jsonl_output_holds_no_nan_or_infinity(clf, tmp_path):
    src = tmp_path / "in.jsonl"
    write_lines(src, ['{"id": "a", "text": "The army shelled the town.", "score": NaN, "w": [Infinity, 1.5]}'])
    run(clf, src, tmp_path / "out.jsonl")
    (row,) = read_jsonl(tmp_path / "out.jsonl")  # a strict parser: NaN or Infinity fails the test
    assert row["score"] is None and row["w"] == [None, 1.5]
    assert all(math.isfinite(v) for v in row["framing_scores"].values())


# --- resume, locks and paths ----------------------------------------------------------------

def stopped_job(clf, src, out, monkeypatch):
    """A job stopped by a full disk after two chunks of 4 (its journal stays)."""
    real_append = TableWriter.append
    calls = {"n": 0}

    def append(self, rows):
        if self.path == out:
            calls["n"] += 1
            if calls["n"] > 2:
                raise OSError(28, "No space left on device")
        return real_append(self, rows)

    monkeypatch.setattr(TableWriter, "append", append)
    with pytest.raises(JobError, match="No space left"):
        run(clf, src, out, chunk_size=4)
    monkeypatch.setattr(TableWriter, "append", real_append)


@pytest.mark.parametrize("edit,match", [
    ("delete", "bytes then"), ("append", "bytes then"), ("swap", "first 8 rows are not the rows"), ("touch", "modified at"),
])
def test_resume_refuses_an_input_changed_since_the_stop(clf, tmp_path, monkeypatch, edit, match):
    src = tmp_path / "in.jsonl"
    lines = [json.dumps(r) for r in statements(20)]
    write_lines(src, lines)
    out = tmp_path / "out.jsonl"
    stopped_job(clf, src, out, monkeypatch)
    st = src.stat()
    if edit == "delete":
        write_lines(src, lines[:3] + lines[4:])
    elif edit == "append":
        write_lines(src, lines + [json.dumps(statements(1, 20)[0])])
    elif edit == "swap":  # same size, same modification time: only the rows' hash tells
        lines[1], lines[2] = lines[2], lines[1]
        write_lines(src, lines)
        os.utime(src, ns=(st.st_atime_ns, st.st_mtime_ns))
    else:
        os.utime(src, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    with pytest.raises(JobError, match=match):
        run(clf, src, out, chunk_size=4, resume=True)
    if edit == "touch":  # the same rows: once the time is put back, the job resumes
        os.utime(src, ns=(st.st_atime_ns, st.st_mtime_ns))
        s = run(clf, src, out, chunk_size=4, resume=True)
        assert s.written == 20 and [r["id"] for r in read_jsonl(out)] == [f"s{i}" for i in range(20)]


def _race(path, barrier, results):
    from stance.batch import _Lock

    barrier.wait()
    try:
        with _Lock(path):
            results.put("took")
            import time

            time.sleep(0.3)
    except JobError:
        results.put("refused")


def test_two_jobs_starting_together_over_a_stale_lock_cannot_both_take_it(tmp_path):
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    for trial in range(15):
        lock = tmp_path / f"out{trial}.jsonl.lock"
        lock.write_text("999999999")  # left by a job that died
        barrier, results = ctx.Barrier(2), ctx.Queue()
        procs = [ctx.Process(target=_race, args=(lock, barrier, results)) for _ in range(2)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(30)
        assert sorted(results.get(timeout=5) for _ in procs) == ["refused", "took"], f"trial {trial}"


@pytest.mark.parametrize("planted", ["out.jsonl", "out.jsonl.rejects.jsonl", "out.jsonl.progress.json.tmp"])
def test_planted_symlinks_are_refused_and_their_targets_untouched(clf, tmp_path, planted):
    src = tmp_path / "in.jsonl"
    write_lines(src, [json.dumps(r) for r in statements(3)])
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (tmp_path / planted).symlink_to(victim)
    (tmp_path / "dangling.jsonl").symlink_to(tmp_path / "created-elsewhere")
    with pytest.raises(JobError, match="symbolic link"):
        run(clf, src, tmp_path / "out.jsonl")
    with pytest.raises(JobError, match="symbolic link"):
        run(clf, src, tmp_path / "dangling.jsonl")
    assert victim.read_text() == "precious\n" and not (tmp_path / "created-elsewhere").exists()


def test_csv_cells_that_start_a_formula_are_escaped_unless_asked(clf, tmp_path):
    src = tmp_path / "in.jsonl"
    write_lines(src, [json.dumps({"id": "=1+1", "text": "=HYPERLINK(\"http://x\") said the army.", "note": "@SUM(A1)",
                                  "n": -3, "plain": "-minus and +plus", "target": "Daesh"})])
    with (run(clf, src, tmp_path / "a.csv") and (tmp_path / "a.csv")).open(encoding="utf-8", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["id"] == "'=1+1" and row["text"].startswith("'=HYPERLINK") and row["note"] == "'@SUM(A1)"
    assert row["plain"] == "'-minus and +plus" and row["n"] == "-3"  # numbers are not text
    run(clf, src, tmp_path / "b.csv", escape_formulas=False)
    with (tmp_path / "b.csv").open(encoding="utf-8", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["id"] == "=1+1" and row["note"] == "@SUM(A1)"


# --- same row, same label -------------------------------------------------------------------

def test_a_rows_scores_do_not_depend_on_its_batch_order_or_chunk(clf, tmp_path):
    texts = [r[0] for r in ROWS] + [" ".join(r[0] for r in ROWS) * 4, "Short.", ROWS[1][0] + " " + ROWS[2][0]]
    targets = [ROWS[i % len(ROWS)][1] for i in range(len(texts))]
    assert clf.backend == "onnx"
    together, f_together = clf.predict_proba(texts, targets, batch_size=32)
    for k in range(len(texts)):  # each row alone
        alone, f_alone = clf.predict_proba([texts[k]], [targets[k]], batch_size=1)
        assert abs(alone[0] - together[k]).max() < 1e-5 and abs(f_alone[0] - f_together[k]).max() < 1e-5
    order = list(reversed(range(len(texts))))
    shuffled, _ = clf.predict_proba([texts[k] for k in order], [targets[k] for k in order], batch_size=3)
    assert abs(shuffled[::-1] - together).max() < 1e-5
    src = tmp_path / "in.jsonl"
    write_lines(src, [json.dumps({"id": k, "text": t, "target": g}) for k, (t, g) in enumerate(zip(texts, targets))])
    scores = []
    for chunk, batch in ((1, 1), (4, 2), (100, 32)):
        out = tmp_path / f"out{chunk}.jsonl"
        run(clf, src, out, chunk_size=chunk, batch_size=batch)
        scores.append([list(r["stances"][0]["scores"].values()) + list(r["framing_scores"].values()) for r in read_jsonl(out)])
    for other in scores[1:]:
        assert max(abs(a - b) for x, y in zip(scores[0], other) for a, b in zip(x, y)) < 1e-5
