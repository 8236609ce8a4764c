"""A corpus on one machine: a store folder, and the questions storymatch answers about it.

    store = Store("STORE", create=True)
    ingest(["news/", "wires.jsonl.gz"], store, tier="fast")    # resumable, bad records reported
    search(store, store.get("seed-a"))                          # same story, or shares its text: ranked
    compare_stored(store, store.get("seed-a"), store.get("seed-b"))  # a hit opened: compare() on what is kept
    trace(store, store.get("seed-a"))                           # every sentence: where it came from
    cluster(store)                                              # stories, in publication order
    report(store)                                               # who reused whom, first publishers, top passages

Candidates come from the store's indexes (MinHash-LSH over sentences, a vector index over articles); only they
are judged, never the whole corpus: search with what the store keeps (no model runs), trace and report by alignment.
"""

from typing import TYPE_CHECKING

from storymatch.lazy_exports import lazy_exports

# Imported on first use (storymatch/lazy_exports.py says why).
__getattr__, __dir__ = lazy_exports(__name__, {
    "ingest": "storymatch.corpus.ingestion", "trace": "storymatch.corpus.provenance",
    "compare_stored": "storymatch.corpus.related", "search": "storymatch.corpus.related",
    "report": "storymatch.corpus.reuse_report", "Store": "storymatch.corpus.store", "Stored": "storymatch.corpus.store",
    "cluster": "storymatch.corpus.stories",
})

if TYPE_CHECKING:
    from storymatch.corpus.ingestion import ingest
    from storymatch.corpus.provenance import trace
    from storymatch.corpus.related import compare_stored, search
    from storymatch.corpus.reuse_report import report
    from storymatch.corpus.store import Store, Stored
    from storymatch.corpus.stories import cluster

__all__ = ["Store", "Stored", "cluster", "compare_stored", "ingest", "report", "search", "trace"]
