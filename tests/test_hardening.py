"""Bad text, bad rows and faults: no crash, clear messages naming the row and column, nothing
silently dropped."""
import errno
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROWS
from stance import extract_quotes, find_targets
from stance.batch import BatchJob, JobError, JobOptions
from stance.model import StanceClassifier
from stance.readers import read_documents
from stance.tables import TableWriter
from stance.types import Document, InputError

MIXED = ('قال المتحدث باسم الحكومة: "We will not negotiate with the militias," '
         'said Ali Hassan 🇮🇶, adding that «الوضع تحت السيطرة».\x00\x07\u202e reversed \u202c text.')


def valid(text, quotes):
    return all(text[q.start:q.end] == q.text for q in quotes)


def test_mixed_scripts_emoji_and_control_characters():
    quotes = extract_quotes(MIXED)
    assert valid(MIXED, quotes)
    assert any(q.speaker == "Ali Hassan" for q in quotes)
    assert all(MIXED[m.start:m.end] == m.alias for m in find_targets(MIXED))


def test_ten_megabyte_article():
    para = ('"The siege must end before winter," said Omar Saleh, a doctor in the town. '
            'Officials said the convoy had been delayed again by the fighting.\n\n')
    text = para * (10_000_000 // len(para))
    quotes = extract_quotes(text)
    assert len(quotes) == 2 * (10_000_000 // len(para))
    assert valid(text, quotes[:50]) and valid(text, quotes[-50:])


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_readers_never_raise_on_arbitrary_bytes(tmp_path_factory, data):
    d = tmp_path_factory.mktemp("bytes")
    for name in ("a.txt", "a.jsonl"):
        (d / name).write_bytes(data)
        for item in read_documents(d / name):
            assert isinstance(item, (Document, InputError))


@pytest.fixture(scope="module")
def clf(tiny_model):
    return StanceClassifier.from_pretrained(tiny_model[0])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(min_size=1, max_size=300).filter(str.strip), min_size=1, max_size=6))
def test_predict_one_output_per_input_on_any_text(clf, texts):
    preds = clf.predict(texts, ["Daesh"] * len(texts))
    assert len(preds) == len(texts)
    for p, t in zip(preds, texts):
        assert p.text == t and abs(sum(p.stance_scores.values()) - 1) < 1e-4
        assert p.windows >= 1


def test_statement_far_longer_than_the_model_window(clf):
    long = " ".join(r[0] for r in ROWS) * 40  # thousands of tokens
    pred = clf.predict([long], ["Iraqi government"])[0]
    assert pred.windows > 5
    stance, _ = clf.predict_proba([long], ["Iraqi government"])
    assert np.isfinite(stance).all()


def rows(n):
    return [{"id": f"s{i}", "text": ROWS[i % len(ROWS)][0], "target": ROWS[i % len(ROWS)][1]} for i in range(n)]


def test_csv_with_a_broken_quote_loses_no_good_row(clf, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text('id,text,target\n'
                   's0,"The army shelled the town again.",Daesh\n'
                   's1,"An unterminated "quote here,Daesh\n'
                   's2,Militias burned Sunni homes.,Popular Mobilisation Forces\n'
                   's3,too,many,columns\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    s = BatchJob(clf, src, out, options=JobOptions(quiet=True)).run()
    got = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    rejects = [json.loads(line) for line in (tmp_path / "out.jsonl.rejects.jsonl").read_text().splitlines()]
    assert s.read == s.written + s.rejected
    assert "s0" in got and "s2" in got
    assert {r["row"] for r in rejects} >= {5} and all(r["reason"] for r in rejects)


def test_parquet_with_the_wrong_schema_names_the_column(clf, tmp_path):
    pq.write_table(pa.Table.from_pylist([{"id": 1, "body": "Text in the wrong column."}] * 3), tmp_path / "in.parquet")
    s = BatchJob(clf, tmp_path / "in.parquet", tmp_path / "out.jsonl", options=JobOptions(quiet=True)).run()
    assert (s.read, s.written, s.rejected) == (3, 0, 3)
    first = json.loads((tmp_path / "out.jsonl.rejects.jsonl").read_text().splitlines()[0])
    assert first["row"] == 1 and "column 'text' is missing" in first["reason"]


def test_null_wrong_type_and_duplicate_ids_are_rejected_by_row(clf, tmp_path):
    src = tmp_path / "in.jsonl"
    data = rows(3) + [{"id": "n", "text": None}, {"id": "w", "text": 42}, {"id": "s1", "text": "Again the same id here."}]
    src.write_text("\n".join(json.dumps(r) for r in data) + "\n", encoding="utf-8")
    s = BatchJob(clf, src, tmp_path / "out.jsonl", options=JobOptions(quiet=True)).run()
    reasons = {json.loads(line)["row"]: json.loads(line)["reason"] for line in (tmp_path / "out.jsonl.rejects.jsonl").read_text().splitlines()}
    assert (s.written, s.rejected) == (3, 3)
    assert "'text' is missing" in reasons[4] and "'text' is a int" in reasons[5]
    assert "duplicate id 's1'" in reasons[6] and "row 2" in reasons[6]


def test_full_disk_stops_cleanly_and_resumes(clf, tmp_path, monkeypatch):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows(40)) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    real_append = TableWriter.append
    calls = {"n": 0}

    def append(self, batch):
        calls["n"] += 1
        if self.path == out and calls["n"] > 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_append(self, batch)

    monkeypatch.setattr(TableWriter, "append", append)
    with pytest.raises(JobError, match="No space left on device.*--resume"):
        BatchJob(clf, src, out, options=JobOptions(chunk_size=10, quiet=True)).run()
    monkeypatch.setattr(TableWriter, "append", real_append)
    s = BatchJob(clf, src, out, options=JobOptions(chunk_size=10, quiet=True, resume=True)).run()
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert ids == [f"s{i}" for i in range(40)] and s.written == 40


def test_unwritable_output_is_a_clear_error(clf, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(rows(1)[0]) + "\n", encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises((JobError, OSError)) as e:
        BatchJob(clf, src, blocker / "out.jsonl", options=JobOptions(quiet=True)).run()
    assert "file" in str(e.value)
