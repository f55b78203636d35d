"""Scoring against a gold file: a small hand-made gold (not the seeds) and hand-made lines."""

from __future__ import annotations

import json

import pytest

from naqsha.errors import EvaluationError
from naqsha.etl.evaluate import load_gold, place_matches, score

TEXT = "Fighting in Kunduz. The Herat Security Council met. Envoys met in Tashkent."
GOLD = {"docs": {
    "d1": {
        "places": [
            {"key": "AF-KDZ", "level": "province", "adm0": "AFG", "adm1": "AF-KDZ", "need": "required",
             "roles": ["violence"], "optional_roles": []},
            {"key": "AF-GHA/Jaghuri", "level": "district", "adm0": "AFG", "adm1": "AF-GHA", "adm2": "Jaghuri",
             "need": "required", "roles": ["violence"], "optional_roles": []},
            {"key": "geonames:1512569", "level": "city", "adm0": "UZB", "lat": 41.26465, "lon": 69.21627,
             "need": "required", "roles": ["negotiation"], "optional_roles": []},
            {"key": "USA", "level": "country", "adm0": "USA", "need": "optional", "roles": [],
             "optional_roles": ["negotiation"]},
            {"key": "AF-HER", "level": "province", "adm0": "AFG", "adm1": "AF-HER", "need": "optional",
             "roles": [], "optional_roles": []},
        ],
        "not_places": ["Herat Security Council"],
        "control_claims": [
            {"need": "required", "subject": "government", "metric": "district_share", "value": 54.2,
             "unit": "percent", "of_total": 407, "scope": "AFG", "attributed_to": "SIGAR"},
            {"need": "required", "subject": "taliban", "metric": "qualitative", "value": None, "scope": "AFG",
             "attributed_to": ["Long War Journal", None]},
            {"need": "optional", "subject": "taliban", "metric": "district_share", "value": 45.8,
             "scope": "AFG", "attributed_to": "SIGAR"},
        ],
    },
    "d2": {"places": [{"key": "QAT", "level": "country", "adm0": "QAT", "need": "required", "roles": []}],
           "not_places": [], "control_claims": []},
}}


def place(doc, level, roles=(), mentions=(), **fields):
    return {"doc_id": doc, "place": {"level": level, **fields}, "precision": 3, "roles": list(roles),
            "mentions": [{"start": s, "end": e, "text": TEXT[s:e]} for s, e in mentions]}


def claim(doc, **fields):
    return {"doc_id": doc, "claim": fields}


LINES = [
    place("d1", "province", ["violence"], [(12, 18)], adm0="AFG", adm1="AF-KDZ"),  # TP, role TP
    place("d1", "district", ["violence", "control"], adm0="AFG", adm1="AF-GHA", adm2="jaghurí"),  # folded name
    place("d1", "city", ["negotiation"], [(65, 73)], adm0="UZB", lat=41.3, lon=69.3),  # ~10 km away: TP
    place("d1", "country", ["negotiation"], adm0="USA"),  # optional place, optional role: neutral
    place("d1", "province", [], [(24, 29)], adm1="AF-HER", adm0="AFG"),  # from "Herat Security Council": FP
    place("d1", "country", ["violence"], adm0="RUS"),  # not in gold: FP place and FP role
    place("d1", "region", ["negotiation"], adm0=None),  # regions are not scored
    claim("d1", subject="government", metric="district_share", value=54, scope="AFG", attributed_to="sigar"),
    claim("d1", subject="taliban", metric="qualitative", value=None, scope="AFG", attributed_to=None),
    claim("d1", subject="taliban", metric="district_share", value=46, scope="AFG", attributed_to=None),
    claim("d1", subject="government", metric="population_share", value=65, scope="AFG"),  # false claim
    json.dumps({"doc_id": "other", "place": {"level": "country", "adm0": "AFG"}, "roles": [], "mentions": []}),
]


def test_scores():
    result = score(LINES, GOLD, {"d1": TEXT})
    d1 = result.docs["d1"].summary()
    assert d1["places"]["tp"] == 3 and d1["places"]["fp"] == 2 and d1["places"]["fn"] == 0
    assert d1["places"]["precision"] == pytest.approx(3 / 5) and d1["places"]["recall"] == 1.0
    roles = d1["place_roles"]
    assert (roles["tp"], roles["fp"], roles["fn"]) == (3, 2, 0)  # control on Jaghuri, violence on RUS
    claims = d1["claims"]
    assert (claims["tp"], claims["fp"], claims["fn"]) == (2, 1, 0)
    # SIGAR matches 'sigar'; null is accepted in the list; the optional 46 lacks SIGAR
    assert d1["attribution_accuracy"] == pytest.approx(2 / 3)
    s = result.docs["d1"]
    assert any("RUS" in fp for fp in s.place_false_positives)
    assert any("not-place" in fp for fp in s.place_false_positives)
    assert s.claim_false_positives == ["government population_share 65 scope AFG"]
    d2 = result.docs["d2"]
    assert d2.place_fn == 1 and d2.place_misses == ["None [QAT]"]
    total = result.total.summary()
    assert total["places"]["tp"] == 3 and total["places"]["fn"] == 1
    assert total["places"]["f1"] == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    assert result.unscored_docs == ["other"]


def test_not_place_by_text_without_offsets():
    lines = [place("d1", "province", [], [(24, 29)], adm1="AF-HER", adm0="AFG")]
    lines[0]["mentions"][0]["text"] = "Herat Security Council"
    s = score(lines, GOLD).docs["d1"]
    assert s.place_fp == 1


def test_city_radius_and_levels():
    gold_city = {"key": "geonames:1", "level": "city", "adm0": "AFG", "lat": 34.5, "lon": 69.2}
    assert place_matches({"level": "city", "adm0": "AFG", "lat": 34.6, "lon": 69.2}, gold_city)  # ~11 km
    assert not place_matches({"level": "city", "adm0": "AFG", "lat": 34.8, "lon": 69.2}, gold_city)  # ~33 km
    assert not place_matches({"level": "province", "adm0": "AFG", "adm1": "AF-KAB"},
                             {"key": "AFG", "level": "country", "adm0": "AFG"})
    assert place_matches({"level": "country", "adm0": "SUN"}, {"key": "SUN", "level": "country"})


def test_duplicate_claim_is_neutral_and_missing_claim_is_a_miss():
    lines = [claim("d1", subject="government", metric="district_share", value=54.2, scope="AFG",
                   attributed_to="SIGAR")] * 2
    s = score(lines, GOLD).docs["d1"]
    assert (s.claim_tp, s.claim_fp, s.claim_fn) == (1, 0, 1)
    assert s.attribution_right == s.attribution_total == 1


def test_load_gold_errors(tmp_path):
    with pytest.raises(EvaluationError, match="does not exist"):
        load_gold(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(EvaluationError, match="not valid JSON"):
        load_gold(tmp_path / "bad.json")
    (tmp_path / "nodocs.json").write_text("{}")
    with pytest.raises(EvaluationError, match="docs"):
        load_gold(tmp_path / "nodocs.json")
