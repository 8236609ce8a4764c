"""storymatch: do two news articles tell the same story, how similar are they, and what did one reuse?

The public API fits one screen:

    from storymatch import Article, load_article, compare, align, AlignParams

    a = load_article("examples/seed-a.txt")
    result = compare(a, load_article("examples/seed-b.txt"))   # Comparison: verdict, 7 scores, evidence, reuse
    result.to_dict()                                            # exactly `storymatch compare --json`
    align(a, b, AlignParams(min_words=8))                       # Alignment: passages with exact offsets

A corpus is `storymatch.corpus` (Store, ingest, search, trace, cluster, report); errors meant for users are
`storymatch.errors` (every one a StorymatchError whose str() is one line).
"""

from typing import TYPE_CHECKING

from storymatch.lazy_exports import lazy_exports

# Imported on first use (storymatch/lazy_exports.py says why).
__getattr__, __dir__ = lazy_exports(__name__, {
    "AlignParams": "storymatch.alignment", "Alignment": "storymatch.alignment", "Passage": "storymatch.alignment",
    "align": "storymatch.alignment", "Comparison": "storymatch.comparison", "compare": "storymatch.comparison",
    "InputError": "storymatch.errors", "StorymatchError": "storymatch.errors", "Article": "storymatch.inputs",
    "load_article": "storymatch.inputs",
})

if TYPE_CHECKING:
    from storymatch.alignment import Alignment, AlignParams, Passage, align
    from storymatch.comparison import Comparison, compare
    from storymatch.errors import InputError, StorymatchError
    from storymatch.inputs import Article, load_article

__all__ = ["AlignParams", "Alignment", "Article", "Comparison", "InputError", "Passage", "StorymatchError", "align",
           "compare", "load_article"]
__version__ = "0.1.0"
