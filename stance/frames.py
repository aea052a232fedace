"""Tidy tables: one row per (quote, target) with flat label columns, for pandas and the CLI's
long layout.

`long_rows` turns one labelled quote into flat records (the CLI writes them to CSV, Parquet
or JSONL); `label_frame` and `quotes_frame` run the model over a DataFrame of statements or
articles and return those records as a DataFrame, with the input's own columns alongside.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from stance.quotes import paragraph_bounds
from stance.types import LabelledQuote, Prediction, Quote

if TYPE_CHECKING:
    import pandas as pd

    from stance.gazetteer import GazetteerLike

    from stance.model import StanceClassifier

# The flat label columns, in order; `quote_frame`/`label_frame` add the input's columns after them.
LONG_COLUMNS = (
    "article_id", "quote_id", "quote", "speaker", "speaker_type", "speaker_confidence", "kind", "cue",
    "start", "end", "speaker_start", "speaker_end", "target", "stance", "p_favor", "p_against", "p_none",
    "framing", "p_sectarian", "p_counter_sectarian", "p_none_framing", "model", "language",
)
LAYOUTS = ("long", "nested")


def default_layout(fmt: str) -> str:
    """Spreadsheet-like formats get the tidy long layout; JSONL keeps one nested record per item."""
    return "nested" if fmt == "jsonl" else "long"


def paragraph_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The blank-line-delimited paragraph holding text[start:end] (any line-break convention)."""
    return paragraph_bounds(text, start, end)


def paragraph_columns(text: str, q: Quote) -> dict:
    """The quote's paragraph and where it starts, so a report can show the quote in context."""
    a, b = paragraph_span(text, q.start, q.end)
    return {"paragraph_start": a, "paragraph": text[a:b]}


def _label_columns(stance: str | None, stance_scores: dict | None, framing: str | None,
                   framing_scores: dict | None) -> dict:
    ss, fs = stance_scores or {}, framing_scores or {}
    return {"stance": stance, "p_favor": ss.get("favor"), "p_against": ss.get("against"), "p_none": ss.get("none"),
            "framing": framing, "p_sectarian": fs.get("sectarian"),
            "p_counter_sectarian": fs.get("counter_sectarian"), "p_none_framing": fs.get("none")}


def quote_columns(q: Quote, article_id, quote_id) -> dict:
    return {"article_id": article_id, "quote_id": quote_id, "quote": q.text, "speaker": q.speaker,
            # added to Quote by the speaker-typing work; None until a Quote carries them
            "speaker_type": getattr(q, "speaker_type", None),
            "speaker_confidence": getattr(q, "speaker_confidence", None),
            "kind": q.kind, "cue": q.cue, "start": q.start, "end": q.end,
            "speaker_start": q.speaker_start, "speaker_end": q.speaker_end}


def long_rows(lq: LabelledQuote, article_id, quote_id, model: str | None = None,
              extra: dict | None = None) -> list[dict]:
    """One flat record per target of the quote (one with target None when it has none);
    `extra` (the input row's own fields, paragraph...) is appended to each."""
    base = quote_columns(lq.quote, article_id, quote_id)
    rows = []
    for s in lq.stances or (None,):
        row = {**base, "target": s.target if s else None,
               **_label_columns(s.stance if s else None, s.scores if s else None, lq.framing, lq.framing_scores),
               "model": model, "language": lq.language}
        if lq.framing_evidence is not None:  # explain=True: the words, strongest first, flat text
            row["framing_evidence"] = evidence_text(lq.framing_evidence)
            row["stance_evidence"] = evidence_text(s.evidence) if s else None
        rows.append(_with_extra(row, extra))
    return rows


def evidence_text(evidence) -> str | None:
    """Evidence words as one flat cell: "slaughtering; Sunni"."""
    return None if evidence is None else "; ".join(w for w, _ in evidence)


def _with_extra(row: dict, extra: dict | None) -> dict:
    # the input's own fields follow the label columns; a field named like one of them is dropped
    # (the label column holds the same thing, normalised: a canonical target, the found speaker)
    if extra:
        row.update((k, v) for k, v in extra.items() if k not in row)
    return row


def statement_rows(preds: Sequence[Prediction], article_id, quote_id, speaker=None, model: str | None = None,
                   extra: dict | None = None) -> list[dict]:
    """Long records for one statement (not an article quote): one per target prediction."""
    rows = []
    for p in preds:
        row = {"article_id": article_id, "quote_id": quote_id, "quote": p.text, "speaker": speaker,
               "speaker_type": None, "speaker_confidence": None, "kind": None, "cue": None, "start": None, "end": None,
               "speaker_start": None, "speaker_end": None, "target": p.target,
               **_label_columns(p.stance, p.stance_scores, p.framing, p.framing_scores), "model": model,
               "language": p.language}
        if p.evidence is not None:
            row["framing_evidence"] = evidence_text(p.evidence["framing"].get(p.framing, []))
            row["stance_evidence"] = evidence_text((p.evidence["stance"] or {}).get(p.stance, [])) if p.target else None
        rows.append(_with_extra(row, extra))
    return rows


def _frame(rows: list[dict], df: pd.DataFrame, drop: Sequence[str] = ()) -> pd.DataFrame:
    import pandas as pd

    out = pd.DataFrame(rows, columns=list(dict.fromkeys([*LONG_COLUMNS, *(k for r in rows[:1] for k in r)])))
    return out.drop(columns=[c for c in drop if c in out.columns])


def _row_targets(df: pd.DataFrame, target: str | None, targets: Sequence[str] | str | None, gazetteer):
    """Per row: the explicit targets (a column of strings or lists, or one list for all), or None."""
    canonical_target = gazetteer.canonical_target

    if target is not None and targets is not None:
        raise ValueError("give either target= (a column) or targets= (the same targets for every row), not both")
    if isinstance(targets, str):
        targets = [targets]
    if targets is not None:
        fixed = list(dict.fromkeys(canonical_target(t) for t in targets))
        return [fixed] * len(df)
    if target is None:
        return [None] * len(df)
    _require(df, target, "target")
    out = []
    for i, v in enumerate(df[target].tolist()):
        if v is None or (isinstance(v, float) and v != v) or v == "":
            out.append(None)
            continue
        vals = [v] if isinstance(v, str) else list(v)
        if not all(isinstance(t, str) and t.strip() for t in vals):
            raise ValueError(f"row {i} (index {df.index[i]!r}): column {target!r} must hold a string or a list of strings, got {v!r}")
        out.append(list(dict.fromkeys(canonical_target(t) for t in vals)))
    return out


def _require(df, column: str, what: str) -> None:
    if column not in df.columns:
        raise KeyError(f"no {what} column {column!r}; the columns are: {', '.join(map(str, df.columns))}")


def label_frame(df: pd.DataFrame, text: str = "text", target: str | None = None,
                targets: Sequence[str] | str | None = None, id: str | None = None, speaker: str | None = None,
                classifier: StanceClassifier | None = None, batch_size: int | None = None,
                gazetteer: GazetteerLike = None) -> pd.DataFrame:
    """Label a table of statements: one row per (statement, target) with the flat label columns
    and every column of `df`.

    target: a column holding each row's target (a string or a list); targets: the same targets
    for every row; neither: the actors each statement names (`unique_targets`). id: the column
    used as article_id (default: the DataFrame's index); speaker: a column of speakers.
    gazetteer: your own actors (`Gazetteer.from_file("my.json")`, or the path), found and
    canonicalised along with the shipped ones.
    """
    from stance.article import default_classifier
    from stance.gazetteer import as_gazetteer

    g = as_gazetteer(gazetteer)

    _require(df, text, "text")
    if id is not None:
        _require(df, id, "id")
    if speaker is not None:
        _require(df, speaker, "speaker")
    clf = classifier or default_classifier()
    texts = df[text].tolist()
    for i, t in enumerate(texts):
        if not isinstance(t, str) or not t.strip():
            raise ValueError(f"row {i} (index {df.index[i]!r}): column {text!r} is empty or not a string: {t!r}")
    per_row = [ts if ts is not None else g.unique_targets(t) for ts, t in zip(_row_targets(df, target, targets, g), texts)]
    kw = {"batch_size": batch_size} if batch_size else {}
    speakers = df[speaker].tolist() if speaker is not None else [None] * len(df)
    labelled = clf.predict_targets(texts, per_row, gazetteer=g, speakers=[s if isinstance(s, str) else None for s in speakers],
                                   **kw)
    ids = df[id].tolist() if id is not None else df.index.tolist()
    records = df.to_dict("records")
    rows = []
    for k, preds in enumerate(labelled):
        rows += statement_rows(preds, ids[k], k, speakers[k], model_name(clf), records[k])
    return _frame(rows, df)


def quotes_frame(df: pd.DataFrame, text: str = "text", id: str | None = None, target: str | None = None,
                 targets: Sequence[str] | str | None = None, classifier: StanceClassifier | None = None,
                 label: bool = True, keep_text: bool = False, gazetteer: GazetteerLike = None) -> pd.DataFrame:
    """Extract and label the quotes of a table of articles: one row per (quote, target) with the
    flat label columns and the article's other columns (its text only with keep_text=True).

    id: the column used as article_id (default: the DataFrame's index); target / targets as in
    `label_frame` (neither: the actors each quote and its paragraph name). label=False gives the
    quotes and speakers alone, without loading the model. gazetteer: as in `label_frame`.
    """
    from stance.gazetteer import as_gazetteer
    from stance.quotes import extract_quotes

    g = as_gazetteer(gazetteer)

    _require(df, text, "text")
    if id is not None:
        _require(df, id, "id")
    ids = df[id].tolist() if id is not None else df.index.tolist()
    per_row = _row_targets(df, target, targets, g)
    records = df.to_dict("records")
    rows: list[dict] = []
    if label:
        from stance.article import classify_article, default_classifier

        clf = classifier or default_classifier()
    for k, body in enumerate(df[text].tolist()):
        if not isinstance(body, str):
            raise ValueError(f"row {k} (index {df.index[k]!r}): column {text!r} is not a string: {body!r}")
        extra = {c: v for c, v in records[k].items() if keep_text or c != text}
        if not label:
            for j, q in enumerate(extract_quotes(body)):
                rows.append(_with_extra(quote_columns(q, ids[k], j), extra))
            continue
        for j, lq in enumerate(classify_article(body, per_row[k], classifier=clf, gazetteer=g)):
            rows += long_rows(lq, ids[k], j, model_name(clf), extra)
    out = _frame(rows, df)
    if not label:
        out = out.drop(columns=[c for c in LONG_COLUMNS[12:] if c in out.columns])  # target ... language
    return out


def model_name(clf) -> str | None:
    """The model folder's name and the start of its manifest digest (name@digest), which tells
    apart two folders of the same name."""
    name, digest = getattr(clf, "name", None), getattr(clf, "digest", None)
    return f"{name}@{digest[:16]}" if name and digest else name
