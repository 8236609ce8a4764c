"""Per-article features: what compare, the scorer and the evidence need from one article.

    analyse(article) -> ArticleFeatures   language, sentences, entities, places, dates, numbers, quotes, words
    embed(features, backend)              adds title, lead, article, sentence and document vectors
    embed_pair(fa, fb, backend)           both, plus the large English model's headlines when it applies

One module per feature (entities, places, dates, numbers, quotes) and one rule for matching names across
two articles (names.py).
"""

from storymatch.features.analysis import ArticleFeatures, analyse, embed, embed_pair

__all__ = ["ArticleFeatures", "analyse", "embed", "embed_pair"]
