"""Per-article features: what compare, the scorer and the evidence need from one article.

    analyse(article) -> ArticleFeatures   language, sentences, entities, places, dates, numbers, quotes, words
    embed(features, backend)              adds title, lead, article, sentence and document vectors
    embed_pair(fa, fb, backend)           both, plus the large English model's headlines when it applies

One module per feature (entities, places, dates, numbers, quotes) and one rule for matching names across
two articles (names.py).
"""

from typing import TYPE_CHECKING

from storymatch.lazy_exports import lazy_exports

# Imported on first use (storymatch/lazy_exports.py says why): the LSH modules need none of the article features.
__getattr__, __dir__ = lazy_exports(__name__, {name: "storymatch.features.analysis"
                                               for name in ("ArticleFeatures", "analyse", "embed", "embed_pair")})

if TYPE_CHECKING:
    from storymatch.features.analysis import ArticleFeatures, analyse, embed, embed_pair

__all__ = ["ArticleFeatures", "analyse", "embed", "embed_pair"]
