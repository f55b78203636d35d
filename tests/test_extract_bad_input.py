"""Bad input for the role and claim extractors: nothing crashes, nothing absurd comes
out, and the work stays linear in the size of the text."""

from __future__ import annotations

import importlib.util
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from naqsha.etl.claims import MAX_DISTRICTS, extract_claims, find_attribution
from naqsha.etl.dates import find_date
from naqsha.etl.records import GeoparseResult, Mention, Sentence
from naqsha.etl.roles import extract_events

_spec = importlib.util.spec_from_file_location("_roles_helpers", Path(__file__).with_name("test_roles.py"))
_h = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_h)
geo_of, art, PLACES = _h.geo_of, _h.art, _h.PLACES


def run(text: str):
    a = art(text)
    g = geo_of(text)
    t = time.perf_counter()
    evs = extract_events(a, g)
    cls = extract_claims(a, g)
    return evs, cls, time.perf_counter() - t


def sane(evs, cls):
    for e in evs:
        assert e.role in ("violence", "negotiation", "control")
        assert e.fatalities is None or 0 < e.fatalities <= 5000
    for c in cls:
        if c.unit == "percent":
            assert 0 <= c.value <= 100
        if c.metric == "district_count":
            assert c.value <= MAX_DISTRICTS and (c.of_total is None or c.value <= c.of_total)
        assert c.of_total is None or c.of_total <= MAX_DISTRICTS


def test_sentence_of_thousands_of_words_without_punctuation():
    chunk = ("talks were held in Doha while fighting raged in Sangin and the Taliban control "
             "much of Helmand and 40 people were killed in Kunduz ")
    text = chunk * 400  # about 9,000 words, no full stop anywhere
    evs, cls, secs = run(text)
    sane(evs, cls)
    assert secs < 5
    # one event per (place, role), however often the text repeats it
    assert len(evs) == len({(e.place.place_key, e.role) for e in evs})


def test_runtime_grows_linearly():
    chunk = "Talks opened in Doha on Monday, and 12 soldiers were killed in Sangin. "
    _, _, small = run(chunk * 200)
    _, _, big = run(chunk * 1600)
    assert big < max(small, 0.02) * 8 * 3  # 8x the text, well under quadratic


def test_table_of_numbers():
    rows = "\n".join(f"Taliban | {i}% | {i * 7} of 407 districts | {i * 100}% of the population | Helmand"
                     for i in range(1, 400))
    evs, cls, secs = run(rows)
    sane(evs, cls)
    assert secs < 5
    assert all(c.value <= 100 for c in cls if c.unit == "percent")


def test_percentages_above_100_and_absurd_counts():
    text = ("The Taliban control 250% of the districts and 120 percent of the population. "
            "The government holds 9000 of 407 districts. The Taliban control 600 districts. "
            "The Taliban control 30 of 4000 districts.")
    evs, cls, _ = run(text)
    assert cls == []


def test_same_article_twice_under_two_names():
    text = ("Talks opened in Doha on Monday. The Taliban control 7 of Helmand's 14 districts, "
            "according to Reuters.")
    a1 = art(text)
    a2 = replace(a1, doc_id="copy", path="copy.txt")
    g1, g2 = geo_of(text), geo_of(text)
    first = (extract_events(a1, g1), extract_claims(a1, g1))
    second = (extract_events(a2, g2), extract_claims(a2, g2))
    again = (extract_events(a1, g1), extract_claims(a1, g1))
    assert first == second == again
    assert len(first[1]) == 1 and first[1][0].attributed_to == "Reuters"


def test_results_are_not_shared_between_calls():
    text = "The Taliban control 7 of Helmand's 14 districts."
    a, g = art(text), geo_of(text)
    cs = extract_claims(a, g)
    cs[0].value = -1
    cs.clear()
    assert extract_claims(a, g)[0].value == 7.0


def test_pathological_inputs_for_the_patterns():
    t = time.perf_counter()
    find_attribution("according to " + "Foo " * 20_000 + "said")
    find_attribution(("A B C D E F G H " * 5000) + "report said")
    find_date("November " * 20_000, date(2020, 1, 1))
    run("The Taliban control " + "1, " * 20_000 + "districts.")
    run(("killed " + "twenty " * 50) * 200)
    assert time.perf_counter() - t < 10


def test_empty_and_inconsistent_geoparse():
    a = art("")
    assert extract_events(a, GeoparseResult([], [])) == []
    assert extract_claims(a, GeoparseResult([], [])) == []
    text = "Talks opened in Doha on Monday."
    a = art(text)
    bad = Mention(500, 510, "Doha", PLACES["Doha"], "exact")       # beyond the text
    inverted = Mention(20, 10, "Doha", PLACES["Doha"], "exact")
    assert extract_events(a, GeoparseResult([Sentence(0, len(text))], [bad, inverted])) == []
    # no sentences at all: the text is one sentence
    evs = extract_events(a, GeoparseResult([], geo_of(text).mentions))
    assert {(e.place.name, e.role) for e in evs} == {("Doha", "negotiation")}
    assert extract_claims(art("The Taliban control 7 of 14 districts."), GeoparseResult([], [])) != []


def test_no_publication_date():
    text = "On Friday talks opened in Doha."
    a = art(text, published=None)
    evs = extract_events(a, geo_of(text))
    assert evs and evs[0].event_date is None
