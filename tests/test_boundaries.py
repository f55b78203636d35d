"""Fetching the boundary sources and the `naqsha boundaries` commands: the happy path
from a mirror, and each bad input giving its error while the previous cache stays as it
was. Real files in temporary folders; the network is never used (downloads are served
from the mirror by a fake ``urlopen``)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import urllib.error
from pathlib import Path

import os

import pyogrio
import pytest

from naqsha.cli import main
from naqsha.errors import BoundariesMissing, ChecksumMismatch, GeodataError
from naqsha.etl import boundaries as B
from naqsha.etl import layers as L

SPEC = L.manifest()["layers"]
#: The real source files (conftest.mirror_dir(), read before any test changes the setting;
#: conftest itself is not importable under --import-mode=importlib).
SOURCE_MIRROR = Path(
    os.environ.get("NAQSHA_GEODATA_MIRROR") or Path(__file__).resolve().parents[2] / "shared" / "geodata"
).resolve()


def mirror_dir() -> Path:
    return SOURCE_MIRROR

ADM1 = SPEC["provinces"]["file"]


# ------------------------------------------------------------------------------ helpers


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``folder`` with its content hash and modification time."""
    return {
        str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def cache(tmp_path, monkeypatch, geodata) -> Path:
    """A private, already built cache (a copy of the session's), as NAQSHA_GEODATA_CACHE."""
    folder = tmp_path / "cache"
    shutil.copytree(geodata, folder)
    monkeypatch.setenv("NAQSHA_GEODATA_CACHE", str(folder))
    return folder


@pytest.fixture
def mirror(tmp_path, monkeypatch) -> Path:
    """A private mirror (links to the real files) that a test may break, as
    NAQSHA_GEODATA_MIRROR."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    for entry in SPEC.values():
        (folder / entry["file"]).symlink_to(mirror_dir() / entry["file"])
    monkeypatch.setenv("NAQSHA_GEODATA_MIRROR", str(folder))
    return folder


def replace(mirror: Path, name: str, data: bytes | str) -> None:
    path = mirror / name
    path.unlink()
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def fails_cleanly(cache: Path, capsys, *words: str, args=("boundaries",)) -> str:
    """Run the command, expect a non-zero exit, the words in its message, and the cache
    exactly as before (no half-written file, no leftover temporary folder)."""
    before = snapshot(cache)
    code = main(list(args))
    message = " ".join(capsys.readouterr().err.split())
    assert code != 0, message
    for word in words:
        assert word in message
    assert "Traceback" not in message
    assert snapshot(cache) == before
    assert not list(cache.glob(".build-*"))
    return message


# ---------------------------------------------------------------------------- happy path


def test_boundaries_builds_from_the_mirror_and_status_reports(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NAQSHA_GEODATA_CACHE", str(tmp_path / "fresh"))
    assert main(["boundaries", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["boundaries", "status"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "34 provinces" in out
    assert "398 districts" in out
    assert "1 outline" in out
    assert "223 countries" in out and "(of 241 in the source)" in out
    assert out.count("matched") == 4
    assert "e0231866" in out
    state = B.status()
    for name, record in state["layers"].items():
        assert record["checksum"] == "matched"
        assert record["origin"] == str(mirror_dir().resolve() / SPEC[name]["file"])
        assert record["features_on_disk"] == record["features"]
    assert any("without geometry skipped" in n for n in state["layers"]["countries"]["notes"])


def test_status_without_a_cache_says_what_to_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NAQSHA_GEODATA_CACHE", str(tmp_path / "none"))
    assert main(["boundaries", "status"]) != 0
    assert "naqsha boundaries" in capsys.readouterr().err


def test_rebuild_replaces_the_cache(cache, capsys):
    before = snapshot(cache)
    assert main(["boundaries", "-q"]) == 0
    after = snapshot(cache)
    assert set(after) == set(before)
    assert after["provinces.parquet"][1] != before["provinces.parquet"][1]
    assert not list(cache.glob(".build-*"))


def test_download_when_no_mirror_is_set(tmp_path, monkeypatch):
    """Without a mirror the files come from the manifest URLs (served here from disk)."""
    monkeypatch.delenv("NAQSHA_GEODATA_MIRROR")
    by_url = {e["url"]: mirror_dir() / e["file"] for e in SPEC.values()}
    asked = []

    class Response(io.BytesIO):
        def __init__(self, data):
            super().__init__(data)
            self.headers = {"Content-Length": str(len(data))}

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.close()

    def fake_urlopen(request, timeout):
        asked.append((request.full_url, timeout))
        return Response(by_url[request.full_url].read_bytes())

    monkeypatch.setattr(B.urllib.request, "urlopen", fake_urlopen)
    state = B.build_boundaries(cache=tmp_path / "dl", progress=True)
    assert sorted(u for u, _ in asked) == sorted(by_url)
    assert all(t == B.DOWNLOAD_TIMEOUT for _, t in asked)
    assert {r["origin"] for r in state["layers"].values()} == set(by_url)


def test_ensure_boundaries_builds_once_and_rebuilds_from_kept_sources(tmp_path, monkeypatch):
    folder = tmp_path / "ensure"
    B.ensure_boundaries(progress=False, cache=folder)
    assert B.is_built(folder)
    before = snapshot(folder)
    B.ensure_boundaries(progress=False, cache=folder)
    assert snapshot(folder) == before  # already built: nothing done
    # an upgrade of the layer format on an offline machine without a mirror
    status = json.loads((folder / B.STATUS_FILE).read_text())
    status["layers_version"] = -1
    (folder / B.STATUS_FILE).write_text(json.dumps(status))
    monkeypatch.delenv("NAQSHA_GEODATA_MIRROR")
    monkeypatch.setenv("NAQSHA_OFFLINE", "1")
    B.ensure_boundaries(progress=False, cache=folder)
    assert B.is_built(folder)
    assert len(L.gpd.read_parquet(folder / "districts.parquet")) == 398


# ----------------------------------------------------------------------------- bad input


def test_checksum_mismatch_names_both_hashes_and_how_to_accept(cache, mirror, capsys):
    doc = json.loads((mirror / ADM1).read_text())
    replace(mirror, ADM1, json.dumps(doc, indent=1))  # same data, other bytes
    new_hash = B.sha256_of(mirror / ADM1)
    message = fails_cleanly(
        cache, capsys, SPEC["provinces"]["sha256"], new_hash, "naqsha boundaries --accept-new provinces"
    )
    assert ADM1 in message


def test_accept_new_release_on_purpose_is_recorded_in_the_cache(cache, mirror, capsys):
    doc = json.loads((mirror / ADM1).read_text())
    replace(mirror, ADM1, json.dumps(doc))
    new_hash = B.sha256_of(mirror / ADM1)
    with pytest.raises(ChecksumMismatch):
        B.build_boundaries(progress=False)
    assert main(["boundaries", "-q", "--accept-new", "provinces"]) == 0
    accepted = json.loads((cache / B.ACCEPTED_FILE).read_text())
    assert accepted["provinces"]["sha256"] == new_hash
    assert accepted["provinces"]["pinned_sha256"] == SPEC["provinces"]["sha256"]
    # later runs keep accepting that file, and status says so
    assert main(["boundaries", "-q"]) == 0
    capsys.readouterr()
    assert main(["boundaries", "status"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "accepted new release" in out
    assert B.status()["layers"]["provinces"]["checksum"] == "accepted new release"


def test_accept_new_rejects_an_unknown_layer(cache, mirror, capsys):
    fails_cleanly(cache, capsys, "provincez", "outline, provinces, districts, countries",
                  args=("boundaries", "--accept-new", "provincez"))


def test_missing_mirror_file(cache, mirror, capsys):
    (mirror / SPEC["districts"]["file"]).unlink()
    fails_cleanly(cache, capsys, SPEC["districts"]["file"], "NAQSHA_GEODATA_MIRROR", str(mirror))


def test_mirror_folder_missing(cache, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NAQSHA_GEODATA_MIRROR", str(tmp_path / "nowhere"))
    fails_cleanly(cache, capsys, "NAQSHA_GEODATA_MIRROR", "not a folder")


@pytest.mark.parametrize("keep", [0.5, 0.999])
def test_truncated_mirror_file(cache, mirror, capsys, keep):
    data = (mirror / ADM1).read_bytes()
    replace(mirror, ADM1, data[: int(len(data) * keep)])
    fails_cleanly(cache, capsys, ADM1, "truncated")


def test_empty_mirror_file(cache, mirror, capsys):
    replace(mirror, ADM1, b"")
    fails_cleanly(cache, capsys, ADM1, "empty")


@pytest.mark.parametrize(
    "content, words",
    [
        ("<!DOCTYPE html><html><body>404</body></html>", ["not GeoJSON", "HTML page"]),
        ("shapeName,shapeISO\nKabul,AF-KAB\n", ["not GeoJSON"]),
        (b"PK\x03\x04\x14\x00\x00\x00binary", ["not GeoJSON", "zip"]),
        ('{"type": "Topology", "objects": {}}', ["not a GeoJSON FeatureCollection"]),
        ("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1\n", ["Git LFS pointer"]),
    ],
)
def test_not_geojson(cache, mirror, capsys, content, words):
    replace(mirror, ADM1, content)
    fails_cleanly(cache, capsys, ADM1, *words)


def test_geojson_of_the_wrong_layer(cache, mirror, capsys):
    """Valid GeoJSON but not the provinces (here: the countries file under its name)."""
    replace(mirror, ADM1, (mirror_dir() / SPEC["countries"]["file"]).read_bytes())
    fails_cleanly(cache, capsys, ADM1, args=("boundaries", "--accept-new", "provinces"))


def test_layer_in_another_crs_is_reprojected(cache, mirror, capsys):
    provinces = L.gpd.read_file(mirror_dir() / ADM1).to_crs(3857)
    (mirror / ADM1).unlink()
    pyogrio.write_dataframe(provinces, mirror / ADM1, driver="GeoJSON")
    assert '"crs"' in (mirror / ADM1).read_text()[:400]
    assert main(["boundaries", "-q", "--accept-new", "provinces"]) == 0
    built = L.load_layer("provinces")
    assert built.crs.to_epsg() == 4326
    minx, miny, maxx, maxy = built.total_bounds
    assert 60 < minx < maxx < 75 and 29 < miny < maxy < 39.5
    assert len(built) == 34 and built["adm1"].nunique() == 34
    assert len(L.load_layer("districts")) == 398
    notes = B.status()["layers"]["provinces"]["notes"]
    assert any("reprojected from EPSG:3857" in n for n in notes)


def test_projected_coordinates_without_a_crs(cache, mirror, capsys):
    outline = L.gpd.read_file(mirror_dir() / SPEC["outline"]["file"]).to_crs(3857)
    doc = json.loads(outline.to_json())
    doc.pop("crs", None)
    replace(mirror, SPEC["outline"]["file"], json.dumps(doc))
    fails_cleanly(cache, capsys, "not longitude/latitude",
                  args=("boundaries", "--accept-new", "outline"))


def test_offline_without_a_mirror(cache, monkeypatch, capsys):
    monkeypatch.delenv("NAQSHA_GEODATA_MIRROR")
    monkeypatch.setenv("NAQSHA_OFFLINE", "1")
    message = fails_cleanly(cache, capsys, "NAQSHA_GEODATA_MIRROR", "offline")
    for entry in SPEC.values():
        assert entry["file"] in message


def test_network_failure_without_a_mirror(cache, monkeypatch, capsys):
    monkeypatch.delenv("NAQSHA_GEODATA_MIRROR")

    def no_network(request, timeout):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(B.urllib.request, "urlopen", no_network)
    monkeypatch.setattr(B.time, "sleep", lambda s: None)
    message = fails_cleanly(cache, capsys, "Could not download", "NAQSHA_GEODATA_MIRROR",
                            SPEC["outline"]["url"])
    for entry in SPEC.values():
        assert entry["file"] in message


def test_a_later_bad_file_leaves_a_first_time_cache_empty(tmp_path, mirror, monkeypatch):
    """Nothing half-written on a first build either: no layer without all the others."""
    folder = tmp_path / "first"
    monkeypatch.setenv("NAQSHA_GEODATA_CACHE", str(folder))
    replace(mirror, SPEC["countries"]["file"], b"{")
    with pytest.raises(GeodataError):
        B.build_boundaries(progress=False)
    assert not list(folder.glob("*.parquet"))
    with pytest.raises(BoundariesMissing):
        L.load_layer("provinces")


def test_truncated_inside_a_string(cache, mirror, capsys):
    data = (mirror / ADM1).read_bytes()
    cut = data.index(b'"Zabul"') + 3  # stops inside a property value
    replace(mirror, ADM1, data[:cut])
    fails_cleanly(cache, capsys, ADM1, "truncated")


def test_http_404_is_not_retried(cache, monkeypatch, capsys):
    monkeypatch.delenv("NAQSHA_GEODATA_MIRROR")
    calls = []

    def not_found(request, timeout):
        calls.append(request.full_url)
        raise urllib.error.HTTPError(request.full_url, 404, "Not Found", {}, None)

    monkeypatch.setattr(B.urllib.request, "urlopen", not_found)
    fails_cleanly(cache, capsys, "404", "NAQSHA_GEODATA_MIRROR")
    assert len(calls) == 1


def test_accept_new_on_a_matching_file_records_nothing(cache, mirror):
    assert main(["boundaries", "-q", "--accept-new", "districts"]) == 0
    assert json.loads((cache / B.ACCEPTED_FILE).read_text()) == {}


def test_stale_temporary_folders_are_cleaned(cache):
    (cache / ".build-killed").mkdir()
    (cache / ".build-killed" / "provinces.parquet").write_bytes(b"half")
    B.build_boundaries(progress=False)
    assert not list(cache.glob(".build-*"))


def test_feature_collection_without_features(cache, mirror, capsys):
    replace(mirror, ADM1, '{"type": "FeatureCollection", "features": []}')
    message = fails_cleanly(cache, capsys, ADM1, "no features")
    assert "previous cache is unchanged" in message
