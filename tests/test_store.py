from datetime import date

import pandas as pd
import pytest

from naqsha import store
from naqsha.errors import StoreError, StoreMissing


def _event(**over):
    row = dict(event_id="e1", doc_id="d1", role="violence", place_key="AF-GHA", level="province",
               adm0="AFG", adm1="AF-GHA", name="Ghazni", lat=33.5, lon=68.4, precision=4,
               sentence_start=0, sentence_end=10, evidence="An attack.", actors=["taliban"],
               event_date=date(2018, 11, 9), fatalities=12, fatalities_approx=True)
    row.update(over)
    return row


def test_round_trip_keeps_types_and_points(tmp_path):
    store.write_tables({"events": pd.DataFrame([_event()])}, tmp_path)
    events = store.StoreReader(tmp_path).read("events")
    assert events.crs.to_epsg() == 4326
    assert (events.geometry.x[0], events.geometry.y[0]) == (68.4, 33.5)
    assert events.loc[0, "fatalities"] == 12
    assert list(events.loc[0, "actors"]) == ["taliban"]
    assert events.loc[0, "event_date"] == date(2018, 11, 9)


def test_missing_store_says_how_to_build_one(tmp_path):
    with pytest.raises(StoreMissing, match="naqsha etl --corpus"):
        store.StoreReader(tmp_path / "nowhere").read("events")


def test_failed_write_leaves_previous_store_whole(tmp_path):
    store.write_tables({"events": pd.DataFrame([_event()])}, tmp_path)
    before = store.StoreReader(tmp_path).version()
    bad = pd.DataFrame([_event(precision="not a number")])
    with pytest.raises(StoreError):
        store.write_tables({"events": bad, "claims": store.empty("claims")}, tmp_path)
    reader = store.StoreReader(tmp_path)
    assert reader.version() == before
    assert len(reader.read("events")) == 1
    assert not list(tmp_path.glob(".gen-*"))


def test_untouched_tables_are_carried_into_the_next_generation(tmp_path):
    store.write_tables({"events": pd.DataFrame([_event()])}, tmp_path, parser_version="a")
    store.write_tables({"claims": store.empty("claims")}, tmp_path)
    reader = store.StoreReader(tmp_path)
    assert len(reader.read("events")) == 1
    assert reader.meta()["parser_version"] == "a"
    assert len(list(tmp_path.glob("gen-*"))) == 1


def test_a_store_path_that_is_a_file_is_a_clear_error(tmp_path):
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    with pytest.raises(StoreError, match="Pass --store"):
        store.write_tables({"events": pd.DataFrame([_event()])}, a_file)
    assert a_file.read_text() == "x"
