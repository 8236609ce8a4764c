"""Shared fixtures: the example pair shipped in examples/, and ../shared/ data when present."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def seed_a_path() -> Path:
    return EXAMPLES / "seed-a.txt"


@pytest.fixture(scope="session")
def seed_b_path() -> Path:
    return EXAMPLES / "seed-b.txt"


@pytest.fixture(scope="session")
def seed_a(seed_a_path) -> str:
    return seed_a_path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_b(seed_b_path) -> str:
    return seed_b_path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only ../shared/ data folder; tests needing it skip only where it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared/ data folder is absent")
    return SHARED


@pytest.fixture(autouse=True)
def fresh_settings():
    """Settings are read once per process; a test that sets a STORYMATCH_* variable gets them read anew."""
    from storymatch.config import reset_settings

    reset_settings()
    yield
    reset_settings()
