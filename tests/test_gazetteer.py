"""The gazetteer: every spelling a reader meets reaches the right place, with codes and
a point; the reviewed tables only name places that exist; loading from the cache is fast."""

import time

import pytest

from naqsha.etl import gazetteer as gz


@pytest.fixture(scope="module")
def gaz(geodata):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NAQSHA_GEODATA_CACHE", str(geodata))
        yield gz.load_gazetteer()


def keys(gaz, name, level=None):
    return {c.key for c in gaz.lookup(name) if level is None or c.level == level}


@pytest.mark.parametrize("spelling, key", [
    ("Jaghori", "AF-GHA/Jaghuri"), ("Jaghuri", "AF-GHA/Jaghuri"),
    ("Tarinkot", "AF-URU/Tirin Kot"), ("Tirin Kot", "AF-URU/Tirin Kot"),
    ("Nad-e Ali", "AF-HEL/Nad Ali"), ("Musa Qaleh", "AF-HEL/Musa Qala"),
    ("Achin", "AF-NAN/Acheen"), ("Pul-e Khumri", "AF-BGL/Puli Khumri"),
    ("Jaji", "AF-PIA/Ali Khail (Jaji)"),
])
def test_district_spellings(gaz, spelling, key):
    assert key in keys(gaz, spelling, "district")


@pytest.mark.parametrize("spelling, key", [
    ("Uruzgan", "AF-URU"), ("Oruzgan", "AF-URU"), ("Urozgan", "AF-URU"),
    ("Helmand", "AF-HEL"), ("Hilmand", "AF-HEL"), ("Nangarhar", "AF-NAN"),
    ("Ningarhar", "AF-NAN"), ("Paktia", "AF-PIA"), ("Paktya", "AF-PIA"),
    ("Daykundi", "AF-DAY"), ("Daikundi", "AF-DAY"), ("Sar-e Pol", "AF-SAR"),
    ("Sari Pul", "AF-SAR"), ("SAR-E-PUL", "AF-SAR"), ("Ghanzi", "AF-GHA"),
    ("Maidan Wardak", "AF-WAR"), ("Bāmyān", "AF-BAM"), ("Bamiyan", "AF-BAM"),
])
def test_province_spellings(gaz, spelling, key):
    assert key in keys(gaz, spelling, "province")


def test_a_name_returns_every_candidate_with_codes_and_a_point(gaz):
    by_level = {c.level: c for c in gaz.lookup("Ghazni")}
    assert set(by_level) == {"province", "district", "city"}
    prov, dist, city = by_level["province"], by_level["district"], by_level["city"]
    assert (prov.key, prov.adm0, prov.adm1) == ("AF-GHA", "AFG", "AF-GHA")
    assert (dist.key, dist.adm1, dist.adm2) == ("AF-GHA/Ghazni", "AF-GHA", "Ghazni")
    assert city.key == f"geonames:{city.geonames_id}" and city.population > 50_000
    for c in (prov, dist, city):
        assert 60 < c.lon < 75 and 29 < c.lat < 39


@pytest.mark.parametrize("name, iso3", [
    ("Afghanistan", "AFG"), ("U.S.", "USA"), ("US", "USA"), ("America", "USA"),
    ("United States of America", "USA"), ("Britain", "GBR"), ("Russia", "RUS"),
    ("Russian Federation", "RUS"), ("Iran", "IRN"), ("United Arab Emirates", "ARE"),
    ("USSR", "SUN"), ("Soviet Union", "SUN"), ("Norway", "NOR"), ("France", "FRA"),
])
def test_countries(gaz, name, iso3):
    assert iso3 in keys(gaz, name, "country")


def test_acronyms_only_match_in_capitals(gaz):
    (us,) = [c for c in gaz.lookup("US") if c.level == "country"]
    assert us.upper_only


def test_cities_keep_geonames_ids_and_population(gaz):
    (doha,) = gaz.lookup("Doha")
    assert doha.level == "city" and doha.adm0 == "QAT" and doha.geonames_id
    assert doha.population > 100_000
    assert "geonames:1138958" in keys(gaz, "Kabul", "city")


def test_small_foreign_towns_are_not_in_the_gazetteer(gaz):
    # only capitals and cities of a million or more outside the region
    assert not keys(gaz, "Reading") and not keys(gaz, "Bath")


def test_regions_are_regions_never_countries(gaz):
    (central_asia,) = gaz.lookup("Central Asia")
    assert central_asia.level == "region" and central_asia.key == "region:central-asia"


def test_landmarks_stand_for_their_city(gaz):
    (kremlin,) = gaz.lookup("Kremlin")
    assert kremlin.level == "city" and kremlin.adm0 == "RUS" and kremlin.metonymy


def test_place_gives_a_record_with_precision(gaz):
    p = gaz.place("AF-GHA/Jaghuri")
    assert (p.level, p.precision, p.adm1, p.adm2) == ("district", 3, "AF-GHA", "Jaghuri")
    assert gaz.place("AF-GHA").precision == 4
    assert gaz.place("QAT").precision == 6
    with pytest.raises(KeyError):
        gaz.place("AF-XXX")


def test_fuzzy_finds_misspelt_afghan_names_only(gaz):
    assert {c.key for c in gaz.fuzzy("oruzgaan")} == {"AF-URU"}
    assert "AF-NAN" in {c.key for c in gaz.fuzzy("nangarhaar")}
    assert gaz.fuzzy("kabu") == []          # too short to guess


def test_every_alias_row_names_a_real_place(gaz):
    for row in gz._read_table("aliases.csv"):
        assert row["used_by"], f"alias {row['alias']!r} says nowhere where it is used"
        found = {c.key for c in gaz.lookup(row["alias"])}
        if row["level"] == "district":
            adm1 = row["key"].split("/")[0]
            assert any(k.startswith(adm1 + "/") for k in found), row
        else:
            assert row["key"] in found, row


def test_loads_from_the_cache_fast(gaz, geodata, monkeypatch):
    monkeypatch.setenv("NAQSHA_GEODATA_CACHE", str(geodata))
    assert gz.gazetteer_cache_path().exists()
    gz._LOADED.clear()
    started = time.perf_counter()
    again = gz.load_gazetteer()
    assert time.perf_counter() - started < 1.0
    assert again.lookup("Jaghori")[0].key == "AF-GHA/Jaghuri"


def test_a_bad_alias_row_is_an_error(gaz, monkeypatch):
    from naqsha.etl.layers import load_layer

    real = gz._read_table

    def fake(name):
        rows = real(name)
        if name == "aliases.csv":
            rows.append({"level": "district", "key": "AF-GHA/Nowhere", "alias": "Nowhere",
                         "used_by": "test"})
        return rows

    monkeypatch.setattr(gz, "_read_table", fake)
    with pytest.raises(ValueError, match="Nowhere"):
        gz.build_gazetteer(load_layer("provinces"), load_layer("districts"),
                           load_layer("countries"))


def test_lookup_folds_possessives_and_case(gaz):
    assert keys(gaz, "Afghanistan's") == {"AFG"}
    assert "AF-HEL" in keys(gaz, "HELMAND")


def test_missing_layers_say_what_to_run(tmp_path, monkeypatch):
    from naqsha.errors import BoundariesMissing

    monkeypatch.setenv("NAQSHA_GEODATA_CACHE", str(tmp_path / "empty"))
    gz._LOADED.clear()
    with pytest.raises(BoundariesMissing, match="naqsha boundaries"):
        gz.load_gazetteer()


def test_afghan_cities_carry_their_province_and_district(gaz):
    for name, adm1, adm2 in [("Mazar-i-Sharif", "AF-BAL", "Mazari Sharif"),
                             ("Lashkar Gah", "AF-HEL", "Lashkar Gah"),
                             ("Jalalabad", "AF-NAN", "Jalalabad")]:
        (city,) = [c for c in gaz.lookup(name) if c.level == "city"]
        assert (city.adm0, city.adm1, city.adm2) == ("AFG", adm1, adm2)
        assert gaz.place(city.key).adm1 == adm1


def test_small_towns_named_like_their_district_are_cities(gaz):
    (town,) = [c for c in gaz.lookup("Tarinkot") if c.level == "city"]
    assert town.adm1 == "AF-URU" and gaz.towns["AF-URU/Tirin Kot"] == town.key
    assert not [c for c in gaz.lookup("Doha") if c.adm1]  # foreign cities: no Afghan unit


def test_fuzzy_vowel_spellings_of_one_name(gaz):
    assert [c.key for c in gaz.fuzzy("wardooj")] == ["AF-BDS/Warduj"]
    assert [c.key for c in gaz.fuzzy("dehrawood")] == ["AF-URU/Dihrawud"]
    assert gaz.fuzzy("weather") == [] and gaz.fuzzy("secretary") == []
