"""Small stand-in extraction stages for pipeline, export and CLI tests: they follow the
documented signatures of geoparse / extract_events / extract_claims, so the tests check
the pipeline's own work (incremental runs, rows, rejects, atomic writes) without
depending on the real extractors' answers."""

from __future__ import annotations

import re

from naqsha.etl.records import Claim, Event, GeoparseResult, Mention, Place, Sentence

PLACES = {
    "Ghazni": Place("AF-GHA", "province", "Ghazni", 4, adm0="AFG", adm1="AF-GHA", lat=33.5, lon=68.4),
    "Jaghori": Place("AF-GHA/Jaghuri", "district", "Jaghori", 3, adm0="AFG", adm1="AF-GHA", adm2="Jaghuri",
                     lat=33.15, lon=67.43),
    "Doha": Place("geonames:290030", "city", "Doha", 1, adm0="QAT", geonames_id=290030, lat=25.28545,
                  lon=51.53096),
    "Moscow": Place("geonames:524901", "city", "Moscow", 1, adm0="RUS", geonames_id=524901, lat=55.75204,
                    lon=37.61781),
    "Afghanistan": Place("AFG", "country", "Afghanistan", 6, adm0="AFG", lat=33.9, lon=67.7),
}
_NAMES = re.compile(r"\b(" + "|".join(PLACES) + r")\b")
calls: list[str] = []


def load_gazetteer():
    return PLACES


def _sentences(text: str) -> list[Sentence]:
    out, start = [], 0
    for m in re.finditer(r"[.!?](\s+|$)", text):
        out.append(Sentence(start, m.end()))
        start = m.end()
    if start < len(text):
        out.append(Sentence(start, len(text)))
    return out


def geoparse(article, gazetteer) -> GeoparseResult:
    calls.append(article.doc_id)
    if "RAISE-IN-GEOPARSE" in article.text:
        raise RuntimeError("boom")
    sents = _sentences(article.text)
    mentions = []
    for m in _NAMES.finditer(article.text):
        sent = next(s for s in sents if s.start <= m.start() < s.end)
        mentions.append(Mention(m.start(), m.end(), m.group(0), gazetteer[m.group(0)], "exact", sentence=sent))
    return GeoparseResult(sents, mentions)


def extract_events(article, geo) -> list[Event]:
    events = []
    for m in geo.mentions:
        sentence = article.text[m.sentence.start:m.sentence.end].lower()
        if "attack" in sentence:
            events.append(Event(m.place, "violence", m.sentence, fatalities=12, fatalities_approx=True,
                                actors=["Taliban"]))
        if "talks" in sentence:
            events.append(Event(m.place, "negotiation", m.sentence))
    return events


def extract_claims(article, geo) -> list[Claim]:
    out = []
    for m in re.finditer(r"(\d+)% of (?:the )?districts", article.text):
        out.append(Claim("government", "district_share", "AFG", m.start(), m.end(), m.group(0),
                         value=float(m.group(1)), unit="percent", of_total=407,
                         attributed_to="SIGAR" if "SIGAR" in article.text else None))
    return out


def stages():
    return load_gazetteer, geoparse, extract_events, extract_claims
