"""Reading and writing the store: a folder of GeoParquet/Parquet tables.

Layout::

    STORE/CURRENT            name of the live generation, replaced atomically
    STORE/gen-<n>/<table>.parquet
    STORE/gen-<n>/meta.json  store version, when and how it was written

A write builds a whole new generation next to the live one and then swaps ``CURRENT``
with ``os.replace``, so a crash or Ctrl-C at any moment leaves the previous store whole.
Tables a write does not touch are carried into the new generation (hard links, else
copies). Readers (dashboard, snapshots, export) use :class:`StoreReader`, which has no
way to write.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyproj
import shapely

from naqsha import schema
from naqsha.errors import StoreError, StoreMissing
from naqsha.settings import get_settings

CURRENT = "CURRENT"


def _resolve_root(root: str | os.PathLike | None) -> Path:
    return Path(root).expanduser().resolve() if root else get_settings().store


def _live_generation(root: Path) -> Path | None:
    pointer = root / CURRENT
    if not pointer.is_file():
        return None
    gen = root / pointer.read_text().strip()
    return gen if gen.is_dir() else None


def to_arrow(name: str, df: pd.DataFrame) -> pa.Table:
    """Coerce a frame to the table's declared schema (missing nullable columns become
    null); a missing required column or an impossible cast is a StoreError."""
    spec = schema.table(name)
    df = pd.DataFrame(df).reset_index(drop=True)
    for col in spec.columns:
        if col.name not in df.columns:
            if not col.nullable and len(df):
                raise StoreError(f"table {name!r}: required column {col.name!r} is missing")
            df[col.name] = None
    try:
        tbl = pa.Table.from_pandas(df[spec.names], schema=spec.arrow_schema(), preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
        raise StoreError(f"table {name!r} does not fit its schema: {exc}") from exc
    if not spec.geometry:
        return tbl
    points = shapely.points(df["lon"].astype(float).to_numpy(), df["lat"].astype(float).to_numpy())
    wkb = pa.array(shapely.to_wkb(points), type=pa.binary())
    tbl = tbl.append_column(pa.field("geometry", pa.binary(), nullable=False), wkb)
    return tbl.replace_schema_metadata({b"geo": json.dumps(_geo_metadata(points)).encode()})


GEOPARQUET_VERSION = "1.1.0"
_WGS84_PROJJSON = pyproj.CRS.from_epsg(4326).to_json_dict()


def _geo_metadata(points) -> dict:
    """GeoParquet file metadata for a point column in EPSG:4326 (lon/lat order on disk)."""
    column = {"encoding": "WKB", "geometry_types": ["Point"], "crs": _WGS84_PROJJSON}
    if len(points):
        column["bbox"] = [float(v) for v in shapely.total_bounds(points)]
    return {"version": GEOPARQUET_VERSION, "primary_column": "geometry", "columns": {"geometry": column}}


def from_arrow(name: str, tbl: pa.Table) -> pd.DataFrame:
    spec = schema.table(name)
    if spec.geometry and "geometry" in tbl.column_names:
        df = tbl.drop_columns(["geometry"]).to_pandas()
        geometry = shapely.from_wkb(tbl.column("geometry").to_numpy(zero_copy_only=False))
        return gpd.GeoDataFrame(df, geometry=geometry, crs="EPSG:4326")
    return tbl.to_pandas()


def empty(name: str) -> pd.DataFrame:
    """An empty frame with the table's columns and types."""
    return from_arrow(name, to_arrow(name, pd.DataFrame(columns=schema.table(name).names)))


class StoreReader:
    """Read-only access to the live generation of a store."""

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = _resolve_root(root)

    def exists(self) -> bool:
        return _live_generation(self.root) is not None

    def _generation(self) -> Path:
        gen = _live_generation(self.root)
        if gen is None:
            raise StoreMissing(
                f"There is no naqsha store at {self.root}. Build one with "
                f"`naqsha etl --corpus FOLDER --store {self.root}` (`--sample` instead of `--corpus` for the built-in "
                "sample articles), or point NAQSHA_STORE / --store at an existing store."
            )
        return gen

    def meta(self) -> dict:
        return json.loads((self._generation() / "meta.json").read_text())

    def has(self, name: str) -> bool:
        return self.exists() and (self._generation() / f"{name}.parquet").is_file()

    def read(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """The table as a (Geo)DataFrame; an empty one with the right columns when this
        generation does not hold it."""
        gen = self._generation()
        schema.table(name)
        path = gen / f"{name}.parquet"
        if not path.is_file():
            return empty(name)
        return from_arrow(name, pq.read_table(path, columns=columns))

    def read_attributes(self, name: str) -> pd.DataFrame:
        """The table without its geometry, as a plain DataFrame: what a reader needs when
        the table keeps ``lon``/``lat`` columns too (decoding 100,000 points costs more than
        reading the whole file)."""
        path = self._generation() / f"{name}.parquet"
        if not path.is_file():
            return pd.DataFrame(empty(name)).drop(columns="geometry", errors="ignore")
        columns = [c for c in pq.read_schema(path).names if c != "geometry"]
        return from_arrow(name, pq.read_table(path, columns=columns))

    def version(self) -> str:
        """Changes whenever a write lands (use it as a cache key)."""
        return self._generation().name


@contextlib.contextmanager
def _lock(root: Path):
    try:
        root.mkdir(parents=True, exist_ok=True)
        fh = open(root / ".lock", "w")
    except OSError as exc:
        raise StoreError(
            f"Cannot write a store at {root}: {exc.strerror or exc}. Pass --store (or set "
            "NAQSHA_STORE) to a folder you can write; the store is a folder, not a file."
        ) from exc
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _carry(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def write_tables(tables: dict[str, pd.DataFrame], root: str | os.PathLike | None = None, **meta) -> Path:
    """Write ``tables`` as a new generation and make it live, atomically.

    Tables not named are carried over from the live generation. ``meta`` is merged into
    the previous meta.json (for example ``parser_version``). Returns the new generation.
    """
    root = _resolve_root(root)
    arrow = {name: to_arrow(name, df) for name, df in tables.items()}  # fail before touching disk
    with _lock(root):
        previous = _live_generation(root)
        tmp = Path(tempfile.mkdtemp(prefix=".gen-", dir=root))
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a store is shared with its readers
        try:
            for name, tbl in arrow.items():
                pq.write_table(tbl, tmp / f"{name}.parquet", compression="zstd")
            old_meta = {}
            if previous is not None:
                old_meta = json.loads((previous / "meta.json").read_text())
                for path in previous.glob("*.parquet"):
                    if path.stem not in arrow:
                        _carry(path, tmp / path.name)
            old_meta.update(meta)
            old_meta.update(
                store_version=schema.STORE_VERSION,
                written_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            )
            (tmp / "meta.json").write_text(json.dumps(old_meta, indent=2, default=str))
            number = int(previous.name.split("-")[1]) + 1 if previous is not None else 1
            gen = root / f"gen-{number:06d}"
            os.rename(tmp, gen)
            pointer_tmp = root / f".{CURRENT}.tmp"
            pointer_tmp.write_text(gen.name)
            with open(pointer_tmp) as fh:
                os.fsync(fh.fileno())
            os.replace(pointer_tmp, root / CURRENT)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        for old in root.glob("gen-*"):
            if old != gen:
                shutil.rmtree(old, ignore_errors=True)
        return gen
