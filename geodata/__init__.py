"""Reviewed reference tables that ship with naqsha: the boundary-source manifest and
the gazetteer's alternative spellings. Data files only; code lives in ``naqsha.etl``."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.json"
