"""Quote extraction and speaker attribution.

Pure Python: paragraphs -> quotation-mark spans -> sentences (with quote interiors masked so
punctuation inside a quote never splits a sentence) -> a small grammar of cues for
attribution and reported speech -> speaker resolution (pronouns and surnames back to the
full name introduced earlier).

Every returned ``Quote`` satisfies ``text[q.start:q.end] == q.text``; the function never
raises on a ``str``, and an unmatched quotation mark never reaches past its paragraph.

The modules follow the flow: ``spans`` (paragraphs, quotation marks, sentences) ->
``cues`` (attribution and reported-speech grammar) -> ``candidates`` (who a cue names) ->
``resolution`` (pronouns, surnames and roles back to full names), run by ``extract``.
"""
from stance.quotes.extract import extract_quotes
from stance.quotes.spans import paragraph_bounds
from stance.types import Quote

__all__ = ["Quote", "extract_quotes", "paragraph_bounds"]
