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


@dataclass(frozen=True)
class Settings:
    model: str | None = None
    english_large: bool = False
    model_cache: Path = Path("~/.cache/storymatch").expanduser()
    work_cache: Path = Path("/tmp/storymatch-cache")
    spacy_models: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> "Settings":
        default = cls()
        return cls(
            model=env.get(PREFIX + "MODEL") or None,
            english_large=env.get(PREFIX + "ENGLISH_LARGE", "").strip().lower() in _ON,
            model_cache=Path(env[PREFIX + "MODEL_CACHE"]) if env.get(PREFIX + "MODEL_CACHE") else default.model_cache,
            work_cache=Path(env[PREFIX + "CACHE"]) if env.get(PREFIX + "CACHE") else default.work_cache,
            spacy_models={k[len(_SPACY):].lower(): v for k, v in env.items() if k.startswith(_SPACY) and v},
        )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings.from_environment(os.environ)


def reset_settings() -> None:
    """Read the environment again at the next `settings()` (for tests, and a process that changed it)."""
    settings.cache_clear()
