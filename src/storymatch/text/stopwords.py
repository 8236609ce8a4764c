"""Two kinds of "words that say nothing": a language's most frequent words, and its function words.

They answer different questions, so they have different names:
- `frequent_words(lang, n)`: the n most frequent words of a language (wordfreq). Alignment uses them to judge
  whether a matched stretch is evidence of copying (a run of "of the and" is not); the Arabic place finder
  uses them to keep common words from being read as towns.
- `function_words()`: the stop-word lists of spaCy's languages together. Bag-of-words features (shared
  terms, title words) leave them out, whatever language the article is in.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from storymatch.disk_cache import cache_folder, cached_json

FUNCTION_WORD_LANGUAGES = ("en", "de", "es", "fr", "it", "pt", "nl", "pl", "tr", "ar", "ru")


@lru_cache(maxsize=16)
def frequent_words(language: str = "en", n: int = 150) -> frozenset[str]:
    """The language's `n` most frequent words (wordfreq; English for a language it lacks).

    A frequency list rather than a hand-written stopword list: wordfreq covers
    40+ languages with one consistent definition. Kept on disk per language and n (disk_cache.py): wordfreq reads
    and unpacks a language's whole list to give its top words, 40-130 ms each time a process first meets the
    language (most of the slow searches of a 10,000-article store in several languages); the kept list reads in
    under a millisecond.
    """
    lang = (language or "en").split("-")[0].lower()
    folder = cache_folder("frequent-words", ("wordfreq",), (__file__,))
    return frozenset(cached_json(folder / f"{lang}-{n}.json", lambda: _top_words(lang, n)))


def _top_words(lang: str, n: int) -> list[str]:
    import wordfreq  # loads its word lists on first use

    try:
        return list(wordfreq.top_n_list(lang, n))
    except (LookupError, ValueError):
        return list(wordfreq.top_n_list("en", n))


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """Function words of the main news languages (spaCy's lists), ignored by lexical overlap."""
    # Read spaCy's stop_words.py files directly: importing spacy.lang.<lang> for eleven
    # languages pulls in their tokenizer rules and costs ~2 s of every cold start.
    spec = importlib.util.find_spec("spacy")
    if spec is None or spec.origin is None:
        return frozenset()
    root = Path(spec.origin).parent / "lang"
    words: set[str] = set()
    for lang in FUNCTION_WORD_LANGUAGES:
        path = root / lang / "stop_words.py"
        if path.exists():
            namespace: dict = {}
            exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
            words |= set(namespace.get("STOP_WORDS", ()))
    return frozenset(words)
