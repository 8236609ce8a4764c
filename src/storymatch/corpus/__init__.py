"""A corpus on one machine: a store folder, and the questions storymatch answers about it.

    store = Store("STORE", create=True)
    ingest(["news/", "wires.jsonl.gz"], store, tier="fast")    # resumable, bad records reported
    search(store, store.get("seed-a"))                          # same story, or shares its text: ranked
    trace(store, store.get("seed-a"))                           # every sentence: where it came from
    cluster(store)                                              # stories, in publication order
    report(store)                                               # who reused whom, first publishers, top passages

Candidates come from the store's indexes (MinHash-LSH over sentences, a vector index over articles); only
they are compared or aligned in full, never the whole corpus.
"""

from storymatch.corpus.ingestion import ingest
from storymatch.corpus.provenance import trace
from storymatch.corpus.related import search
from storymatch.corpus.reuse_report import report
from storymatch.corpus.store import Store, Stored
from storymatch.corpus.stories import cluster

__all__ = ["Store", "Stored", "cluster", "ingest", "report", "search", "trace"]
