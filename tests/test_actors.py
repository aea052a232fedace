"""Your own actors: a JSON file in the format of the shipped actors.json, merged into the shipped
list (`Gazetteer.from_file`, `gazetteer=`, `--actors`), validated with errors naming the entry."""
import json
import pickle
import re
import shlex
import subprocess
import sys

import pytest

from conftest import ROOT
from stance import Gazetteer, canonical_target, find_targets, unique_targets
from stance.batch import BatchJob, JobError, JobOptions
from stance.inputs import mark_target
from stance.model import StanceClassifier

EXAMPLE = ROOT / "examples" / "actors.json"
TEXT = "The Sunni Endowment Office blamed Munazzamat Badr; Commander Jaber denied it."


@pytest.fixture(scope="module")
def actors():
    return Gazetteer.from_file(EXAMPLE)


@pytest.fixture(scope="module")
def clf(tiny_model):
    return StanceClassifier.from_pretrained(tiny_model[0])


def write(tmp_path, data, name="my.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# --- merging -------------------------------------------------------------------------------------


def test_user_actors_are_found_and_shipped_aliases_extended(actors):
    assert [(m.alias, m.name, m.kind) for m in actors.find_targets(TEXT)] == [
        ("Sunni Endowment Office", "Sunni Endowment", "organisation"),
        ("Munazzamat Badr", "Badr Organisation", "armed_group"),  # the shipped actor, a new alias
        ("Commander Jaber", "Hadi Jaber", "person"),
    ]
    # the longer user alias wins over the shipped "Sunni" (the sect)
    assert unique_targets("The Sunni Endowment warned Sunni families.") == ["Sunnis"]
    assert unique_targets("The Sunni Endowment warned Sunni families.", gazetteer=actors) == ["Sunni Endowment", "Sunnis"]
    assert canonical_target("munazzamat badr", gazetteer=actors) == "Badr Organisation"
    assert canonical_target("the Badr Corps", gazetteer=actors) == "Badr Organisation"  # shipped aliases kept
    assert canonical_target("Jaber", gazetteer=EXAMPLE) == "Hadi Jaber"  # a path works too
    # an extended actor keeps its shipped aliases, kind and conflicts, and gains the new ones
    badr = next(a for a in actors.actors if a.name == "Badr Organisation")
    assert badr.kind == "armed_group" and {"Badr Corps", "Munazzamat Badr", "منظمة بدر"} <= set(badr.aliases)
    assert len(actors.actors) == len(Gazetteer.default().actors) + 2


def test_no_state_leaks_into_the_shipped_list(actors):
    actors.find_targets(TEXT)
    assert find_targets(TEXT) == Gazetteer.default().find_targets(TEXT)
    assert [m.name for m in find_targets(TEXT)] == ["Sunnis"]
    assert canonical_target("Commander Jaber") == "Commander Jaber"
    assert Gazetteer.default().digest != actors.digest


def test_shipped_matching_is_unchanged_by_a_merge(tmp_path, article):
    merged = Gazetteer.from_file(write(tmp_path, []))
    text = (ROOT / "examples" / "article.txt").read_text(encoding="utf-8") + " ISIS, Ira Glass, وبالحشد الشعبي, fighting in Baghdad"
    assert merged.find_targets(text) == find_targets(text) and len(find_targets(text)) > 10


def test_arabic_proclitics_and_word_boundaries_hold_for_user_aliases(actors):
    assert [m.name for m in actors.find_targets("قال وبمنظمة بدر")] == ["Badr Organisation"]
    assert actors.find_targets("Jaberi and Commander Jabers") == []  # whole words only


def test_two_letter_alias_in_capitals_matches_only_capitals(tmp_path):
    g = Gazetteer.from_file(write(tmp_path, [{"name": "Karkh Guard", "kind": "armed_group", "aliases": ["KG"]}]))
    assert [m.name for m in g.find_targets("KG said so; 200 kg of flour.")] == ["Karkh Guard"]


def test_the_file_alone_and_merging_gazetteers(tmp_path, actors):
    own = write(tmp_path, [{"name": "Karkh Guard", "kind": "armed_group", "aliases": ["Haras al-Karkh"]}])
    only = Gazetteer.from_file(own, extend=False)
    assert only.unique_targets("Haras al-Karkh and the PMF") == ["Karkh Guard"]
    both = actors.merged(only)
    assert both.unique_targets("Haras al-Karkh and Jaber and the PMF") == [
        "Karkh Guard", "Hadi Jaber", "Popular Mobilisation Forces"]
    with pytest.raises(ValueError, match=r"entry 2 \('Badr Organisation'\): field 'kind' is missing"):
        Gazetteer.from_file(EXAMPLE, extend=False)  # it extends a shipped actor: not a list by itself


def test_a_gazetteer_pickles_as_its_entries(actors):
    again = pickle.loads(pickle.dumps(actors))
    assert again.unique_targets(TEXT) == actors.unique_targets(TEXT) and again.digest == actors.digest
    assert pickle.loads(pickle.dumps(Gazetteer.default())) is Gazetteer.default()


# --- validation ----------------------------------------------------------------------------------

SHIPPED_PMF = "Popular Mobilisation Forces"


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "A"}, r"my.json: expected a JSON list of actor entries such as \[\{\"name\".*got an object"),
    (["Karkh Guard"], r"my.json: entry 0: expected an object .* got a string"),
    ([{"aliases": ["Karkh"]}], r"entry 0: field 'name' is missing; every entry needs the actor's canonical name"),
    ([{"name": 7}], r"entry 0: field 'name' is a number; every entry needs"),
    ([{"name": "Karkh Guard", "kind": "armed_group", "aliases": ["KG", " "]}],
     r"entry 0 \('Karkh Guard'\): field 'aliases', item 1 is empty; remove it"),
    ([{"name": "Karkh Guard", "kind": "armed_group", "aliases": ["KG", 3]}],
     r"entry 0 \('Karkh Guard'\): field 'aliases', item 1 is a number 3, not a string"),
    ([{"name": "Karkh Guard", "kind": "armed_group", "aliases": "KG"}],
     r"entry 0 \('Karkh Guard'\): field 'aliases' must be a list of strings, got a string; write \[\"KG\"\]"),
    ([{"name": "Karkh Guard", "kind": "armed_group", "aliases": ["Haras", "haras"]}],
     r"entry 0 \('Karkh Guard'\): field 'aliases' lists 'haras' twice"),
    ([{"name": "Karkh Guard", "kind": "armed_group", "aliases": ["Haras"]},
      {"name": "Karkh Police", "kind": "security_forces", "aliases": ["HARAS"]}],
     r"entry 1 \('Karkh Police'\): field 'aliases': 'HARAS' is also an alias of entry 0 \('Karkh Guard'\) in this file"),
    ([{"name": "Karkh Guard", "kind": "armed_group"}, {"name": "karkh guard", "kind": "armed_group"}],
     r"entry 1 \('karkh guard'\): field 'name' repeats entry 0"),
    ([{"name": "Karkh Guard", "kind": "armed_group"}, {"name": "Karkh Militia", "kind": "armed_group", "aliases": ["PMF"]}],
     rf"entry 1 \('Karkh Militia'\): alias 'PMF' already belongs to '{SHIPPED_PMF}' in actors.json; remove it here, "
     rf"or move it to an entry named '{SHIPPED_PMF}'"),
    ([{"name": "Daesh", "aliases": ["Hashd"]}], rf"entry 0 \('Daesh'\): alias 'Hashd' already belongs to '{SHIPPED_PMF}'"),
    ([{"name": "Karkh Guard", "kind": "armed_group", "alias": ["KG"]}],
     r"entry 0 \('Karkh Guard'\): unknown field\(s\) 'alias' \(did you mean 'aliases'\?\); allowed: aliases, conflict, "
     r"exact_case, exclude, kind, metonyms, name, note"),
    ([{"name": "Karkh Guard", "kind": "armed_group", "aliases": ["kg"]}],
     r"entry 0 \('Karkh Guard'\): field 'aliases': 'kg' has 2 character\(s\) and would match everywhere; use a longer "
     r"alias, or write it in capitals"),
    ([{"name": "Karkh Guard", "kind": "armed_group", "aliases": ["K"]}], r"'K' has 1 character\(s\) and would match everywhere"),
    ([{"name": "Karkh Guard", "aliases": ["Haras"]}],
     r"entry 0 \('Karkh Guard'\): field 'kind' is missing; a new actor needs one of \['armed_group'"),
    ([{"name": "Karkh Guard", "kind": "militia"}], r"entry 0 \('Karkh Guard'\): field 'kind' is 'militia'; use one of armed_group"),
    ([{"name": SHIPPED_PMF, "kind": "party"}], rf"field 'kind' is 'party' but actors.json lists '{SHIPPED_PMF}' as 'armed_group'"),
    ([{"name": "Karkh Guard", "kind": "armed_group", "aliases": ["Washington Post"]}],
     r"entry 0 \('Karkh Guard'\): alias 'Washington Post' is an 'exclude' phrase in actors.json"),
    ([{"name": "Karkh Guard", "kind": "armed_group", "conflict": ["Iraq"]}], r"field 'conflict' holds \['Iraq'\]"),
])
def test_each_mistake_is_named_with_its_entry_and_field(tmp_path, data, message):
    with pytest.raises(ValueError, match=message):
        Gazetteer.from_file(write(tmp_path, data))


def test_invalid_json_and_missing_file_are_named(tmp_path):
    broken = write(tmp_path, '[\n  {"name": "Karkh Guard",\n   "kind": "armed_group"\n  \n]')
    with pytest.raises(ValueError, match=r"my.json: not valid JSON at line 5, column 1: Expecting ',' delimiter; "
                                         r"the file must be a JSON list"):
        Gazetteer.from_file(broken)
    with pytest.raises(ValueError, match=r"nothing.json: no such actors file"):
        Gazetteer.from_file(tmp_path / "nothing.json")


# --- labelling with your own actors --------------------------------------------------------------

ARTICLE = ("Fighting resumed near the river on Monday.\n\n"
           "\u201cThe Sunni Endowment Office has abandoned the displaced families,\u201d said Salim Younis, a teacher.\n")


def test_classify_article_labels_stance_toward_a_user_actor(clf, actors):
    from stance import classify_article

    plain = classify_article(ARTICLE, classifier=clf)
    own = classify_article(ARTICLE, classifier=clf, gazetteer=actors)
    assert [s.target for s in plain[0].stances] == ["Sunnis"]  # the shipped list sees the sect only
    (stance,) = own[0].stances
    assert stance.target == "Sunni Endowment" and stance.stance in ("favor", "against", "none")
    assert set(stance.scores) == {"favor", "against", "none"} and abs(sum(stance.scores.values()) - 1) < 1e-5
    # the model reads the user's alias marked as the target, as it does for shipped actors
    text = own[0].quote.text
    assert mark_target(text, "Sunni Endowment", actors).startswith("The « Sunni Endowment Office » has")
    assert mark_target(text, "Sunni Endowment").startswith("The « Sunni Endowment » Office")  # its words only
    by_hand = clf.predict([own[0].quote.text], ["Sunni Endowment"], gazetteer=actors)[0].stance_scores
    assert by_hand == pytest.approx(stance.scores)
    # an explicit target given by a user alias is canonicalised
    assert [s.target for s in classify_article(ARTICLE, ["Commander Jaber", "Jaber"], classifier=clf,
                                               gazetteer=actors)[0].stances] == ["Hadi Jaber"]
    assert "Sunni Endowment" in own._repr_html_()


def test_label_and_quotes_frames_take_a_gazetteer(clf, actors):
    import pandas as pd

    df = pd.DataFrame({"text": ["Munazzamat Badr must leave the town now.", "The convoy arrived."]})
    table = stance_frames().label_frame(df, classifier=clf, gazetteer=actors)
    assert table["target"].tolist()[0] == "Badr Organisation"
    quotes = stance_frames().quotes_frame(pd.DataFrame({"body": [ARTICLE]}), text="body", classifier=clf,
                                          gazetteer=EXAMPLE)
    assert quotes["target"].tolist() == ["Sunni Endowment"]


def stance_frames():
    from stance import frames

    return frames


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "stance", *args], capture_output=True, text=True, cwd=ROOT,
                          input=stdin, timeout=300)


def test_analyze_with_actors_end_to_end(tiny_model, tmp_path):
    src = write(tmp_path, {"id": "a1", "outlet": "Tigris Observer", "text": ARTICLE}, "in.jsonl")
    res = run("analyze", str(src), "--actors", str(EXAMPLE), "--model", str(tiny_model[0]), "-o", str(tmp_path / "o.csv"))
    assert res.returncode == 0, res.stderr
    import pandas as pd

    rows = pd.read_csv(tmp_path / "o.csv")
    assert rows["target"].tolist() == ["Sunni Endowment"] and rows["stance"].iloc[0] in ("favor", "against", "none")
    assert rows["outlet"].tolist() == ["Tigris Observer"]


def test_a_bad_actors_file_is_one_error_before_any_row(tmp_path):
    bad = write(tmp_path, [{"name": "Karkh Guard", "kind": "armed_group", "aliases": ["KG", ""]}])
    src = write(tmp_path, "not json at all\n", "in.jsonl")  # would be an input error if it were read
    expected = f"stance: error: {bad}: entry 0 ('Karkh Guard'): field 'aliases', item 1 is empty; remove it"
    for cmd in (["analyze", str(src)], ["classify", str(src), "-o", str(tmp_path / "out.jsonl")],
                ["report", str(src), "-o", str(tmp_path / "r.html")]):
        res = run(*cmd, "--actors", str(bad))
        assert res.returncode == 2 and res.stderr.strip() == expected, (cmd, res.stderr)
        assert res.stdout == ""
    assert sorted(tmp_path.iterdir()) == sorted([bad, src])  # no output, no rejects, no journal


def test_the_readme_command_runs_on_the_example_file():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (line,) = [ln for ln in readme.splitlines() if ln.startswith("stance analyze") and "--actors examples/actors.json" in ln]
    args = shlex.split(line.split("#")[0])[1:]
    res = run(*args)
    assert res.returncode == 0, res.stderr
    targets = re.findall(r"stance: (.*)", res.stdout)
    assert any("Sunni Endowment:" in t for t in targets) and any("Hadi Jaber:" in t for t in targets)


# --- batch jobs ----------------------------------------------------------------------------------


def test_batch_job_with_actors_resumes_only_with_the_same_actors(clf, actors, tmp_path):
    rows = [{"id": f"s{i}", "text": t} for i, t in enumerate(
        ["Munazzamat Badr must leave the town now.", "Commander Jaber protects us.", "The convoy arrived."] * 4)]
    src = write(tmp_path, "\n".join(json.dumps(r) for r in rows) + "\n", "in.jsonl")
    out = tmp_path / "out.jsonl"
    opts = lambda g: JobOptions(chunk_size=4, batch_size=4, quiet=True, gazetteer=g)  # noqa: E731

    # stop after the first chunk: the second chunk's labelling fails as a whole job stop would
    calls = []

    def stopping(pending):
        from stance.batch import label_rows

        if calls:
            raise KeyboardInterrupt
        calls.append(1)
        return label_rows(clf, opts(actors), pending)

    with pytest.raises(KeyboardInterrupt):
        BatchJob(clf, src, out, options=opts(actors), labeler=stopping).run()
    assert len(out.read_text().splitlines()) == 4
    with pytest.raises(JobError, match="was started with other actors"):
        BatchJob(clf, src, out, options=JobOptions(chunk_size=4, quiet=True, resume=True)).run()
    summary = BatchJob(clf, src, out, options=JobOptions(chunk_size=4, batch_size=4, quiet=True, resume=True,
                                                          gazetteer=Gazetteer.from_file(EXAMPLE))).run()
    assert summary.read == 12 and summary.written == 12 and summary.resumed_from == 4
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in got] == [r["id"] for r in rows]
    assert [[s["target"] for s in r["stances"]] for r in got] == [["Badr Organisation"], ["Hadi Jaber"], []] * 4


def test_classify_cli_with_actors_and_targets_column(tiny_model, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text('id,text,target\n1,"Munazzamat Badr must leave.",Commander Jaber\n2,"They said Jaber lies.",\n',
                   encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = run("classify", str(src), "-o", str(out), "--actors", str(EXAMPLE), "--model", str(tiny_model[0]), "--quiet")
    assert res.returncode == 0, res.stderr
    assert [r["target"] for r in map(json.loads, out.read_text().splitlines())] == ["Hadi Jaber", "Hadi Jaber"]


def test_options_travel_to_ray_actors_with_the_actors(tiny_model, actors):
    # what Ray does with RayLabeler's arguments: pickle them, build a _Labeler on the worker
    from stance.ray_engine import RayLabeler, _Labeler

    args = pickle.loads(pickle.dumps(RayLabeler(tiny_model[0], "auto", JobOptions(gazetteer=actors), 1, 4).args))
    worker = _Labeler(*args)
    assert worker.opts.gazetteer.digest == actors.digest
    pending = [(0, {"id": "x", "text": TEXT}, TEXT, worker.opts.gazetteer.unique_targets(TEXT))]
    out = worker({"pos": [0], "item": [json.dumps(p) for p in pending]})
    (rec,) = json.loads(out["out"][0])
    assert [s["target"] for s in rec["stances"]] == ["Sunni Endowment", "Badr Organisation", "Hadi Jaber"]


def test_report_highlights_user_actors(tiny_model, tmp_path):
    from stance.report import load_results, table_data

    src = write(tmp_path, {"id": "a1", "text": ARTICLE}, "in.jsonl")
    labels = tmp_path / "labels.jsonl"
    assert run("analyze", str(src), "--actors", str(EXAMPLE), "--model", str(tiny_model[0]), "-o", str(labels)).returncode == 0
    df = load_results([labels])
    marked = lambda g: [m[2] for ms in table_data(df, None, g)["mentions"] for m in ms]  # noqa: E731
    assert marked(None) == ["Sunnis"] and marked(Gazetteer.from_file(EXAMPLE)) == ["Sunni Endowment"]
    res = run("report", str(labels), "-o", str(tmp_path / "r.html"), "--actors", str(EXAMPLE))
    assert res.returncode == 0, res.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert re.search(r'"mentions":\[\[\[\d+,\d+,"Sunni Endowment"\]\]\]', html)
