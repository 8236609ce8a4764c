"""Settings: every STORYMATCH_* environment variable, read in one place, once per process.

The library reads `settings()` where a value is needed, never `os.environ`, and never writes the environment.
Command-line options and function arguments override these; the README's "Settings" table documents them.

The large English model is off unless asked for: installing its extra (which the test extra does) must not
change what `compare` computes behind a user's back (it moved the example pair from probability 0.98 to 0.93).

| variable | setting | default |
|---|---|---|
| STORYMATCH_MODEL | `model`: embedding backend or sentence-transformers model for compare/search | chosen by language |
| STORYMATCH_ENGLISH_LARGE | `english_large`: `1` uses the large English model, all-mpnet-base-v2 (an extra) | off |
| STORYMATCH_MODEL_CACHE | `model_cache`: folder of models unpacked/exported from PyPI packages | ~/.cache/storymatch |
| STORYMATCH_CACHE | `work_cache`: caches of training/evaluation runs (embeddings, analyses) | /tmp/storymatch-cache |
| STORYMATCH_SPACY_MODEL_<LANG> | `spacy_models[lang]`: the spaCy pipeline for a language (*) | see features.entities |
| STORYMATCH_MAX_CHARS | `max_chars`: longest article text, in characters (CLI, API, ingest; `--max-chars`) | 200000 |
| STORYMATCH_WORKERS | `workers`: processes analysing articles in an ingest (`--workers`; 1: the writer) | cores, <= 4 |
| STORYMATCH_TOKEN | (`storymatch serve --token`) bearer token of the server's write endpoints | none |

(*) e.g. `STORYMATCH_SPACY_MODEL_DE=de_core_news_sm`
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping

PREFIX = "STORYMATCH_"
_SPACY = PREFIX + "SPACY_MODEL_"
_ON = ("1", "true", "yes", "on")

# A long-read feature is ~60k characters; past this an alignment's cost is no longer a news article's cost
# (a 50 MB one-line file took `compare` 237 s and 7.6 GB), so every edge refuses longer texts unless raised.
DEFAULT_MAX_CHARS = 200_000


@dataclass(frozen=True)
class Settings:
    model: str | None = None
    english_large: bool = False
    model_cache: Path = Path("~/.cache/storymatch").expanduser()
    work_cache: Path = Path("/tmp/storymatch-cache")
    spacy_models: Mapping[str, str] = field(default_factory=dict)
    max_chars: int = DEFAULT_MAX_CHARS
    workers: int | None = None  # None: the cores the process may use, at most 4 (corpus.ingest_analysis)

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> "Settings":
        default = cls()
        return cls(
            model=env.get(PREFIX + "MODEL") or None,
            english_large=env.get(PREFIX + "ENGLISH_LARGE", "").strip().lower() in _ON,
            model_cache=Path(env[PREFIX + "MODEL_CACHE"]) if env.get(PREFIX + "MODEL_CACHE") else default.model_cache,
            work_cache=Path(env[PREFIX + "CACHE"]) if env.get(PREFIX + "CACHE") else default.work_cache,
            spacy_models={k[len(_SPACY):].lower(): v for k, v in env.items() if k.startswith(_SPACY) and v},
            max_chars=_positive_int(env.get(PREFIX + "MAX_CHARS"), default.max_chars),
            workers=_positive_int(env.get(PREFIX + "WORKERS"), 0) or None,
        )


def _positive_int(value: str | None, default: int) -> int:
    """A positive whole number from the environment; anything else keeps the default (settings never fail)."""
    try:
        n = int((value or "").strip().replace("_", ""))
    except ValueError:
        return default
    return n if n > 0 else default


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings.from_environment(os.environ)


def reset_settings() -> None:
    """Read the environment again at the next `settings()` (for tests, and a process that changed it)."""
    settings.cache_clear()
