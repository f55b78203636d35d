"""The geoparser on sentences written for these tests (never the seed articles): each
test is one behaviour a reader of Afghan news relies on."""

import pytest

from naqsha.etl import gazetteer as gz
from naqsha.etl.geoparse import geoparse
from naqsha.etl.records import Article


@pytest.fixture(scope="module")
def gaz(geodata):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NAQSHA_GEODATA_CACHE", str(geodata))
        yield gz.load_gazetteer()


def parse(gaz, text):
    return geoparse(Article("t", "t.txt", text, "hash"), gaz)


def found(gaz, text):
    """{mention text: place key}"""
    return {m.text: m.place.place_key for m in parse(gaz, text).mentions}


def keys(gaz, text):
    return set(parse(gaz, text).places())


# -- folding ---------------------------------------------------------------------------


def test_case_possessives_and_hyphens_are_folded(gaz):
    got = found(gaz, "Afghanistan's envoy flew from KANDAHAR to Sar-e-Pul and on to "
                     "Mazar-i-Sharif.")
    assert got["Afghanistan"] == "AFG"
    assert got["Sar-e-Pul"] == "AF-SAR"
    assert got["KANDAHAR"] in ("AF-KAN", "geonames:1138336")
    assert gaz.place(got["Mazar-i-Sharif"]).adm0 == "AFG"


def test_offsets_and_sentences_point_into_the_text(gaz):
    text = "Nothing here.\nGunmen attacked a checkpoint in Zabul province on Friday."
    result = parse(gaz, text)
    (m,) = result.mentions
    assert text[m.start:m.end] == m.text == "Zabul"
    assert m.sentence.start <= m.start < m.end <= m.sentence.end
    assert m.place.place_key == "AF-ZAB" and m.place.precision == 4
    assert len(result.sentences) == 2


# -- spelling variants and fuzzy matching -----------------------------------------------


def test_alias_table_spellings(gaz):
    got = found(gaz, "Clashes spread from Tarinkot to Deh Rawud, and from Hilmand to "
                     "Ningarhar and Paktya.")
    town = got.pop("Tarinkot")  # the town of Tirin Kot district (a bare name: the city)
    assert gaz.place(town).level == "city" and gaz.place(town).adm2 == "Tirin Kot"
    assert got == {"Deh Rawud": "AF-URU/Dihrawud",
                   "Hilmand": "AF-HEL", "Ningarhar": "AF-NAN", "Paktya": "AF-PIA"}
    assert {m.resolution for m in parse(gaz, "Fighting in Daikundi.").mentions} == {"alias"}


def test_misspelt_names_are_matched_under_a_unit_word(gaz):
    result = parse(gaz, "Fighting raged in Nangarhaar and Oruzgaan provinces.")
    assert {m.text: (m.place.place_key, m.resolution) for m in result.mentions} == {
        "Nangarhaar": ("AF-NAN", "fuzzy"), "Oruzgaan": ("AF-URU", "fuzzy")}
    assert found(gaz, "Jaghoory district was cut off.") == {"Jaghoory": "AF-GHA/Jaghuri"}


def test_fuzzy_matching_never_turns_people_or_words_into_places(gaz):
    text = ("President Ghani met Zamir Kabulov and Mr Kabuli. Ghani's aides said Helmandi "
            "traders and a man called Urozgani were not told.")
    assert keys(gaz, text) == set()


# -- names that contain place names -----------------------------------------------------


def test_organisations_named_after_places_are_not_places(gaz):
    text = ("Depositors of Kabul Bank protested outside the Herat Security Council, and "
            "Kandahar University closed. The New York Times and Al Jazeera reported it.")
    assert keys(gaz, text) == set()


def test_a_person_whose_name_is_a_place_is_not_a_place(gaz):
    assert keys(gaz, "A commander named Ahmad Farah was arrested by the police.") == set()


def test_demonyms_of_people_make_no_places(gaz):
    text = ("Afghans and Pakistanis queued at the crossing while the Russian Foreign "
            "Minister spoke. He had fought the Soviets.")
    assert keys(gaz, text) == set()


def test_a_demonym_before_a_territory_noun_is_the_country(gaz):
    got = parse(gaz, "The fighters crossed from Pakistani territory and now operate on "
                     "Afghan soil.")
    assert {m.place.place_key: m.resolution for m in got.mentions} == {
        "PAK": "demonym", "AFG": "demonym"}


def test_acronyms_only_in_capitals(gaz):
    assert keys(gaz, "The US envoy told us nothing.") == {"USA"}
    assert keys(gaz, "Let us wait.") == set()


def test_ordinary_words_are_not_cities(gaz):
    text = "Male voters in Helmand were told to hail the result, said Mary Smith."
    assert keys(gaz, text) == {"AF-HEL"}


# -- province, capital city or centre district -------------------------------------------


def test_unit_words_decide_between_province_city_and_district(gaz):
    city = found(gaz, "The Taliban attacked the city of Ghazni overnight.")["Ghazni"]
    assert gaz.place(city).level == "city"
    assert found(gaz, "Clashes were reported in Ghazni province.") == {"Ghazni": "AF-GHA"}
    assert found(gaz, "Police in Kandahar district closed the road.") == {
        "Kandahar": "AF-KAN/Kandahar"}
    kunduz = found(gaz, "The Taliban overran Kunduz city in 2015.")["Kunduz"]
    assert gaz.place(kunduz).level == "city"


def test_a_province_name_with_its_districts_is_the_province(gaz):
    got = found(gaz, "In Logar, the districts of Charkh and Baraki Barak fell.")
    assert got == {"Logar": "AF-LOG", "Charkh": "AF-LOG/Charkh",
                   "Baraki Barak": "AF-LOG/Baraki Barak"}


def test_kabul_alone_is_the_capital_city(gaz):
    (m,) = parse(gaz, "A suicide bomber struck a market in Kabul, killing nine.").mentions
    assert m.place.place_key == "geonames:1138958" and m.place.precision == 1
    assert not m.metonymy


def test_a_district_named_in_two_provinces_follows_the_province_in_the_text(gaz):
    text = "Zabul officials said Arghandab district was quiet."
    assert "AF-ZAB/Arghandab" in keys(gaz, text)
    text = "In Kandahar, fighting reached Arghandab district."
    assert "AF-KAN/Arghandab" in keys(gaz, text)


# -- metonymy ----------------------------------------------------------------------------


@pytest.mark.parametrize("text, key", [
    ("Washington said it would respond.", "geonames:4140963"),
    ("The Kabul government rejected the offer.", "geonames:1138958"),
    ("Islamabad insists it is neutral.", "geonames:1176615"),
    ("The Kremlin denied any role.", "geonames:524901"),
    ("The White House declined to comment.", "geonames:4140963"),
    ("The Pentagon has not commented.", "geonames:4140963"),
])
def test_metonymy_finds_the_place_and_flags_it(gaz, text, key):
    (m,) = parse(gaz, text).mentions
    assert m.place.place_key == key and m.metonymy


def test_a_place_where_something_happens_is_not_metonymy(gaz):
    (m,) = parse(gaz, "Officials in Jalalabad said two rockets landed.").mentions
    assert m.place.level == "city" and not m.metonymy


# -- places no gazetteer holds -------------------------------------------------------------


def test_a_village_is_reported_on_its_district(gaz):
    text = ("Militants stormed the village of Zardalu in Jaghori district, killing three. "
            "Residents fled Zardalu village.")
    result = parse(gaz, text)
    contained = [m for m in result.mentions if m.resolution == "contained"]
    assert [m.text for m in contained] == ["Zardalu", "Zardalu"]
    for m in contained:
        assert m.place.place_key == "AF-GHA/Jaghuri" and m.place.precision == 3
        assert text[m.start:m.end] == "Zardalu"


def test_an_unknown_place_after_in_is_put_in_the_district_just_named(gaz):
    text = ("The Taliban attacked Sangin district on Monday. Four soldiers were killed near "
            "Kakaran before help arrived.")
    got = {m.text: (m.place.place_key, m.resolution) for m in parse(gaz, text).mentions}
    assert got["Kakaran"] == ("AF-HEL/Sangin", "contained")


def test_an_unknown_place_without_context_is_dropped_never_invented(gaz):
    assert parse(gaz, "Elders in Zardalu village said nothing.").mentions == []


# -- datelines and regions ------------------------------------------------------------------


@pytest.mark.parametrize("text, key", [
    ("KABUL (Reuters) - Talks resumed.", "geonames:1138958"),
    ("ISLAMABAD _ Officials met.", "geonames:1176615"),
    ("Doha, Qatar – Negotiators returned.", "geonames:290030"),
    ("GHAZNI, Afghanistan (AP) — Gunmen killed four people.", "geonames:1141269"),
])
def test_datelines_are_places(gaz, text, key):
    first = parse(gaz, text).mentions[0]
    assert first.place.place_key == key and first.resolution == "dateline"


def test_regions_are_never_countries(gaz):
    places = parse(gaz, "Russia courts Central Asia and the Middle East.").places()
    assert places["region:central-asia"].level == "region"
    assert places["region:middle-east"].precision == 5
    assert {p.level for k, p in places.items() if k != "RUS"} == {"region"}


def test_empty_text(gaz):
    result = parse(gaz, "")
    assert result.mentions == [] and result.sentences == []


def test_misspelt_names_listed_with_afghan_provinces(gaz):
    got = parse(gaz, "Attacks rose in Ghazni, Urzugan and Zaboul, while Ghani and Karzai met.")
    assert {m.text: (m.place.place_key, m.resolution) for m in got.mentions} == {
        "Ghazni": ("AF-GHA", "exact"), "Urzugan": ("AF-URU", "fuzzy"),
        "Zaboul": ("AF-ZAB", "fuzzy")}


def test_the_capital_of_a_demonym_is_its_capital_city(gaz):
    got = parse(gaz, "Envoys left the Afghan capital for the Qatari capital.")
    assert [(m.text, m.place.place_key, m.resolution) for m in got.mentions] == [
        ("Afghan capital", "geonames:1138958", "capital"),
        ("Qatari capital", "geonames:290030", "capital")]


def test_neighbouring_countries_provinces(gaz):
    got = found(gaz, "The Quetta Shura met in Balochistan; militants moved through Khyber "
                     "Pakhtunkhwa and Xinjiang, and refugees reached Sistan and Baluchestan.")
    assert got == {"Balochistan": "PK-BA", "Khyber Pakhtunkhwa": "PK-KP",
                   "Xinjiang": "CN-XJ", "Sistan and Baluchestan": "IR-11"}


def test_a_foreign_city_named_like_its_province_is_the_city(gaz):
    assert found(gaz, "Officials in Tehran met.") == {"Tehran": "geonames:112931"}


def test_a_town_known_by_its_district_name_is_the_town(gaz):
    got = parse(gaz, "Residents of Sheberghan fled as fighting reached Lashkar Gah.")
    assert {m.place.level for m in got.mentions} == {"city"}


def test_a_hyphenated_neighbourhood_is_reported_on_its_city(gaz):
    text = "A suicide bomber killed 20 people in Dasht-e-Barchi, a neighbourhood of Kabul."
    got = {m.text: (m.place.place_key, m.resolution) for m in parse(gaz, text).mentions}
    assert got["Dasht-e-Barchi"] == ("geonames:1138958", "contained")


def test_a_district_newer_than_the_boundaries_is_reported_on_its_province(gaz):
    text = "Taliban fighters attacked Gulzar district in Helmand province, killing five."
    (gulzar, helmand) = parse(gaz, text).mentions
    assert (gulzar.text, gulzar.place.place_key, gulzar.resolution) == (
        "Gulzar", "AF-HEL", "contained")
    assert gulzar.place.precision == 4


def test_well_known_localities_resolve_to_their_district(gaz):
    got = parse(gaz, "Fighting spread to Marjah and Torkham, and the Kandahar Airfield "
                     "was shelled.")
    assert {m.text: (m.place.place_key, m.resolution) for m in got.mentions} == {
        "Marjah": ("AF-HEL/Nad Ali", "contained"),
        "Torkham": ("AF-NAN/Muhmand Dara", "contained"),
        "Kandahar Airfield": ("AF-KAN/Daman", "contained")}


def test_actors_and_agencies_are_not_unknown_places(gaz):
    text = ("In Jaghori, three were killed in Taliban attacks, according to Reuters. "
            "Others died in Islamic State raids.")
    assert [m.text for m in parse(gaz, text).mentions] == ["Jaghori"]


def test_officials_after_a_list_of_provinces_are_not_metonymy(gaz):
    got = parse(gaz, "Fighting continued in Kunduz and Helmand provinces, officials said.")
    assert [(m.place.place_key, m.metonymy) for m in got.mentions] == [
        ("AF-KDZ", False), ("AF-HEL", False)]
    (m,) = parse(gaz, "The Kabul ruling regime is weak.").mentions
    assert m.metonymy


def test_a_two_word_area_and_a_city_dateline(gaz):
    text = ("HERAT CITY (Pajhwok): A tribal elder was shot dead in Injil district on "
            "Wednesday. He was killed near his home in the Sufi Abad area.")
    got = {m.text: (m.place.place_key, m.resolution) for m in parse(gaz, text).mentions}
    assert got["HERAT"][1] == "dateline"
    assert got["Sufi Abad"] == ("AF-HER/Injil", "contained")


def test_a_place_name_used_as_a_surname_stays_the_person(gaz):
    text = ("Defence Minister Abdul Rahim Wardak resigned. Wardak said he was tired. "
            "Fighting continued in Wardak province.")
    got = parse(gaz, text).mentions
    assert [(m.text, m.place.place_key) for m in got] == [("Wardak", "AF-WAR")]
    assert got[0].start == text.index("Wardak province")


# -- homonyms placed by the text itself, towns named like their district -------------------


@pytest.mark.parametrize("text", [
    "Residents of Khanabad, a village in Sayedabad district of Wardak, fled after the attack.",
    "Families from Khanabad, a small village in the Sayedabad district, reached the city.",
    "Police searched Khanabad village in Sayedabad district on Monday.",
])
def test_a_village_said_to_be_in_a_district_is_not_its_homonym_elsewhere(gaz, text):
    (m,) = [m for m in parse(gaz, text).mentions if m.text == "Khanabad"]
    assert m.place.place_key == "AF-WAR/Saydabad" and m.resolution == "contained"


def test_an_apposition_picks_the_candidate_inside_the_unit(gaz):
    got = {m.text: m for m in parse(
        gaz, "Gunmen killed two traders in Sangin, a town in Helmand province, on Monday.").mentions}
    assert got["Sangin"].place.level == "city" and got["Sangin"].place.adm1 == "AF-HEL"
    district = {m.text: m.place.place_key for m in parse(
        gaz, "The Taliban attacked Khanabad, a district in northern Kunduz province.").mentions}
    assert district["Khanabad"] == "AF-KDZ/Khanabad"


def test_a_list_after_the_districts_of_is_a_list_of_districts(gaz):
    got = found(gaz, "Officials said the districts of Qalat, Shinkay and Arghandab were quiet.")
    assert got["Qalat"] == "AF-ZAB/Qalat" and got["Arghandab"].startswith("AF-ZAB/")


@pytest.mark.parametrize("name, district", [
    ("Mazar-i-Sharif", "Mazari Sharif"), ("Pul-i-Khumri", "Puli Khumri"),
    ("Lashkar Gah", "Lashkar Gah"), ("Maimana", "Maymana"), ("Sheberghan", "Shibirghan"),
    ("Taloqan", "Taluqan"), ("Jalalabad", "Jalalabad"), ("Gardez", "Gardiz"),
    ("Sharana", "Sharan"), ("Qalat", "Qalat"), ("Tarin Kowt", "Tirin Kot"),
])
def test_a_town_named_like_its_district_is_the_city(gaz, name, district):
    (m,) = parse(gaz, f"A militia from {name} joined the fighting on Sunday.").mentions
    assert m.place.level == "city" and m.place.precision in (1, 2)
    assert m.place.adm2 == district and m.place.adm1.startswith("AF-")
    (d,) = parse(gaz, f"Clashes broke out in {name} district on Sunday.").mentions
    assert d.place.level == "district" and d.place.adm2 == district


def test_province_names_keep_the_province_unless_the_town_is_meant(gaz):
    assert found(gaz, "In Herat, the governor's spokesman said five people died.") == {
        "Herat": "AF-HER"}
    assert found(gaz, "Taliban fighters entered the northern city of Kunduz.") == {
        "Kunduz": "geonames:1135689"}
    assert gaz.place(found(gaz, "A bomb exploded in the west of Herat.")["Herat"]).level == "city"
    assert found(gaz, "Fighting reached the outskirts of Ghazni on Friday.") == {
        "Ghazni": "geonames:1141269"}


@pytest.mark.parametrize("text", [
    "Fighting continued in Kunduz and Helmand provinces, officials said.",
    "Clashes in Kunduz and Helmand have claimed dozens of lives this week.",
    "Fighting in Kunduz, Baghlan and Helmand has claimed 40 lives.",
])
def test_places_listed_after_a_preposition_are_never_metonymy(gaz, text):
    ms = parse(gaz, text).mentions
    assert {m.text for m in ms} >= {"Kunduz", "Helmand"}
    assert not any(m.metonymy for m in ms)


def test_the_result_offers_the_country_a_national_claim_implies(gaz):
    result = parse(gaz, "The government controls 54 percent of the districts.")
    assert result.mentions == [] and result.implied["AFG"].place_key == "AFG"


def test_unknown_villages_in_apposition_are_contained(gaz):
    got = {m.text: (m.place.place_key, m.resolution) for m in parse(
        gaz, "Hotqol, a village in Jaghori district, was attacked on Monday.").mentions}
    assert got["Hotqol"] == ("AF-GHA/Jaghuri", "contained")
    got = {m.text: m.place.place_key for m in parse(
        gaz, "Residents of Khanabad, a village in Wardak's Sayedabad district, fled.").mentions}
    assert got["Khanabad"] == "AF-WAR/Saydabad"


def test_a_shadow_government_in_a_place_is_no_metonymy(gaz):
    (m,) = parse(gaz, "The Taliban run a shadow government in Ghazni.").mentions
    assert not m.metonymy
    (m,) = parse(gaz, "Critics of the government in Kabul were arrested.").mentions
    assert m.metonymy


def test_units_listed_before_a_plural_unit_word_or_with_districts_are_districts(gaz):
    got = found(gaz, "Fighting had also spread to Chimtal and Charbolak districts, officials said.")
    assert got["Chimtal"] == "AF-BAL/Chimtal" and got["Charbolak"] == "AF-BAL/Chahar Bolak"
    assert found(gaz, "Heavy fighting raged in Sangin, Nad Ali and Musa Qala districts.")["Sangin"] == "AF-HEL/Sangin"
    assert found(gaz, "Sangin and Kajaki fell to the Taliban last year.")["Sangin"] == "AF-HEL/Sangin"
    towns = found(gaz, "Taliban fighters attacked Tarinkot, Maimana and Sheberghan.")
    assert all(gaz.place(k).level == "city" for k in towns.values())


def test_a_district_of_a_named_province_is_that_provinces(gaz):
    got = found(gaz, "The Taliban attacked Helmand. Fighting was reported in Nawa district in Ghazni.")
    assert got["Nawa"] == "AF-GHA/Nawa"
