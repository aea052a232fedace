import json
import subprocess
import sys

from conftest import FIXTURES, ROOT


def run(*args, cwd=None, stdin=None):
    return subprocess.run([sys.executable, "-m", "stance", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, input=stdin, timeout=120)


def test_quotes_on_the_bundled_example():
    res = run("quotes", str(ROOT / "examples" / "article.txt"))
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert rows, "the example article has quotes"
    text = (ROOT / "examples" / "article.txt").read_text(encoding="utf-8")
    for r in rows:
        assert r["article_id"] == "article.txt"
        assert text[r["start"] : r["end"]] == r["text"]
        assert set(r) >= {"text", "speaker", "kind", "cue", "start", "end"}
    speakers = {r["speaker"] for r in rows}
    assert {"Rana Saleh", "Hadi Jaber", "Faris al-Obeidi"} <= speakers


def test_jsonl_input_reports_bad_lines_and_processes_the_rest(tmp_path):
    src = tmp_path / "articles.jsonl"
    good = {"id": "a1", "text": '"We will rebuild every school in the district," the governor said.'}
    lines = [json.dumps(good), "{not json", json.dumps({"id": "a3"}), json.dumps({"text": 'Aid workers said that the road was closed again.'})]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "quotes.jsonl"
    res = run("quotes", str(src), "-o", str(out))
    assert res.returncode == 1  # some input was rejected, and said so
    assert f"{src}:2: invalid JSON" in res.stderr
    assert f"{src}:3: field 'text' is missing" in res.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["article_id"] for r in rows] == ["a1", "articles.jsonl:4"]
    assert rows[0]["speaker"] == "the governor"
    assert rows[1]["kind"] == "indirect"


def test_unreadable_and_undecodable_files_are_named(tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Le ministre a déclaré".encode("latin-1"))
    missing = tmp_path / "nope.txt"
    res = run("quotes", str(bad), str(missing), str(FIXTURES / "articles" / "reported.txt"))
    assert res.returncode == 1
    assert f"{bad}: not valid UTF-8 at byte 15" in res.stderr
    assert f"{missing}: cannot read file" in res.stderr
    assert "Human Rights Watch" in res.stdout  # the good file was still processed
    replaced = run("quotes", "--errors", "replace", str(bad))
    assert replaced.returncode == 0, replaced.stderr


def test_pretty_output_and_no_partial_file_on_usage_error(tmp_path):
    res = run("quotes", "--pretty", str(FIXTURES / "articles" / "split_quote.txt"))
    assert res.returncode == 0
    assert "Leila Mansour: We waited eleven days for this convoy" in res.stdout
    assert run("quotes").returncode == 2  # argparse usage error


def test_version_stdin_and_csv_input_by_extension(tmp_path):
    from stance import __version__

    assert run("--version").stdout.strip() == f"stance {__version__}"
    text = (ROOT / "examples" / "article.txt").read_text(encoding="utf-8")
    from_file = run("quotes", str(ROOT / "examples" / "article.txt"))
    from_stdin = run("quotes", "-", stdin=text)
    assert from_stdin.returncode == 0, from_stdin.stderr
    strip = lambda out: [{k: v for k, v in json.loads(line).items() if k != "article_id"} for line in out.splitlines()]
    assert strip(from_stdin.stdout) == strip(from_file.stdout) and '"article_id": "-"' in from_stdin.stdout
    src = tmp_path / "archive.csv"
    src.write_text('url,outlet,body\nu1,Observer,"' + text.replace('"', '""') + '"\n', encoding="utf-8")
    res = run("quotes", str(src), "--text-column", "body", "--id-column", "url")
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert strip(res.stdout) == [{**r, "outlet": "Observer"} for r in strip(from_file.stdout)]  # input fields pass through
    assert {r["article_id"] for r in rows} == {"u1"}


def test_missing_text_column_is_one_error_naming_the_columns(tmp_path):
    src = tmp_path / "archive.csv"
    src.write_text("url,body\n" + "".join(f'u{i},"He said: ""We will stay."""\n' for i in range(50)), encoding="utf-8")
    for cmd in (["quotes", str(src)], ["classify", str(src), "-o", str(tmp_path / "out.csv")]):
        res = run(*cmd)
        assert res.returncode == 2
        assert res.stderr.strip() == f"stance: error: {src}: no text column 'text' (pass --text-column); the columns are: url, body"
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "out.csv.rejects.jsonl").exists()


def test_duplicate_targets_and_min_confidence(tmp_path):
    text = (ROOT / "examples" / "article.txt").read_text(encoding="utf-8")
    res = run("analyze", "-", "--target", "PMF", "--target", "Hashd al-Shaabi", "--target", "ISIS", stdin=text)
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert all([s["target"] for s in r["stances"]] == ["Popular Mobilisation Forces", "Daesh"] for r in rows)
    strict = run("analyze", "-", "--target", "PMF", "--min-confidence", "0.9", stdin=text)
    strict_rows = [json.loads(line) for line in strict.stdout.splitlines()]
    for r in strict_rows:  # below 0.9 -> uncertain, scores kept; at or above -> the label
        for label, scores in [(r["framing"], r["framing_scores"])] + [(s["stance"], s["scores"]) for s in r["stances"]]:
            top = max(scores, key=scores.get)
            assert label == (top if scores[top] >= 0.9 else "uncertain")
    assert any(s["stance"] == "uncertain" for r in strict_rows for s in r["stances"])
    assert run("analyze", "-", "--min-confidence", "2", stdin=text).returncode == 2
