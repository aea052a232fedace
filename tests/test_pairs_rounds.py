"""Later train-only rounds of (statement, target) pairs (training.data.pairs `more` / `assemble-more`),
on a small Gaza-style data folder written here: no ../shared needed."""
import csv
import hashlib
import json

import pytest

from training.data import pairs
from training.data.corpus import write_jsonl_dicts

OPINION = "Israel's government has abandoned the hostages, and Hamas bears the blame for this war."
NEWS = "Israeli aircraft struck Hamas positions near the hospital in Gaza on Monday night."
BY_ID = "The United States sent more aid to Israel while Iran warned Hezbollah to stay ready."
BY_TEXT = "Iran and Hezbollah praised the attack on Israel in statements broadcast on Tuesday night."
BENCH = "Hamas fighters and Israeli troops fought in the streets of Khan Younis all week long."
DEV = "Hezbollah fired rockets at northern Israel as Iran sent more drones to its allies there."
QUOTE = '"Hamas must release every hostage now and Iran must stop arming it," the Israeli foreign minister told reporters.'
BENCH_QUOTE = '"Israel will answer for every child killed by its bombs in Gaza," a Hamas official told reporters.'


def _url(split, opinion=False):
    """The first of a series of article URLs that the round's hash sends to `split`."""
    for k in range(1000):
        url = f"https://news.example/{'opinion' if opinion else 'world'}/{split}-{k}"
        if pairs._split_of(f"gaza_blame:{url}", {}) == split:
            return url
    raise AssertionError(split)


def _ref_row(source, file, doc_id, text, split, statement_id, round_name="corpus"):
    """A labelled row as the shipped files store it: no text, offsets into the sentence, its hash."""
    return {"id": f"{statement_id}|Israel", "text": None, "framing": "none", "speaker": None,
            "source": "annotations", "doc_id": f"{source}:{doc_id}", "origin": "gold", "split": split,
            "target": "Israel", "stance": "none",
            "meta": {"statement_id": statement_id, "kind": "narration", "round": round_name,
                     "ref": {"source": source, "file": file, "doc_id": doc_id, "start": 0, "end": len(text)},
                     "text_sha1": hashlib.sha1(text.encode()).hexdigest()[:16]}}


@pytest.fixture
def round_dirs(tmp_path, monkeypatch):
    data = tmp_path / "data"
    train_op, train, bench, dev = _url("train", True), _url("train"), _url("bench"), _url("dev")
    blame = [(OPINION, train_op), (NEWS, train), (NEWS, train), (BY_ID, train), (BY_TEXT, train),
             (BENCH, bench), (DEV, dev), (QUOTE, train), (BENCH_QUOTE, bench)]
    folder = data / "gaza_blame_sentences" / "data"
    folder.mkdir(parents=True)
    with (folder / "post_sentences.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["sentence", "url"])
        w.writerows(blame)
    folder = data / "gaza_casualty_mentions" / "data"
    folder.mkdir(parents=True)
    with (folder / "tagged_data_x.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["sentence", "article_index"])
        w.writerow([BY_TEXT.upper().replace(" ", "  "), "0"])  # labelled below under this id
    blame_file = "gaza_blame_sentences/data/post_sentences.csv"
    ann = tmp_path / "annotations"
    corpus, pairs_file, bench_dir = ann / "corpus.jsonl", ann / "pairs.jsonl", tmp_path / "bench"
    write_jsonl_dicts([_ref_row("gaza_blame", blame_file, "post_sentences:3", BY_ID, "train",
                                f"gaza_blame:post_sentences:3:0-{len(BY_ID)}")], corpus)
    casualty_text = " ".join(BY_TEXT.upper().split())
    write_jsonl_dicts([_ref_row("gaza_casualty", "gaza_casualty_mentions/data/tagged_data_x.csv", "tagged_data_x:0",
                                casualty_text, "train", f"gaza_casualty:tagged_data_x:0:0-{len(casualty_text)}",
                                "pairs")], pairs_file)
    write_jsonl_dicts([_ref_row("gaza_blame", blame_file, "post_sentences:5", BENCH, "test",
                                f"gaza_blame:post_sentences:5:0-{len(BENCH)}", "pairs")], bench_dir / "test.jsonl")
    write_jsonl_dicts([], bench_dir / "dev.jsonl")
    write_jsonl_dicts([{"id": f"gaza_casualty:tagged_data_x:0:0-{len(casualty_text)}", "framing": "none",
                        "stance": {"Israel": "none"}, "usable": True}], ann / "pairs_pass1.jsonl")
    monkeypatch.setattr(pairs, "ARTICLE_SOURCES", ())  # the region's article sources are not in this folder
    monkeypatch.setattr(pairs, "PAIRS_FILE", pairs_file)
    monkeypatch.setattr(pairs, "ANNOTATIONS_DIR", ann)
    monkeypatch.setattr(pairs, "BENCH_DIR", bench_dir)
    return {"data": data, "corpus": corpus, "pairs": pairs_file, "bench": bench_dir, "ann": ann,
            "work": tmp_path / "round", "urls": (train_op, train, bench, dev)}


def _draw(d, n=10):
    counts = pairs.draw_more(d["data"], d["work"], n, corpus=d["corpus"], pairs=d["pairs"], bench_dir=d["bench"])
    cands = [json.loads(x) for x in (d["work"] / "candidates.jsonl").read_text().splitlines()]
    return counts, cands


def test_a_later_round_draws_only_unlabelled_train_statements(round_dirs):
    counts, cands = _draw(round_dirs)
    by_text = {c["text"]: c for c in cands}
    # labelled before by id (corpus), by normalised text under another id (pairs), or in the bench: never again
    assert BY_ID not in by_text and BY_TEXT not in by_text and BENCH not in by_text and BENCH_QUOTE not in by_text
    # a repeated sentence once; the opinion piece first; the quote as a quote with its speaker
    assert [c["text"] for c in cands if c["kind"] == "narration"] == [OPINION, NEWS]
    quote = [c for c in cands if c["kind"] != "narration"]
    assert [c["text"] for c in quote] == [QUOTE[1:QUOTE.index(",")]] and "minister" in quote[0]["speaker"]
    assert counts == {"train": 1, "narration": 2}
    assert all(len(c["targets"]) >= 2 for c in cands)
    batches = sorted(p.name for p in (round_dirs["work"] / "batches").iterdir())
    assert batches == ["narration_00.jsonl", "train_00.jsonl"]
    item = json.loads((round_dirs["work"] / "batches" / "train_00.jsonl").read_text())
    assert set(item) == {"id", "speaker", "text", "targets"}
    with pytest.raises(FileExistsError, match="not empty"):
        _draw(round_dirs)


def test_no_bench_or_dev_article_gives_a_row_of_the_later_round(round_dirs):
    _, cands = _draw(round_dirs)
    _, _, bench_url, dev_url = round_dirs["urls"]
    docs = {c["document"] for c in cands}
    assert docs and not docs & {f"gaza_blame:{bench_url}", f"gaza_blame:{dev_url}"}
    assert {c["split"] for c in cands} == {"train"}
    assert DEV not in {c["text"] for c in cands}


def _label(work, passname, rows):
    write_jsonl_dicts(rows, work / "labels" / passname / "batch.jsonl")


def test_assemble_more_appends_keeps_earlier_rows_and_is_idempotent(round_dirs):
    d = round_dirs
    _, cands = _draw(d)
    old_pairs, old_pass1 = d["pairs"].read_bytes(), (d["ann"] / "pairs_pass1.jsonl").read_bytes()
    p1 = [{"id": c["id"], "framing": "none", "stance": {t: "against" for t in c["targets"]}, "usable": True,
           "note": "quotes the text"} for c in cands]
    p1[-1]["usable"] = False
    _label(d["work"], "pass1", p1)
    first = cands[0]
    _label(d["work"], "pass2", [{"id": first["id"], "framing": "none", "stance": {t: "none" for t in first["targets"]}}])
    write_jsonl_dicts([{"id": first["id"], "stance": {first["targets"][0]: "none"}}], d["work"] / "adjudication.jsonl")
    report = pairs.assemble_more(d["work"])
    text = d["pairs"].read_bytes()
    assert text.startswith(old_pairs) and (d["ann"] / "pairs_pass1.jsonl").read_bytes().startswith(old_pass1)
    new = [json.loads(x) for x in text[len(old_pairs):].decode().splitlines()]
    usable = cands[:-1]
    assert len(new) == sum(len(c["targets"]) for c in usable) == report["train"]["rows"]
    assert {r["meta"]["round"] for r in new} == {pairs.MORE_ROUND} and {r["split"] for r in new} == {"train"}
    assert all(r["text"] is None for r in new)  # Gaza text is never shipped
    assert [r["stance"] for r in new[: len(first["targets"])]] == ["none"] + ["against"] * (len(first["targets"]) - 1)
    assert report["train"]["statements"] == 1 and report["train"]["stance_kappa"] is not None
    assert "note" not in (d["ann"] / "pairs_pass1.jsonl").read_text()
    snapshot = {p.name: p.read_bytes() for p in d["ann"].iterdir()}
    pairs.assemble_more(d["work"])
    assert {p.name: p.read_bytes() for p in d["ann"].iterdir()} == snapshot
    # a relabel replaces the round's own rows, in place, and nothing else
    _label(d["work"], "pass1", [p | {"framing": "sectarian"} for p in p1])
    pairs.assemble_more(d["work"])
    rows = [json.loads(x) for x in d["pairs"].read_text().splitlines()]
    assert d["pairs"].read_bytes().startswith(old_pairs) and len(rows) == 1 + len(new)
    assert {r["framing"] for r in rows[1:]} == {"sectarian"}


def test_assemble_more_refuses_a_statement_of_another_round(round_dirs):
    d = round_dirs
    _, cands = _draw(d)
    _label(d["work"], "pass1", [{"id": c["id"], "framing": "none", "stance": {t: "none" for t in c["targets"]}}
                                for c in cands])
    clash = json.loads(d["pairs"].read_text())
    clash["meta"]["statement_id"] = cands[0]["id"]
    write_jsonl_dicts([clash], d["pairs"])
    with pytest.raises(ValueError, match="rows of other rounds have statements of this round"):
        pairs.assemble_more(d["work"])


def test_the_sixth_round_assemble_keeps_a_later_rounds_rows(round_dirs, tmp_path):
    d = round_dirs
    _, cands = _draw(d)
    _label(d["work"], "pass1", [{"id": c["id"], "framing": "none", "stance": {t: "none" for t in c["targets"]}}
                                for c in cands])
    pairs.assemble_more(d["work"])
    later = [r for r in map(json.loads, d["pairs"].read_text().splitlines()) if r["meta"]["round"] == pairs.MORE_ROUND]
    # the sixth round's work folder: the statement its pairs.jsonl row came from, relabelled
    six = tmp_path / "six"
    row = json.loads(d["pairs"].read_text().splitlines()[0])
    ref = row["meta"]["ref"]
    write_jsonl_dicts([{"id": row["meta"]["statement_id"], "source": ref["source"], "doc_id": ref["doc_id"],
                        "document": row["doc_id"], "file": ref["file"], "start": 0, "end": ref["end"],
                        "text": " ".join(BY_TEXT.upper().split()), "speaker": None, "kind": "narration",
                        "targets": ["Israel", "Iran"], "split": "train"}], six / "candidates.jsonl")
    _label(six, "pass1", [{"id": row["meta"]["statement_id"], "framing": "none",
                           "stance": {"Israel": "against", "Iran": "favor"}}])
    pairs.assemble(six)
    rows = [json.loads(x) for x in d["pairs"].read_text().splitlines()]
    assert [r["stance"] for r in rows[:2]] == ["against", "favor"] and rows[2:] == later
    passes = [json.loads(x) for x in (d["ann"] / "pairs_pass1.jsonl").read_text().splitlines()]
    assert [p["id"] for p in passes] == [row["meta"]["statement_id"]] + [c["id"] for c in cands]


def test_a_gaza_sentence_ref_does_not_claim_another_articles_split(tmp_path):
    # row 1 of a casualty file (article 0) is labelled train; article 1 of that file is a bench or
    # dev article by hash: the ref "file:1" must not make it a train article
    stem = next(f"tagged_data_{k}" for k in range(1000) if pairs._split_of(f"gaza_casualty:tagged_data_{k}:1", {}) != "train")
    data = tmp_path / "data"
    folder = data / "gaza_casualty_mentions" / "data"
    folder.mkdir(parents=True)
    (data / "gaza_blame_sentences" / "data").mkdir(parents=True)
    with (folder / f"{stem}.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["sentence", "article_index"], [OPINION, "0"], [NEWS, "0"], [DEV, "1"]])
    ann = tmp_path / "ann"
    row = _ref_row("gaza_casualty", f"gaza_casualty_mentions/data/{stem}.csv", f"{stem}:1", NEWS, "train",
                   f"gaza_casualty:{stem}:1:0-{len(NEWS)}", "pairs")
    row["doc_id"] = f"gaza_casualty:{stem}:0"
    write_jsonl_dicts([row], ann / "pairs.jsonl")
    docs, _, _ = pairs.labelled_everywhere(data, ann / "corpus.jsonl", ann / "pairs.jsonl", tmp_path / "bench")
    assert pairs._split_of(f"gaza_casualty:{stem}:1", docs) != "train"


def test_a_statement_labelled_unusable_before_is_never_drawn_or_assembled_again(round_dirs):
    # an earlier round's unusable statement has labels (pairs_pass1.jsonl) but no row: its labels
    # must keep it out of later rounds, and must never be overwritten by a later round's
    d = round_dirs
    pass1 = d["ann"] / "pairs_pass1.jsonl"
    earlier = [json.loads(x) for x in pass1.read_text().splitlines()]
    unusable = {"id": f"gaza_blame:post_sentences:0:0-{len(OPINION)}", "framing": "none",
                "stance": {"Israel": "none", "Hamas": "none"}, "usable": False}
    write_jsonl_dicts([*earlier, unusable], pass1)
    _, cands = _draw(d)
    assert OPINION not in {c["text"] for c in cands} and NEWS in {c["text"] for c in cands}
    # a round drawn before the fix holds such a statement: assembling it is refused
    write_jsonl_dicts([*earlier, unusable | {"id": cands[0]["id"]}], pass1)
    _label(d["work"], "pass1", [{"id": c["id"], "framing": "none", "stance": {t: "none" for t in c["targets"]}}
                                for c in cands])
    with pytest.raises(ValueError, match="rows of other rounds have statements of this round"):
        pairs.assemble_more(d["work"])
    write_jsonl_dicts(earlier, pass1)
    pairs.assemble_more(d["work"])  # this round's own labels, tagged with it, are no clash on a rerun
    assert {json.loads(x).get("round") for x in pass1.read_text().splitlines()[len(earlier):]} == {pairs.MORE_ROUND}
    pairs.assemble_more(d["work"])
