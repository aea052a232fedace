"""The learned speaker ranker: its model file, and what it changes in extract_quotes."""
from __future__ import annotations

import copy
import json
import math
from importlib import resources

import pytest

from stance import extract_quotes
from stance.quotes import ranker
from stance.quotes.extract import rule_quotes
from stance.quotes.ranker import FEATURES, ModelError, load_model, model_from_dict


@pytest.fixture(scope="module")
def shipped() -> dict:
    return json.loads((resources.files("stance") / "resources" / "speaker_ranker.json").read_text(encoding="utf-8"))


# --- the model file ------------------------------------------------------------------------------

def test_shipped_model_loads_and_matches_the_code(shipped):
    model = load_model()
    assert model.features == FEATURES == tuple(shipped["features"])
    assert len(model.coefficients) == len(FEATURES)
    assert all(math.isfinite(x) for x in model.coefficients)
    assert model.scoring in ("logistic", "softmax")
    assert any(model.coefficients)  # trained, not a placeholder
    # a small data file: no pickle, nothing but numbers and names
    raw = (resources.files("stance") / "resources" / "speaker_ranker.json").read_bytes()
    assert len(raw) < 20_000 and raw.lstrip().startswith(b"{")
    # the rules' confident choice, a speech-verb subject in the quote's sentence, is worth more
    # than being far away in an earlier paragraph
    w = dict(zip(model.features, model.coefficients))
    assert w["is_rule"] + w["is_rule_conf_high"] > 0 > w["paragraph_distance_2plus"]


@pytest.mark.parametrize("change, message", [
    (lambda d: d["features"].__setitem__(0, "is_the_rule"), r"missing \['is_rule'\], unknown \['is_the_rule'\]"),
    (lambda d: d["features"].append("extra"), r"unknown \['extra'\]"),
    (lambda d: d["features"].reverse(), "in another order"),
    (lambda d: d["coefficients"].pop(), "coefficients"),
    (lambda d: d["coefficients"].__setitem__(3, float("nan")), "finite"),
    (lambda d: d.__setitem__("version", 99), "version"),
    (lambda d: d.__setitem__("scoring", "forest"), "scoring"),
])
def test_a_model_that_does_not_fit_the_code_is_a_clear_error(shipped, change, message):
    data = copy.deepcopy(shipped)
    change(data)
    with pytest.raises(ModelError, match=message):
        model_from_dict(data)
    assert model_from_dict(copy.deepcopy(shipped)).features == FEATURES  # the unchanged file is fine


def test_a_feature_mismatch_names_the_retraining_command(shipped):
    data = copy.deepcopy(shipped)
    data["features"][-1] = "renamed"
    with pytest.raises(ModelError, match="python -m training.speaker_ranker"):
        model_from_dict(data)


def test_invalid_json_is_a_model_error(tmp_path):
    bad = tmp_path / "ranker.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="invalid JSON"):
        load_model(bad)


def test_a_broken_shipped_model_falls_back_to_the_rules(monkeypatch):
    def broken(path=None):
        raise ModelError("speaker ranker model: broken for the test")

    monkeypatch.setattr(ranker, "_MODEL", None)
    monkeypatch.setattr(ranker, "_MODEL_FAILED", False)
    monkeypatch.setattr(ranker, "load_model", broken)
    with pytest.warns(RuntimeWarning, match="speaker ranker disabled"):
        quotes = extract_quotes(ARTICLE)
    assert [q.speaker for q in quotes] == [q.speaker for q in rule_quotes(ARTICLE)]


# --- what it changes --------------------------------------------------------------------------------

# Invented for this test. In the second paragraph, the rules resolve `she` to the latest
# speaker, the man quoted before; the paragraph opens with the woman who says it, the subject
# of a speech verb in the sentence before the quote.
ARTICLE = (
    'The council voted on Tuesday to close the old ferry landing at Harwick Point. '
    '"We cannot keep paying for a pier that nobody uses," said Tomas Brenner, the council treasurer.\n\n'
    'Anna Novak, who has run the landing cafe for thirty years, told the meeting what she tells every visitor. '
    '"Every summer they promise a new boat and every winter they take something else away from us," she added.\n\n'
    'The council will meet again in March.\n'
)


def test_the_ranker_picks_the_person_the_rules_missed():
    rules = {q.text[:20]: q for q in rule_quotes(ARTICLE)}
    ranked = {q.text[:20]: q for q in extract_quotes(ARTICLE)}
    key = "Every summer they pr"
    assert rules[key].speaker == "Tomas Brenner"  # the rules alone get it wrong ...
    q = ranked[key]
    assert (q.speaker, q.speaker_type) == ("Anna Novak", "person")  # ... the ranker right
    assert ARTICLE[q.speaker_start : q.speaker_end] == "Anna Novak"
    assert 0 < q.speaker_confidence <= 1
    # the quote the rules attribute with a cue keeps its speaker
    assert ranked["We cannot keep payin"].speaker == rules["We cannot keep payin"].speaker == "Tomas Brenner"


def test_ranked_speakers_are_names_of_the_article_never_fragments():
    for q in extract_quotes(ARTICLE):
        assert q.speaker is None or q.speaker in ARTICLE
        if q.speaker and q.speaker_start is not None:
            assert q.speaker_start < q.speaker_end
    assert extract_quotes("") == [] and extract_quotes('"') == []


def test_without_a_model_the_ranker_changes_nothing():
    from stance.quotes import extract as ex

    quotes = rule_quotes(ARTICLE)
    assert ranker.rerank(None, [], quotes, None) is quotes
    assert [q.speaker for q in ex.rule_candidates(ARTICLE)[0]] == [q.speaker for q in quotes]


def test_pronoun_cues_agree_in_gender_with_the_candidates():
    from stance.quotes.extract import rule_candidates

    text = ("Helen Brandvold, the harbour chief, met Peter Wilk on Monday.\n\n"
            "\"The pier will be finished by spring,\" she said.")
    quotes, cands = rule_candidates(text)
    values = {c.name: c.values for c in cands[0]}
    assert values["Helen Brandvold"].get("pronoun_gender_agrees") == 1.0
    assert values["Peter Wilk"].get("pronoun_gender_clashes") == 1.0
    assert "pronoun_gender_agrees" not in values[None] and "pronoun_gender_clashes" not in values[None]


def test_a_neighbours_fragment_speaker_is_no_candidate():
    from stance.quotes import ranker as rk
    from stance.quotes.extract import _extract

    text = ("The documents released by the archive showed the plan. \"The port was never safe,\" "
            "the documents released by the archive said.\n\n\"Nobody checked the cranes,\" the harbour pilot said.")
    quotes, art, paragraphs = _extract(text)
    ctx = rk._Context(art, paragraphs, quotes)
    names = [c.name for c in rk.candidates(ctx, len(quotes) - 1)]
    assert not any(n and "released" in n for n in names)
