"""The etl, export and evaluate commands: summary, exit codes, a failed run keeps the store."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from naqsha.cli import main
from naqsha.errors import BoundariesMissing
from naqsha.etl import pipeline
from naqsha.store import StoreReader

_spec = importlib.util.spec_from_file_location("fake_stages", Path(__file__).with_name("fake_stages.py"))
fake = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("fake_stages", fake)
_spec.loader.exec_module(fake)


@pytest.fixture(autouse=True)
def stand_in_stages(monkeypatch):
    monkeypatch.setattr(pipeline, "_stages", fake.stages)


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("An attack in Jaghori, Ghazni. Talks in Doha. 55% of districts, SIGAR said.")
    (folder / "b.txt").write_text("Talks opened in Moscow.")
    return folder


def test_etl_clean_run_exits_0(corpus, tmp_path, capsys):
    assert main(["etl", "--corpus", str(corpus), "--store", str(tmp_path / "s"), "--no-progress"]) == 0
    out = capsys.readouterr().out
    for label in ("documents read", "parsed", "reused", "removed", "rejected", "places", "events", "claims"):
        assert label in out
    assert StoreReader(tmp_path / "s").exists()
    assert main(["etl", "--corpus", str(corpus), "--store", str(tmp_path / "s"), "--no-progress"]) == 0
    assert "reused (unchanged)" in capsys.readouterr().out


def test_etl_with_rejects_exits_1_and_lists_them(corpus, tmp_path, capsys):
    (corpus / "scan.txt").write_bytes(b"%PDF-1.4 binary")
    (corpus / "empty.txt").write_text("")
    assert main(["etl", "--corpus", str(corpus), "--store", str(tmp_path / "s"), "--no-progress"]) == 1
    out = capsys.readouterr().out
    assert "scan.txt" in out and "binary" in out and "empty" in out
    docs = StoreReader(tmp_path / "s").read("documents")
    assert sorted(docs.doc_id) == ["a", "b"]  # the rest was processed


def test_etl_usage_errors(tmp_path, capsys):
    assert main(["etl", "--store", str(tmp_path / "s")]) == 2
    assert "--corpus" in capsys.readouterr().err
    assert main(["etl", "--corpus", str(tmp_path / "missing"), "--store", str(tmp_path / "s")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["etl", "--corpus", str(tmp_path), "--sample"]) == 2


def test_stopped_run_keeps_previous_store(corpus, tmp_path, monkeypatch, capsys):
    store = tmp_path / "s"
    assert main(["etl", "--corpus", str(corpus), "--store", str(store), "--no-progress"]) == 0
    generation = StoreReader(store).version()
    (corpus / "b.txt").write_text("Changed: talks in Doha.")

    def missing():
        raise BoundariesMissing("The boundary layers are not built; run `naqsha boundaries build`.")

    monkeypatch.setattr(fake, "load_gazetteer", missing)
    assert main(["etl", "--corpus", str(corpus), "--store", str(store), "--no-progress"]) == 2
    assert "boundaries" in capsys.readouterr().err
    assert StoreReader(store).version() == generation


def test_sample_corpus_reads_cleanly(tmp_path, monkeypatch, capsys):
    import naqsha.etl.boundaries as boundaries

    called = []
    monkeypatch.setattr(boundaries, "ensure_boundaries", lambda progress=True, cache=None: called.append(1))
    assert main(["etl", "--sample", "--store", str(tmp_path / "s"), "--no-progress"]) == 0
    assert called == [1]
    docs = StoreReader(tmp_path / "s").read("documents")
    assert len(docs) >= 12 and docs.is_sample.all()
    assert set(docs.metadata_source) >= {"sidecar", "front_matter", "html", "record"}
    years = {d.year for d in docs.published_from}
    assert years == {2016, 2017, 2018, 2019, 2020, 2021}
    assert docs.text.str.contains("<img src=x onerror=alert(1)>", regex=False).any()


def test_export_and_evaluate_commands(corpus, tmp_path, capsys):
    store = tmp_path / "s"
    main(["etl", "--corpus", str(corpus), "--store", str(store), "--no-progress"])
    capsys.readouterr()
    assert main(["export", "--store", str(store), "--format", "jsonl"]) == 0
    lines = [json.loads(l) for l in capsys.readouterr().out.splitlines()]
    assert {"place", "claim"} <= {k for line in lines for k in line}
    gold = {"docs": {"a": {"places": [
        {"key": "AF-GHA/Jaghuri", "level": "district", "adm0": "AFG", "adm1": "AF-GHA", "adm2": "Jaghuri",
         "need": "required", "roles": ["violence"]},
        {"key": "geonames:290030", "level": "city", "adm0": "QAT", "lat": 25.29, "lon": 51.53,
         "need": "required", "roles": ["negotiation"]}],
        "not_places": [], "control_claims": [
            {"need": "required", "subject": "government", "metric": "district_share", "value": 55,
             "scope": "AFG", "attributed_to": "SIGAR"}]}}}
    gold_path = tmp_path / "gold.json"
    gold_path.write_text(json.dumps(gold))
    assert main(["evaluate", "--gold", str(gold_path), "--corpus", str(corpus), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["total"]["places"]["recall"] == 1.0 and result["total"]["claims"]["recall"] == 1.0
    assert result["total"]["attribution_accuracy"] == 1.0
    assert result["docs"]["a"]["place_false_positives"] == ["Ghazni [province AF-GHA] from 'Ghazni'"]
    assert main(["evaluate", "--gold", str(gold_path), "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "TOTAL" in out and "false place" in out
    assert main(["evaluate", "--gold", str(tmp_path / "nope.json"), "--store", str(store)]) == 2
