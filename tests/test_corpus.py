"""The in-domain corpus: its shipped files follow the contract, and the assembly code
(splits by document, counterfactual edits, text rebuilt from offsets) does what it says."""
import hashlib
import json
from collections import Counter, defaultdict

import pytest

from conftest import FIXTURES, SHARED
from stance.config import FRAMING_LABELS, STANCE_LABELS
from training.data.corpus import (
    ANNOTATIONS_DIR, CORPUS_FILE, apply_edits, assign_splits, load_corpus, read_jsonl_dicts, text_edits,
)
from training.data.schema import validate_row


@pytest.fixture(scope="module")
def corpus():
    return read_jsonl_dicts(CORPUS_FILE)


def test_every_shipped_row_follows_the_schema(corpus):
    ids = set()
    for k, row in enumerate(corpus, 1):
        where = f"{CORPUS_FILE}:{k}"
        assert row["id"] not in ids, where
        ids.add(row["id"])
        if row["text"] is None:
            # not redistributable: rebuilt from the public dataset by offsets (and edits)
            ref = row["meta"]["ref"]
            assert {"source", "file", "doc_id", "start", "end"} <= set(ref), where
            assert len(row["meta"]["text_sha1"]) == 16, where
            validate_row({**row, "text": "placeholder"}, where)
        else:
            assert row["doc_id"].startswith("fa_kes:"), f"{where}: only FA-KES text (CC BY 4.0) is shipped"
            validate_row(row, where)
        assert row["stance"] in STANCE_LABELS and row["framing"] in FRAMING_LABELS and row["target"], where


def test_corpus_size_and_balance(corpus):
    gold = [r for r in corpus if r["origin"] == "gold"]
    assert len(gold) >= 1500
    framing = Counter({r["meta"]["statement_id"]: r["framing"] for r in corpus}.values())
    assert framing["sectarian"] >= 350 and framing["counter_sectarian"] >= 200, framing
    made = sum(r["origin"] != "gold" for r in corpus)
    assert made / len(corpus) < 0.40
    stance = Counter(r["stance"] for r in gold)
    assert 0.15 <= stance["none"] / len(gold)  # targets the statement does not evaluate


def test_splits_are_by_document_and_dev_test_are_gold(corpus):
    splits_of_doc = defaultdict(set)
    for r in corpus:
        splits_of_doc[r["doc_id"]].add(r["split"])
        if r["split"] != "train":
            assert r["origin"] == "gold", r["id"]
    assert all(len(s) == 1 for s in splits_of_doc.values())
    per_split = Counter(r["split"] for r in corpus)
    assert per_split["dev"] >= 250 and per_split["test"] >= 250
    gold_split = {r["meta"]["statement_id"]: r["split"] for r in corpus if r["origin"] == "gold"}
    for r in corpus:
        if r["origin"] == "counterfactual":
            assert gold_split[r["meta"]["counterfactual_of"]] == "train", r["id"]


def test_label_files_are_valid():
    for name in ("pass1.jsonl", "pass2.jsonl"):
        rows = read_jsonl_dicts(ANNOTATIONS_DIR / name)
        assert rows
        for r in rows:
            assert r["framing"] in FRAMING_LABELS and all(v in STANCE_LABELS for v in r["stance"].values())
    assert len(read_jsonl_dicts(ANNOTATIONS_DIR / "pass2.jsonl")) >= 300
    for d in read_jsonl_dicts(ANNOTATIONS_DIR / "adjudication.jsonl"):
        labels = {"stance": STANCE_LABELS, "framing": FRAMING_LABELS, "usable": (True, False)}[d["label"]]
        assert {d["pass1"], d["pass2"], d["final"]} <= set(labels) and d["pass1"] != d["pass2"] and d["note"]


def test_texts_rebuild_from_the_public_data(corpus):
    data_dir = SHARED / "data"
    if not (data_dir / "fnc1").exists():
        pytest.skip("../shared/data is not present")
    rows = list(load_corpus(data_dir))
    assert len(rows) == len(corpus)
    assert all(r["text"] for r in rows)
    # repeated bodies (FNC-1) and paragraphs (FA-KES) are kept once: no text in two splits
    owner = {}
    for r in rows:
        if r["origin"] == "gold":
            key = " ".join(r["text"].lower().split())
            assert owner.setdefault(key, r["meta"]["statement_id"]) == r["meta"]["statement_id"], r["id"]


def test_edits_round_trip():
    a = "The army shelled the eastern districts again on Monday."
    b = "The Alawite army shelled the Sunni eastern districts again on Monday."
    edits = text_edits(a, b)
    assert apply_edits(a, edits) == b
    assert all(isinstance(e[2], str) for e in edits)


def test_rebuild_reports_a_changed_dataset(tmp_path):
    # PolNeAR fixture article: tests/fixtures/polnear/data/dev/text/*.txt
    text_file = next((FIXTURES / "polnear" / "data" / "dev" / "text").glob("*.txt"))
    article = text_file.read_text(encoding="utf-8")
    good = article[0:40]
    row = {"id": "x|Daesh", "text": None, "target": "Daesh", "stance": "none", "framing": "none", "speaker": None,
           "source": "annotations", "doc_id": f"polnear:{text_file.stem}", "origin": "gold", "split": "test",
           "meta": {"statement_id": "x", "ref": {"source": "polnear", "file": "x", "doc_id": text_file.stem, "start": 0, "end": 40},
                    "text_sha1": hashlib.sha1(good.encode()).hexdigest()[:16]}}
    path = tmp_path / "corpus.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert [r["text"] for r in load_corpus(FIXTURES, path)] == [good]
    row["meta"]["text_sha1"] = "0" * 16
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="does not hold the expected text"):
        list(load_corpus(FIXTURES, path))
    with pytest.raises(FileNotFoundError, match="is rebuilt from"):
        list(load_corpus(tmp_path / "nowhere", path))


def test_splits_keep_documents_whole_and_earlier_assignments():
    cands = [{"id": f"s{i}", "source": "fa_kes", "doc_id": f"d{i // 3}", "targets": ["Daesh"]} for i in range(60)]
    labels = {c["id"]: {"framing": "sectarian" if i % 10 == 0 else "none"} for i, c in enumerate(cands)}
    first = assign_splits(cands[:30], labels)
    both = assign_splits(cands, labels, first)
    assert all(both[d] == s for d, s in first.items())
    assert set(both.values()) == {"train", "dev", "test"}
    assert len(both) == 20


def test_sentences_keep_their_sources_split():
    cands = [{"id": f"s{i}", "source": "directed_sentiment_news", "doc_id": f"d{i}",
              "file": f"directed_sentiment_news/{name}", "targets": ["Iran"]}
             for i, name in enumerate(["train.txt", "valid.txt", "test.txt"] * 5)]
    labels = {c["id"]: {"framing": "sectarian"} for c in cands}
    splits = assign_splits(cands, labels)
    expected = {"train.txt": "train", "valid.txt": "dev", "test.txt": "test"}
    assert all(splits[f"directed_sentiment_news:{c['doc_id']}"] == expected[c["file"].split("/")[1]] for c in cands)


def test_restore_then_assemble_gives_back_the_shipped_files(tmp_path):
    data_dir = SHARED / "data"
    if not (data_dir / "fnc1").exists():
        pytest.skip("../shared/data is not present")
    from training.data.corpus import main

    work, out = tmp_path / "work", tmp_path / "out" / "corpus.jsonl"
    main(["restore", "--work", str(work), "--data-dir", str(data_dir)])
    main(["assemble", "--work", str(work), "--out", str(out)])
    for name in ("corpus.jsonl", "pass1.jsonl", "pass2.jsonl", "adjudication.jsonl"):
        assert (out.parent / name).read_bytes() == (ANNOTATIONS_DIR / name).read_bytes(), name


def test_sentence_articles_follow_the_converters_split():
    from training.data.articles import fixed_split, iter_articles
    from training.data.candidates import UNITY_RE

    rows = [r for r in _convert_dsn() if r.split]
    articles = list(iter_articles(FIXTURES / "data", ("directed_sentiment_news",)))
    assert len({a.doc_id for a in articles}) == len(articles)  # each sentence once
    by_doc = {a.doc_id: fixed_split(a.source, a.file) for a in articles}
    # a sentence in two official files (train:3 and test:1) keeps train, as the build does
    assert all(by_doc[r.doc_id] == r.split for r in rows)
    assert UNITY_RE.search("They called for national unity across sects")
    assert not UNITY_RE.search("the United Nations said on Monday")


def _convert_dsn():
    from training.data.converters import directed_sentiment_news

    return list(directed_sentiment_news.convert(FIXTURES / "data"))


def test_rhetoric_round_picks_unedited_none_train_statements_naming_a_faith(tmp_path):
    from training.data.candidates import FAITH_RE
    from training.data.corpus import main, rhetoric_batches

    assert FAITH_RE.search("a ban on Muslim immigration") and FAITH_RE.search("Shi'ite pilgrims")
    assert not FAITH_RE.search("the Islamic State claimed it") and not FAITH_RE.search("the Republican nomination")
    data_dir = SHARED / "data"
    if not (data_dir / "fnc1").exists():
        pytest.skip("../shared/data is not present")
    work = tmp_path / "work"
    main(["restore", "--work", str(work), "--data-dir", str(data_dir)])
    n = rhetoric_batches(work, batch_size=50)
    rows = [r for path in sorted((work / "rhetoric_batches").glob("*.jsonl")) for r in read_jsonl_dicts(path)]
    assert n == len(rows) > 0
    corpus = read_jsonl_dicts(CORPUS_FILE)
    edited = {r["meta"]["counterfactual_of"] for r in corpus if r["origin"] == "counterfactual"}
    gold = {r["meta"]["statement_id"]: r for r in corpus if r["origin"] == "gold"}
    for r in rows:
        assert r["id"] not in edited and r["make"] == ["counter_sectarian"]
        assert gold[r["id"]]["split"] == "train" and gold[r["id"]]["framing"] == "none"
        assert FAITH_RE.search(r["text"])


def test_actor_round_takes_support_vocabulary_first_and_skips_labelled_and_repeated(monkeypatch):
    from training.data import candidates
    from training.data.candidates import SUPPORT_RE, Candidate, collect_actor

    def cand(i: int, text: str, pool: str = "actor") -> Candidate:
        return Candidate(f"fnc1:d{i}:0-{len(text)}", "fnc1", f"d{i}", "f", 0, len(text), text, None, "direct",
                         ["Daesh"], pool)

    support = [cand(i, f"We welcome the help of our allies in the fight number {i}") for i in range(5)]
    plain = [cand(10 + i, f"The fighters moved to the northern front on day {i}") for i in range(10)]
    dropped = cand(30, "We thank the coalition for its strikes on the city")  # labelled before, not usable
    repeat = cand(31, "Our friends in Moscow stand with us today")
    unnamed = cand(40, "we praise the brave soldiers", pool="random")  # names no actor
    monkeypatch.setattr(candidates, "collect", lambda data_dir, seed=13: [*plain, *support, dropped, repeat, unnamed])
    previous = [{"id": "fnc1:old:0-9", "text": "Our  friends in Moscow stand with us TODAY"}]
    chosen = collect_actor(None, previous, labelled={dropped.id}, n=8)
    assert len(chosen) == 8 and len({c.id for c in chosen}) == 8
    assert {c.id for c in support} <= {c.id for c in chosen}  # all five support statements first
    assert sum(bool(SUPPORT_RE.search(c.text)) for c in chosen) == 5
    assert not {dropped.id, repeat.id, unnamed.id} & {c.id for c in chosen}
    assert [c.id for c in collect_actor(None, previous, {dropped.id}, 8)] == [c.id for c in chosen]  # deterministic
    assert SUPPORT_RE.search("Russia stands with Damascus") and not SUPPORT_RE.search("the supply lines were cut")
