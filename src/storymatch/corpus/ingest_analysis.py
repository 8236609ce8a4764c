"""What ingest computes for each article, and where: in this process, or in worker processes on the other cores.

An article's analysis (its language, word and sentence counts, sentence LSH keys and fast-tier vector) depends on
the article alone, so batches can be analysed anywhere and in any order; only the writing must be in order, by one
process, to give the same seqs and rows as a one-process run (and a resumed run must read the same records in the
same order). `Analyser` hands batches to a pool of worker processes and gives their results back in the order
they were submitted; the main process keeps reading records and writing the store meanwhile.

A pool is started only once an ingest has read `PARALLEL_FROM` records: starting worker processes costs more than
it saves on the few articles of a test, a file given on the command line, or an API request (see PARALLEL_FROM for
the measured numbers).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import forkserver
from typing import Sequence

import numpy as np

from storymatch.config import settings
from storymatch.embedding.tiers import FAST, LexicalTier
from storymatch.features.lsh import LSHParams, shingles, shingles_keys
from storymatch.inputs.article import Article
from storymatch.text.language import quick_language
from storymatch.text.spans import sentences

log = logging.getLogger("storymatch")

# A pool starts when an ingest has read this many records (in whole batches); the batches before it are analysed
# in the main process. Measured on the 3,581 benchmark articles (benchmarks/ingest.py, 2 cores): analysis costs
# ~0.4 ms an article in one process, and two workers took 0.75 s more CPU in all than one process (2.38 -> 3.13 s
# user + system), most of it the two spawned interpreters' imports (~0.3 s each; now one import, in the fork
# server). At 1,000 articles two workers save at most ~0.2 s of the ~0.4 s of analysis, about what starting them
# costs: below that, a pool never pays.
PARALLEL_FROM = 1000
# The fork server the workers are forked from starts once an ingest has read this many records (a first whole batch
# of the default size: the input may well be large); it costs this process nothing, and ingests smaller than this
# none of the ~0.3 s of CPU it takes (see _start_fork_server).
SERVER_FROM = 256
# The default number of workers: the cores, but no more than this. The main process reads and writes ~0.14 ms an
# article (0.1 s reading and ~0.4 s of SQLite for 3,581 articles), so past ~3 workers it is the bottleneck and
# more processes only add start-up.
MAX_DEFAULT_WORKERS = 4


@dataclass
class Analysis:
    """One article's part of what ingest stores besides the article itself."""

    language: str | None
    n_words: int
    n_sentences: int
    lsh_keys: np.ndarray  # (indexable sentences, bands) int64
    vector: np.ndarray | None = None  # the fast tier's vector, when that is the store's tier


def article_language(article: Article) -> str | None:
    """The language of an article's body, as ingest records it: CLD2 where it is sure, else lingua
    (text/language.py quick_language; lingua alone was most of the cost of ingesting articles without a language)."""
    return quick_language(article.text)


def analyse(articles: Sequence[Article], lsh: LSHParams, fast_vectors: bool = False) -> list[Analysis]:
    """The analyses of a batch of articles (a pure function of them: the same in any process).

    An article without a language gets the detected one, in place, as before (the vector is weighed by it).
    The LSH keys of all sentences are computed at once; `fast_vectors` adds the fast tier's vectors.
    """
    for article in articles:
        if not article.language:
            article.language = article_language(article)
    spans = [sentences(a.text) for a in articles]
    shingled = shingles([a.text for a in articles], lsh, spans)
    keys = shingles_keys(shingled, lsh)
    out = [Analysis(a.language, len(a.text.split()), len(s), k) for a, s, (_, k) in zip(articles, spans, keys)]
    if fast_vectors and articles:  # from the words the shingles were made of: each body is split into words once
        vectors = LexicalTier().encode_articles(articles, body_words=shingled.words)
        for it, v in zip(out, np.asarray(vectors, dtype=np.float32)):
            it.vector = v
    return out


def starting_worker() -> bool:
    """Whether this process is a worker being started, re-running its parent's main script: a script that calls
    ingest without `if __name__ == "__main__":` does that in each worker, and that ingest must write nothing."""
    return bool(getattr(multiprocessing.current_process(), "_inheriting", False))


def _worker_start(ingest_pid: int) -> None:
    """A worker leaves Ctrl-C to the main process, which stops the ingest between batches (and the pool), and
    ends when the ingest's process has ended (`_end_with`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with, args=(ingest_pid,), daemon=True, name="storymatch-end-with-ingest").start()


def _end_with(ingest_pid: int, every: float = 1.0) -> None:
    """End this worker within `every` seconds of the ingest's process. An ingest killed with `kill -9` (or out of
    memory) never stops its pool: its workers waited for ever on pipes they hold open for each other, and with them
    the fork server and the resource tracker (four processes per killed ingest). Asking the kernel whether the pid
    is there touches no file descriptor of the pool, so it cannot race with a pool shutting down."""
    while True:
        time.sleep(every)
        try:
            os.kill(ingest_pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:  # the pid is someone else's now: the ingest has ended too
            os._exit(0)


def _start_fork_server() -> None:
    """Start the fork server (if there is one) now, in the background: it imports this module while this process
    reads and analyses the first batches, so that the pool's workers, started at PARALLEL_FROM, are forked at
    once instead of after the ~0.3 s of that import (a pool's first worker waits for its fork server).
    `ensure_running` does nothing when the server runs already (a second ingest in the same process). With it (and
    the fork server), two workers on the 3,581 benchmark articles at load average 2: 2,084 -> 2,393 articles/s
    against spawned workers (same run, medians of 3). Below PARALLEL_FROM records a pool still does not pay: 1,000
    records took 0.51 s in one process, 0.53-0.66 s with it."""
    context = _worker_context()
    if context.get_start_method() == "forkserver":
        forkserver.ensure_running()


def _worker_context() -> multiprocessing.context.BaseContext:
    """How workers start: forked from a fork server, a fresh process that has imported this module once, rather
    than each spawned and importing it (~0.3 s of CPU each, on cores the main process needs on a busy machine).
    Measured on the 3,581 benchmark articles, two workers at load average 3.5 (same run, medians of 4): 1,321 ->
    1,471 articles/s. Spawned where there is no fork server (Windows)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def _started() -> None:
    """The empty job that tells a worker has started."""


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Analyser:
    """Analyses batches in the order they are submitted: in this process, or (`workers` > 1, after PARALLEL_FROM
    records) in `workers` worker processes, each batch analysed while the ones before it are being written.

    `submit` returns at once; `next_done` gives the oldest batch's analyses, waiting for them. Use as a context
    manager: leaving it stops the pool (at once on an error or Ctrl-C: results nobody will write are dropped).
    """

    def __init__(self, lsh: LSHParams, tier: str | None, workers: int | None = None, expected: int = 0):
        self.lsh = lsh
        self.fast_vectors = tier == FAST
        default = settings().workers or min(available_cores(), MAX_DEFAULT_WORKERS)
        self.workers = max(1, workers if workers is not None else default)
        self.submitted = 0  # records submitted so far
        # An input known to hold PARALLEL_FROM records (`expected`, guessed from its files' sizes) starts the fork
        # server and the pool with its first batch, not after PARALLEL_FROM records: the workers start as soon as
        # the fork server has imported this module, while this process analyses the first batches.
        self._large = expected >= PARALLEL_FROM
        self._pool: ProcessPoolExecutor | None = None
        self._warm_ups: list[Future] = []  # one empty job per worker: done once that worker has started
        self._started = False  # has a worker started (taken a job)?
        self._pending: deque[tuple[list[Article], Future | None]] = deque()
        self._opener: threading.Thread | None = None  # starting the pool (_open_pool), until _take_pool takes it
        self._opened: tuple[ProcessPoolExecutor, list[Future]] | Exception | None = None

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    @property
    def window(self) -> int:
        """How many batches may be analysed ahead of the one being written: one per worker, plus one queued."""
        return self.workers + 1 if self._pool is not None else 0

    def submit(self, articles: list[Article]) -> None:
        so_far = PARALLEL_FROM if self._large else self.submitted + len(articles)
        if self._pool is None and self._opener is None and self.workers > 1 and so_far >= SERVER_FROM:
            _start_fork_server()
        if self._pool is None and self._opener is None and self.workers > 1 and so_far >= PARALLEL_FROM:
            self._opener = threading.Thread(target=self._open_pool, name="storymatch-open-pool", daemon=True)
            self._opener.start()
        self.submitted += len(articles)
        job = None
        if self._workers_up():
            assert self._pool is not None
            job = self._pool.submit(analyse, articles, self.lsh, self.fast_vectors)
        self._pending.append((articles, job))

    def _open_pool(self) -> None:
        """Start the pool and its workers, in a thread of its own (`_opener`): starting a worker waits for the
        fork server to have imported this module, and with the pool started at an input's first batch that wait
        (0.30 s, measured on the 3,581 benchmark articles) was this process's, which can analyse meanwhile.

        Not forked from this process: it holds a SQLite connection and may have Rust thread pools running, which a
        forked child inherits in a broken state (see _worker_context). A process pool rather than
        multiprocessing.Pool: a worker that dies (killed, out of memory, a script without a main guard) is noticed
        (BrokenProcessPool, see _fall_back) instead of leaving the ingest waiting for ever."""
        try:
            pool = ProcessPoolExecutor(self.workers, mp_context=_worker_context(), initializer=_worker_start,
                                       initargs=(os.getpid(),))
            self._opened = (pool, [pool.submit(_started) for _ in range(self.workers)])  # starts every worker
        except Exception as e:  # no pool: this process analyses everything (see _take_pool)
            self._opened = e

    def _take_pool(self) -> None:
        """The pool, once its opener has started it (this process's thread alone uses `_pool`)."""
        if self._opener is None or self._opener.is_alive():
            return
        self._opener.join()
        self._opener, opened = None, self._opened
        if not isinstance(opened, tuple):  # it failed (an exception)
            log.warning("no ingest worker process could start (%s); analysing in this process", opened)
            self.workers = 1
            return
        self._pool, self._warm_ups = opened

    def _workers_up(self) -> bool:
        """Has a worker started? Until one has, batches are analysed in this process: a worker takes ~0.3 s to
        start (an interpreter and its imports), which this process used to spend waiting for the first batch it
        had handed over, with nothing else to do."""
        if self._pool is None:
            self._take_pool()
        if self._pool is None:
            return False
        if not self._started:
            done = [f for f in self._warm_ups if f.done()]
            if any(f.exception() is not None for f in done):  # a worker failed to start: see _fall_back
                self._fall_back()
                return False
            self._started = bool(done)
        return self._started

    def next_done(self) -> tuple[list[Article], list[Analysis]]:
        """The oldest submitted batch and its analyses. A batch analysed in a worker comes back with the languages
        detected there set on this process's articles too."""
        articles, job = self._pending.popleft()
        if job is None:
            return articles, analyse(articles, self.lsh, self.fast_vectors)
        try:
            results: list[Analysis] = job.result()
        except BrokenProcessPool:
            self._fall_back()
            return articles, analyse(articles, self.lsh, self.fast_vectors)
        for article, result in zip(articles, results):
            article.language = article.language or result.language
        return articles, results

    def _fall_back(self) -> None:
        """A worker died (killed, or it failed to start: a script without a main guard): the batches in flight
        are analysed here instead, and the rest of the ingest too."""
        log.warning("an ingest worker process stopped; analysing in this process from now on (a script calling "
                    "ingest needs `if __name__ == \"__main__\":` for workers)")
        assert self._pool is not None
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None
        self.workers = 1
        self._pending = deque((articles, None) for articles, _ in self._pending)

    def __enter__(self) -> "Analyser":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._opener is not None:  # a pool still starting is stopped too
            self._opener.join()
            self._take_pool()
        if self._pool is not None:
            self._pool.shutdown(wait=exc_type is None, cancel_futures=True)
            self._pool = None
