"""Training-data plumbing: schema, deterministic splits, one converter per public dataset, build CLI.

Fixtures under tests/fixtures/data/ mimic each dataset's file format with invented rows,
so nothing here needs ../shared.
"""
from __future__ import annotations

import atexit
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from training.data import build
from training.data.converters import (
    basil,
    directed_sentiment_news,
    gwsd,
    hatexplain,
    ibm_claim_stance,
    newsmtsc,
    vast,
)
from training.data.schema import Row, read_jsonl, validate_row, write_jsonl
from training.data.splits import doc_split_conflicts, earliest_split, rank_split, stable_hash

ROOT = Path(__file__).resolve().parents[1]
def _materialise() -> Path:
    """The fixture tree in a temp dir, with `*.fixture` renamed to the real file names: stored
    that way so no file of the repository shares its name with a public dataset's file."""
    dst = Path(tempfile.mkdtemp(prefix="stance-fixture-data-"))
    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "data", dst, dirs_exist_ok=True)
    for f in dst.rglob("*.fixture"):
        f.rename(f.with_suffix(""))
    atexit.register(shutil.rmtree, dst, True)
    return dst


DATA = _materialise()
PUBLIC = list(build.SOURCES)


def convert(module) -> dict[str, Row]:
    rows = list(module.convert(DATA))
    ids = [r.id for r in rows]
    assert len(ids) == len(set(ids)), "ids must be unique"
    return {r.id: r for r in rows}


def row_dict(**changes) -> dict:
    d = {
        "id": "t:1", "text": "We will never accept this.", "target": "the plan", "stance": "against",
        "framing": "none", "speaker": "A. Person", "source": "t", "doc_id": "d1", "origin": "gold",
        "split": "train", "meta": {"weak": True},
    }
    d.update(changes)
    return d


# ---------------------------------------------------------------- schema


def test_row_round_trips_through_json():
    row = Row.from_dict(row_dict())
    assert Row.from_dict(json.loads(row.to_json())) == row
    assert set(json.loads(row.to_json())) == {*row_dict()}


def test_framing_only_row_is_valid():
    validate_row(row_dict(target=None, stance=None, speaker=None, framing="sectarian"), "x:1")


@pytest.mark.parametrize(
    "changes, field, problem",
    [
        ({"stance": "pro"}, "stance", "unknown label"),
        ({"framing": "sectarianism"}, "framing", "unknown label"),
        ({"split": "validation"}, "split", "unknown label"),
        ({"origin": "silver"}, "origin", "unknown label"),
        ({"stance": None, "framing": None, "target": None}, "stance", "needs a stance or a framing"),
        ({"target": None}, "target", "without a target"),
        ({"stance": None}, "stance", "without a stance"),
        ({"text": 5}, "text", "must be a string"),
        ({"speaker": "  "}, "speaker", "blank"),
        ({"doc_id": None}, "doc_id", "must not be null"),
        ({"meta": ["weak"]}, "meta", "object"),
        ({"label": 1}, "label", "unknown field"),
    ],
)
def test_bad_rows_are_rejected_naming_place_and_field(changes, field, problem):
    with pytest.raises(ValueError) as err:
        validate_row(row_dict(**changes), "file.jsonl:7")
    msg = str(err.value)
    assert msg.startswith("file.jsonl:7:") and f"'{field}'" in msg and problem in msg


def test_missing_field_is_named():
    d = row_dict()
    del d["doc_id"]
    with pytest.raises(ValueError, match=r"^w:1: field 'doc_id': missing"):
        validate_row(d, "w:1")


def test_read_jsonl_reports_file_and_line(tmp_path):
    path = tmp_path / "rows.jsonl"
    write_jsonl([Row.from_dict(row_dict(id="a")), Row.from_dict(row_dict(id="b"))], path)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(row_dict(id="c", framing="pro_sect")) + "\n")
    with pytest.raises(ValueError, match=rf"^{path}:3: field 'framing': unknown label"):
        read_jsonl(path)


def test_read_jsonl_reports_invalid_json(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps(row_dict()) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"^{path}:2: invalid JSON"):
        read_jsonl(path)


def test_write_then_read_keeps_rows(tmp_path):
    rows = [Row.from_dict(row_dict(id=f"r{i}", text=f"statement {i} “quoted”")) for i in range(3)]
    assert write_jsonl(rows, tmp_path / "sub" / "x.jsonl") == 3
    assert read_jsonl(tmp_path / "sub" / "x.jsonl") == rows


# ---------------------------------------------------------------- splits


def test_stable_hash_is_deterministic_and_salted():
    assert stable_hash("doc-1", "s") == stable_hash("doc-1", "s")
    assert stable_hash("doc-1", "s") != stable_hash("doc-1", "t")


def test_rank_split_gives_exact_shares_independent_of_order():
    keys = [f"doc-{i}" for i in range(100)]
    a = rank_split(keys, dev=0.1, test=0.1, salt="x")
    b = rank_split(reversed(keys + keys), dev=0.1, test=0.1, salt="x")
    assert a == b
    assert sorted(a.values()).count("dev") == 10 and sorted(a.values()).count("test") == 10


def test_rank_split_gives_small_sources_every_split():
    assert sorted(rank_split(["a", "b", "c"], dev=0.1, test=0.1, salt="x").values()) == ["dev", "test", "train"]


def test_earliest_split_pulls_shared_docs_into_train():
    assert earliest_split([("a", "test"), ("a", "train"), ("b", "test"), ("b", "dev"), ("c", "test")]) == {
        "a": "train", "b": "dev", "c": "test",
    }


def test_doc_split_conflicts_found():
    rows = [Row.from_dict(row_dict(id="1")), Row.from_dict(row_dict(id="2", split="test"))]
    assert doc_split_conflicts(rows) == {("t", "d1"): {"train", "test"}}


# ---------------------------------------------------------------- converters


def test_vast_labels_speaker_and_dev_carved_by_comment():
    rows = convert(vast)
    pro = rows["vast:101"]
    assert (pro.stance, pro.target, pro.speaker) == ("favor", "bike lanes", "Ann Reader")
    assert rows["vast:102"].stance == "against"
    assert rows["vast:103"].stance == "none" and rows["vast:103"].meta["type_idx"] == 4
    assert "vast:108" not in rows  # empty post
    assert rows["vast:104"].text.startswith("The new stadium") and "\n" in rows["vast:104"].text
    zero = rows["vast:201"]
    assert zero.split == "test" and zero.meta["seen"] == 0 and zero.meta["zero_shot"] and zero.meta["Sarc"] == 1
    train_docs = {r.doc_id: r.split for r in rows.values() if r.meta["file"] == "vast_train.csv"}
    assert sorted(train_docs.values()).count("dev") == 1 and "test" not in train_docs.values()


def test_newsmtsc_polarity_and_article_level_splits():
    rows = convert(newsmtsc)

    def get(gid: str, file: str = "train") -> Row:
        return rows[f"newsmtsc:{file}:{gid}"]

    assert get("allsides_10_5_1_Mayor Jane Doe_0_8").stance == "favor"
    assert get("allsides_10_5_2_Council Member Roe_16_34").stance == "against"
    she = get("allsides_10_5_2_Mayor Jane Doe_0_3")
    assert she.stance == "none" and she.target == "She" and she.meta["entity"] == "Mayor Jane Doe"
    assert she.text[slice(*she.meta["span"])] == "She"
    assert all(r.meta["weak"] and r.speaker is None for r in rows.values())
    # an article with sentences in train.jsonl stays in train, also its devtest rows
    assert get("allsides_10_5_9_Council Member Roe_0_3", "devtest_rw").split == "train"
    held_out = {"allsides_20_8", "polusa_v1_888", "allsides_30_9"}
    assert {r.split for r in rows.values() if r.doc_id in held_out} == {"dev", "test"}
    # the same sentence+target in devtest_rw and devtest_mt is kept once
    assert sum(r.target == "Judge Park" for r in rows.values()) == 1
    assert len(rows) == 9


def test_directed_sentiment_roles_swap_for_q_to_p_labels():
    rows = convert(directed_sentiment_news)
    r1, r2, r3, r4, r0 = (rows[f"directed_sentiment_news:train:{i}"] for i in (1, 2, 3, 4, 5))
    assert (r1.speaker, r1.target, r1.stance) == ("Senator Jones", "Mayor Ruiz", "favor")
    assert (r2.speaker, r2.target, r2.stance) == ("Senator Jones", "Mayor Ruiz", "favor")  # label 2: q -> p
    assert (r3.speaker, r3.target, r3.stance) == ("The union", "Acme Corp", "against")
    assert (r4.speaker, r4.target, r4.stance) == ("Green Watch", "Acme Corp", "against")  # label 4: q -> p
    assert (r0.speaker, r0.target, r0.stance) == ("Lakeside", "the governor", "none")
    assert r1.text == "Senator Jones praised Mayor Ruiz for the flood response."
    assert r1.meta["marked"].startswith("[Senator Jone]s") and r4.meta["direction"] == "q->p"
    assert "directed_sentiment_news:train:6" not in rows  # `[’]` is not an entity
    assert "directed_sentiment_news:test:1" not in rows  # repeats train:3, whose sentence stays in train
    assert rows["directed_sentiment_news:valid:1"].split == "dev"
    test_row = rows["directed_sentiment_news:test:3"]
    assert (test_row.split, test_row.speaker, test_row.target) == ("test", "the club chairman", "Coach Adams")
    assert test_row.stance == "favor"


def test_basil_quotes_only_with_speaker_target_and_sentence():
    rows = convert(basil)
    assert len(rows) == 5  # the non-quote span is left out
    first = rows["basil:11111111-aaaa-4aaa-8aaa-000000000001_1:0"]
    assert first.text == "It will bring clean power to every valley town"
    assert (first.speaker, first.target, first.stance) == ("Tam Hale", "dam project", "favor")
    assert first.meta["sentence"].startswith("“It will bring")
    assert first.doc_id == "11111111-aaaa-4aaa-8aaa-000000000001_1"
    anon = rows["basil:11111111-aaaa-4aaa-8aaa-000000000001_1:1"]
    assert anon.speaker is None and anon.meta["speaker_raw"] == "other_anti" and anon.stance == "against"
    indirect = rows["basil:11111111-aaaa-4aaa-8aaa-000000000001_2:0"]
    assert indirect.stance == "favor" and indirect.meta["indirect_target"] == "dam opponents"
    assert indirect.meta["sentence"] is not None  # body-paragraphs stored as a list, not a string
    by_triplet: dict[str, set[str]] = {}
    for r in rows.values():
        by_triplet.setdefault(r.meta["triplet"], set()).add(r.split)
    assert all(len(s) == 1 for s in by_triplet.values())
    assert {s for splits in by_triplet.values() for s in splits} == {"train", "dev", "test"}


def test_ibm_stance_is_toward_the_topic_target():
    rows = convert(ibm_claim_stance)
    # "ban fireworks": PRO the motion = against fireworks
    assert (rows["ibm_claim_stance:11"].target, rows["ibm_claim_stance:11"].stance) == ("fireworks", "against")
    assert rows["ibm_claim_stance:12"].stance == "favor"
    assert rows["ibm_claim_stance:21"].stance == "favor" and rows["ibm_claim_stance:22"].stance == "against"
    assert rows["ibm_claim_stance:41"].stance == "favor" and rows["ibm_claim_stance:42"].stance == "against"
    assert rows["ibm_claim_stance:41"].split == "test" and rows["ibm_claim_stance:41"].meta["motion_stance"] == "CON"
    train_topics = {r.doc_id: r.split for r in rows.values() if r.doc_id != "topic-4"}
    assert sorted(train_topics.values()) == ["dev", "train", "train"]


def test_gwsd_labels_mojibake_and_conflicting_duplicates():
    rows = convert(gwsd)
    assert {r.target for r in rows.values()} == {gwsd.TARGET}
    assert (rows["gwsd:1"].stance, rows["gwsd:3"].stance, rows["gwsd:5"].stance) == ("favor", "against", "none")
    assert rows["gwsd:3"].text.startswith("The planet’s climate")
    assert "gwsd:7" not in rows and "gwsd:8" not in rows  # same sentence labelled agree and neutral
    assert len(rows) == 8 and {r.split for r in rows.values()} == {"train", "dev", "test"}


def test_hatexplain_is_weak_framing_only():
    rows = convert(hatexplain)
    assert rows["hatexplain:1"].framing == "sectarian" and rows["hatexplain:2"].framing == "sectarian"
    assert "hatexplain:3" not in rows  # normal post naming a religion: ambiguous, skipped
    assert rows["hatexplain:4"].framing == "none" and rows["hatexplain:6"].framing == "none"
    assert "hatexplain:8" not in rows  # duplicate of row 7
    assert all(r.meta["weak"] and r.target is None and r.stance is None for r in rows.values())


@pytest.mark.parametrize("name", PUBLIC)
def test_every_converter_keeps_each_document_in_one_split(name):
    rows = list(build.SOURCES[name](DATA))
    assert rows and all(r.source == name for r in rows)
    for r in rows:
        validate_row(r.to_dict(), r.id)
    assert doc_split_conflicts(rows) == {}


@pytest.mark.parametrize("name", PUBLIC)
def test_missing_dataset_names_file_and_data_dir(name, tmp_path):
    with pytest.raises(FileNotFoundError, match="--data-dir"):
        list(build.SOURCES[name](tmp_path))


# ---------------------------------------------------------------- build


def _fake(rows: list[dict]):
    return lambda data_dir: (Row.from_dict(d) for d in rows)


def test_build_refuses_a_document_in_two_splits():
    rows = [row_dict(id="x:1", source="x"), row_dict(id="x:2", source="x", split="dev")]
    with pytest.raises(ValueError, match=r"x: 1 doc_id\(s\) in more than one split"):
        build.collect("x", _fake(rows), DATA, set())


def test_build_refuses_duplicate_ids_and_wrong_source():
    with pytest.raises(ValueError, match="'id' is used by another row"):
        build.collect("x", _fake([row_dict(id="x:1", source="x")] * 2), DATA, set())
    with pytest.raises(ValueError, match="'source'"):
        build.collect("x", _fake([row_dict(id="x:1", source="y")]), DATA, set())


def test_annotations_module_joins_the_registry(tmp_path, monkeypatch):
    (tmp_path / "fake_annotations_converter.py").write_text(
        "def convert(data_dir):\n    return iter(())\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(build, "ANNOTATIONS_MODULE", "fake_annotations_converter")
    # the public datasets, then the project's own: the bench, then the corpus
    assert list(build.registry()) == [*PUBLIC, "bench", "annotations"]


def test_narration_pairs_are_their_own_source(tmp_path):
    # a train config that names only "annotations" must get the corpus and the quote pairs,
    # never the prose-sentence pairs (mostly `none`): the shipped model's config reproduces it
    from training.data.converters import annotations

    assert list(build.registry())[-2:] == ["annotations", "narration"]
    corpus, pairs = tmp_path / "corpus.jsonl", tmp_path / "pairs.jsonl"
    corpus.write_text("".join(json.dumps(row_dict(id=f"c:{k}", source="annotations", meta={"kind": kind})) + "\n"
                              for k, kind in enumerate(["direct", "narration"])))  # the corpus's own prose stays
    pairs.write_text("".join(json.dumps(row_dict(id=f"p:{k}", source="annotations", meta={"kind": kind})) + "\n"
                             for k, kind in enumerate(["direct", "narration", "indirect", "narration"])))
    quoted = list(annotations.convert(DATA, corpus, pairs))
    prose = list(annotations.convert_narration(DATA, pairs))
    assert [r.id for r in quoted] == ["c:0", "c:1", "p:0", "p:2"] and {r.source for r in quoted} == {"annotations"}
    assert [r.id for r in prose] == ["p:1", "p:3"] and {r.source for r in prose} == {"narration"}
    assert len(build.collect("narration", lambda d: iter(prose), DATA, set())) == 2  # passes the source check


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "training.data", "build", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )


def test_build_cli_writes_split_and_source_files(tmp_path):
    out = tmp_path / "build"
    proc = run_cli("--data-dir", str(DATA), "--out", str(out), "--sources", ",".join(PUBLIC))
    assert proc.returncode == 0, proc.stderr
    per_source = {name: read_jsonl(out / f"{name}.jsonl") for name in PUBLIC}
    per_split = {split: read_jsonl(out / f"{split}.jsonl") for split in ("train", "dev", "test")}
    assert all(per_source.values())
    assert sum(map(len, per_split.values())) == sum(map(len, per_source.values()))
    for split, rows in per_split.items():
        assert {r.split for r in rows} == {split}
    everything = [r for rows in per_split.values() for r in rows]
    assert len({r.id for r in everything}) == len(everything)
    assert doc_split_conflicts(everything) == {}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sources"]["gwsd"] == {"train": 6, "dev": 1, "test": 1}
    for name in PUBLIC:
        assert name in proc.stdout
    assert "stance:favor" in proc.stdout and "framing:sectarian" in proc.stdout

    # a narrower rebuild replaces the outputs and removes the other sources' stale files
    proc = run_cli("--data-dir", str(DATA), "--out", str(out), "--sources", "gwsd")
    assert proc.returncode == 0, proc.stderr
    assert not (out / "vast.jsonl").exists()
    assert {r.source for r in read_jsonl(out / "train.jsonl")} == {"gwsd"}


def test_build_cli_errors_are_clear(tmp_path):
    proc = run_cli("--data-dir", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "--data-dir" in proc.stderr
    proc = run_cli("--data-dir", str(DATA), "--out", str(tmp_path / "o"), "--sources", "vast,nope")
    assert proc.returncode == 2 and "unknown source(s) nope" in proc.stderr
    proc = run_cli("--data-dir", str(tmp_path), "--out", str(tmp_path / "o"), "--sources", "vast")
    assert proc.returncode == 2 and "vast_train.csv not found" in proc.stderr
