"""compare(): two articles in, a verdict, seven scores, evidence and reuse out.

The pipeline every interface (CLI, Python, HTTP, Spark) runs for a pair:
analyse each article -> choose the embedding backend from both languages ->
embed -> align reused text -> pair features -> scorer (the seven SemEval scores) -> evidence.
The verdict (same story, and its probability) is the same-story verifier's (scoring/verifier.py), on what a store
keeps of the two articles, so compare, search, cluster and report give one answer.
Each step is logged (logging.getLogger("storymatch"), INFO) so that an interface can say what is happening
during a wait; the library itself never prints.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from storymatch.alignment.aligner import align
from storymatch.alignment.types import Alignment, AlignParams
from storymatch.comparison.analysis_cache import recent
from storymatch.comparison.evidence import LEXICAL_PAIR_MIN, build_evidence
from storymatch.comparison.result import Comparison, ModelsUsed, too_little_text
from storymatch.config import settings
from storymatch.embedding.base import MINILM, MPNET
from storymatch.embedding.registry import NO_MODEL, choose_backend, describe, no_model
from storymatch.features.analysis import ArticleFeatures, embed_pair, unread_reason
from storymatch.inputs.article import Article
from storymatch.scoring.base import Scorer
from storymatch.scoring.learned import WITHOUT_EMBEDDINGS, LearnedScorer
from storymatch.scoring.pair_features import ENGLISH_HEADLINE, lexical_similarity, pair_features, sentence_similarity
from storymatch.scoring.shipped import default_scorer, describe_scorer
from storymatch.scoring.story_view import StoryView, headline_backends, story_views, view_features
from storymatch.scoring.verifier import FEATURES, describe_verifier, shipped_verifier

log = logging.getLogger("storymatch")


def compare(a: Article | str, b: Article | str, *, backend: str | None = None, scorer: Scorer | None = None,
            features_a: ArticleFeatures | None = None, features_b: ArticleFeatures | None = None,
            align_params: AlignParams | None = None, english_large: bool | None = None,
            views: tuple[StoryView, StoryView] | None = None) -> Comparison:
    """Compare two articles. An article compared lately in this process is not analysed again
    (comparison/analysis_cache.py). Pass `features_a/b` to reuse analyses already made (e.g. from a store), and `views`
    for the two articles as a store's clustering sees them (corpus.stories.views_of), so the verdict is cluster's.

    `align_params` tunes the reuse shown (e.g. a paraphrase level); the scorer always reads the default
    alignment, on which it was fitted, so no such option moves a score. `english_large` asks for the large
    English model on English pairs (default: the STORYMATCH_ENGLISH_LARGE setting, off).
    """
    a = a if isinstance(a, Article) else Article(a)
    b = b if isinstance(b, Article) else Article(b)
    large = settings().english_large if english_large is None else english_large
    t: dict[str, float] = {}

    t0 = time.perf_counter()
    log.info("comparing %s with %s", _name(a, "A"), _name(b, "B"))
    if features_a is None:
        log.info("analysing %s", _name(a, "A"))
    fa = features_a or recent.analysis(a)
    if features_b is None:
        log.info("analysing %s", _name(b, "B"))
    fb = features_b or recent.analysis(b)
    t["analyse"] = time.perf_counter() - t0

    # a language no embedding model was trained on is compared without one, unless the user named a model
    unread = None if (backend or settings().model) else (unread_reason(fa) or unread_reason(fb))
    chosen = NO_MODEL if unread else choose_backend(languages(fa, fb), backend)
    t0 = time.perf_counter()
    if unread:
        log.info("no embeddings: %s", unread)
    else:
        log.info("embedding sentences (%s)", chosen)
        mine = [f for f, given in ((fa, features_a), (fb, features_b)) if given is None]
        for f in mine:
            recent.restore_vectors(f, chosen, headline=large and chosen == MINILM)
        embed_pair(fa, fb, chosen, large)
        for f in mine:
            recent.keep_vectors(f)
    t["embed"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    log.info("aligning shared text")
    params = align_params or AlignParams()
    if unread:  # translated sentences are found through the multilingual encoder: not for these languages
        params = replace(params, translation_model=None, paraphrase_model=None)
    reuse = align(a, b, params)
    # the scorer was fitted on the default alignment: an optional paraphrase level is shown, never scored
    scored_reuse = align(a, b, replace(params, paraphrase_model=None)) if params.paraphrase_model else reuse
    t["align"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    # once: the pair features and the evidence both read it; without embeddings, the evidence's closest sentences
    # are those sharing the most character 4-grams, and the pair features leave the cosines out
    sim = lexical_similarity(fa, fb) if unread else sentence_similarity(fa, fb)
    feats = pair_features(fa, fb, scored_reuse, None if unread else sim, headline=large)
    t["pair_features"] = time.perf_counter() - t0

    scorer = scorer or default_scorer()
    t0 = time.perf_counter()
    log.info("scoring (%s)", scorer.name)
    result = scorer.score(feats)
    t["score"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    probability = _verdict(a, b, views, reuse)
    t["verify"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    evidence = build_evidence(fa, fb, sim, LEXICAL_PAIR_MIN) if unread else build_evidence(fa, fb, sim)
    t["evidence"] = time.perf_counter() - t0

    translated = bool(params.translation_model and a.language and b.language and a.language != b.language)
    translated = translated and not unread
    verifier = shipped_verifier()
    mixed = (a.language or "en")[:2] != (b.language or "en")[:2]
    scorer_name = describe_scorer(scorer)
    if isinstance(scorer, LearnedScorer) and scorer.uses_variant(feats) == WITHOUT_EMBEDDINGS:
        scorer_name += ", its model fitted without embeddings"
    models = ModelsUsed(
        embeddings=no_model(unread) if unread else describe(chosen),
        headline=describe(MPNET) if ENGLISH_HEADLINE in feats else None,
        language=(_told(fa), _told(fb)),
        entities=(fa.entity_method or "?", fb.entity_method or "?"),
        scorer=scorer_name,
        translation=describe(params.translation_model) if translated and params.translation_model else None,
        paraphrase=describe(params.paraphrase_model) if params.paraphrase_model else None,
        verifier=describe_verifier(verifier, sorted({b for art in (a, b) for b in
                                                     headline_backends(art.language, mixed)})),
    )
    short = too_little_text(a, b)  # then no verdict: "cannot tell"
    return Comparison(a=a, b=b, backend=chosen, scorer=scorer.name,
                      same_story=None if short else probability >= verifier.threshold,
                      probability=round(probability, 4), scores=result.scores, evidence=evidence, reuse=reuse,
                      features=feats, models=models, timings=t, too_little_text=short)


def _verdict(a: Article, b: Article, views: tuple[StoryView, StoryView] | None, reuse: Alignment) -> float:
    """P(same story) from the verifier, on the two articles' views (a store's when given, so the verdict is
    cluster's), reading translated text as shared text.

    The verifier's shared text is the share of sentence keys two texts hold in common, which a translation never
    shares; the aligner's translation level found the sentences one translated from the other, and their share of
    either text is shared text too. Before this, a German translation of the At-Tanf wire (85% of it translated) got
    0.57 against the original, less than an independent German report of the strike.
    """
    x, y = views if views is not None else story_views([a, b])
    row = view_features(x, y)
    translated = [p for p in reuse.passages if p.kind == "translation"]
    if translated:
        at = FEATURES.index("shared_text")
        share = max(sum(p.a_end - p.a_start for p in translated) / max(len(a.text), 1),
                    sum(p.b_end - p.b_start for p in translated) / max(len(b.text), 1))
        row[at] = max(row[at], min(share, 1.0))
    return float(shipped_verifier().probabilities([row])[0])


def languages(fa: ArticleFeatures, fb: ArticleFeatures) -> list[str | None]:
    """The languages a pair is written in, a second language a text is partly written in included."""
    return [fa.language, fb.language, fa.mixed, fb.mixed]


def _name(art: Article, side: str) -> str:
    return f"{side} ({art.source})" if art.source else side


def _told(f: ArticleFeatures) -> str:
    """How the article's language was told; an unknown language is compared as English (short texts) or without
    a model, which it says; a second language the text is partly in is named."""
    told = f.language_method or "?"
    if f.mixed:
        told += f"; partly in {f.mixed}"
    if f.language is None:
        return told if unread_reason(f) else f"{told}; compared as English"
    return told
