"""Boundary layers for snapshots: the provinces, districts and countries built by
``naqsha boundaries``, normalised to ``code``/``label`` columns, projected on request and
cached per process (the dashboard renders many snapshots); and the boundary citation
every snapshot carries."""

from __future__ import annotations

import functools

from . import cartography as carto


def _layers_module():
    from naqsha.etl import layers

    return layers


def _first(frame, names):
    for n in names:
        if n in frame.columns:
            return n
    return None


def boundary_cache_key() -> str:
    """The boundary cache folder and its layers' modification times: a rebuilt cache is
    picked up by a running dashboard."""
    from naqsha.settings import get_settings

    cache = get_settings().geodata_cache
    stamps = []
    for name in ("provinces", "districts", "countries"):
        try:
            stamps.append(str((cache / f"{name}.parquet").stat().st_mtime_ns))
        except OSError:
            stamps.append("-")
    return f"{cache}|{'|'.join(stamps)}"


@functools.lru_cache(maxsize=16)
def _layer(name: str, web: bool, cache_key: str, crs: str | None):
    """A boundary layer, normalised to columns ``code``/``name`` (provinces: ISO 3166-2;
    districts: the place key ``AF-XXX/Name``; countries: ADM0_A3), optionally projected.
    Cached per process (the dashboard renders many snapshots)."""
    gdf = _layers_module().load_layer(name, web=web)
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty].copy()
    if name == "provinces":
        code = _first(gdf, ["adm1", "place_key", "iso", "code", "shapeISO"])
        label = _first(gdf, ["name", "province", "shapeName"])
        gdf["code"] = gdf[code].astype(str).str.replace("_", "-", regex=False)
        gdf["label"] = gdf[label].astype(str)
    elif name == "districts":
        key = _first(gdf, ["district_id", "place_key", "key", "code"])
        label = _first(gdf, ["name", "adm2", "district", "shapeName"])
        if key is not None:
            gdf["code"] = gdf[key].astype(str)
        else:
            adm1 = _first(gdf, ["adm1", "province"])
            gdf["code"] = gdf[adm1].astype(str) + "/" + gdf[label].astype(str)
        gdf["label"] = gdf[label].astype(str)
        gdf["province"] = gdf["code"].str.slice(0, 6)
    elif name == "countries":
        code = _first(gdf, ["iso_a3", "ADM0_A3", "adm0_a3", "code"])
        label = _first(gdf, ["NAME", "name", "ADMIN"])
        gdf["code"] = gdf[code].astype(str)
        gdf["label"] = gdf[label].astype(str)
    else:
        gdf["code"] = "AFG"
        gdf["label"] = "Afghanistan"
    keep = ["code", "label"] + (["province"] if name == "districts" else [])
    gdf = gdf[keep + ["geometry"]].reset_index(drop=True)
    if crs:
        gdf = gdf.to_crs(crs)
    return gdf


def layer(name: str, *, web: bool = False, crs: str | None = None):
    """Boundary layer ``name`` (provinces, districts, countries, outline), normalised and
    cached; raises the layers module's BoundariesMissing when ``naqsha boundaries`` has
    not been run."""
    return _layer(name, web, boundary_cache_key(), crs).copy()


@functools.lru_cache(maxsize=8)
def countries_near(bounds: tuple, cache_key: str):
    """Natural Earth countries clipped to a lon/lat box (for neighbours and the region)."""
    import shapely

    world = _layer("countries", False, cache_key, None)
    box = shapely.box(*bounds)
    near = world[world.intersects(box)].copy()
    near["geometry"] = near.geometry.intersection(box)
    return near[~near.geometry.is_empty].reset_index(drop=True)


def boundary_citation() -> str:
    """The boundary citation from the geodata manifest (via naqsha.etl.layers)."""
    layers = _layers_module()
    try:
        text = layers.citation()
    except TypeError:
        text = layers.citation(["provinces", "districts", "countries"])
    if isinstance(text, (list, tuple)):
        text = " ".join(dict.fromkeys(text))
    return str(text)


@functools.lru_cache(maxsize=4)
def projected_neighbours(lonlat: tuple, cache_key: str):
    return countries_near(lonlat, cache_key).to_crs(carto.AFG_CRS)
