"""Name reconciliation: province first, exact (folded), alias, merge, fuzzy, unmatched."""

from pathlib import Path

import pandas as pd
import pytest

from naqsha.etl.reconcile import Reconciler, default_aliases, fold, squash

FIXTURES = Path(__file__).parent / "fixtures" / "assessments"


@pytest.fixture(scope="module")
def layer_table() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "districts_layer.csv", comment="#")


@pytest.fixture(scope="module")
def rec(layer_table) -> Reconciler:
    return Reconciler(layer_table)  # no alias table: only our layer's own names


def test_fixture_layer_has_the_398_aims_districts(layer_table):
    assert len(layer_table) == 398 and layer_table["district_id"].is_unique


def test_fold_ignores_case_accents_hyphens_and_spacing():
    assert fold("Qala-i-Naw") == fold("qala I naw") == "qala i naw"
    assert squash("Dih Rawud") == squash("Dihrawud")
    assert fold("Bāmyān Province") == "bamyan"
    assert fold("Zanda  Jan\n") == "zanda jan"


def test_exact_after_folding(rec):
    m = rec.district("KHOST WA FIRING", "Baghlan")
    assert (m.place_key, m.how) == ("AF-BGL/Khost Wa Firing", "exact")
    m = rec.district("Dih Rawud", "Uruzgan")
    assert (m.place_key, m.how) == ("AF-URU/Dihrawud", "exact")
    assert rec.district("Zanda Jan", "Herat").matched  # the layer's name has a stray newline


def test_province_spellings_and_codes(rec):
    assert rec.province("Hilmand").place_key == "AF-HEL"
    assert rec.province("Oruzgan").place_key == "AF-URU"
    assert rec.province("Ghanzi").place_key == "AF-GHA"  # the geoBoundaries typo
    assert rec.province("AF-KHO").how == "exact"
    assert rec.province("Sari Pul").place_key == "AF-SAR"
    assert rec.province("Paktiya").place_key == "AF-PIA"
    m = rec.province("RC South")
    assert not m.matched and m.reason == "unknown_province" and m.suggestions


def test_alias_from_brackets_and_izafa(rec):
    m = rec.district("Matun", "Khost")
    assert (m.place_key, m.how) == ("AF-KHO/Khost(Matun)", "alias")
    assert rec.district("Khanshin", "Helmand").place_key == "AF-HEL/Reg(Khanshin)"
    m = rec.district("Nawa-e-Barakzayi", "Helmand")
    assert (m.place_key, m.how) == ("AF-HEL/Nawa-I- Barak Zayi", "alias")


def test_alias_table_pairs_are_used(layer_table):
    rec = Reconciler(layer_table, aliases=[("Jaghori", "AF-GHA/Jaghuri"), ("Hilmandshire", "AF-HEL")])
    m = rec.district("Jaghori", "Ghazni")
    assert (m.place_key, m.how) == ("AF-GHA/Jaghuri", "alias")
    assert rec.province("Hilmandshire").place_key == "AF-HEL"


def test_shipped_alias_table_when_present(layer_table):
    pairs = default_aliases()
    if not pairs:
        pytest.skip("geodata/aliases.csv not present yet")
    rec = Reconciler(layer_table, pairs)
    m = rec.district("Jaghori", "Ghazni")
    assert m.place_key == "AF-GHA/Jaghuri" and m.how in ("alias", "fuzzy")


def test_fuzzy_with_score(rec):
    m = rec.district("Jaghori", "Ghazni")
    assert (m.place_key, m.how) == ("AF-GHA/Jaghuri", "fuzzy") and m.score >= 80
    m = rec.district("Garmsir", "Hilmand")
    assert m.place_key == "AF-HEL/Garmser" and m.how == "fuzzy"


def test_merge_of_two_of_our_districts(rec):
    for name in ("Andar/Deh Yak", "Andar and Dih Yak", "Andar & Dih Yak"):
        m = rec.district(name, "Ghazni")
        assert m.how == "merge", name
        assert [p.place_key for p in m.parts] == ["AF-GHA/Andar", "AF-GHA/Dih Yak"]
    # a name that contains "wa" (and) is one district, not a merge
    assert rec.district("Lash Wa Juwayn", "Farah").how == "exact"


@pytest.mark.parametrize("name,province,reason", [
    ("Marjah", "Helmand", "no_match"),              # newer than our 2014 layer
    ("Gizab/Patoo", "Daykundi", "merge_partial"),   # one part is ours, one is not
    ("Musa Qala", "Kandahar", "other_province"),    # a Helmand district under Kandahar
    ("Arghandab", None, "ambiguous"),               # Kandahar and Zabul both have one
    ("Shah Wali Kot", "RC South", "unknown_province"),
    ("", "Ghazni", "blank"),
])
def test_every_kind_of_unmatched_row_has_a_reason_and_suggestions(rec, name, province, reason):
    m = rec.district(name, province)
    assert not m.matched and m.place_key is None
    assert m.reason == reason and m.detail
    if reason != "blank":
        assert m.suggestions


def test_other_province_suggests_the_right_one(rec):
    m = rec.district("Musa Qala", "Kandahar")
    assert "AF-HEL/Musa Qala" in m.suggestions[0]


def test_district_without_province_matches_when_unique(rec):
    m = rec.district("Jaghuri")
    assert m.place_key == "AF-GHA/Jaghuri"


def test_country_and_province_levels(rec):
    assert rec.place("country", "Afghanistan").place_key == "AFG"
    assert rec.place("province", None, "Panjshir").place_key == "AF-PAN"


def test_default_reconciler_on_the_real_layer(geodata):
    from naqsha.etl.reconcile import default_reconciler

    rec = default_reconciler()
    assert len(rec.districts) == 398
    assert rec.district("Jaghori", "Ghazni").place_key == "AF-GHA/Jaghuri"
    assert rec.district("Khost Wa Firing", "Baghlan").how == "exact"
    assert rec.district("Dih Rawud", "Uruzgan").place_key == "AF-URU/Dihrawud"
    assert rec.province("Hilmand").place_key == "AF-HEL"
