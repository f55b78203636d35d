"""run_etl: rows, incremental runs equal to runs from scratch, rejects, atomic failure.

The extraction stages are the stand-ins of ``fake_stages`` (same signatures as the real
geoparser and role/claim extractors), so these tests check the pipeline's own work."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

from naqsha.errors import BoundariesMissing
from naqsha.etl import pipeline
from naqsha.store import StoreReader

_spec = importlib.util.spec_from_file_location("fake_stages", Path(__file__).with_name("fake_stages.py"))
fake = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("fake_stages", fake)
_spec.loader.exec_module(fake)

TABLES = ("documents", "mentions", "places", "events", "claims")


@pytest.fixture(autouse=True)
def fake_stages(monkeypatch, request):
    if "geodata" not in request.fixturenames:  # tests that ask for the boundaries use the real stages
        monkeypatch.setattr(pipeline, "_stages", fake.stages)
    fake.calls.clear()
    yield fake


def make_corpus(folder: Path, n: int = 4) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    texts = {
        "a.md": "---\noutlet: Desk A\ndate: 2018-11-10\n---\nAn attack in Jaghori, Ghazni killed a dozen. "
                "Talks in Doha went on.\n\nThe government holds 55% of districts, SIGAR said.\n",
        "b.txt": "Talks opened in Moscow on Friday. Afghanistan waits.\n",
        "c.txt": "Nothing here names a place.\n",
        "d.txt": "An attack near Ghazni. Then another attack in Ghazni.\n",
    }
    for name, text in list(texts.items())[:n]:
        (folder / name).write_text(text)
    return folder


def frames(store: Path) -> dict[str, pd.DataFrame]:
    reader = StoreReader(store)
    return {name: pd.DataFrame(reader.read(name)).drop(columns=["geometry"], errors="ignore") for name in TABLES}


def assert_same_store(a: Path, b: Path) -> None:
    fa, fb = frames(a), frames(b)
    for name in TABLES:
        pd.testing.assert_frame_equal(fa[name], fb[name], obj=name)


def test_rows_from_scratch(tmp_path):
    corpus = make_corpus(tmp_path / "c")
    report = pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    assert (report.read, report.parsed, report.reused, report.removed) == (4, 4, 0, 0)
    assert report.ok and report.claims == 1
    f = frames(tmp_path / "s")
    assert list(f["documents"]["doc_id"]) == ["a", "b", "c", "d"]
    events = f["events"]
    # one event per (doc, place, role), even when the text reports it twice
    assert not events.duplicated(["doc_id", "place_key", "role"]).any()
    assert len(events[(events.doc_id == "d") & (events.role == "violence")]) == 1
    row = events[(events.doc_id == "a") & (events.place_key == "AF-GHA/Jaghuri")].iloc[0]
    assert row.outlet == "Desk A" and str(row.published) == "2018-11-10" and row.fatalities == 12
    assert "Jaghori" in row.evidence
    places = f["places"].set_index(["doc_id", "place_key"])
    assert list(places.loc[("a", "geonames:290030"), "roles"]) == ["negotiation"]
    assert list(places.loc[("b", "AFG"), "roles"]) == []
    claim = f["claims"].iloc[0]
    assert claim.attributed_to == "SIGAR" and claim.value == 55 and claim.outlet == "Desk A"
    # event ids are stable across runs
    pipeline.run_etl(corpus, tmp_path / "s2", progress=False)
    assert list(frames(tmp_path / "s2")["events"]["event_id"]) == list(events["event_id"])
    meta = StoreReader(tmp_path / "s").meta()
    assert meta["parser_version"] == report.parser_version


def test_nothing_changed_parses_nothing(tmp_path):
    corpus = make_corpus(tmp_path / "c")
    pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    before = frames(tmp_path / "s")
    fake.calls.clear()
    report = pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    assert fake.calls == []
    assert (report.parsed, report.reused, report.removed) == (0, 4, 0)
    assert report.places == len(before["places"]) and report.events == len(before["events"])
    after = frames(tmp_path / "s")
    for name in TABLES:
        pd.testing.assert_frame_equal(before[name], after[name])


def test_incremental_equals_from_scratch(tmp_path):
    corpus = make_corpus(tmp_path / "c")
    pipeline.run_etl(corpus, tmp_path / "inc", progress=False)
    (corpus / "b.txt").write_text("Talks opened in Moscow. An attack in Ghazni followed.\n")  # changed
    (corpus / "c.txt").unlink()  # removed
    (corpus / "e.txt").write_text("Talks in Doha resumed.\n")  # added
    fake.calls.clear()
    report = pipeline.run_etl(corpus, tmp_path / "inc", progress=False)
    assert sorted(fake.calls) == ["b", "e"]
    assert (report.parsed, report.reused, report.removed) == (2, 2, 1)
    pipeline.run_etl(corpus, tmp_path / "scratch", progress=False)
    assert_same_store(tmp_path / "inc", tmp_path / "scratch")
    docs = frames(tmp_path / "inc")["documents"]
    assert "c" not in set(docs.doc_id)
    assert "c" not in set(frames(tmp_path / "inc")["mentions"].doc_id)


def test_metadata_change_reparses(tmp_path):
    corpus = make_corpus(tmp_path / "c")
    pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    (corpus / "a.md").write_text((corpus / "a.md").read_text().replace("Desk A", "Desk B"))
    fake.calls.clear()
    pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    assert fake.calls == ["a"]
    assert set(frames(tmp_path / "s")["events"].query("doc_id == 'a'").outlet) == {"Desk B"}


def test_parser_version_change_forces_full_reparse(tmp_path, monkeypatch):
    corpus = make_corpus(tmp_path / "c")
    pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    monkeypatch.setattr(pipeline, "parser_version", lambda: "another-version")
    fake.calls.clear()
    report = pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    assert sorted(fake.calls) == ["a", "b", "c", "d"]
    assert report.reused == 0 and "extraction code" in report.full_reparse
    assert StoreReader(tmp_path / "s").meta()["parser_version"] == "another-version"


def test_parser_version_follows_extraction_code(monkeypatch, tmp_path):
    first = pipeline.parser_version()
    assert first == pipeline.parser_version()
    monkeypatch.setenv("NAQSHA_GEODATA_CACHE", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "layer.parquet").write_bytes(b"x")
    assert pipeline.parser_version() != first


def test_extraction_error_is_a_reject_and_the_rest_is_written(tmp_path):
    corpus = make_corpus(tmp_path / "c")
    (corpus / "bad.txt").write_text("This text makes the stand-in geoparser fail: RAISE-IN-GEOPARSE.")
    (corpus / "empty.txt").write_text("")
    report = pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    assert report.reject_counts() == {"empty": 1, "parse_error": 1}
    assert report.parsed == 4
    f = frames(tmp_path / "s")
    assert "bad" not in set(f["documents"].doc_id)
    rejects = StoreReader(tmp_path / "s").read("rejects")
    assert sorted(rejects.reason) == ["empty", "parse_error"]
    assert "RuntimeError: boom" in rejects.set_index("reason").loc["parse_error", "detail"]
    # the failed article is tried again next time
    fake.calls.clear()
    pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    assert fake.calls == ["bad"]


def _live(store: Path) -> tuple[str, dict]:
    reader = StoreReader(store)
    return reader.version(), {name: len(reader.read(name)) for name in TABLES}


def test_failed_write_leaves_previous_store(tmp_path, monkeypatch):
    corpus = make_corpus(tmp_path / "c")
    pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    before = _live(tmp_path / "s")
    (corpus / "b.txt").write_text("Changed: an attack in Ghazni.")
    import naqsha.store as store_mod

    calls = {"n": 0}
    real = store_mod.pq.write_table

    def failing_write(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(store_mod.pq, "write_table", failing_write)
    with pytest.raises(OSError, match="disk full"):
        pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    assert _live(tmp_path / "s") == before
    assert not list((tmp_path / "s").glob(".gen-*"))


def test_interrupt_while_parsing_leaves_previous_store(tmp_path, monkeypatch):
    corpus = make_corpus(tmp_path / "c")
    pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    before = _live(tmp_path / "s")
    (corpus / "a.md").write_text("---\noutlet: Z\n---\nAn attack in Ghazni.")

    def interrupted(article, gazetteer):
        raise KeyboardInterrupt

    monkeypatch.setattr(fake, "geoparse", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    assert _live(tmp_path / "s") == before


def test_missing_gazetteer_stops_the_run_cleanly(tmp_path, monkeypatch):
    corpus = make_corpus(tmp_path / "c")
    pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    before = _live(tmp_path / "s")
    (corpus / "b.txt").write_text("Changed.")

    def no_gazetteer():
        raise BoundariesMissing("boundaries are not built; run `naqsha boundaries`")

    monkeypatch.setattr(fake, "load_gazetteer", no_gazetteer)
    with pytest.raises(BoundariesMissing):
        pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    assert _live(tmp_path / "s") == before


def test_parallel_equals_serial(tmp_path, monkeypatch):
    corpus = tmp_path / "c"
    corpus.mkdir()
    for i in range(40):
        (corpus / f"doc{i:03d}.txt").write_text(f"Item {i}. An attack in Jaghori. Talks in Doha. 5{i % 10}% of districts.")
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_DOCS", 1)
    report = pipeline.run_etl(corpus, tmp_path / "par", progress=False, workers=2)
    assert report.workers == 2 and report.parsed == 40
    pipeline.run_etl(corpus, tmp_path / "ser", progress=False, workers=1)
    assert_same_store(tmp_path / "par", tmp_path / "ser")


def test_rejects_only_change_keeps_rows(tmp_path):
    corpus = make_corpus(tmp_path / "c")
    pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    (corpus / "broken.json").write_text("{")
    report = pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    assert report.reject_counts() == {"invalid_json": 1} and report.reused == 4
    assert list(StoreReader(tmp_path / "s").read("rejects").reason) == ["invalid_json"]
    (corpus / "broken.json").unlink()
    pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    assert len(StoreReader(tmp_path / "s").read("rejects")) == 0


def test_real_stages_on_the_sample_corpus(geodata, tmp_path, monkeypatch):
    """The real geoparser and extractors: incremental (with one article changed and one
    removed) equals from scratch, and two workers equal one."""
    import shutil

    from naqsha.commands.etl import sample_corpus_dir

    corpus = tmp_path / "sample"
    shutil.copytree(sample_corpus_dir(), corpus)
    report = pipeline.run_etl(corpus, tmp_path / "inc", progress=False, workers=1)
    assert report.ok and report.parsed >= 12 and report.places > 0 and report.events > 0
    victim = sorted(corpus.glob("*.txt"))[0]
    victim.unlink()
    changed = sorted(corpus.glob("*.txt"))[0]
    changed.write_text(changed.read_text().replace("officials", "local officials", 1) + "\nFighting in Kunduz.")
    report = pipeline.run_etl(corpus, tmp_path / "inc", progress=False, workers=1)
    assert (report.parsed, report.removed) == (1, 1)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_DOCS", 1)
    report = pipeline.run_etl(corpus, tmp_path / "scratch", progress=False, workers=2)
    assert report.workers == 2
    assert_same_store(tmp_path / "inc", tmp_path / "scratch")


def _age(folder: Path, seconds: int = 3600) -> None:
    """Move every file's modification time into the past (out of the racy window)."""
    import os
    import time

    past = time.time() - seconds
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, (past, past))


def test_unchanged_files_are_not_read_again(tmp_path, monkeypatch):
    from naqsha.etl import corpus as corpus_mod

    corpus = make_corpus(tmp_path / "c")
    (corpus / "recs.jsonl").write_text('{"text": "Talks in Doha."}\n{"text": "An attack in Ghazni."}\n')
    _age(corpus)
    pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    before = frames(tmp_path / "s")
    reads = []
    real = corpus_mod._read_file
    monkeypatch.setattr(corpus_mod, "_read_file", lambda path, *a: reads.append(path.name) or real(path, *a))
    fake.calls.clear()
    report = pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    assert reads == [] and fake.calls == [] and (report.read, report.reused) == (6, 6)
    after = frames(tmp_path / "s")
    for name in TABLES:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)
    # touched but identical: read again, not parsed again
    (corpus / "b.txt").write_text((corpus / "b.txt").read_text())
    report = pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    assert reads == ["b.txt"] and fake.calls == [] and report.reused == 6
    # changed: read and parsed; result equals a run from scratch
    (corpus / "d.txt").write_text("Talks in Moscow instead.")
    import os

    os.utime(corpus / "d.txt", (1_600_000_000, 1_600_000_000))
    reads.clear()
    report = pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    # b.txt, touched moments ago, is still inside the racy window and is read again
    assert sorted(reads) == ["b.txt", "d.txt"] and fake.calls == ["d"]
    pipeline.run_etl(corpus, tmp_path / "scratch", progress=False, full=True)
    assert_same_store(tmp_path / "s", tmp_path / "scratch")


def test_sidecar_change_rereads_its_folder(tmp_path):
    import json

    corpus = make_corpus(tmp_path / "c")
    (corpus / "corpus.json").write_text(json.dumps({"articles": [{"file": "b.txt", "outlet": "First"}]}))
    _age(corpus)
    pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    (corpus / "corpus.json").write_text(json.dumps({"articles": [{"file": "b.txt", "outlet": "Second outlet"}]}))
    fake.calls.clear()
    pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    assert fake.calls == ["b"]
    docs = frames(tmp_path / "s")["documents"].set_index("doc_id")
    assert docs.loc["b", "outlet"] == "Second outlet"


def test_failed_article_is_read_and_parsed_again(tmp_path):
    corpus = make_corpus(tmp_path / "c")
    (corpus / "bad.txt").write_text("RAISE-IN-GEOPARSE here.")
    _age(corpus)
    pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    fake.calls.clear()
    report = pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    assert fake.calls == ["bad"] and report.reject_counts() == {"parse_error": 1}
