"""Tidy tables: label_frame / quotes_frame and the CLI's long layout."""
import json
import subprocess
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, ROWS
from stance.frames import LONG_COLUMNS, label_frame, quotes_frame
from stance.model import StanceClassifier

ARTICLE = (ROOT / "examples" / "article.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def clf(tiny_model):
    return StanceClassifier.from_pretrained(tiny_model[0])


def test_label_frame_one_row_per_statement_and_target(clf):
    df = pd.DataFrame({"text": [r[0] for r in ROWS[:3]], "outlet": ["a", "b", "c"],
                       "target": [["PMF", "Hashd", "Daesh"], ROWS[1][1], None]})
    out = label_frame(df, target="target", classifier=clf)
    assert list(out.columns[: len(LONG_COLUMNS)]) == list(LONG_COLUMNS) and "outlet" in out.columns
    # PMF and Hashd are one actor: asked once; a row without a target gets the actors it names (none here)
    from stance.gazetteer import canonical_target

    assert out.groupby("quote_id")["target"].apply(lambda s: [None if pd.isna(x) else x for x in s]).tolist() == [
        ["Popular Mobilisation Forces", "Daesh"], [canonical_target(ROWS[1][1])], [None]]
    assert out["outlet"].tolist() == ["a", "a", "b", "c"]
    scores = out[["p_favor", "p_against", "p_none"]].dropna()
    assert ((scores.sum(axis=1) - 1).abs() < 1e-4).all() and out["model"].str.startswith("model@").all()
    picked = out.dropna(subset=["stance"]).apply(lambda r: max(("favor", "against", "none"), key=lambda k: r["p_" + k]), axis=1)
    assert picked.tolist() == out["stance"].dropna().tolist()
    with pytest.raises(KeyError, match="the columns are: text, outlet, target"):
        label_frame(df, text="body", classifier=clf)


def test_quotes_frame_rows_carry_offsets_and_input_columns(clf):
    df = pd.DataFrame({"url": ["u1"], "outlet": ["Tigris Observer"], "date": ["2024-03-01"], "body": [ARTICLE]})
    out = quotes_frame(df, text="body", id="url", classifier=clf)
    assert set(out["article_id"]) == {"u1"} and "body" not in out.columns
    assert (out["outlet"] == "Tigris Observer").all() and (out["date"] == "2024-03-01").all()
    for r in out.itertuples():
        assert ARTICLE[r.start : r.end] == r.quote
    jaber = out[out["quote"].str.startswith("The PMF are the only force")]
    assert set(jaber["target"]) >= {"Popular Mobilisation Forces", "Daesh"} and set(jaber["speaker"]) == {"Hadi Jaber"}
    bare = quotes_frame(df, text="body", id="url", label=False)
    assert "stance" not in bare.columns and bare["quote_id"].tolist() == sorted(set(out["quote_id"]))


def test_classify_articles_long_parquet_has_real_types(tiny_model, tmp_path):
    src = tmp_path / "articles.jsonl"
    src.write_text(json.dumps({"id": "a1", "outlet": "Observer", "date": "2024-03-01", "text": ARTICLE}) + "\n")
    out = tmp_path / "quotes.parquet"
    res = subprocess.run([sys.executable, "-m", "stance", "classify", str(src), "--articles", "-o", str(out),
                          "--model", str(tiny_model[0]), "--quiet"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert res.returncode == 0, res.stderr
    schema = pq.read_schema(out)
    assert pa.types.is_floating(schema.field("p_against").type) and pa.types.is_integer(schema.field("start").type)
    rows = pq.read_table(out).to_pylist()
    assert {r["outlet"] for r in rows} == {"Observer"} and {r["article_id"] for r in rows} == {"a1"}
    assert all(ARTICLE[r["start"] : r["end"]] == r["quote"] for r in rows)
    assert all(r["paragraph"][r["start"] - r["paragraph_start"] : r["end"] - r["paragraph_start"]] == r["quote"] for r in rows)
    assert not any(isinstance(v, str) and v.startswith(("{", "[")) for r in rows for v in r.values())
