"""Actors a clause names, as lower-case snake names, from a small reviewed table.

``find_actors(text)`` returns the actors named in ``text`` in order of first mention,
longest phrase first ("US special envoy" is ``us_envoy``, not ``us_government``).
City names are not in the table (a city in a clause is usually where something happens);
place names used as actors (metonymy: "Washington said", "the Kabul government",
"Islamabad insists") map through ``METONYM_ACTORS`` by place key, for the roles module.
"""

from __future__ import annotations

import re

#: actor -> surface phrases (matched case-insensitively on word boundaries).
ACTORS: dict[str, tuple[str, ...]] = {
    "taliban": ("taliban", "talibans", "islamic emirate", "haqqani network", "taliban fighters",
                "taliban militants", "taliban insurgents", "taliban negotiators", "taliban delegation",
                "taliban representatives", "taliban leaders", "taliban leadership", "taliban spokesman"),
    "afghan_government": ("afghan government", "kabul government", "government in kabul",
                          "ghani government", "ghani administration", "afghan officials",
                          "afghan president", "president ashraf ghani", "ashraf ghani", "high peace council",
                          "afghan authorities", "afghan delegation", "afghan government delegation",
                          "government officials", "national security adviser", "hamid karzai"),
    "afghan_security_forces": ("afghan security forces", "security forces", "security personnel",
                               "afghan forces", "afghan army", "afghan national army", "afghan police",
                               "andsf", "ansf", "national police", "government forces", "afghan troops",
                               "police officers", "policemen", "police", "soldiers"),
    "us_government": ("us government", "u.s. government", "united states", "us administration",
                      "trump administration", "biden administration", "state department",
                      "pentagon", "white house", "us officials", "us diplomats", "american officials"),
    "us_envoy": ("us envoy", "u.s. envoy", "us special envoy", "u.s. special envoy", "special envoy",
                 "special representative", "zalmay khalilzad", "khalilzad", "us diplomatic team",
                 "us team", "united states team"),
    "us_military": ("us forces", "u.s. forces", "us troops", "u.s. troops", "us soldiers",
                    "american soldiers", "american troops", "american forces", "us military",
                    "u.s. military", "us-led coalition", "us airstrike", "us airstrikes"),
    "nato": ("nato", "isaf", "resolute support", "nato forces", "nato troops", "coalition forces"),
    "russia": ("russia", "russian government", "russian foreign minister", "kremlin", "lavrov"),
    "pakistan": ("pakistan", "pakistani officials", "pakistan officials", "pakistani military",
                 "pakistan's military", "isi"),
    "qatar": ("qatar", "qatari officials", "qatari government"),
    "china": ("china", "chinese government"),
    "india": ("india", "indian government"),
    "iran": ("iran", "iranian government"),
    "isis": ("isis", "isil", "islamic state", "daesh", "is-k", "iskp", "isis-k", "islamic state khorasan"),
    "al_qaeda": ("al-qaeda", "al qaeda", "al-qaida", "al qaida"),
    "insurgents": ("insurgents", "insurgent group", "militants", "gunmen", "militant group"),
    "civilians": ("civilians", "civilian population", "local inhabitants", "local residents",
                  "villagers", "residents", "worshippers"),
    "hazara": ("hazara", "hazaras", "hazara shias"),
    "local_militia": ("local militia", "militia", "uprising forces", "arbaki"),
}

#: Place keys that stand for an actor when used metonymically.
METONYM_ACTORS: dict[str, str] = {
    "geonames:4140963": "us_government",   # Washington
    "USA": "us_government",
    "geonames:1138958": "afghan_government",  # Kabul
    "AFG": "afghan_government",
    "geonames:1176615": "pakistan",  # Islamabad
    "PAK": "pakistan",
    "geonames:524901": "russia",  # Moscow
    "RUS": "russia",
    "geonames:1816670": "china",  # Beijing
    "CHN": "china",
    "geonames:112931": "iran",  # Tehran
    "IRN": "iran",
    "QAT": "qatar",
    "geonames:290030": "qatar",  # Doha
    "IND": "india",
}

_LOOKUP: dict[str, str] = {}
for _actor, _phrases in ACTORS.items():
    for _p in _phrases:
        _LOOKUP[_p] = _actor

# Phrases are looked up as word n-grams (longest first), so "us special envoy" beats "us".
def _words(phrase: str) -> tuple[str, ...]:
    return tuple(phrase.replace("u.s.", "us").replace("'", " ").replace("-", " ").split())


_NGRAMS: dict[tuple[str, ...], str] = {_words(p): a for p, a in _LOOKUP.items()}
_MAX_N = max(len(k) for k in _NGRAMS)
_SPLIT = re.compile(r"[A-Za-z0-9]+")


def find_actors(text: str, max_chars: int = 1500) -> list[str]:
    """Actors named in ``text`` (first mention order, no repeats)."""
    text = text[:max_chars]
    orig = _SPLIT.findall(text.replace("U.S.", "US").replace("u.s.", "us"))
    words = [w.lower() for w in orig]
    found: list[tuple[int, str]] = []
    i, n = 0, len(words)
    while i < n:
        for k in range(min(_MAX_N, n - i), 0, -1):
            actor = _NGRAMS.get(tuple(words[i:i + k]))
            if actor is None:
                continue
            if words[i] in ("us", "isi") and orig[i] not in ("US", "ISI"):
                continue  # "tell us", not the United States
            found.append((i, actor))
            i += k - 1
            break
        else:
            if orig[i] in ("US", "USA"):
                found.append((i, "us_government"))
        i += 1
    out: list[str] = []
    for _, actor in sorted(found):
        if actor not in out:
            out.append(actor)
    # The envoy and the government are one actor in a clause that names the envoy.
    if "us_envoy" in out and "us_government" in out:
        out.remove("us_government")
    return out
