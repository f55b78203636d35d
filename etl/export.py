"""Exporting the store: JSON Lines (the contract other tools read), GeoJSON, CSV, GeoParquet.

The JSON Lines format is the promise in ``contracts/export-jsonl.md`` (shared with the
evaluation): one line per (document, resolved place) with its level, codes, point,
precision, roles and mentions, and one line per control claim. Fields may be added,
never renamed or dropped.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from naqsha import schema
from naqsha.atomic import write_text_atomic
from naqsha.errors import NaqshaError
from naqsha.store import StoreReader, to_arrow

FORMATS = ("jsonl", "geojson", "csv", "geoparquet")
PLACE_FIELDS = ("level", "adm0", "adm1", "adm2", "name", "geonames_id", "lat", "lon")
CLAIM_FIELDS = ("subject", "metric", "value", "unit", "of_total", "scope", "attributed_to", "as_of",
                "start", "end", "text")


class ExportError(NaqshaError):
    pass


def _clean(value):
    """A JSON-safe scalar: NaN/NA -> None, numpy -> python, whole floats -> int, dates -> ISO."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()
        if isinstance(value, list):
            return [_clean(v) for v in value]
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, float):
        if math.isinf(value):
            return None
        return int(value) if value.is_integer() else value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value


def _records(df: pd.DataFrame) -> list[dict]:
    df = pd.DataFrame(df)
    if "geometry" in df.columns:
        df = df.drop(columns=["geometry"])
    return [{k: _clean(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


# ---------------------------------------------------------------------------- jsonl


def jsonl_records(reader: StoreReader) -> Iterator[dict]:
    """The contract's objects, document by document: place lines (by first mention)
    then claim lines (by offset)."""
    places = _records(reader.read("places"))
    mentions = _records(reader.read("mentions", columns=["doc_id", "place_key", "start", "end", "text", "metonymy"]))
    claims = _records(reader.read("claims"))
    by_place: dict[tuple[str, str], list[dict]] = {}
    for m in mentions:
        by_place.setdefault((m["doc_id"], m["place_key"]), []).append(
            {"start": m["start"], "end": m["end"], "text": m["text"], "metonymy": bool(m["metonymy"])})
    docs: dict[str, dict[str, list]] = {}
    for p in places:
        docs.setdefault(p["doc_id"], {"places": [], "claims": []})["places"].append(p)
    for c in claims:
        docs.setdefault(c["doc_id"], {"places": [], "claims": []})["claims"].append(c)
    for doc_id in sorted(docs):
        rows = []
        for p in docs[doc_id]["places"]:
            ms = sorted(by_place.get((doc_id, p["place_key"]), []), key=lambda m: (m["start"], m["end"]))
            rows.append((ms[0]["start"] if ms else math.inf, p["place_key"], {
                "doc_id": doc_id,
                "place": {**{k: p.get(k) for k in PLACE_FIELDS}, "key": p["place_key"]},
                "precision": p["precision"],
                "roles": list(p.get("roles") or []),
                "mentions": ms,
                "resolution": p.get("resolution"),
            }))
        for _, _, line in sorted(rows, key=lambda r: (r[0], r[1])):
            yield line
        for c in sorted(docs[doc_id]["claims"], key=lambda c: (c["start"], c["end"])):
            yield {"doc_id": doc_id, "claim": {**{k: c.get(k) for k in CLAIM_FIELDS},
                                               "derived": bool(c.get("derived")), "claim_id": c["claim_id"],
                                               "outlet": c.get("outlet")}}


def jsonl_lines(reader: StoreReader) -> Iterator[str]:
    for rec in jsonl_records(reader):
        yield json.dumps(rec, ensure_ascii=False)


# ---------------------------------------------------------------------------- geojson / csv / parquet


def _feature(row: dict, kind: str) -> dict:
    lon, lat = row.get("lon"), row.get("lat")
    geometry = {"type": "Point", "coordinates": [lon, lat]} if lon is not None and lat is not None else None
    props = {"feature_type": kind, **{k: v for k, v in row.items() if k not in ("geometry",)}}
    return {"type": "Feature", "geometry": geometry, "properties": props}


def geojson_object(reader: StoreReader, tables=("events", "places")) -> dict:
    features = []
    for name in tables:
        kind = name[:-1]
        features.extend(_feature(row, kind) for row in _records(reader.read(name)))
    return {"type": "FeatureCollection", "features": features}


def csv_text(reader: StoreReader, table: str) -> tuple[str, int]:
    df = pd.DataFrame(reader.read(table))
    if "geometry" in df.columns:
        df = df.drop(columns=["geometry"])
    if table == "documents" and "text" in df.columns:
        df = df.drop(columns=["text"])
    buf = io.StringIO()
    rows = _records(df)
    writer = csv.DictWriter(buf, fieldnames=list(df.columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ";".join(map(str, v)) if isinstance(v, list) else v for k, v in row.items()})
    return buf.getvalue(), len(rows)


def write_geoparquet(reader: StoreReader, table: str, out: Path) -> None:
    import pyarrow.parquet as pq

    df = reader.read(table)
    pq.write_table(to_arrow(table, pd.DataFrame(df).drop(columns=["geometry"], errors="ignore")), out,
                   compression="zstd")


def export(fmt: str, store=None, out: str | os.PathLike | None = None, table: str | None = None,
           stdout=None) -> int:
    """Write the store in ``fmt`` to ``out`` (or ``stdout``); returns the number of
    records (lines, features or rows) written."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    reader = StoreReader(store)
    reader.version()  # a missing store is a clear error before anything is written
    if table is not None:
        schema.table(table)
    if fmt == "geoparquet":
        if out is None:
            raise ExportError("GeoParquet is binary: give a file with --out FILE.parquet")
        table = table or "places"
        if not schema.table(table).geometry:
            raise ExportError(f"{table} has no geometry; GeoParquet export takes places or events")
        tmp = Path(str(out) + ".tmp")
        write_geoparquet(reader, table, tmp)
        os.replace(tmp, out)
        return len(reader.read(table, columns=["doc_id"]))
    if fmt == "jsonl":
        lines = list(jsonl_lines(reader))
        text, count = "".join(line + "\n" for line in lines), len(lines)
    elif fmt == "geojson":
        obj = geojson_object(reader, (table,) if table else ("events", "places"))
        text, count = json.dumps(obj, ensure_ascii=False) + "\n", len(obj["features"])
    else:
        table = table or "places"
        text, count = csv_text(reader, table)
    if out is None:
        import sys

        (stdout or sys.stdout).write(text)
    else:
        write_text_atomic(out, text)
    return count
