"""Roles of places and event records, on sentences written for these tests.

The geoparse is built by hand (offsets found in the test's own text), so these tests
check the role rules alone."""

from __future__ import annotations

import re
from datetime import date

from naqsha.etl.records import Article, GeoparseResult, Mention, Place
from naqsha.etl.roles import extract_events
from naqsha.etl.text import split_sentences


def place(key: str, level: str, name: str) -> Place:
    adm0 = "AFG" if key.startswith("AF") else key if level == "country" else None
    adm1 = key.split("/")[0] if key.startswith("AF-") else None
    return Place(key, level, name, {"country": 6, "province": 4, "district": 3, "city": 1}[level], adm0=adm0, adm1=adm1)


PLACES = {
    "Afghanistan": place("AFG", "country", "Afghanistan"),
    "Pakistan": place("PAK", "country", "Pakistan"),
    "China": place("CHN", "country", "China"),
    "Qatar": place("QAT", "country", "Qatar"),
    "Russia": place("RUS", "country", "Russia"),
    "Tashkent": place("geonames:1512569", "city", "Tashkent"),
    "Istanbul": place("geonames:745044", "city", "Istanbul"),
    "Islamabad": place("geonames:1176615", "city", "Islamabad"),
    "Kabul": place("geonames:1138958", "city", "Kabul"),
    "Doha": place("geonames:290030", "city", "Doha"),
    "Washington": place("geonames:4140963", "city", "Washington"),
    "Kandahar": place("geonames:1138336", "city", "Kandahar"),
    "Sangin": place("AF-HEL/Sangin", "district", "Sangin"),
    "Gereshk": place("AF-HEL/Nahri Sarraj", "district", "Gereshk"),
    "Kunduz": place("AF-KDZ", "province", "Kunduz"),
    "Farah": place("geonames:1142264", "city", "Farah"),
    "Kunar": place("AF-KNR", "province", "Kunar"),
    "Herat": place("AF-HER", "province", "Herat"),
    "Bamyan": place("AF-BAM", "province", "Bamyan"),
    "Zabul": place("AF-ZAB", "province", "Zabul"),
    "Helmand": place("AF-HEL", "province", "Helmand"),
    "Musa Qala": place("AF-HEL/Musa Qala", "district", "Musa Qala"),
    "Nad Ali": place("AF-HEL/Nad Ali", "district", "Nad Ali"),
    "Andar": place("AF-GHA/Andar", "district", "Andar"),
    "Baghlan": place("AF-BGL", "province", "Baghlan"),
    "Moscow": place("geonames:524901", "city", "Moscow"),
}


def geo_of(text: str, metonymy: tuple[str, ...] = ()) -> GeoparseResult:
    mentions = []
    for surface, pl in PLACES.items():
        for m in re.finditer(r"(?<![\w-])" + re.escape(surface) + r"(?![\w])", text):
            mentions.append(Mention(m.start(), m.end(), surface, pl, "exact", metonymy=surface in metonymy))
    mentions.sort(key=lambda m: m.start)
    return GeoparseResult(split_sentences(text), mentions)


def art(text: str, published: date | None = date(2020, 3, 11), to: date | None = None) -> Article:
    return Article(doc_id="t", path="t.txt", text=text, content_hash="h", outlet="Test Wire",
                   published_from=published, published_to=to or published)


def events(text: str, metonymy=(), **kw):
    a = art(text, **kw)
    return extract_events(a, geo_of(text, metonymy))


def pairs(text: str, metonymy=(), **kw) -> set[tuple[str, str]]:
    return {(e.place.name, e.role) for e in events(text, metonymy, **kw)}


# ------------------------------------------------------------------ negotiation


def test_talks_opened_in_a_city():
    assert pairs("Talks between the two delegations opened in Tashkent on Monday.") == {("Tashkent", "negotiation")}


def test_city_hosted_a_conference():
    assert pairs("Istanbul hosted a regional conference on the Afghan peace process.") == {("Istanbul", "negotiation")}


def test_future_hosting_counts():
    assert pairs("Next month Tashkent is going to host a second round of consultations.") == {("Tashkent", "negotiation")}


def test_actor_offering_talks_is_not_a_venue():
    assert pairs("China offered to mediate talks between the warring parties.") == set()
    assert pairs("Pakistan has sent an envoy to attend the talks as an observer.") == set()


def test_visits_and_stopovers():
    assert pairs("US diplomats visited Qatar last week.") == {("Qatar", "negotiation")}
    assert pairs("The envoy flew to Islamabad and met senior officials.") == {("Islamabad", "negotiation")}
    assert pairs("After a brief stopover in Tashkent, the envoy went home.") == {("Tashkent", "negotiation")}


def test_trip_needs_a_diplomatic_context():
    assert pairs("During his trip to Kabul, the special envoy met the foreign minister.") == {("Kabul", "negotiation")}
    assert pairs("During his trip to Kabul, the singer gave two concerts.") == set()


def test_modifier_and_hosted_compounds():
    assert pairs("The Doha talks resumed after a long pause.") == {("Doha", "negotiation")}
    assert pairs("Delegates praised the Tashkent-hosted meeting.") == {("Tashkent", "negotiation")}


def test_country_modifier_is_an_actor_not_a_venue():
    # "Pakistan talks" could be talks with Pakistan: countries need a locative link
    assert ("Pakistan", "negotiation") not in pairs("The Pakistan talks were criticised by officials.")


def test_political_office():
    assert pairs("Envoys met the head of the Taliban office in Qatar.") == {("Qatar", "negotiation")}


def test_list_after_visit_shares_the_verb():
    got = pairs("The envoy will visit Pakistan, Qatar and Russia next week.")
    assert got == {("Pakistan", "negotiation"), ("Qatar", "negotiation"), ("Russia", "negotiation")}


def test_apposition_after_locative():
    got = pairs("Delegates met in Tashkent, Pakistan, for a day of talks.")
    assert ("Tashkent", "negotiation") in got


def test_new_clause_subject_is_not_in_a_list():
    got = pairs("During a visit to Tashkent, Pakistan urged both sides to compromise.")
    assert ("Pakistan", "negotiation") not in got


# ------------------------------------------------------------------ violence


def test_attack_in_district_with_fatalities_and_actors():
    evs = events("Taliban fighters attacked checkpoints in Sangin district on Sunday, killing at least 14 police officers.")
    assert [(e.place.name, e.role) for e in evs] == [("Sangin", "violence")]
    e = evs[0]
    assert (e.fatalities, e.fatalities_approx) == (14, True)
    assert e.event_date == date(2020, 3, 8) and e.date_precision == "day"
    assert "taliban" in e.actors and "afghan_security_forces" in e.actors


def test_fronted_locative_and_came_under_attack():
    assert pairs("In Kunduz, several outposts came under attack on Tuesday.") == {("Kunduz", "violence")}
    assert pairs("Musa Qala came under heavy fire.") == {("Musa Qala", "violence")}
    assert pairs("Musa Qala came under fire overnight.") == {("Musa Qala", "violence")}


def test_where_clause_gives_the_place():
    evs = events("Officials visited Farah, where dozens of soldiers were killed last month.")
    by = {(e.place.name, e.role): e for e in evs}
    assert ("Farah", "violence") in by
    assert by[("Farah", "violence")].fatalities == 24 and by[("Farah", "violence")].fatalities_approx


def test_around_a_dozen():
    evs = events("A suicide bomber struck a crowded mosque in Kabul, where around a dozen worshippers were killed.")
    e = [e for e in evs if e.role == "violence"][0]
    assert (e.fatalities, e.fatalities_approx) == (12, True)


def test_roads_closed_by_fighting():
    assert pairs("All roads leading to Gereshk were closed as fighting continued.") == {("Gereshk", "violence")}


def test_attack_on_and_invasion_of():
    assert pairs("The overnight attack on Herat left the city in shock.") == {("Herat", "violence")}
    assert pairs("The invasion of Afghanistan changed the region.") == {("Afghanistan", "violence")}


def test_country_as_attacker_is_not_the_place():
    assert pairs("Pakistan attacked militant hideouts across the border.") == set()


def test_hypothetical_negated_and_historical_violence():
    assert pairs("Militants vowed to attack Herat before the elections.") == set()
    assert pairs("The insurgents want a base from which to attack Pakistan.") == set()
    assert pairs("No attacks were reported in Bamyan this year.") == set()
    assert pairs("Their fathers had once fought Soviet troops in Kunar.") == set()


def test_figurative_fighting_is_not_violence():
    assert pairs("Donors praised Afghanistan for fighting corruption in Herat.") == set()


def test_war_torn_is_not_an_event():
    assert pairs("Aid reached war-torn Afghanistan this winter.") == set()


# ------------------------------------------------------------------ not events


def test_metonymy_never_carries_a_role():
    assert pairs("Washington refused to join the talks in Doha.", metonymy=("Washington",)) == {("Doha", "negotiation")}
    # without the geoparser's flag, "the Kabul government" is still an actor
    assert pairs("Envoys met officials of the Kabul government at the talks.") == set()


def test_government_in_and_embassy_in_are_not_venues():
    assert pairs("The talks angered the government in Kabul.") == set()
    assert pairs("A diplomat from the embassy in Tashkent attended the talks.") == set()


def test_dateline_is_not_an_event():
    assert pairs("KANDAHAR - Officials said the talks would resume soon.") == set()
    assert pairs("Kandahar, Afghanistan – Talks resumed on Monday in Doha.") == {("Doha", "negotiation")}


def test_possessive_actor():
    assert pairs("Pakistan's army chief visited Kabul on Monday.") == {("Kabul", "negotiation")}


# ------------------------------------------------------------------ records


def test_one_event_per_place_and_role_with_best_evidence():
    text = ("Fighting was reported in Sangin on Monday. "
            "Later, gunmen in Sangin killed seven soldiers.")
    evs = events(text)
    assert len(evs) == 1
    e = evs[0]
    assert e.fatalities == 7 and e.fatalities_approx is False
    assert text[e.sentence.start:e.sentence.end].startswith("Later")


def test_control_claim_gives_control_role():
    got = pairs("The Taliban now control 7 of Helmand's 14 districts.")
    assert ("Helmand", "control") in got


def test_dates_resolve_against_publication():
    e = events("In February, envoys met in Doha.", published=date(2019, 5, 2))[0]
    assert e.event_date == date(2019, 2, 1) and e.date_precision == "month"
    e = events("In February, envoys met in Doha.", published=None)[0]
    assert e.event_date is None and e.date_precision is None


def test_no_mentions_no_events():
    assert events("Talks opened on Monday and fighting continued.") == []


def test_deaths_belong_to_the_place_of_their_own_predicate():
    by = {(e.place.name, e.role): e for e in events(
        "Fighting raged in Sangin and 40 people were killed in Kunduz on Monday.")}
    assert by[("Sangin", "violence")].fatalities is None
    assert by[("Kunduz", "violence")].fatalities == 40


def test_nearest_event_word_decides_and_earlier_words_win_ties():
    assert pairs("Officials discussed a reduction in violence in Kunduz.") == {("Kunduz", "violence")}


def test_topic_place_is_not_the_venue():
    got = pairs("Envoys gathered in Tashkent for a conference on peace and security in Afghanistan.")
    assert got == {("Tashkent", "negotiation")}


def test_spatial_of_and_control_of_after_fighting():
    assert pairs("Clashes broke out on the outskirts of Kunduz overnight.") == {("Kunduz", "violence")}
    assert ("Herat", "violence") in pairs("Troops regained control of Herat after days of fighting.")


def test_signed_agreement_venue():
    assert pairs("The two sides signed an agreement in Doha on Saturday.") == {("Doha", "negotiation")}


def test_capture_of_a_district_centre_is_violence():
    assert ("Sangin", "violence") in pairs("The Taliban captured the district centre of Sangin on Monday.")


def test_threats_of_attacks_are_not_attacks():
    assert pairs("Troops in Kandahar were put on alert after threats of attacks.") == set()
    assert pairs("Officials warned of possible attacks in Herat during the holiday.") == set()


def test_deaths_in_a_following_and_clause_without_a_place():
    evs = events("In Kunduz, Taliban fighters overran several checkpoints overnight, and at least 20 members "
                 "of the security forces were killed, officials said.")
    assert [(e.place.name, e.role, e.fatalities) for e in evs] == [("Kunduz", "violence", 20)]


def test_abstract_fights_and_news_conferences():
    assert pairs("The minister spoke about the fight against corruption in Herat.") == set()
    assert pairs("The governor held a news conference in Kandahar on Monday.") == set()


# ------------------------------------------------------------------ more violence links


def test_seizing_a_share_of_a_place_is_violence_there():
    assert ("Kunduz", "violence") in pairs("Insurgents seized much of the city of Kunduz on Monday.")
    assert pairs("Militants took over large parts of Baghlan province.") == {("Baghlan", "violence")}


def test_fighting_spreading_to_or_reaching_places():
    assert pairs("Fighting spread to Andar and Musa Qala districts.") == {
        ("Andar", "violence"), ("Musa Qala", "violence")}
    assert pairs("Clashes reached Kandahar late on Monday.") == {("Kandahar", "violence")}
    assert pairs("The fighting reached the outskirts of Kandahar city.") == {("Kandahar", "violence")}
    assert pairs("The convoy travelled to Kandahar.") == set()


def test_a_part_of_a_city_is_the_city():
    assert pairs("A suicide bomber struck a mosque in the east of Kabul, killing 12 people.") == {
        ("Kabul", "violence")}


def test_a_coordinated_phrase_shares_the_trigger():
    got = pairs("Clashes were reported in Sangin, where three soldiers died, and in Herat province.")
    assert got == {("Sangin", "violence"), ("Herat", "violence")}
    assert pairs("Heavy fighting took place in Sangin and also in Musa Qala.") == {
        ("Sangin", "violence"), ("Musa Qala", "violence")}
    # a new clause with its own verb does not inherit the trigger
    assert pairs("Clashes erupted in Sangin, and in Kabul officials said they were worried.") == {
        ("Sangin", "violence")}


def test_encircling_besieging_overrunning():
    assert pairs("The Taliban encircled Nad Ali district.") == {("Nad Ali", "violence")}
    assert pairs("The insurgents besieged Gereshk for a week.") == {("Gereshk", "violence")}
    assert pairs("Taliban fighters overran checkpoints in Baghlan.") >= {("Baghlan", "violence")}
    assert pairs("The besieged residents of Gereshk asked for food.") == set()


def test_a_statement_made_in_a_city_is_not_talks():
    assert pairs("In Moscow, Russia's envoy said the Taliban were ready for peace.") == set()
    assert pairs("Speaking in Islamabad, the US envoy told reporters the Taliban wanted a deal.") == set()
    assert pairs("In Moscow, the envoy met Taliban negotiators.") == {("Moscow", "negotiation")}
    assert pairs("Talks with the Taliban were held in Moscow.") == {("Moscow", "negotiation")}
    assert pairs("Moscow hosted the meeting.") == {("Moscow", "negotiation")}
    assert pairs("The envoy visited Kabul for talks with President Ghani.") == {("Kabul", "negotiation")}


# ------------------------------------------------------------------ implied national scope


def test_a_national_claim_reports_the_country_it_implies():
    text = "The Afghan government controlled only 54 percent of the country's districts."
    geo = geo_of(text)
    geo.implied = {"AFG": PLACES["Afghanistan"]}
    evs = extract_events(art(text), geo)
    assert [(e.place.place_key, e.role) for e in evs] == [("AFG", "control")]
    (m,) = geo.mentions  # the place is reported with a mention: the word that implies it
    assert (m.text, m.resolution, m.place.place_key) == ("Afghan", "claim_scope", "AFG")
    again = extract_events(art(text), geo)  # idempotent: no second mention
    assert len(geo.mentions) == 1 and len(again) == 1


def test_a_named_country_is_not_implied_twice():
    text = "The government controls 54 percent of Afghanistan's districts."
    geo = geo_of(text)
    geo.implied = {"AFG": PLACES["Afghanistan"]}
    extract_events(art(text), geo)
    assert [m.resolution for m in geo.mentions] == ["exact"]


def test_what_is_said_in_a_city_makes_no_talks_there():
    assert pairs("Speaking in Islamabad, Pakistan's foreign minister said his country supported the peace process.") == set()
    assert pairs("The talks will resume soon, the envoy told reporters in Tashkent.") == set()
    assert pairs("The envoy said in Doha that the talks had resumed.") == set()
    assert pairs("Talks between the two sides resumed in Doha, officials said.") == {("Doha", "negotiation")}


def test_said_in_a_city_and_perfect_tense_sieges():
    assert pairs("Russia's foreign minister said in Moscow that the conference would be held next month.") == set()
    assert pairs("Taliban fighters have besieged Gereshk for two weeks.") == {("Gereshk", "violence")}
    assert pairs("Gereshk was attacked by the Taliban.") == {("Gereshk", "violence")}


def test_retaking_a_place_is_violence_there():
    assert pairs("Afghan forces recaptured Musa Qala after a week of fighting.") == {("Musa Qala", "violence")}
    assert pairs("The army retook Kandahar city.") == {("Kandahar", "violence")}


def test_where_a_speaker_sits_is_not_where_the_attack_was():
    assert pairs("The President, speaking in Kabul, condemned the attack in Kunduz.") == {("Kunduz", "violence")}
    assert pairs("Officials in Kabul said 20 people were killed in the attack in Kunduz.") == {("Kunduz", "violence")}
    assert pairs("The attack in Kunduz was condemned by officials in Kabul.") == {("Kunduz", "violence")}
    # the only place named: officials there speak of what happened there
    assert pairs("Officials in Kunduz said 20 people were killed in the attack.") == {("Kunduz", "violence")}


def test_a_province_sized_total_implies_no_country():
    text = "The Taliban now hold 7 of the 11 districts."
    geo = geo_of(text)
    geo.implied = {"AFG": PLACES["Afghanistan"]}
    assert extract_events(art(text), geo) == [] and geo.mentions == []
