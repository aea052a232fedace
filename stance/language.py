"""Language guard: the model reads English only, so other statements are marked, not labelled.

A script check finds statements written mostly in a non-Latin script (Arabic, Persian, Urdu,
Kurdish in Arabic letters, Hebrew, Cyrillic...); among Latin-script statements, common function
words tell French, Spanish, German, Italian, Portuguese, Dutch and Turkish from English. A
statement the guard cannot place is treated as English (the model's labels stand).
"""
from __future__ import annotations

import re
import unicodedata

UNSUPPORTED = "unsupported"

_SCRIPTS = (("ARABIC", "ar"), ("HEBREW", "he"), ("CYRILLIC", "ru"), ("SYRIAC", "syr"), ("ARMENIAN", "hy"),
            ("DEVANAGARI", "hi"), ("CJK", "zh"), ("HANGUL", "ko"), ("HIRAGANA", "ja"), ("KATAKANA", "ja"),
            ("GREEK", "el"), ("THAI", "th"))
_FUNCTION_WORDS = {
    "en": "the of and to in is that for it was on with as by are be this have from not they his which said".split(),
    "fr": "le la les des est une dans pour qui que pas sur avec sont nous il elle mais ont cette au aux du".split(),
    "es": "el los las del es una por con para que se su al pero como más fue han sus este esta".split(),
    "de": "der die das und ist nicht ein eine mit den dem sich auf für von zu wir sind auch nach".split(),
    "it": "il della che di è non per una sono con del gli le dei nel alla ma anche".split(),
    "pt": "o os da do das dos não uma com para que é em por se mais foi são".split(),
    "nl": "de het een van en is niet dat op te zijn met voor ook maar".split(),
    "tr": "ve bir bu için da de ile çok olarak gibi daha ama değil".split(),
}
_WORDS = {lang: frozenset(ws) for lang, ws in _FUNCTION_WORDS.items()}
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


def detect(text: str) -> str | None:
    """The statement's language code when it is not English, else None."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    scripts: dict[str, int] = {}
    for c in letters:
        if c.isascii():
            continue
        name = unicodedata.name(c, "")
        for script, code in _SCRIPTS:
            if name.startswith(script):
                scripts[code] = scripts.get(code, 0) + 1
                break
    if scripts:
        code, n = max(scripts.items(), key=lambda kv: kv[1])
        if n >= 0.3 * len(letters):
            return code
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    if len(tokens) < 5:
        return None
    hits = {lang: sum(t in ws for t in tokens) for lang, ws in _WORDS.items()}
    best = max((lang for lang in hits if lang != "en"), key=hits.get)
    if hits[best] >= 3 and hits[best] >= 2 * hits["en"] + 1:
        return best
    return None
