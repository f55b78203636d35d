"""Control claims on sentences written for these tests (geoparse built by hand)."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

from naqsha.etl.claims import extract_claims, find_attribution

_spec = importlib.util.spec_from_file_location("_roles_helpers", Path(__file__).with_name("test_roles.py"))
_h = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_h)
geo_of, art = _h.geo_of, _h.art


def claims(text: str, metonymy=(), **kw):
    a = art(text, **kw)
    return extract_claims(a, geo_of(text, metonymy))


def tup(c):
    return (c.subject, c.metric, c.value, c.of_total, c.scope)


# ------------------------------------------------------------------ figures


def test_count_of_total_with_attribution():
    cs = claims("According to the Long War Journal, the Taliban control 59 of the country's 398 districts.")
    assert [tup(c) for c in cs] == [("taliban", "district_count", 59.0, 398, "AFG")]
    assert cs[0].attributed_to == "Long War Journal"
    assert cs[0].unit == "districts"


def test_count_in_a_province_takes_the_province_scope():
    cs = claims("The Taliban now control 7 of Helmand's 14 districts, provincial officials said.")
    assert [tup(c) for c in cs] == [("taliban", "district_count", 7.0, 14, "AF-HEL")]
    assert cs[0].attributed_to == "provincial officials"


def test_share_of_districts_with_government_forces():
    cs = claims("Government forces hold 72% of the districts, a SIGAR report said.")
    assert [tup(c) for c in cs] == [("government", "district_share", 72.0, None, "AFG")]
    assert cs[0].attributed_to == "SIGAR"


def test_population_share_under_control_with_as_of():
    cs = claims("About 65 percent of the population lives in areas under government control as of October 2018.")
    assert [tup(c) for c in cs] == [("government", "population_share", 65.0, None, "AFG")]
    assert cs[0].as_of == "2018-10"
    assert cs[0].attributed_to is None


def test_territory_share_and_fraction_words():
    cs = claims("The Taliban control roughly a third of the territory, analysts estimate.")
    assert [(c.subject, c.metric, round(c.value)) for c in cs] == [("taliban", "territory_share", 33)]


def test_rest_gives_a_derived_complement():
    cs = claims("Only 60% of districts are under government control, with the rest under Taliban influence.")
    got = {(c.subject, c.metric, c.value, c.derived) for c in cs}
    assert got == {("government", "district_share", 60.0, False), ("taliban", "district_share", 40.0, True)}


def test_metonymic_capital_is_the_government():
    cs = claims("The Kabul government controls 54% of the territory.", metonymy=("Kabul",))
    assert [tup(c) for c in cs] == [("government", "territory_share", 54.0, None, "AFG")]


# ------------------------------------------------------------------ qualitative


def test_shadow_government_in_a_province():
    cs = claims("The Taliban run a shadow government in Zabul province.")
    assert [tup(c) for c in cs] == [("taliban", "qualitative", None, None, "AF-ZAB")]


def test_qualitative_influence_and_limited_control():
    cs = claims("The government has little control over Helmand, while the Taliban hold sway across the countryside.")
    got = {(c.subject, c.metric, c.scope) for c in cs}
    assert got == {("government", "qualitative", "AF-HEL"), ("taliban", "qualitative", "AFG")}


def test_under_taliban_control_and_capture():
    cs = claims("Musa Qala is now under Taliban control.")
    assert [(c.subject, c.scope) for c in cs] == [("taliban", "AF-HEL/Musa Qala")] or [(c.subject, c.scope) for c in cs] == [("taliban", "AFG")]
    cs = claims("Taliban fighters captured Musa Qala district on Monday.")
    assert [(c.subject, c.metric, c.scope) for c in cs] == [("taliban", "qualitative", "AF-HEL/Musa Qala")]


def test_regained_control_of_territory_with_year():
    cs = claims("Starting in 2016 the Taliban regained control of more territory than at any time since 2001.")
    assert [(c.subject, c.metric, c.as_of) for c in cs] == [("taliban", "qualitative", "2016")]


def test_one_qualitative_claim_per_subject_scope_source():
    cs = claims("The Taliban control much of Zabul. The Taliban also have a shadow government in Zabul.")
    assert len(cs) == 1


# ------------------------------------------------------------------ not claims


def test_numbers_that_are_not_control_claims():
    text = ("More than 3,200 delegates attended the jirga. About 2,500 US soldiers remain in Afghanistan. "
            "The Taliban demanded the release of 5,000 Taliban prisoners after 17 years of war. "
            "Afghanistan has 34 provinces and the government employs 400,000 people.")
    assert claims(text) == []


def test_foreign_governments_and_non_territorial_control():
    assert claims("The US government controls the narrative about the war.") == []
    assert claims("The Pakistani government has influence over the Taliban.") == []
    assert claims("Pakistan has much influence on the Kabul government.", metonymy=("Kabul",)) == []
    assert claims("The growing influence of ISIS in Afghanistan worries Russia.") == []


def test_impossible_figures_are_never_stored():
    assert claims("The Taliban control 150% of the districts.") == []
    assert claims("The Taliban control 500 of 407 districts.") == []
    assert claims("The Taliban control 900 districts.") == []
    assert claims("The Taliban control 12 of 9000 districts.") == []


# ------------------------------------------------------------------ attribution


def test_attribution_forms():
    assert find_attribution("According to an AFP report citing Pakistani officials, the talks went well.")[0] == "Pakistani officials"
    assert find_attribution("A Reuters report said the talks went well.")[0] == "Reuters"
    assert find_attribution("according to the Washington Post, it did.")[0] == "The Washington Post"
    assert find_attribution("The Long War Journal estimates that it did.")[0] == "Long War Journal"
    assert find_attribution("He said it did.") is None
    assert find_attribution("Nothing is cited here.") is None


def test_attribution_carries_one_sentence_within_a_paragraph():
    text = ("According to Reuters, the Taliban hold 12% of the territory. "
            "The government controls 54% of the territory.\n\n"
            "The Taliban control 30% of the districts.")
    cs = claims(text)
    assert [(c.subject, c.value, c.attributed_to) for c in cs] == [
        ("taliban", 12.0, "Reuters"), ("government", 54.0, "Reuters"), ("taliban", 30.0, None)]


def test_claims_carry_offsets_and_text():
    text = "Officials said nothing. The Taliban control 7 of Helmand's 14 districts."
    c = claims(text)[0]
    assert text[c.start:c.end] == c.text and "7" in c.text


def test_insurgents_bare_share_and_the_report_said():
    text = ("According to a quarterly report by the Special Inspector General for Afghanistan Reconstruction, "
            "insurgents controlled or influenced 59 districts. "
            "Officials were cautious.\n\nThe report said the government held about 65% of the population, "
            "while the Taliban held sway over roughly 12%.")
    cs = claims(text)
    got = [(c.subject, c.metric, c.value, c.attributed_to) for c in cs]
    assert got == [("taliban", "district_count", 59.0, "SIGAR"),
                   ("government", "population_share", 65.0, "SIGAR"),
                   ("taliban", "population_share", 12.0, "SIGAR")]


def test_as_of_forms():
    cs = claims("The Taliban controlled 223 of the country's 407 districts as of July 23, according to a tally by the Long War Journal.",
                published=date(2021, 7, 24))
    assert cs[0].as_of == "2021-07-23" and cs[0].attributed_to == "Long War Journal"
    cs = claims("The government controlled 229 of 407 districts as of mid-October 2017.")
    assert cs[0].as_of == "2017-10"


def test_two_shares_in_one_sentence_and_a_contested_rest():
    cs = claims("The Taliban hold about 20 percent of the territory, while the government holds 30 percent "
                "and the rest is contested.")
    assert [(c.subject, c.metric, c.value) for c in cs] == [
        ("taliban", "territory_share", 20.0), ("government", "territory_share", 30.0)]


def test_control_without_territory_is_not_a_claim():
    assert claims("The Taliban control the narrative on social media.") == []
    assert claims("The government has lost control of the situation, critics say.") == []
    assert claims("The talks will focus on who controls territory.") == []


def test_control_or_contest_is_the_taliban():
    cs = claims("The Taliban now control or contest more than half of Afghanistan's districts, according to the BBC.")
    assert [(c.subject, c.metric, c.value, c.attributed_to) for c in cs] == [("taliban", "district_share", 50.0, "BBC")]


def test_council_member_said():
    cs = claims("The Taliban control 7 of Helmand's 14 districts, a provincial council member said.")
    assert cs[0].attributed_to == "provincial council member"


def test_hyphenated_control():
    cs = claims("Aid cannot reach Taliban-controlled areas of Helmand.")
    assert [(c.subject, c.metric, c.scope) for c in cs] == [("taliban", "qualitative", "AF-HEL")]
    cs = claims("Most government-held districts in Zabul are under siege.")
    assert [(c.subject, c.scope) for c in cs] == [("government", "AF-ZAB")]
    assert claims("Members of the government-appointed council met.") == []


def test_control_of_foreign_territory_is_not_ours():
    assert claims("The government of Pakistan controls 90% of the territory.") == []
    assert claims("The Taliban have much influence all over Pakistan.") == []
    assert claims("The Iraqi government controls 90% of the territory.") == []


# ------------------------------------------------------------------ subjects, totals, scopes


def test_contested_is_a_category_never_a_subject():
    cs = claims("The Taliban controlled or influenced 59 districts and the rest were contested.")
    assert [tup(c) for c in cs] == [("taliban", "district_count", 59.0, None, "AFG")]
    assert claims("About 30 percent of districts are contested.") == []
    assert claims("Roughly a third of the territory is contested, officials said.") == []
    cs = claims("More than half of Helmand's 14 districts are contested by the Taliban.")
    assert [tup(c) for c in cs] == [("taliban", "district_share", 50.0, 14, "AF-HEL")]


def test_a_total_stated_in_the_sentence_is_the_counts_total():
    cs = claims("Of the country's 407 districts, the Taliban controlled or influenced 59 districts "
                "and the rest were contested, according to SIGAR.")
    assert [tup(c) for c in cs] == [("taliban", "district_count", 59.0, 407, "AFG")]
    assert cs[0].attributed_to == "SIGAR"


def test_the_provinces_districts_are_the_province_named_before():
    cs = claims("In Zabul, fighting has intensified. The Taliban now hold 7 of the province's 11 "
                "districts, according to local officials.")
    assert [tup(c) for c in cs] == [("taliban", "district_count", 7.0, 11, "AF-ZAB")]
    assert cs[0].attributed_to == "local officials"
    cs = claims("Zabul has seen heavy fighting; the government holds only 3 of the province's 11 districts.")
    assert [tup(c) for c in cs] == [("government", "district_count", 3.0, 11, "AF-ZAB")]


def test_control_or_contest_of_a_province_is_the_taliban_share():
    # "control or contest more than half": recorded as district_share 50 (the bound the
    # text states), never as a 'contested' subject
    cs = claims("According to the Long War Journal, the Taliban control or contest more than half "
                "of Helmand's 14 districts.")
    assert [tup(c) for c in cs] == [("taliban", "district_share", 50.0, 14, "AF-HEL")]
    assert cs[0].attributed_to == "Long War Journal"


def test_it_said_carries_the_source_of_the_previous_sentence():
    cs = claims("SIGAR published its quarterly report on Tuesday. It said the government controlled "
                "54 percent of districts.")
    assert [(c.subject, c.value, c.attributed_to) for c in cs] == [("government", 54.0, "SIGAR")]
    cs = claims("The government controls 54% of districts, SIGAR said in its quarterly report.")
    assert cs[0].attributed_to == "SIGAR"
    cs = claims("The Taliban control 12 districts, citing Afghan officials, the agency reported.")
    assert cs[0].attributed_to == "Afghan officials"
    cs = claims("According to Afghan security sources, the Taliban hold 20 percent of the territory.")
    assert cs[0].attributed_to == "Afghan security sources"


def test_capturing_posts_is_not_controlling_the_place():
    assert claims("Taliban fighters overran checkpoints in Helmand.") == []
    assert claims("The Taliban seized a police post near Musa Qala.") == []
    cs = claims("The Taliban captured Musa Qala district on Friday.")
    assert [(c.subject, c.metric, c.scope) for c in cs] == [("taliban", "qualitative", "AF-HEL/Musa Qala")]


def test_out_of_and_a_total_stated_just_before():
    cs = claims("The Taliban control 59 out of 407 districts, according to the Long War Journal.")
    assert [tup(c) for c in cs] == [("taliban", "district_count", 59.0, 407, "AFG")]
    cs = claims("Afghanistan has 407 districts. The Taliban controlled or influenced 59 districts, SIGAR said.")
    assert [tup(c) for c in cs] == [("taliban", "district_count", 59.0, 407, "AFG")]
    cs = claims("Afghanistan has 407 districts.\n\nThe Taliban controlled or influenced 59 districts.")
    assert cs[0].of_total is None  # another paragraph


def test_a_bare_figure_measures_what_the_figure_before_measured():
    cs = claims("The government controls 72 of Afghanistan's 398 districts, while the Taliban control 63 "
                "and the rest are contested.")
    assert [tup(c) for c in cs] == [("government", "district_count", 72.0, 398, "AFG"),
                                    ("taliban", "district_count", 63.0, 398, "AFG")]
    assert [tup(c) for c in claims("The government controls 72 districts and the Taliban control 63 fighters.")] == [
        ("government", "district_count", 72.0, None, "AFG")]
    cs = claims("The government controlled 54 percent of districts, SIGAR said in its quarterly report. "
                "It said the Taliban controlled 12 percent.")
    assert [(c.subject, c.metric, c.value, c.attributed_to) for c in cs] == [
        ("government", "district_share", 54.0, "SIGAR"), ("taliban", "district_share", 12.0, "SIGAR")]


def test_numbers_in_words_and_a_fronted_total():
    cs = claims("In Kunduz province, the Taliban control five of seven districts, officials said.")
    assert [tup(c) for c in cs] == [("taliban", "district_count", 5.0, 7, "AF-KDZ")]
    cs = claims("Of Helmand's 14 districts, only two remain fully under government control.")
    assert [tup(c) for c in cs] == [("government", "district_count", 2.0, 14, "AF-HEL")]
    assert claims("The Taliban killed two soldiers and wounded five in Helmand.") == []


def test_a_share_of_the_measure_a_control_word_names():
    cs = claims("Government control over districts fell to 53.8 percent, according to data from Resolute Support.")
    assert [(c.subject, c.metric, c.value, c.scope, c.attributed_to) for c in cs] == [
        ("government", "district_share", 53.8, "AFG", "Resolute Support")]
    cs = claims("Insurgents now control or influence about 14.5 percent of districts, SIGAR's latest report said.")
    assert cs[0].attributed_to == "SIGAR"


def test_a_fronted_place_is_the_scope_of_a_qualitative_claim():
    cs = claims("In Helmand, most of the territory is under Taliban control.")
    assert [(c.subject, c.metric, c.scope) for c in cs] == [("taliban", "qualitative", "AF-HEL")]
    assert claims("In Helmand, the government has lost control of the situation, critics say.") == []


def test_a_count_of_the_districts_in_a_province_with_a_single_official():
    cs = claims("Five of the seven districts in Kunduz are under Taliban control, a local official said.")
    assert [tup(c) for c in cs] == [("taliban", "district_count", 5.0, 7, "AF-KDZ")]
    assert cs[0].attributed_to == "local official"
    assert claims("The Taliban control two of the main highways into Kandahar.") == []


def test_a_small_total_is_the_province_named_last():
    cs = claims("In Zabul, fighting has intensified. The Taliban now hold 7 of the 11 districts.")
    assert [tup(c) for c in cs] == [("taliban", "district_count", 7.0, 11, "AF-ZAB")]
    cs = claims("The Taliban now hold 7 of the 11 districts.")
    assert [tup(c) for c in cs] == [("taliban", "district_count", 7.0, 11, "AFG")]  # no province named
