"""Text-reuse alignment: the passages two texts share, with exact character offsets, and the likely source.

    align(a, b, AlignParams(...)) -> Alignment(passages, coverage_a, coverage_b, likely_source, source_reason)
    Passage(a_start, a_end, b_start, b_end, a_text, b_text, kind, similarity, substitutions)

The PAN pipeline: tokens -> seeding (shared word n-grams, chained) -> extension (merge, grow edges) ->
passages (edits.py: similarity, swaps) -> optional paraphrase level -> likely source (source.py).
"""

from storymatch.alignment.aligner import align
from storymatch.alignment.types import Alignment, AlignParams, Passage

__all__ = ["AlignParams", "Alignment", "Passage", "align"]
