"""The shapes of storymatch's HTTP API, as pydantic models, so /openapi.json is precise.

Request models validate what a client sends. Response models document the JSON that
`storymatch compare --json` / `align --json` print; the server returns the library's
`.to_dict()` unchanged (extra fields allowed), so these models describe it, never filter it.
The alignment's own dataclasses (Alignment, Passage) document its part, so they cannot drift.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from storymatch.alignment.types import Alignment
from storymatch.inputs.article import Article
from storymatch.inputs.publication_date import MAX_DATE_CHARS
from storymatch.inputs.records import (
    MAX_ID_CHARS,
    MAX_SOURCE_CHARS,
    MAX_TITLE_CHARS,
    MAX_URL_CHARS,
    article_from_record,
    valid_unicode,
)

Backend = Literal["minilm", "use-multilingual"]


class ArticleIn(BaseModel):
    """One article as a client sends it: the text, and what a .txt file cannot say."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="Body text, exactly as published; at most the server's "
                                                "--max-chars characters (default 200,000).")
    title: str | None = Field(default=None, max_length=MAX_TITLE_CHARS)
    date: str | None = Field(default=None, max_length=MAX_DATE_CHARS,
                             description="Publication date: ISO 8601 or a form such as '25 May 2017'.")
    source: str | None = Field(default=None, max_length=MAX_SOURCE_CHARS,
                               description="Outlet or file the article came from.")
    url: str | None = Field(default=None, max_length=MAX_URL_CHARS)
    language: str | None = Field(default=None, max_length=20,
                                 description="ISO 639 code ('en'; 'en-US' is read as 'en'); detected when absent.")
    id: str | None = Field(default=None, min_length=1, max_length=MAX_ID_CHARS,
                           description="Stable id; default: a hash of title and text.")

    @field_validator("text")
    @classmethod
    def _has_words(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("text is blank")
        return v

    @field_validator("text", "title", "date", "source", "url", "id")
    @classmethod
    def _encodable(cls, v: str | None) -> str | None:
        """JSON can escape lone surrogates (\\ud800) that no UTF-8 text can hold: replaced, as for files."""
        return valid_unicode(v)

    def to_article(self, name: str, max_chars: int | None = None) -> Article:
        """The library's Article through the one record rule (text limit, language, date) files and JSONL
        pass too; a problem, such as an unreadable date, is the client's error (422), named by side."""
        return article_from_record(self.model_dump(exclude_none=True), name, max_chars=max_chars)


class AlignRequest(BaseModel):
    """Two articles to align: `a` and `b` play the same roles as in `storymatch align A B`."""

    model_config = ConfigDict(extra="forbid")

    a: ArticleIn
    b: ArticleIn


class CompareRequest(AlignRequest):
    """Two articles to compare; `backend` forces an embedder (default: chosen by language); `paraphrase` adds the
    sentence-level paraphrase level to the reuse shown (never to what is scored)."""

    backend: Backend | None = None
    paraphrase: bool = Field(default=False, description="Also find sentences reworded throughout (slower); "
                                                        "shown in `reuse`, never scored.")


class IngestRequest(BaseModel):
    """Articles to add to the store; ids already stored are skipped (ingest is idempotent)."""

    model_config = ConfigDict(extra="forbid")

    articles: list[ArticleIn] = Field(min_length=1, max_length=1000)


class IngestBatch(BaseModel):
    """An ingest request as read: each article is checked on its own (ArticleIn), so that one bad article costs
    only itself, as a bad record does in `storymatch ingest`; IngestRequest is what the API documents."""

    model_config = ConfigDict(extra="forbid")

    articles: list[Any] = Field(min_length=1, max_length=1000)


class QueryRequest(BaseModel):
    """An article that need not be stored, to search or trace against the store."""

    model_config = ConfigDict(extra="forbid")

    article: ArticleIn
    limit: int = Field(10, ge=1, le=50, description="Search only: most related articles returned.")
    full: bool = Field(False, description="Search only: compare each hit in full (SemEval scores, evidence).")


class ErrorOut(BaseModel):
    """Every 4xx/5xx answer: one line a person can act on."""

    error: str = Field(description="One line naming the input and the problem.")
    errors: list[dict[str, Any]] | None = Field(default=None, description="Field-level details of a validation error.")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ArticleSummary(_Open):
    id: str | None = None
    source: str | None = None
    title: str | None = None
    language: str | None = None
    chars: int
    date: str | None = None


class Scores(_Open):
    """SemEval-2022 Task 8 scale: 1 = very similar ... 4 = very dissimilar."""

    overall: float
    geography: float
    entities: float
    time: float
    narrative: float
    style: float
    tone: float


class ComparisonOut(_Open):
    a: ArticleSummary
    b: ArticleSummary
    same_story: bool | None = Field(description="The verdict; null (cannot tell) when an article has too little "
                                                "text, which too_little_text then says.")
    probability: float
    too_little_text: str | None = None
    scores: Scores
    evidence: dict[str, Any]
    reuse: Alignment
    backend: str
    models: dict[str, Any] = Field(description="Every model that took part: embeddings, the large English model "
                                               "when used, names and language per article, translation and "
                                               "paraphrase encoders when used, the scorer.")


# What `storymatch align --json` prints: both articles as read, then the Alignment's own fields (taken from the
# dataclass, so the two cannot drift).
_ALIGNMENT_FIELDS: dict[str, Any] = {
    "a": (ArticleSummary, ...), "b": (ArticleSummary, ...),
    **{f.name: (typing.get_type_hints(Alignment)[f.name], ...) for f in dataclasses.fields(Alignment)},
}
AlignmentOut = create_model("AlignmentOut", __base__=_Open, **_ALIGNMENT_FIELDS)


class ParsedArticle(_Open):
    """An uploaded file as storymatch reads it: the text offsets will index into."""

    text: str
    title: str | None = None
    date: str | None = None
    language: str | None = None
    source: str | None = None
    url: str | None = None


def parsed_article(art: Article) -> dict[str, Any]:
    return {"text": art.text, "title": art.title, "date": art.date.isoformat() if art.date else None,
            "language": art.language, "source": art.source, "url": art.url}


def upload_schema(with_backend: bool) -> dict[str, Any]:
    """The multipart form the compare/align endpoints also accept (files or text fields)."""
    props: dict[str, Any] = {
        "a": {"type": "string", "format": "binary", "description": "Article A: .txt, .json or .html"},
        "b": {"type": "string", "format": "binary", "description": "Article B: .txt, .json or .html"},
    }
    for side in "ab":
        props[f"{side}_title"] = {"type": "string", "maxLength": 2000}
        props[f"{side}_date"] = {"type": "string", "maxLength": 100}
    if with_backend:
        props["backend"] = {"type": "string", "enum": list(get_args(Backend))}
        props["paraphrase"] = {"type": "string", "enum": ["true", "false"]}
    return {"type": "object", "required": ["a", "b"], "properties": props}


def upload_files_schema() -> dict[str, Any]:
    """The multipart form of /api/ingest: one or more article files."""
    return {"type": "object", "required": ["files"], "properties": {
        "files": {"type": "array", "items": {"type": "string", "format": "binary"}, "maxItems": 100,
                  "description": "Article files: .txt, .json or .html"}}}
