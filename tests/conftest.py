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


@pytest.fixture(scope="session")
def geodata_cache_dir(tmp_path_factory) -> Path:
    """One boundary cache folder for the whole session (NAQSHA_GEODATA_CACHE in every test)."""
    return tmp_path_factory.mktemp("geodata-cache")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch, geodata_cache_dir):
    monkeypatch.setenv("NAQSHA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NAQSHA_STORE", raising=False)
    monkeypatch.setenv("NAQSHA_GEODATA_MIRROR", str(mirror_dir()))
    monkeypatch.setenv("NAQSHA_GEODATA_CACHE", str(geodata_cache_dir))
    monkeypatch.delenv("NAQSHA_OFFLINE", raising=False)
    yield tmp_path / "home"


@pytest.fixture(scope="session")
def geodata(geodata_cache_dir) -> Path:
    """The boundary layers, built once per session from the mirror into the session's
    geodata cache (about a second); request it before calling ``load_layer``."""
    from naqsha.etl.boundaries import build_boundaries, is_built

    if not is_built(geodata_cache_dir):
        build_boundaries(
            cache=geodata_cache_dir, mirror=mirror_dir(), offline=True, progress=False
        )
    return geodata_cache_dir
