"""`stance report`: aggregates, a self-contained page, and the page itself in headless Chromium."""
import json
import re
import subprocess
import sys

import pytest

from browser import Browser, chromium
from conftest import ROOT
from stance.report import build_report, framing_share, load_results, stance_matrix


def stance_cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "stance", *args], capture_output=True, text=True, cwd=ROOT,
                          input=stdin, timeout=300)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """The shipped model's labels for the example article, published by three outlets in three
    months (the same quotes, so every count is known), as nested JSONL from `analyze`."""
    tmp = tmp_path_factory.mktemp("report")
    text = (ROOT / "examples" / "article.txt").read_text(encoding="utf-8")
    src = tmp / "articles.jsonl"
    src.write_text("".join(json.dumps({"id": f"a{k}", "outlet": outlet, "date": date, "text": text}) + "\n"
                           for k, (outlet, date) in enumerate([("Observer", "2024-01-03"), ("Courier", "2024-02-10"),
                                                              ("Observer", "2024-03-21")])), encoding="utf-8")
    out = tmp / "labels.jsonl"
    res = stance_cli("analyze", str(src), "-o", str(out), "--quiet")
    assert res.returncode == 0, res.stderr
    return out


def test_aggregates_match_the_results(results):
    rows = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    df = load_results([results])
    assert df["quote_key"].nunique() == len(rows) == 27
    assert len(df) == sum(max(len(r["stances"]), 1) for r in rows)
    quotes = df.drop_duplicates("quote_key")
    shares, totals = framing_share(quotes, "outlet")
    assert totals.to_dict() == {"Observer": 18, "Courier": 9}
    assert ((shares.sum(axis=1) - 1).abs() < 1e-9).all()
    sectarian = sum(r["framing"] == "sectarian" for r in rows if r["outlet"] == "Courier")
    assert shares.loc["Courier"].get("sectarian", 0) == pytest.approx(sectarian / 9)
    counts, speakers, targets = stance_matrix(df)
    expected = sum(1 for r in rows if r["speaker"] == "Hadi Jaber" for s in r["stances"]
                   if s["target"] == "Daesh" and s["stance"] == "against")
    assert counts.loc[("Hadi Jaber", "Daesh"), "against"] == expected and "Hadi Jaber" in speakers


def test_report_is_one_self_contained_file(results, tmp_path):
    out = tmp_path / "report.html"
    res = stance_cli("report", str(results), "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert "27 quote(s)" in res.stderr
    page = out.read_text(encoding="utf-8")
    # nothing fetched: no external script, style, image or font; the only URLs are XML namespaces
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", page)
    assert page.count("<svg") == 3  # framing by speaker, by outlet, by month
    data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
                      .group(1).replace("<\\/", "</"))
    assert len(data["rows"]) == 27
    for r in data["rows"]:  # the quote's span in its paragraph is the quote
        par = data["paragraphs"][r["p"]]
        assert par[r["q"][0]:r["q"][1]].strip()
    articles = tmp_path / "articles.jsonl"
    articles.write_text(json.dumps({"id": "a", "text": "An article, not results."}) + "\n", encoding="utf-8")
    bad = stance_cli("report", str(articles), "-o", str(tmp_path / "x.html"))
    assert bad.returncode == 2 and "not a results file" in bad.stderr and "the columns are: id, text" in bad.stderr
    assert not (tmp_path / "x.html").exists()


def test_long_csv_results_give_the_same_report_data(results, tmp_path):
    from stance.report import table_data

    df = load_results([results])
    long_csv = tmp_path / "labels.csv"
    df.drop(columns=["quote_key"]).to_csv(long_csv, index=False)
    again = load_results([long_csv])
    a, b = table_data(df, "outlet"), table_data(again, "outlet")
    assert [(r["s"], r["f"], r["q"], [t[:2] for t in r["t"]]) for r in a["rows"]] == \
           [(r["s"], r["f"], r["q"], [t[:2] for t in r["t"]]) for r in b["rows"]]


@pytest.mark.skipif(chromium() is None, reason="no chromium: `apt-get install -y chromium` (.ci/run does)")
def test_report_in_headless_chromium(results, tmp_path):
    df = load_results([results])
    many = tmp_path / "many.html"  # 27 quotes x 3 copies: more than one page
    import pandas as pd

    copies = [df.assign(article_id=df["article_id"] + f"-{k}") for k in range(3)]
    big = pd.concat(copies, ignore_index=True)
    big["quote_key"] = big["article_id"] + "\x1f" + big["quote_id"].astype(str)
    many.write_text(build_report(big), encoding="utf-8")
    browser = Browser(chromium())
    try:
        page = browser.open(many.as_uri())
        rows = lambda: page.eval("document.querySelectorAll('#quote-body tr.quote-row').length")
        assert rows() == 25  # one page
        assert page.eval("document.getElementById('count').textContent") == "81 of 81 quotes"
        assert page.eval("document.querySelectorAll('#charts figure svg').length") == 3
        assert page.eval("document.querySelectorAll('#matrix td[title]').length") > 0
        page.eval("document.getElementById('next').click()")
        assert page.eval("document.getElementById('page').textContent") == "page 2 of 4"
        select = "(id, v) => { const s = document.getElementById(id); s.value = v; s.dispatchEvent(new Event('change')); }"
        quotes = big.drop_duplicates("quote_key")
        page.eval(f"({select})('f-speaker', 'Rana Saleh')")
        assert rows() == quotes["speaker"].eq("Rana Saleh").sum() == 18
        assert page.eval("document.getElementById('page').textContent") == "page 1 of 1"
        page.eval(f"({select})('f-speaker', '')")
        rarest = quotes["framing"].value_counts().index[-1]  # whatever the shipped model says
        page.eval(f"({select})('f-label', '{rarest}')")
        assert rows() == min(25, quotes["framing"].eq(rarest).sum()) > 0
        page.eval(f"({select})('f-label', '')")
        page.eval(f"({select})('f-outlet', 'Courier')")
        assert page.eval("document.getElementById('count').textContent") == "27 of 81 quotes"
        # every shown quote is highlighted in its paragraph, with its speaker where the attribution names it
        assert page.eval("document.querySelectorAll('#quote-body mark.q').length") >= rows()
        assert page.eval("document.querySelectorAll('#quote-body mark.s').length") > 0
        assert page.eval("document.querySelectorAll('#quote-body mark.t').length") > 0
        assert page.errors() == []
    finally:
        browser.close()
