"""Where naqsha keeps things, read from environment variables.

Every path the product uses comes from here, so a user (or a test) moves the store,
the boundary cache or the download mirror by setting one variable:

- ``NAQSHA_HOME``: the base folder (default ``$XDG_DATA_HOME/naqsha``, else
  ``~/.local/share/naqsha``).
- ``NAQSHA_STORE``: the store of ETL results (default ``$NAQSHA_HOME/store``).
- ``NAQSHA_GEODATA_CACHE``: normalised boundary layers and the gazetteer
  (default ``$NAQSHA_HOME/geodata``).
- ``NAQSHA_GEODATA_MIRROR``: a folder holding copies of the source boundary files, used
  instead of downloading them (offline machines, CI). Unset means download.
- ``NAQSHA_OFFLINE``: ``1`` forbids any download even when no mirror is set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    home: Path
    store: Path
    geodata_cache: Path
    geodata_mirror: Path | None
    offline: bool


def _path(value: str) -> Path:
    return Path(value).expanduser().resolve()


def get_settings() -> Settings:
    """Read the settings now (not at import), so a changed environment takes effect."""
    env = os.environ
    if env.get("NAQSHA_HOME"):
        home = _path(env["NAQSHA_HOME"])
    else:
        xdg = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        home = _path(xdg) / "naqsha"
    mirror = env.get("NAQSHA_GEODATA_MIRROR")
    return Settings(
        home=home,
        store=_path(env["NAQSHA_STORE"]) if env.get("NAQSHA_STORE") else home / "store",
        geodata_cache=(
            _path(env["NAQSHA_GEODATA_CACHE"])
            if env.get("NAQSHA_GEODATA_CACHE")
            else home / "geodata"
        ),
        geodata_mirror=_path(mirror) if mirror else None,
        offline=env.get("NAQSHA_OFFLINE", "") not in ("", "0", "false", "no"),
    )
