"""Shared fixtures. Every test runs with its own NAQSHA_HOME, so nothing touches the
user's store; the boundary cache is built once per session from the offline mirror."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def mirror_dir() -> Path:
    """The boundary-file mirror: NAQSHA_GEODATA_MIRROR, else ../shared/geodata."""
    return Path(os.environ.get("NAQSHA_GEODATA_MIRROR") or SHARED / "geodata")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("NAQSHA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NAQSHA_STORE", raising=False)
    monkeypatch.setenv("NAQSHA_GEODATA_MIRROR", str(mirror_dir()))
    yield tmp_path / "home"
