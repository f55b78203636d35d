"""Claims from articles against the nearest national assessment published by then."""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from naqsha import store
from naqsha.etl.assessments import import_national, read_national
from naqsha.etl.corroborate import corroborate, corroborate_store, nearest_assessment, subject_kind

FIXTURES = Path(__file__).parent / "fixtures" / "assessments"

# The reference series' format with the three cited figures of the shared reference file
# (Resolute Support via SIGAR); the test does not need ../shared.
NATIONAL = """assessor,reported_in,as_of,districts_total,government_districts,contested_districts,insurgent_districts,government_population_pct,categories,verified
Resolute Support (via SIGAR quarterly report),2017-01-30,2016-11-15,407,233,133,41,,c,secondary copies only
Resolute Support (via SIGAR quarterly report),2018-10-30,2018-07-31,407,226,132,49,65.2,c,secondary copies only
Resolute Support (via SIGAR quarterly report),2019-01-30,2018-10-22,407,219,138,50,63.5,c,secondary copies only
"""


@pytest.fixture()
def national(tmp_path) -> pd.DataFrame:
    path = tmp_path / "national.csv"
    path.write_text(NATIONAL)
    return read_national(path)


def claim(**over):
    row = dict(claim_id="c1", doc_id="d1", subject="government", metric="district_share", value=55.0, unit="percent",
               of_total=407, scope="AFG", attributed_to="the New York Times", as_of=None, start=0, end=10,
               text="55% of Afghanistan's 407 districts", derived=False, outlet="Example Daily",
               published=date(2018, 11, 20))
    row.update(over)
    return row


def test_the_issue_example(national):
    out = corroborate(pd.DataFrame([claim()]), national)
    line = out["line"].iloc[0]
    assert line.startswith("an article of November 2018 (Example Daily), citing the New York Times, says "
                           "the government holds 55% of 407 districts; the Resolute Support assessment of "
                           "31 July 2018 had 226 of 407 (55.5%)")
    assert line.endswith("agrees (0.5 points)")
    assert out["agreement"].iloc[0] == "agrees" and out["difference"].iloc[0] == -0.5
    assert out["assessment_as_of"].iloc[0] == date(2018, 7, 31)


def test_an_assessment_not_yet_published_is_not_used(national):
    # 22 Oct 2018 is nearer to 20 Nov 2018, but it was only published on 30 Jan 2019
    a, note = nearest_assessment(national, date(2018, 11, 20), date(2018, 11, 20))
    assert a["_as_of"] == date(2018, 7, 31) and note == ""
    a, note = nearest_assessment(national, date(2019, 3, 1), date(2019, 3, 1))
    assert a["_as_of"] == date(2018, 10, 22)
    a, note = nearest_assessment(national, date(2016, 1, 1), date(2016, 1, 1))
    assert a["_as_of"] == date(2016, 11, 15) and "published after" in note


def test_counts_population_and_other_subjects(national):
    rows = [
        claim(claim_id="c2", metric="population_share", value=65.0, of_total=None),
        claim(claim_id="c3", subject="Taliban", metric="district_count", value=59, attributed_to=None,
              published=date(2017, 3, 1)),
        claim(claim_id="c4", subject="taliban", metric="population_share", value=10, of_total=None),
        claim(claim_id="c5", value=70.0, of_total=398),
    ]
    out = corroborate(pd.DataFrame(rows), national).set_index("claim_id")
    assert out.loc["c2", "agreement"] == "agrees" and "65.2% of the population" in out.loc["c2", "line"]
    c3 = out.loc["c3", "line"]
    assert "says the Taliban hold 59 of 407 districts" in c3 and "citing" not in c3
    assert "15 November 2016 had 41 of 407 (10.1%)" in c3 and "18 districts apart" in c3
    assert out.loc["c3", "agreement"] == "roughly agrees"
    assert out.loc["c4", "agreement"] == "no comparable figure"
    assert out.loc["c5", "agreement"] == "disagrees" and "counts 398 districts, the assessment 407" in out.loc["c5", "line"]


def test_claims_that_are_not_national_numbers_are_left_out(national):
    rows = [claim(claim_id="q", metric="qualitative", value=None), claim(claim_id="p", scope="AF-GHA"),
            claim(claim_id="d", derived=True), claim(claim_id="t", metric="territory_share")]
    assert corroborate(pd.DataFrame(rows), national).empty
    assert corroborate(pd.DataFrame(), national).empty


def test_claim_with_its_own_date_and_no_assessments(national):
    out = corroborate(pd.DataFrame([claim(as_of="2016-11", published=date(2017, 6, 1))]), national)
    assert "15 November 2016" in out["line"].iloc[0]
    out = corroborate(pd.DataFrame([claim()]), national.iloc[0:0])
    assert "no national assessment in the store" in out["line"].iloc[0]


def test_subject_words():
    assert subject_kind("Afghan government") == "government"
    assert subject_kind("the Taliban".removeprefix("the ")) == "insurgent"
    assert subject_kind("warlords") is None


def test_from_the_store_and_the_cli(tmp_path, capsys):
    store.write_tables({"claims": pd.DataFrame([claim()])}, tmp_path)
    path = tmp_path / "n.csv"
    path.write_text(NATIONAL)
    import_national(path, tmp_path)
    out = corroborate_store(tmp_path)
    assert len(out) == 1 and "226 of 407" in out["line"].iloc[0]
    from naqsha.cli import main

    assert main(["assessments", "corroborate", "--store", str(tmp_path)]) == 0
    assert "31 July 2018 had 226 of 407 (55.5%)" in capsys.readouterr().out


def test_outlet_comes_from_the_article_when_the_claim_lacks_it(tmp_path):
    docs = pd.DataFrame([dict(doc_id="d1", path="a.txt", content_hash="h", outlet="Example Weekly", is_sample=False,
                              n_chars=5, text="x")])
    store.write_tables({"claims": pd.DataFrame([claim(outlet=None)]), "documents": docs}, tmp_path)
    path = tmp_path / "n.csv"
    path.write_text(NATIONAL)
    import_national(path, tmp_path)
    assert "(Example Weekly)" in corroborate_store(tmp_path)["line"].iloc[0]
