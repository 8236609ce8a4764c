"""storymatch: same story? how similar? what was reused?

The public API: `Article`, `load_article`, `compare`, `align`.
"""

from storymatch.comparison.pipeline import compare
from storymatch.comparison.result import Comparison
from storymatch.errors import InputError
from storymatch.inputs.article import Article
from storymatch.inputs.files import load_article


def align(a, b, params=None):
    """Reused passages between two articles (see `storymatch.alignment`)."""
    from storymatch.alignment.aligner import align as _align

    return _align(a, b, params)


__all__ = ["Article", "Comparison", "InputError", "align", "compare", "load_article"]
__version__ = "0.1.0"
