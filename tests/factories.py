"""Synthetic stores for the dashboard's tests and benchmark.

The rows look like what the ETL writes (same tables, same columns, realistic outlets,
cited sources, places at every precision, venues abroad, national and district claims)
but they are invented: never ship them as data. Written through
``naqsha.store.write_tables`` like the real thing.

- :func:`small_store` writes about 60 events, a dozen documents, claims, and one hostile
  article whose title, sentence and cited source carry HTML/script payloads.
- :func:`big_store` writes ``n_events`` (100,000 for the benchmark) over all districts.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import numpy as np
import pandas as pd

from naqsha import store

HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_SCRIPT = "<script>window.__naqsha_pwned=1</script>"

OUTLETS = ["Al Jazeera", "Mehr News Agency", "TOLOnews", "Reuters", "Pajhwok Afghan News", None]
CITED = ["The New York Times", "Resolute Support", "Long War Journal", "SIGAR", None]

# (geonames id, name, adm0, adm1, lat, lon)
AFGHAN_CITIES = [
    (1138958, "Kabul", "AFG", "AF-KAB", 34.5281, 69.1723),
    (1138336, "Kandahar", "AFG", "AF-KAN", 31.6133, 65.7101),
    (1139715, "Herat", "AFG", "AF-HER", 34.3482, 62.1997),
    (1133616, "Mazar-i-Sharif", "AFG", "AF-BAL", 36.7090, 67.1109),
    (1145352, "Jalalabad", "AFG", "AF-NAN", 34.4265, 70.4515),
    (1141540, "Ghazni", "AFG", "AF-GHA", 33.5535, 68.4209),
    (1135689, "Kunduz", "AFG", "AF-KDZ", 36.7280, 68.8681),
    (1147290, "Lashkar Gah", "AFG", "AF-HEL", 31.5938, 64.3716),
]
VENUES_ABROAD = [
    (290030, "Doha", "QAT", None, 25.2854, 51.5310),
    (524901, "Moscow", "RUS", None, 55.7520, 37.6178),
    (1176615, "Islamabad", "PAK", None, 33.7215, 73.0433),
    (112931, "Tehran", "IRN", None, 35.6944, 51.4215),
    (1512569, "Tashkent", "UZB", None, 41.2646, 69.2163),
    (1816670, "Beijing", "CHN", None, 39.9075, 116.3972),
]


def _id(*parts) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:16]


def _city(c):
    gid, name, adm0, adm1, lat, lon = c
    return dict(place_key=f"geonames:{gid}", level="city", adm0=adm0, adm1=adm1, adm2=None,
                name=name, geonames_id=gid, lat=lat, lon=lon, precision=1)


def _district(d):
    return dict(place_key=d["district_id"], level="district", adm0="AFG", adm1=d["adm1"],
                adm2=d["adm2"], name=d["adm2"], geonames_id=None, lat=float(d["lat"]),
                lon=float(d["lon"]), precision=3)


def _province(p):
    return dict(place_key=p["adm1"], level="province", adm0="AFG", adm1=p["adm1"], adm2=None,
                name=p["name"], geonames_id=None, lat=float(p["lat"]), lon=float(p["lon"]), precision=4)


COUNTRY_AFG = dict(place_key="AFG", level="country", adm0="AFG", adm1=None, adm2=None,
                   name="Afghanistan", geonames_id=None, lat=33.93, lon=67.71, precision=6)


def _documents(docs: list[dict]) -> pd.DataFrame:
    rows = []
    for d in docs:
        text = d.get("text") or f"{d['title']}. {d.get('body', '')}"
        rows.append(dict(
            doc_id=d["doc_id"], path=f"{d['doc_id']}.txt", content_hash=_id(d["doc_id"], text),
            title=d["title"], outlet=d.get("outlet"), url=None, licence=None,
            published_from=d["published"], published_to=d["published"] + timedelta(days=2),
            dateline=None, kind="news", metadata_source="front_matter", is_sample=False,
            n_chars=len(text), text=text,
        ))
    return pd.DataFrame(rows)


def _event(doc, place, role, evidence, event_date=None, fatalities=None, approx=None, actors=()):
    return dict(
        event_id=_id(doc["doc_id"], place["place_key"], role), doc_id=doc["doc_id"], role=role,
        **place, sentence_start=0, sentence_end=len(evidence), evidence=evidence,
        event_date=event_date, date_precision="day" if event_date else None,
        fatalities=fatalities, fatalities_approx=approx, actors=list(actors),
        outlet=doc.get("outlet"), published=doc["published"],
    )


def _places_from_events(events: pd.DataFrame) -> pd.DataFrame:
    resolutions = ["exact", "alias", "fuzzy", "contained"]
    p = events.drop_duplicates(["doc_id", "place_key"]).copy()
    cols = ["doc_id", "place_key", "level", "adm0", "adm1", "adm2", "name", "geonames_id",
            "lat", "lon", "precision"]
    p = p[cols].reset_index(drop=True)
    roles = events.groupby(["doc_id", "place_key"])["role"].agg(lambda s: sorted(set(s)))
    p["roles"] = [roles[(d, k)] for d, k in zip(p["doc_id"], p["place_key"])]
    p["n_mentions"] = 1
    p["resolution"] = [resolutions[i % len(resolutions)] for i in range(len(p))]
    # a place inside a district no gazetteer holds, resolved to its district
    p.loc[p["level"].eq("district"), "resolution"] = "contained"
    return p


def small_tables(districts, provinces) -> dict[str, pd.DataFrame]:
    """A small, hand-shaped store: every precision, every role, venues abroad, national
    and district claims, and one hostile article."""
    dist = districts.set_index("district_id")
    prov = provinces.set_index("adm1")

    def D(key):
        row = dist.loc[key]
        return _district(dict(district_id=key, adm1=row["adm1"], adm2=row["adm2"], lat=row["lat"], lon=row["lon"]))

    def P(code):
        row = prov.loc[code]
        return _province(dict(adm1=code, name=row["name"], lat=row["lat"], lon=row["lon"]))

    kabul, kandahar, ghazni_city = (_city(AFGHAN_CITIES[i]) for i in (0, 1, 5))
    doha, moscow, islamabad, tashkent = (_city(VENUES_ABROAD[i]) for i in (0, 1, 2, 4))
    jaghuri = D("AF-GHA/Jaghuri")
    malistan = D("AF-GHA/Malistan")
    uruzgan = P("AF-URU")
    helmand = P("AF-HEL")
    some_district = D(sorted(districts[districts["adm1"] == "AF-KDZ"]["district_id"])[0])

    docs = [
        dict(doc_id="aj-2018-11", title="Taliban attack Hazara districts in Ghazni", outlet="Al Jazeera",
             published=date(2018, 11, 12)),
        dict(doc_id="mehr-2018-11", title="Moscow hosts Afghan peace conference", outlet="Mehr News Agency",
             published=date(2018, 11, 10)),
        dict(doc_id="tolo-2019-02", title="Talks resume in Doha", outlet="TOLOnews", published=date(2019, 2, 26)),
        dict(doc_id="reuters-2019-07", title="Blast in Kabul kills dozens", outlet="Reuters",
             published=date(2019, 7, 2)),
        dict(doc_id="unnamed-2017-04", title="Fighting in Helmand", outlet=None, published=date(2017, 4, 20)),
        dict(doc_id="pajhwok-2020-03", title="Intra-Afghan talks planned", outlet="Pajhwok Afghan News",
             published=date(2020, 3, 3)),
        dict(doc_id="aj-2020-09", title="Doha talks open", outlet="Al Jazeera", published=date(2020, 9, 12)),
        dict(doc_id="hostile", title=f"Hostile {HOSTILE} article", outlet="Reuters",
             published=date(2019, 8, 1)),
    ]
    doc = {d["doc_id"]: d for d in docs}
    E = []
    E += [
        _event(doc["aj-2018-11"], jaghuri, "violence",
               "About a dozen security personnel were killed in Hotqol, Jaghori district.",
               date(2018, 11, 9), 12, True, ["taliban"]),
        _event(doc["aj-2018-11"], malistan, "violence", "The Taliban also attacked Malistan.",
               date(2018, 11, 10), None, None, ["taliban"]),
        _event(doc["aj-2018-11"], uruzgan, "violence", "Fighting spread to Urzugan province.",
               None, 30, False, ["taliban"]),
        _event(doc["aj-2018-11"], ghazni_city, "violence", "Rockets hit Ghazni city.", date(2018, 11, 11), 4),
        _event(doc["unnamed-2017-04"], helmand, "violence", "Heavy fighting in Helmand.", date(2017, 4, 18), None),
        _event(doc["unnamed-2017-04"], COUNTRY_AFG, "violence", "Violence across Afghanistan rose.", None),
        _event(doc["reuters-2019-07"], kabul, "violence", "A car bomb in Kabul killed 40 people.",
               date(2019, 7, 1), 40, False, ["taliban"]),
        _event(doc["reuters-2019-07"], kandahar, "violence", "Another blast struck Kandahar.", date(2019, 6, 30), 3),
        _event(doc["reuters-2019-07"], some_district, "control", "The Taliban claimed the district.", None),
        _event(doc["mehr-2018-11"], moscow, "negotiation", "Moscow hosted a peace conference on Friday.",
               date(2018, 11, 9)),
        _event(doc["mehr-2018-11"], doha, "negotiation", "The Taliban's office in Doha held secret talks.", None),
        _event(doc["tolo-2019-02"], doha, "negotiation", "US and Taliban negotiators met in Doha.", date(2019, 2, 25)),
        _event(doc["pajhwok-2020-03"], kabul, "negotiation", "Kabul will host a loya jirga on talks.", date(2020, 3, 10)),
        _event(doc["pajhwok-2020-03"], islamabad, "negotiation", "Envoys met in Islamabad.", date(2020, 3, 1)),
        _event(doc["aj-2020-09"], doha, "negotiation", "Intra-Afghan talks opened in Doha.", date(2020, 9, 12)),
        _event(doc["aj-2020-09"], tashkent, "negotiation", "A conference in Tashkent backed the talks.", date(2020, 9, 1)),
        _event(doc["hostile"], kabul, "violence", f"An attack {HOSTILE} {HOSTILE_SCRIPT} in Kabul.",
               date(2019, 7, 30), 2),
    ]
    events = pd.DataFrame(E)

    def claim(d, subject, metric, value, unit, of_total, scope, cited, text, derived=False, as_of=None):
        return dict(claim_id=_id(d["doc_id"], subject, metric, scope, value), doc_id=d["doc_id"],
                    subject=subject, metric=metric, value=value, unit=unit, of_total=of_total,
                    scope=scope, attributed_to=cited, as_of=as_of, start=0, end=len(text), text=text,
                    derived=derived, outlet=d.get("outlet"), published=d["published"])

    C = [
        claim(doc["aj-2018-11"], "government", "district_share", 55.0, "percent", 407, "AFG",
              "The New York Times", "The government controls 55% of 407 districts.", as_of="2018"),
        claim(doc["aj-2018-11"], "government", "population_share", 65.0, "percent", None, "AFG",
              "The New York Times", "and 65% of the population."),
        claim(doc["aj-2018-11"], "taliban", "district_share", 45.0, "percent", 407, "AFG",
              "The New York Times", "The government controls 55% of 407 districts.", derived=True),
        claim(doc["mehr-2018-11"], "taliban", "territory_share", 70.0, "percent", None, "AFG",
              None, "The Taliban are active in 70% of the country."),
        claim(doc["aj-2018-11"], "taliban", "qualitative", None, None, None, "AF-GHA/Jaghuri",
              None, "Jaghori fell to the Taliban."),
        claim(doc["reuters-2019-07"], "government", "qualitative", None, None, None, "AF-KAB",
              "Resolute Support", "Kabul province remains under government control."),
        claim(doc["unnamed-2017-04"], "contested", "qualitative", None, None, None, "AF-HEL",
              "Long War Journal", "Helmand is contested."),
        claim(doc["hostile"], "government", "district_share", 50.0, "percent", 407, "AFG",
              HOSTILE_SCRIPT, f"Half the districts {HOSTILE}."),
    ]
    claims = pd.DataFrame(C)
    return {"documents": _documents(docs), "events": events, "claims": claims,
            "places": _places_from_events(events)}


def small_store(root, districts, provinces):
    return store.write_tables(small_tables(districts, provinces), root)


def big_tables(districts, provinces, n_events: int = 100_000, seed: int = 7) -> dict[str, pd.DataFrame]:
    """``n_events`` events over every district (district, city, province and country
    precision, three roles), about one document per five events, and national claims."""
    rng = np.random.default_rng(seed)
    wanted, n_events = n_events, int(n_events * 1.05) + 10  # some draws repeat (doc, place, role)
    n_docs = max(1, wanted // 5)
    start = date(2016, 1, 1)
    days = rng.integers(0, 5 * 365, n_docs)
    outlets = np.array(OUTLETS[:-1] + [None], dtype=object)
    doc_outlet = outlets[rng.integers(0, len(outlets), n_docs)]
    doc_ids = np.array([f"syn-{i:06d}" for i in range(n_docs)], dtype=object)
    published = np.array([start + timedelta(days=int(d)) for d in days], dtype=object)
    documents = pd.DataFrame(dict(
        doc_id=doc_ids, path=[f"{d}.txt" for d in doc_ids], content_hash=doc_ids,
        title=[f"Synthetic report {i}" for i in range(n_docs)], outlet=doc_outlet, url=None,
        licence=None, published_from=published, published_to=published, dateline=None,
        kind="news", metadata_source="record", is_sample=False, n_chars=40,
        text="Synthetic article text for the benchmark.",
    ))

    dist = districts.reset_index(drop=True)
    prov = provinces.reset_index(drop=True)
    doc_idx = rng.integers(0, n_docs, n_events)
    kind = rng.choice(["district", "city", "province", "country"], n_events, p=[0.55, 0.2, 0.2, 0.05])
    role = rng.choice(["violence", "negotiation", "control"], n_events, p=[0.75, 0.1, 0.15])
    d_idx = rng.integers(0, len(dist), n_events)
    p_idx = rng.integers(0, len(prov), n_events)
    c_idx = rng.integers(0, len(AFGHAN_CITIES), n_events)
    v_idx = rng.integers(0, len(VENUES_ABROAD), n_events)

    place_key = np.empty(n_events, dtype=object)
    level = kind.astype(object)
    adm0 = np.full(n_events, "AFG", dtype=object)
    adm1 = np.empty(n_events, dtype=object)
    adm2 = np.full(n_events, None, dtype=object)
    name = np.empty(n_events, dtype=object)
    gid = np.full(n_events, np.nan)
    lat = np.empty(n_events)
    lon = np.empty(n_events)
    precision = np.zeros(n_events, dtype=np.int8)

    m = kind == "district"
    place_key[m] = dist["district_id"].values[d_idx[m]]
    adm1[m] = dist["adm1"].values[d_idx[m]]
    adm2[m] = dist["adm2"].values[d_idx[m]]
    name[m] = dist["adm2"].values[d_idx[m]]
    lat[m], lon[m], precision[m] = dist["lat"].values[d_idx[m]], dist["lon"].values[d_idx[m]], 3
    m = kind == "province"
    place_key[m] = prov["adm1"].values[p_idx[m]]
    adm1[m] = prov["adm1"].values[p_idx[m]]
    name[m] = prov["name"].values[p_idx[m]]
    lat[m], lon[m], precision[m] = prov["lat"].values[p_idx[m]], prov["lon"].values[p_idx[m]], 4
    m = kind == "country"
    place_key[m], adm1[m], name[m], lat[m], lon[m], precision[m] = "AFG", None, "Afghanistan", 33.93, 67.71, 6
    # cities: Afghan towns, and venues abroad for negotiation
    m = kind == "city"
    abroad = m & (role == "negotiation") & (rng.random(n_events) < 0.7)
    home = m & ~abroad
    cities = pd.DataFrame(AFGHAN_CITIES, columns=["gid", "name", "adm0", "adm1", "lat", "lon"])
    venues = pd.DataFrame(VENUES_ABROAD, columns=["gid", "name", "adm0", "adm1", "lat", "lon"])
    for mask, table, idx in ((home, cities, c_idx), (abroad, venues, v_idx)):
        i = idx[mask] % len(table)
        place_key[mask] = ["geonames:%d" % g for g in table["gid"].values[i]]
        adm0[mask] = table["adm0"].values[i]
        adm1[mask] = table["adm1"].values[i]
        name[mask] = table["name"].values[i]
        gid[mask] = table["gid"].values[i]
        lat[mask], lon[mask], precision[mask] = table["lat"].values[i], table["lon"].values[i], 1

    has_date = rng.random(n_events) < 0.7
    ev_dates = np.array([published[i] - timedelta(days=int(k)) if h else None
                         for i, k, h in zip(doc_idx, rng.integers(0, 5, n_events), has_date)], dtype=object)
    fat = rng.poisson(6, n_events).astype(float)
    fat[(role != "violence") | (rng.random(n_events) < 0.4)] = np.nan
    events = pd.DataFrame(dict(
        event_id=[f"ev-{i:07d}" for i in range(n_events)], doc_id=doc_ids[doc_idx], role=role,
        place_key=place_key, level=level, adm0=adm0, adm1=adm1, adm2=adm2, name=name,
        geonames_id=pd.array(np.where(np.isnan(gid), None, gid), dtype="Int64"), lat=lat, lon=lon,
        precision=precision, sentence_start=0, sentence_end=40,
        evidence=[f"Synthetic sentence {i} about {n}." for i, n in enumerate(name)],
        event_date=ev_dates, date_precision=np.where(has_date, "day", None),
        fatalities=pd.array(np.where(np.isnan(fat), None, fat), dtype="Int32"),
        fatalities_approx=rng.random(n_events) < 0.2, actors=[["taliban"]] * n_events,
        outlet=doc_outlet[doc_idx], published=published[doc_idx],
    ))
    # ids must be unique per (doc, place, role), as the ETL writes them
    events = events.drop_duplicates(["doc_id", "place_key", "role"]).head(wanted).reset_index(drop=True)

    n_claims = max(10, n_events // 50)
    cdoc = rng.integers(0, n_docs, n_claims)
    subj = rng.choice(["government", "taliban", "contested"], n_claims)
    scope = np.where(rng.random(n_claims) < 0.6, "AFG", dist["district_id"].values[rng.integers(0, len(dist), n_claims)])
    claims = pd.DataFrame(dict(
        claim_id=[f"cl-{i:06d}" for i in range(n_claims)], doc_id=doc_ids[cdoc], subject=subj,
        metric=np.where(scope == "AFG", "district_share", "qualitative"),
        value=np.where(scope == "AFG", rng.integers(30, 70, n_claims).astype(float), np.nan),
        unit=np.where(scope == "AFG", "percent", None), of_total=np.where(scope == "AFG", 407, None),
        scope=scope, attributed_to=np.array(CITED, dtype=object)[rng.integers(0, len(CITED), n_claims)],
        as_of=None, start=0, end=30, text="Synthetic control claim.", derived=False,
        outlet=doc_outlet[cdoc], published=published[cdoc],
    ))
    claims["of_total"] = claims["of_total"].astype("Int32")
    return {"documents": documents, "events": events, "claims": claims,
            "places": _places_from_events(events)}


def big_store(root, districts, provinces, n_events: int = 100_000, seed: int = 7):
    return store.write_tables(big_tables(districts, provinces, n_events, seed), root)
