"""Fetch the pinned boundary sources and build the normalised layers into the cache.

Where a source comes from:

- ``NAQSHA_GEODATA_MIRROR`` set: copied from that folder (offline machines, CI);
- otherwise downloaded from the manifest's URL (timeout, retries, progress bar), unless
  ``NAQSHA_OFFLINE=1``.

Every file is checked before anything is written: present, complete GeoJSON, and its
SHA-256 equal to the manifest's (or to a new release accepted on purpose with
``naqsha boundaries --accept-new LAYER``, which is recorded in the cache's
``accepted.json``, not in code). Then the layers are built in a temporary folder inside
the cache and moved into place with ``os.replace``; ``boundaries.json`` (the status)
goes last. A failure at any step leaves the previous cache as it was. A lock file
(``.lock``) keeps two builds of one cache from interleaving.

Cache layout (``get_settings().geodata_cache``)::

    outline.parquet, provinces.parquet, districts.parquet, countries.parquet
    <layer>.web.parquet     lightly simplified for the browser
    sources/<file>.geojson  the verified source files (rebuilds need no download)
    accepted.json           new releases accepted on purpose, by layer
    boundaries.json         where each layer came from, checksums, counts, notes
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

import pyarrow.parquet as pq
from rich.progress import (BarColumn, DownloadColumn, Progress, ProgressColumn, SpinnerColumn,
                           TextColumn, TimeElapsedColumn)
from rich.text import Text

from naqsha.errors import BoundariesMissing, ChecksumMismatch, GeodataError
from naqsha.etl import layers as L
from naqsha.settings import get_settings

STATUS_FILE = "boundaries.json"
ACCEPTED_FILE = "accepted.json"
SOURCES_DIR = "sources"

DOWNLOAD_TIMEOUT = 60  # seconds without data before a try is abandoned
DOWNLOAD_TRIES = 3
USER_AGENT = "naqsha (boundary fetch; https://github.com/wmgeolab/geoBoundaries)"


@dataclass
class Fetched:
    """One verified source file, waiting in the temporary build folder."""

    layer: str
    file: str
    path: Path
    origin: str  # URL or mirror path
    sha256: str
    expected_sha256: str
    checksum: str  # "matched" | "accepted new release"


# ------------------------------------------------------------------------------ helpers


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_json(path: Path, default):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default


def _resolve_layers(names: Iterable[str]) -> list[str]:
    names = [n.strip().lower() for n in names if n and n.strip()]
    unknown = [n for n in names if n not in L.LAYERS]
    if unknown:
        raise GeodataError(
            f"Unknown boundary layer(s) {', '.join(unknown)} for --accept-new; the layers are "
            f"{', '.join(L.LAYERS)}."
        )
    return names


def _needed_files(spec: dict) -> str:
    return ", ".join(entry["file"] for entry in spec.values())


# ---------------------------------------------------------------- checking a source file


def check_geojson(path: Path, layer: str, origin: str) -> None:
    """Fail with a clear message unless ``path`` holds a complete GeoJSON FeatureCollection."""
    size = path.stat().st_size
    if size == 0:
        raise GeodataError(
            f"{path.name} (layer {layer}, from {origin}) is empty. Replace it with a complete "
            "copy and run `naqsha boundaries` again."
        )
    with open(path, "rb") as fh:
        head = fh.read(200)
    if head.startswith(b"version https://git-lfs"):
        raise GeodataError(
            f"{path.name} (layer {layer}, from {origin}) is a Git LFS pointer, not the file "
            "itself. Download the real file (GitHub's 'raw' link follows LFS) into the mirror."
        )
    text = path.read_bytes()
    try:
        doc = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        if _looks_truncated(exc, head):
            raise GeodataError(
                f"{path.name} (layer {layer}, from {origin}) is truncated: its JSON stops "
                f"after {size:,} bytes. Copy or download it again, completely, then run "
                "`naqsha boundaries`."
            ) from None
        raise GeodataError(
            f"{path.name} (layer {layer}, from {origin}) is not GeoJSON ({_describe(head)}). "
            "Put the GeoJSON file named in geodata/manifest.json there and run "
            "`naqsha boundaries` again."
        ) from None
    if not (isinstance(doc, dict) and doc.get("type") == "FeatureCollection"
            and isinstance(doc.get("features"), list)):
        raise GeodataError(
            f"{path.name} (layer {layer}, from {origin}) is JSON but not a GeoJSON "
            "FeatureCollection. Put the GeoJSON file named in geodata/manifest.json there and "
            "run `naqsha boundaries` again."
        )
    if not doc["features"]:
        raise GeodataError(
            f"{path.name} (layer {layer}, from {origin}) is a GeoJSON FeatureCollection with no "
            "features. Put the complete file named in geodata/manifest.json there and run "
            "`naqsha boundaries` again."
        )


def _looks_truncated(exc: Exception, head: bytes) -> bool:
    """JSON that starts like an object and breaks off at its end (or inside a string that
    never closes) was cut short; anything else is not JSON at all."""
    if not isinstance(exc, json.JSONDecodeError) or not head.lstrip().startswith(b"{"):
        return False
    at_end = exc.pos >= len(exc.doc.rstrip()) - 1
    return at_end or exc.msg.startswith("Unterminated string")


def _describe(head: bytes) -> str:
    start = head.lstrip()[:15].lower()
    if start.startswith((b"<!doctype", b"<html")):
        return "it is an HTML page, perhaps an error page from the server"
    if start.startswith(b"pk"):
        return "it is a zip archive"
    return f"it starts with {head[:40]!r}"


def verify_checksum(fetched: Fetched, accepted: dict, accept_new: bool) -> None:
    """Compare with the pinned hash; a new release passes only when accepted on purpose."""
    if fetched.sha256 == fetched.expected_sha256:
        fetched.checksum = "matched"
        return
    if accept_new or accepted.get(fetched.layer, {}).get("sha256") == fetched.sha256:
        fetched.checksum = "accepted new release"
        return
    raise ChecksumMismatch(
        f"Checksum mismatch for {fetched.file} (layer {fetched.layer}, from {fetched.origin}): "
        f"the manifest pins SHA-256 {fetched.expected_sha256}, the file has {fetched.sha256}. "
        "The file may be damaged or may be a newer release. If you checked it and mean to use "
        f"it, run `naqsha boundaries --accept-new {fetched.layer}` (recorded in the geodata "
        "cache's accepted.json); otherwise fetch a good copy."
    )


# ------------------------------------------------------------------------------ fetching


def _copy_from_mirror(mirror: Path, entry: dict, layer: str, dest: Path) -> str:
    src = mirror / entry["file"]
    if not src.is_file():
        raise GeodataError(
            f"The mirror folder {mirror} (NAQSHA_GEODATA_MIRROR) has no {entry['file']} "
            f"(layer {layer}). Copy it there (from {entry['url']}), or unset "
            "NAQSHA_GEODATA_MIRROR to download it."
        )
    try:
        shutil.copyfile(src, dest)
    except OSError as exc:
        raise GeodataError(
            f"Could not copy {src} (layer {layer}) from the mirror folder "
            f"(NAQSHA_GEODATA_MIRROR): {exc}. Check the file can be read, then run "
            "`naqsha boundaries` again."
        ) from None
    return str(src)


def _download(url: str, dest: Path, label: str, progress) -> None:
    """Download with a timeout and a few retries; raises OSError after the last try."""
    last: Exception | None = None
    for attempt in range(1, DOWNLOAD_TRIES + 1):
        try:
            request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
            with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as resp, open(dest, "wb") as out:
                total = int(resp.headers.get("Content-Length") or 0) or None
                task = progress.add_task(f"download {label}", total=total, bytes=True)
                while chunk := resp.read(1 << 16):
                    out.write(chunk)
                    progress.advance(task, len(chunk))
                progress.remove_task(task)
            return
        except (urllib.error.URLError, socket.timeout, ConnectionError, OSError) as exc:
            last = exc
            if isinstance(exc, urllib.error.HTTPError) and exc.code < 500:
                break  # the server answered "no": trying again will not help
            if attempt < DOWNLOAD_TRIES:
                time.sleep(2 ** (attempt - 1))
    raise OSError(f"{last}") from last


def fetch_sources(
    tmp: Path,
    *,
    mirror: Path | None,
    offline: bool,
    accept_new: Iterable[str] = (),
    accepted: dict | None = None,
    progress=None,
) -> dict[str, Fetched]:
    """Fetch and verify every source into ``tmp``; raises before anything is kept."""
    spec = L.manifest()["layers"]
    accept_new = set(_resolve_layers(accept_new))
    accepted = accepted or {}
    progress = progress or _quiet_progress()
    if mirror is None and offline:
        raise GeodataError(
            "No boundary files can be fetched: this machine is offline (NAQSHA_OFFLINE is set) "
            "and no mirror is configured. Set NAQSHA_GEODATA_MIRROR to a folder holding "
            f"{_needed_files(spec)} (for example a copy of shared/geodata), then run "
            "`naqsha boundaries` again."
        )
    if mirror is not None and not Path(mirror).is_dir():
        raise GeodataError(
            f"NAQSHA_GEODATA_MIRROR points at {mirror}, which is not a folder. Point it at a "
            f"folder holding {_needed_files(spec)}, or unset it to download them."
        )
    out = {}
    for layer in L.LAYERS:
        entry = spec[layer]
        dest = tmp / entry["file"]
        if mirror is not None:
            origin = _copy_from_mirror(Path(mirror), entry, layer, dest)
        else:
            origin = entry["url"]
            try:
                _download(entry["url"], dest, entry["file"], progress)
            except OSError as exc:
                raise GeodataError(
                    f"Could not download {entry['file']} (layer {layer}) from {entry['url']}: "
                    f"{exc}. If this machine has no internet access, set NAQSHA_GEODATA_MIRROR "
                    f"to a folder holding {_needed_files(spec)} and run `naqsha boundaries` "
                    "again."
                ) from None
        check_geojson(dest, layer, origin)
        fetched = Fetched(layer, entry["file"], dest, origin, sha256_of(dest), entry["sha256"], "")
        verify_checksum(fetched, accepted, layer in accept_new)
        out[layer] = fetched
    return out


# ----------------------------------------------------------------------------- building


class _Quiet:
    """Stands in for a rich Progress when no bar is wanted."""

    def add_task(self, *a, **k):
        return 0

    def advance(self, *a, **k):
        pass

    def update(self, *a, **k):
        pass

    def remove_task(self, *a, **k):
        pass


def _quiet_progress():
    return _Quiet()


class _AmountColumn(ProgressColumn):
    """Bytes for a download, steps ("3/6") for the overall task."""

    def __init__(self):
        super().__init__()
        self._bytes = DownloadColumn()

    def render(self, task) -> Text:
        if task.fields.get("bytes"):
            return self._bytes.render(task)
        return Text(f"{int(task.completed)}/{int(task.total)}" if task.total else "")


@contextlib.contextmanager
def _progress(enabled: bool):
    if not enabled:
        yield _Quiet()
        return
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), _AmountColumn(),
        TimeElapsedColumn(), transient=True,
    ) as progress:
        yield progress


def _write_parquet(gdf, path: Path) -> None:
    gdf.to_parquet(path, compression="zstd", write_covering_bbox=False)


def _cache_dir(cache) -> Path:
    return Path(cache) if cache else get_settings().geodata_cache


def build_boundaries(
    *,
    cache: Path | None = None,
    mirror: Path | None | str = "settings",
    offline: bool | None = None,
    accept_new: Iterable[str] = (),
    reuse_sources: bool = False,
    progress: bool = True,
) -> dict:
    """Fetch (or copy) the sources, verify them, build the layers, and swap them into the
    cache. Returns the new status (see :func:`status`).

    ``mirror``/``offline`` default to the settings. ``reuse_sources=True`` rebuilds from the
    source files already kept in the cache (no fetch), as ``ensure_boundaries`` does after an
    upgrade.
    """
    cache = _cache_dir(cache)
    with _locked(cache), _says_cache_unchanged(cache):
        return _build_locked(cache, mirror, offline, accept_new, reuse_sources, progress)


@contextlib.contextmanager
def _says_cache_unchanged(cache: Path):
    """Every failed build ends its message by saying what state the cache is in."""
    try:
        yield
    except GeodataError as exc:
        if "previous cache" not in str(exc) and "cache is unchanged" not in str(exc):
            built = (cache / STATUS_FILE).is_file()
            exc.args = (
                f"{exc} "
                + ("The previous cache is unchanged." if built else "Nothing was written to the cache."),
            )
        raise


@contextlib.contextmanager
def _locked(cache: Path):
    """One build at a time per cache (the pipeline and `naqsha demo` may both ask);
    temporary folders left by a killed build are removed once the lock is held."""
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "a") as fh:  # "a": never truncate (leaves mtime alone)
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            for stale in cache.glob(".build-*"):
                shutil.rmtree(stale, ignore_errors=True)
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _build_locked(cache, mirror, offline, accept_new, reuse_sources, progress) -> dict:
    settings = get_settings()
    mirror = settings.geodata_mirror if mirror == "settings" else mirror
    offline = settings.offline if offline is None else offline
    started = time.monotonic()
    accepted = _read_json(cache / ACCEPTED_FILE, {})
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=cache))
    try:
        with _progress(progress) as bar:
            steps = bar.add_task("fetch and check the sources", total=3)
            if reuse_sources:
                fetched = _kept_sources(cache, tmp, accepted)
            else:
                fetched = fetch_sources(
                    tmp, mirror=mirror, offline=offline, accept_new=accept_new,
                    accepted=accepted, progress=bar,
                )
            bar.update(steps, advance=1, description="build the layers")
            notes = L.Notes()
            built = L.build_layers({k: f.path for k, f in fetched.items()}, notes)
            web = L.web_versions(built)
            bar.update(steps, advance=1, description="write GeoParquet")
            for name in L.LAYERS:
                _write_parquet(built[name], tmp / f"{name}.parquet")
                _write_parquet(web[name], tmp / f"{name}.web.parquet")
            bar.update(steps, advance=1)
        for layer in _resolve_layers(accept_new):
            if fetched[layer].checksum == "matched":
                continue  # nothing new to accept
            accepted[layer] = {
                "sha256": fetched[layer].sha256,
                "pinned_sha256": fetched[layer].expected_sha256,
                "accepted_at": _now(),
            }
        state = _status_record(fetched, built, notes, started, accepted)
        (tmp / ACCEPTED_FILE).write_text(json.dumps(accepted, indent=2))
        (tmp / STATUS_FILE).write_text(json.dumps(state, indent=2, default=str))
        _swap_in(tmp, cache, fetched)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return state


def _kept_sources(cache: Path, tmp: Path, accepted: dict) -> dict[str, Fetched]:
    """The verified source files kept by the last build, re-checked, as if just fetched."""
    spec = L.manifest()["layers"]
    previous = _read_json(cache / STATUS_FILE, {}).get("layers", {})
    out = {}
    for layer in L.LAYERS:
        entry = spec[layer]
        kept = cache / SOURCES_DIR / entry["file"]
        if not kept.is_file():
            raise BoundariesMissing(L.missing_message(cache))
        dest = tmp / entry["file"]
        shutil.copyfile(kept, dest)
        origin = previous.get(layer, {}).get("origin", str(kept))
        check_geojson(dest, layer, origin)
        fetched = Fetched(layer, entry["file"], dest, origin, sha256_of(dest), entry["sha256"], "")
        verify_checksum(fetched, accepted, False)
        out[layer] = fetched
    return out


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _status_record(fetched, built, notes, started, accepted) -> dict:
    layers = {}
    for name in L.LAYERS:
        f = fetched[name]
        record = asdict(f)
        record.pop("path")
        record.update(
            features=len(built[name]),
            source_features=notes.source_features.get(name),
            notes=notes.by_layer.get(name, []),
        )
        layers[name] = record
    return {
        "layers_version": L.LAYERS_VERSION,
        "built_at": _now(),
        "build_seconds": round(time.monotonic() - started, 2),
        "citation": L.citation(),
        "layers": layers,
    }


def _swap_in(tmp: Path, cache: Path, fetched: dict[str, Fetched]) -> None:
    """Move the finished files into the cache, status last, each with os.replace."""
    sources = cache / SOURCES_DIR
    sources.mkdir(exist_ok=True)
    for f in fetched.values():
        os.replace(f.path, sources / f.file)
    for name in L.LAYERS:
        for suffix in (".parquet", ".web.parquet"):
            os.replace(tmp / f"{name}{suffix}", cache / f"{name}{suffix}")
    os.replace(tmp / ACCEPTED_FILE, cache / ACCEPTED_FILE)
    os.replace(tmp / STATUS_FILE, cache / STATUS_FILE)


# ------------------------------------------------------------------------ status, ensure


def is_built(cache: Path | None = None) -> bool:
    """True when every layer file is there and was built by this version of naqsha."""
    cache = _cache_dir(cache)
    state = _read_json(cache / STATUS_FILE, None)
    if not state or state.get("layers_version") != L.LAYERS_VERSION:
        return False
    return all(L.layer_path(n, web, cache).is_file() for n in L.LAYERS for web in (False, True))


def ensure_boundaries(progress: bool = True, cache: Path | None = None) -> Path:
    """Build the layers if they are missing or out of date; return the cache folder.

    Rebuilds from the kept source files when possible, else fetches (mirror or download).
    """
    cache = _cache_dir(cache)
    if is_built(cache):
        return cache
    with _locked(cache):
        if is_built(cache):  # another process built it while we waited
            return cache
        kept = [cache / SOURCES_DIR / e["file"] for e in L.manifest()["layers"].values()]
        if all(path.is_file() for path in kept):
            try:
                _build_locked(cache, "settings", None, (), True, progress)
                return cache
            except GeodataError:
                pass  # kept files unusable: fetch afresh below
        with _says_cache_unchanged(cache):
            _build_locked(cache, "settings", None, (), False, progress)
    return cache


def status(cache: Path | None = None) -> dict:
    """What ``naqsha boundaries status`` shows: the recorded build, with each layer's
    feature count read from its GeoParquet file (so a damaged cache shows)."""
    cache = _cache_dir(cache)
    state = _read_json(cache / STATUS_FILE, None)
    if not state:
        raise BoundariesMissing(L.missing_message(cache))
    for name, record in state["layers"].items():
        path = L.layer_path(name, False, cache)
        try:
            record["features_on_disk"] = pq.read_metadata(path).num_rows
        except (FileNotFoundError, OSError):
            record["features_on_disk"] = None
        record["pinned_source_features"] = L.manifest()["layers"][name].get("features")
    state["cache"] = str(cache)
    return state
