"""`stance report`: one self-contained HTML file from the output of `analyze` or `classify`.

Everything is inline (styles, script, the data of the quote table, matplotlib charts as SVG),
so the file opens offline and can be mailed. Aggregates are computed in pandas; the quote table
is rendered by a small script a page at a time, so a report of 100,000 quotes stays usable.
"""
from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from stance.config import FRAMING_LABELS, STANCE_LABELS
from stance.frames import LONG_COLUMNS

FRAMING_COLOURS = {"sectarian": "#c0392b", "counter_sectarian": "#2e86c1", "none": "#b3b6b7"}
STANCE_COLOURS = {"favor": "#1e8449", "against": "#c0392b", "none": "#909497"}
TOP_SPEAKERS = 15
TOP_TARGETS = 10
PAGE_SIZE = 25


# --- reading results -----------------------------------------------------------------------


def _read_table(path: Path) -> pd.DataFrame:
    from stance.tables import read_rows, table_format
    from stance.types import InputError

    fmt = table_format(path)
    if fmt == "parquet":
        return pd.read_parquet(path)
    if fmt == "csv":
        return pd.read_csv(path, dtype={"article_id": str})
    rows = []
    for _, row in read_rows(path, "jsonl"):  # the batch job's reader: one bad line names itself
        if isinstance(row, InputError):
            raise ValueError(str(row))
        rows.append(row)
    return _from_records(rows)


def _from_records(rows: list[dict]) -> pd.DataFrame:
    """Nested JSONL records (analyze; classify, with or without --articles) or long rows -> long rows."""
    out = []
    for k, r in enumerate(rows):
        if "quote" in r and isinstance(r["quote"], dict):  # classify --articles, nested
            q = r["quote"]
            r = {**{c: v for c, v in r.items() if c != "quote"}, **q, "article_id": r.get("id", r.get("row")),
                 "quote_id": f"{r.get('row')}:{q.get('start')}"}
        if "stances" not in r:  # already long
            out.append(r)
            continue
        base = {c: v for c, v in r.items() if c not in ("stances", "framing_scores", "text")}
        base.setdefault("article_id", r.get("id", k))
        base.setdefault("quote_id", k)
        base["quote"] = r.get("text")
        if isinstance(r.get("framing_evidence"), list):
            base["framing_evidence"] = "; ".join(e[0] for e in r["framing_evidence"])
        fs = r.get("framing_scores") or {}
        base.update(p_sectarian=fs.get("sectarian"), p_counter_sectarian=fs.get("counter_sectarian"),
                    p_none_framing=fs.get("none"))
        for s in r["stances"] or [None]:
            ss = (s or {}).get("scores") or {}
            ev = (s or {}).get("evidence")
            out.append({**base, "target": s and s["target"], "stance": s and s["stance"],
                        "p_favor": ss.get("favor"), "p_against": ss.get("against"), "p_none": ss.get("none"),
                        **({"stance_evidence": "; ".join(e[0] for e in ev)} if isinstance(ev, list) else {})})
    return pd.DataFrame(out)


def load_results(paths: Iterable[str | Path]) -> pd.DataFrame:
    """The results of analyze/classify (JSONL, CSV or Parquet; nested or long) as one long
    DataFrame: one row per (quote, target)."""
    frames = []
    for p in paths:
        p = Path(p)
        if not p.is_file():
            raise ValueError(f"{p}: no such results file")
        df = _read_table(p)
        missing = {"quote", "framing"} - set(df.columns)
        if missing:
            raise ValueError(f"{p}: not a results file of `stance analyze` or `stance classify` "
                             f"(no {', '.join(sorted(missing))} column; the columns are: {', '.join(map(str, df.columns))})")
        frames.append(df)
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(LONG_COLUMNS))
    for c in LONG_COLUMNS:
        if c not in df.columns:
            df[c] = None
    df["article_id"] = df["article_id"].astype(str)
    df["quote_key"] = df["article_id"] + "\x1f" + df["quote_id"].astype(str)
    return df


# --- aggregates ------------------------------------------------------------------------------


def _quotes(df: pd.DataFrame) -> pd.DataFrame:
    """One row per quote (framing is per quote, the same on each of its target rows)."""
    return df.drop_duplicates("quote_key")


def framing_share(quotes: pd.DataFrame, by: str, top: int | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """Share of each framing label per group (rows: groups, largest first; columns: labels),
    and the number of quotes in each group."""
    q = quotes[quotes[by].notna() & (quotes[by].astype(str) != "")]
    counts = pd.crosstab(q[by].astype(str), q["framing"].fillna("none"))
    counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False).index]
    if top:
        counts = counts.head(top)
    return counts.div(counts.sum(axis=1), axis=0), counts.sum(axis=1)


def stance_matrix(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Counts of favor / against / none for the most quoted speakers x most named targets."""
    pairs = df[df["target"].notna() & df["speaker"].notna() & df["stance"].isin(STANCE_LABELS)]
    speakers = pairs["speaker"].value_counts().head(TOP_SPEAKERS).index.tolist()
    targets = pairs["target"].value_counts().head(TOP_TARGETS).index.tolist()
    pairs = pairs[pairs["speaker"].isin(speakers) & pairs["target"].isin(targets)]
    counts = pairs.groupby(["speaker", "target", "stance"]).size().unstack(fill_value=0)
    for lab in STANCE_LABELS:
        if lab not in counts.columns:
            counts[lab] = 0
    return counts, speakers, targets


# --- charts ----------------------------------------------------------------------------------


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]


def share_chart(shares: pd.DataFrame, totals: pd.Series, title: str) -> str:
    """A horizontal stacked bar per group: the share of each framing label, n beside it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "stance", "font.size": 9})
    labels = [lab for lab in FRAMING_LABELS if lab in shares.columns] + \
             [c for c in shares.columns if c not in FRAMING_LABELS]
    shares = shares.iloc[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(shares) + 0.9))
    left = pd.Series(0.0, index=shares.index)
    for lab in labels:
        ax.barh(shares.index, shares[lab], left=left, color=FRAMING_COLOURS.get(lab, "#7d3c98"), label=lab, height=0.7)
        left += shares[lab]
    for y, name in enumerate(shares.index):
        ax.text(1.01, y, f"n={int(totals[name])}", va="center", fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_title(title, loc="left", pad=18)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(ncol=len(labels), loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, fontsize=8,
              borderaxespad=0.2)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _svg(fig)


# --- the quote table's data ------------------------------------------------------------------


def _mentions(paragraphs: Sequence[str], gazetteer=None) -> list[list[list]]:
    from stance.gazetteer import as_gazetteer

    g = as_gazetteer(gazetteer)
    return [[[m.start, m.end, m.name] for m in g.find_targets(p)] for p in paragraphs]


def _num(v) -> float | None:
    return round(float(v), 3) if _present(v) else None


def _int(v) -> int | None:
    return int(v) if _present(v) else None


def table_data(df: pd.DataFrame, outlet: str | None, gazetteer=None) -> dict:
    """The quote table as compact arrays: one entry per quote (its targets gathered from its
    rows), paragraphs stored once. Plain loops over records: a groupby per quote is far slower."""
    has_par = "paragraph" in df.columns
    cols = ["quote_key", "article_id", "quote", "speaker", "framing", "start", "speaker_start", "speaker_end",
            "target", "stance", "p_favor", "p_against", "p_none", "p_sectarian", "p_counter_sectarian",
            "p_none_framing"] + [c for c in ("paragraph", "paragraph_start", "framing_evidence", "stance_evidence") if c in df.columns] \
        + ([outlet] if outlet else [])
    paragraphs: dict[str, int] = {}
    rows: dict[str, dict] = {}
    cols = list(dict.fromkeys(cols))
    values = [df[c].tolist() for c in cols]  # column lists: far faster than DataFrame.to_dict on mixed types
    for vals in zip(*values):
        r = dict(zip(cols, vals))
        entry = rows.get(r["quote_key"])
        if entry is None:
            entry = rows[r["quote_key"]] = _table_row(r, has_par, outlet, paragraphs)
        if _present(r["target"]):
            ps = [_num(r[c]) for c in ("p_favor", "p_against", "p_none")]
            entry["t"].append([r["target"], r["stance"] if _present(r["stance"]) else None,
                               max((p for p in ps if p is not None), default=None)])
            entry["ev"] += [w for w in _evidence_words(r.get("stance_evidence")) if w not in entry["ev"]]
    plist = list(paragraphs)
    return {"rows": list(rows.values()), "paragraphs": plist, "mentions": _mentions(plist, gazetteer), "pageSize": PAGE_SIZE}


def _present(v) -> bool:
    return v is not None and v is not pd.NA and not (isinstance(v, float) and v != v)


def _table_row(r: dict, has_par: bool, outlet: str | None, paragraphs: dict[str, int]) -> dict:
    quote = r["quote"] if isinstance(r["quote"], str) else ""
    if has_par and isinstance(r.get("paragraph"), str):
        par, off = r["paragraph"], _int(r.get("paragraph_start")) or 0
    else:
        par, off = quote, None
    start = _int(r["start"])
    if off is not None and start is not None and par[start - off:start - off + len(quote)] == quote:
        qs = start - off
    else:
        qs = max(par.find(quote), 0) if quote else 0
    ss, se = _int(r["speaker_start"]), _int(r["speaker_end"])
    spk = [ss - off, se - off] if off is not None and ss is not None and se is not None and 0 <= ss - off < len(par) else None
    fscores = [s for s in (_num(r[c]) for c in ("p_sectarian", "p_counter_sectarian", "p_none_framing")) if s is not None]
    return {"a": r["article_id"], "s": r["speaker"] if isinstance(r["speaker"], str) else None,
            "o": str(r[outlet]) if outlet and _present(r.get(outlet)) else None,
            "f": r["framing"] if isinstance(r["framing"], str) else None, "fc": max(fscores) if fscores else None,
            "t": [], "p": paragraphs.setdefault(par, len(paragraphs)), "q": [qs, qs + len(quote)], "sp": spk,
            "ev": _evidence_words(r.get("framing_evidence"))}


def _evidence_words(ev) -> list[str]:
    """Evidence (from --explain) as a flat list of words, whatever shape the results file gave it."""
    if ev is None or (isinstance(ev, float) and pd.isna(ev)):
        return []
    if isinstance(ev, str):
        try:
            ev = json.loads(ev)
        except json.JSONDecodeError:
            return [w for w in re.split(r"[;,|]\s*", ev) if w]
    words: list[str] = []
    if isinstance(ev, dict):
        for v in ev.values():
            words += _evidence_words(v)
    elif isinstance(ev, (list, tuple)) or hasattr(ev, "tolist"):
        for v in (ev.tolist() if hasattr(ev, "tolist") else ev):
            if isinstance(v, str):
                words.append(v)
            elif isinstance(v, dict) and isinstance(v.get("word"), str):
                words.append(v["word"])
            else:
                words += _evidence_words(v)
    return list(dict.fromkeys(words))


# --- the page --------------------------------------------------------------------------------


def _matrix_html(df: pd.DataFrame) -> str:
    counts, speakers, targets = stance_matrix(df)
    if not speakers or not targets:
        return "<p class='muted'>No (speaker, target) pairs with a stance label.</p>"
    head = "".join(f"<th>{html.escape(t)}</th>" for t in targets)
    body = []
    for s in speakers:
        cells = []
        for t in targets:
            if (s, t) not in counts.index:
                cells.append("<td class='empty'></td>")
                continue
            c = counts.loc[(s, t)]
            n = int(c.sum())
            fav, ag = c["favor"] / n, c["against"] / n
            # green for favor, red for against, the stronger share sets the hue, the net share the depth
            alpha = 0.15 + 0.75 * abs(fav - ag)
            rgb = "30,132,73" if fav >= ag else "192,57,43"
            title = f"{s} on {t}: favor {int(c['favor'])}, against {int(c['against'])}, none {int(c['none'])}"
            cells.append(f"<td style='background:rgba({rgb},{alpha:.2f})' title='{html.escape(title, quote=True)}'>"
                         f"<b>{int(c['favor'])}</b>/<b>{int(c['against'])}</b>/{int(c['none'])}</td>")
        body.append(f"<tr><th class='row'>{html.escape(s)}</th>{''.join(cells)}</tr>")
    return (f"<table class='matrix' id='matrix'><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(body)}"
            "</tbody></table><p class='muted'>Cells: favor / against / none (pairs). Green: more favor, red: more "
            "against; the deeper the colour, the larger the difference.</p>")


def _totals_html(df: pd.DataFrame, quotes: pd.DataFrame) -> str:
    items = [("articles", quotes["article_id"].nunique()), ("quotes", len(quotes)),
             ("speakers", quotes["speaker"].nunique()), ("targets", df["target"].nunique()),
             ("(quote, target) pairs", int(df["target"].notna().sum()))]
    framing = quotes["framing"].fillna("none").value_counts()
    stance = df.loc[df["target"].notna(), "stance"].value_counts()
    cards = "".join(f"<div class='card'><div class='n'>{n:,}</div><div>{html.escape(k)}</div></div>" for k, n in items)
    fr = ", ".join(f"{html.escape(str(k))} {v:,}" for k, v in framing.items())
    st = ", ".join(f"{html.escape(str(k))} {v:,}" for k, v in stance.items())
    return f"<div class='cards' id='totals'>{cards}</div><p>Framing: {fr}.<br>Stance: {st or 'no targets'}.</p>"


def _month_column(quotes: pd.DataFrame, date: str | None) -> pd.Series | None:
    if not date or date not in quotes.columns:
        return None
    d = pd.to_datetime(quotes[date], errors="coerce", utc=True)
    if d.notna().sum() == 0:
        return None
    return d.dt.strftime("%Y-%m")


def build_report(df: pd.DataFrame, title: str = "stance report", outlet: str | None = "outlet",
                 date: str | None = "date", gazetteer=None) -> str:
    """The report's HTML from a long results frame (`load_results`); gazetteer: the actors whose
    mentions are highlighted (your own with `Gazetteer.from_file`), default the shipped list."""
    outlet = outlet if outlet and outlet in df.columns else None
    quotes = _quotes(df).copy()
    charts = []
    shares, totals = framing_share(quotes, "speaker", TOP_SPEAKERS)
    if len(shares):
        charts.append(("speaker", share_chart(shares, totals, f"Framing by speaker (top {TOP_SPEAKERS})")))
    if outlet:
        shares, totals = framing_share(quotes, outlet, 20)
        if len(shares):
            charts.append(("outlet", share_chart(shares, totals, "Framing by outlet")))
    month = _month_column(quotes, date)
    if month is not None:
        quotes["_month"] = month
        shares, totals = framing_share(quotes, "_month")
        shares, totals = shares.sort_index(ascending=False), totals.sort_index(ascending=False)
        charts.append(("month", share_chart(shares, totals, "Framing by month")))
    chart_html = "".join(f"<figure class='chart' data-chart='{k}'>{svg}</figure>" for k, svg in charts)
    data = json.dumps(table_data(df, outlet, gazetteer), ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return _PAGE.format(title=html.escape(title), css=_CSS, totals=_totals_html(df, quotes), charts=chart_html,
                        matrix=_matrix_html(df), data=data, script=_SCRIPT,
                        outlet_filter="" if not outlet else "<label>Outlet <select id='f-outlet'></select></label>")


def write_report(results: Sequence[str | Path], output: str | Path, **kw) -> int:
    """Read results files, write the report; returns the number of quotes in it."""
    import os
    import tempfile

    df = load_results(results)
    page = build_report(df, **kw)
    output = Path(output)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent or Path("."))
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(page)
    os.chmod(tmp, 0o644)
    os.replace(tmp, output)
    return int(df["quote_key"].nunique())


_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#222}
h1{font-size:22px;margin:8px 0}h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.muted{color:#777;font-size:12px}.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:110px}.card .n{font-size:22px;font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:12px}.chart{margin:0}.chart svg{max-width:100%;height:auto}
table.matrix{border-collapse:collapse;font-size:12px}table.matrix td,table.matrix th{border:1px solid #e5e5e5;padding:3px 6px;text-align:center}
table.matrix th.row{text-align:right;font-weight:500}table.matrix thead th{max-width:90px;font-weight:500}
.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin:8px 0}.filters select,.filters input{font-size:13px;max-width:220px}
"""

# the quote view, shared by the report and the notebook view (`_repr_html_`)
_VIEW_CSS = """
table.quotes{border-collapse:collapse;width:100%}table.quotes td{border-top:1px solid #eee;padding:6px 4px;vertical-align:top}
table.quotes td.ctx{line-height:1.9}.who{font-weight:600;white-space:nowrap}
mark{padding:1px 2px;border-radius:3px}mark.q{background:#fdf2d0}mark.s{background:#d6eaf8;box-shadow:inset 0 -2px #2e86c1}
mark.t{background:#e8daef;box-shadow:inset 0 -2px #7d3c98}mark.q.t{background:#e8daef}mark.ev{outline:2px solid #e67e22}
.tag{font-size:9px;text-transform:uppercase;font-weight:700;margin-left:3px;color:#555;vertical-align:1px}
.badge{display:inline-block;border-radius:10px;padding:0 8px;margin:1px 2px;font-size:12px;color:#fff;white-space:nowrap}
.b-sectarian{background:#c0392b}.b-counter_sectarian{background:#2e86c1}.b-none{background:#909497}
.b-favor{background:#1e8449}.b-against{background:#c0392b}.b-uncertain,.b-unsupported{background:#ca6f1e}
"""

_CSS += _VIEW_CSS + """
.pager{margin:10px 0;display:flex;gap:8px;align-items:center}
"""

def _marked(par: str, marks: list[tuple[int, int, str]]) -> str:
    """The paragraph as HTML, each piece wrapped in <mark> with the classes of the spans over it
    (the report's script does the same in the browser)."""
    cuts = sorted({0, len(par), *(max(0, a) for a, _, _ in marks), *(min(len(par), b) for _, b, _ in marks)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        if a >= b:
            continue
        cls = list(dict.fromkeys(c for s, e, c in marks if s <= a and e >= b))
        piece = html.escape(par[a:b])
        if cls:
            tag = "speaker" if any(c == "s" and e == b for _, e, c in marks) and "s" in cls else \
                  "target" if any(c == "t" and e == b for _, e, c in marks) and "t" in cls else ""
            piece = f"<mark class='{' '.join(cls)}'>{piece}</mark>" + (f"<span class='tag'>{tag}</span>" if tag else "")
        out.append(piece)
    return "".join(out)


def _word_marks(par: str, start: int, end: int, words: Iterable[str]) -> list[tuple[int, int, str]]:
    marks = []
    for w in dict.fromkeys(words):
        for m in re.finditer(r"(?<!\w)" + re.escape(w) + r"(?!\w)", par[start:end], re.IGNORECASE):
            marks.append((start + m.start(), start + m.end(), "ev"))
    return marks


def _badge(label: str | None, p: float | None) -> str:
    if not label:
        return ""
    return f"<span class='badge b-{html.escape(label)}'>{html.escape(label)}{f' {p:.2f}' if p is not None else ''}</span>"


def notebook_html(items, text: str | None = None, gazetteer=None) -> str:
    """The report's highlighted view of LabelledQuotes (with their article's text) or
    Predictions, as static HTML for a notebook; gazetteer: the actors whose mentions are marked."""
    from stance.frames import paragraph_span
    from stance.gazetteer import find_targets
    from stance.types import LabelledQuote

    rows = []
    for it in items:
        if isinstance(it, LabelledQuote):
            q = it.quote
            a, b = paragraph_span(text, q.start, q.end) if text else (q.start, q.end)
            par = text[a:b] if text else q.text
            marks = [(q.start - a, q.end - a, "q")]
            if q.speaker_start is not None and a <= q.speaker_start < b:
                marks.append((q.speaker_start - a, q.speaker_end - a, "s"))
            words = [w for w, _ in it.framing_evidence or ()] + [w for s in it.stances for w, _ in s.evidence or ()]
            marks += _word_marks(par, q.start - a, q.end - a, words)
            who = q.speaker or "(unknown)"
            labels = _badge(it.framing, max(it.framing_scores.values(), default=None)) + "<br>" + "".join(
                f"<div>{html.escape(s.target)}: {_badge(s.stance, max(s.scores.values(), default=None))}</div>"
                for s in it.stances)
        else:  # a Prediction
            par = it.text
            marks = [(0, len(par), "q")]
            ev = it.evidence or {}
            words = [w for w, _ in (ev.get("framing") or {}).get(it.framing, [])] + \
                    [w for w, _ in (ev.get("stance") or {}).get(it.stance, [])]
            marks += _word_marks(par, 0, len(par), words)
            who = ""
            labels = _badge(it.framing, max(it.framing_scores.values(), default=None)) + (
                f"<div>{html.escape(it.target)}: {_badge(it.stance, max(it.stance_scores.values(), default=None))}</div>"
                if it.target and it.stance_scores else "")
        marks += [(m.start, m.end, "t") for m in find_targets(par, gazetteer)]
        rows.append(f"<tr class='quote-row'><td class='who'>{html.escape(who)}</td><td class='ctx'>{_marked(par, marks)}"
                    f"</td><td>{labels}</td></tr>")
    css = re.sub(r"(^|})\s*([^{}]+){", lambda m: m.group(1) + ",".join(".stance-view " + sel.strip()
                 for sel in m.group(2).split(",")) + "{", _VIEW_CSS.strip())
    return f"<div class='stance-view'><style>{css}</style><table class='quotes'>{''.join(rows)}</table></div>"


_SCRIPT = r"""
(function(){
const D=JSON.parse(document.getElementById('report-data').textContent);
const rows=D.rows, pars=D.paragraphs, ments=D.mentions, N=D.pageSize;
const $=id=>document.getElementById(id);
const esc=s=>s.replace(/[&<>"']/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
function fill(sel,vals){if(!sel)return;const o=['<option value="">all</option>'];
  [...new Set(vals)].filter(v=>v!=null&&v!=='').sort().forEach(v=>o.push('<option>'+esc(String(v))+'</option>'));sel.innerHTML=o.join('');}
fill($('f-speaker'),rows.map(r=>r.s));fill($('f-target'),rows.flatMap(r=>r.t.map(t=>t[0])));
fill($('f-label'),rows.flatMap(r=>[r.f].concat(r.t.map(t=>t[1]))));fill($('f-outlet'),rows.map(r=>r.o));
let view=rows.map((_,i)=>i), page=0;
function conf(r){const s=r.t.map(t=>t[2]).filter(x=>x!=null);return $('f-sort').value.startsWith('s')?(s.length?Math.max(...s):-1):(r.fc==null?-1:r.fc);}
function apply(){
  const sp=$('f-speaker').value, tg=$('f-target').value, lb=$('f-label').value, ou=$('f-outlet')?$('f-outlet').value:'';
  const q=$('f-search').value.toLowerCase();
  view=[];rows.forEach((r,i)=>{
    if(sp&&r.s!==sp)return; if(ou&&r.o!==ou)return;
    if(tg&&!r.t.some(t=>t[0]===tg))return;
    if(lb&&r.f!==lb&&!r.t.some(t=>t[1]===lb&&(!tg||t[0]===tg)))return;
    if(q&&!pars[r.p].toLowerCase().includes(q)&&!(r.s||'').toLowerCase().includes(q))return;
    view.push(i);});
  const dir=$('f-sort').value.endsWith('asc')?1:-1;
  if($('f-sort').value!=='order')view.sort((a,b)=>dir*(conf(rows[a])-conf(rows[b])));
  page=0;render();}
function spans(r){
  const P=pars[r.p], marks=[[r.q[0],r.q[1],'q']];
  if(r.sp)marks.push([r.sp[0],r.sp[1],'s']);
  (ments[r.p]||[]).forEach(m=>marks.push([m[0],m[1],'t']));
  const quote=P.slice(r.q[0],r.q[1]), low=quote.toLowerCase();
  (r.ev||[]).forEach(w=>{const lw=w.toLowerCase();if(!lw.trim())return;let k=low.indexOf(lw);
    while(k>=0){const a=k,b=k+lw.length;const okA=a===0||!/\w/.test(low[a-1]),okB=b>=low.length||!/\w/.test(low[b]);
      if(okA&&okB)marks.push([r.q[0]+a,r.q[0]+b,'ev']);k=low.indexOf(lw,k+1);}});
  const cut=new Set([0,P.length]);marks.forEach(m=>{cut.add(Math.max(0,m[0]));cut.add(Math.min(P.length,m[1]));});
  const pts=[...cut].sort((a,b)=>a-b);let out='';
  for(let i=0;i+1<pts.length;i++){const a=pts[i],b=pts[i+1];if(a>=b)continue;
    const cls=[...new Set(marks.filter(m=>m[0]<=a&&m[1]>=b).map(m=>m[2]))];
    let piece=esc(P.slice(a,b));
    if(cls.length){const tag=cls.includes('s')&&marks.some(m=>m[2]==='s'&&m[1]===b)?'<span class="tag">speaker</span>':
      (cls.includes('t')&&marks.some(m=>m[2]==='t'&&m[1]===b)?'<span class="tag">target</span>':'');
      piece='<mark class="'+cls.join(' ')+'">'+piece+'</mark>'+tag;}
    out+=piece;}
  return out;}
function badge(l,p){return l?'<span class="badge b-'+esc(l)+'">'+esc(l)+(p!=null?' '+p.toFixed(2):'')+'</span>':'';}
function render(){
  const body=[], from=page*N, to=Math.min(view.length,from+N);
  for(let k=from;k<to;k++){const r=rows[view[k]];
    body.push('<tr class="quote-row"><td class="who">'+esc(r.s||'(unknown)')+'<div class="muted">'+esc(r.a)+(r.o?' · '+esc(r.o):'')+'</div></td>'+
      '<td class="ctx">'+spans(r)+'</td><td>'+badge(r.f,r.fc)+'<br>'+r.t.map(t=>'<div>'+esc(t[0])+': '+badge(t[1],t[2])+'</div>').join('')+'</td></tr>');}
  $('quote-body').innerHTML=body.join('');
  $('count').textContent=view.length+' of '+rows.length+' quotes';
  const pages=Math.max(1,Math.ceil(view.length/N));
  $('page').textContent='page '+(page+1)+' of '+pages;
  $('prev').disabled=page===0;$('next').disabled=page>=pages-1;}
['f-speaker','f-target','f-label','f-outlet','f-sort'].forEach(id=>{if($(id))$(id).addEventListener('change',apply);});
$('f-search').addEventListener('input',apply);
$('prev').addEventListener('click',()=>{if(page>0){page--;render();}});
$('next').addEventListener('click',()=>{if((page+1)*N<view.length){page++;render();}});
apply();
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{title}</title><style>{css}</style></head><body>
<h1>{title}</h1>
<h2>Totals</h2>{totals}
<h2>Sectarian framing</h2><div class="charts" id="charts">{charts}</div>
<h2>Who is for and against whom</h2>{matrix}
<h2>Quotes</h2>
<div class="filters">
<label>Speaker <select id="f-speaker"></select></label>
<label>Target <select id="f-target"></select></label>
<label>Label <select id="f-label"></select></label>
{outlet_filter}
<label>Search <input id="f-search" type="search" placeholder="words in the paragraph"></label>
<label>Sort <select id="f-sort"><option value="order">article order</option>
<option value="f-desc">framing confidence, high first</option><option value="f-asc">framing confidence, low first</option>
<option value="s-desc">stance confidence, high first</option><option value="s-asc">stance confidence, low first</option></select></label>
</div>
<p class="muted"><mark class="q">quote</mark> <mark class="s">speaker</mark> <mark class="t">target</mark>
<mark class="q ev">evidence word</mark> · <span id="count"></span></p>
<table class="quotes"><tbody id="quote-body"></tbody></table>
<div class="pager"><button id="prev">&larr; previous</button><span id="page"></span><button id="next">next &rarr;</button></div>
<script type="application/json" id="report-data">{data}</script>
<script>{script}</script>
</body></html>
"""
