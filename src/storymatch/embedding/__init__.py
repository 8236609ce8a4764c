"""Embeddings: sentence vectors from packaged models, and one vector per article at corpus speed.

    get_embedder(name)           a backend ("minilm", "use-multilingual", "mpnet" or a local model), loaded once
    choose_backend(languages)    MiniLM for English, USE-multilingual for anything else or a cross-lingual pair
    Embedder                     the contract: .name, .dim, .encode(texts) -> unit float32 rows
    get_tier(name)               article vectors for a store: "fast" (no model), "lead", "quality", "hybrid"

Models come inside PyPI packages; nothing is downloaded at run time.
"""

from storymatch.embedding.base import MINILM, MPNET, USE_MULTILINGUAL, Embedder
from storymatch.embedding.registry import choose_backend, get_embedder
from storymatch.embedding.tiers import NO_VECTORS, Tier, get_tier

__all__ = ["MINILM", "MPNET", "NO_VECTORS", "USE_MULTILINGUAL", "Embedder", "Tier", "choose_backend", "get_embedder",
           "get_tier"]
