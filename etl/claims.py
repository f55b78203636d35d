"""Control claims: statements about who controls territory or people, with who said so.

``extract_claims(article, geo)`` returns one :class:`Claim` per statement:

- with a figure: a share of districts ("55% of Afghanistan's 407 districts remain under
  the government" -> government, district_share 55, of_total 407), a count ("the
  Taliban control 7 of Ghazni's 19 districts" -> district_count 7 of 19, scope the
  province), a share of the population ("65% of the population") or of the territory
  ("19% of the territory", "a third of the country"); fractions in words count too;
- without a figure (``qualitative``): a control word ("control", "influence", "sway",
  "grip", "under Taliban rule", "shadow government", "captured the district") whose
  subject is the Taliban or the Afghan government, about territory or a place;
- "the rest ... under Taliban control" after a share gives the complement, marked
  ``derived``.

Subjects are actors: ``government`` (the Afghan government; a foreign government is
never the subject) and ``taliban``. "Contested" is a category, not an actor: "30
percent are contested" is no claim, "contested by the Taliban" is the Taliban's, and
"the Taliban control or contest more than half of Helmand's 14 districts" is recorded as
the Taliban's ``district_share`` 50 (the bound the text states; the record has no
approximation flag). The scope is the Afghan place the figure or the control word names
(a province, a district; "the province's 19 districts" is the province named last; a
fronted "In Helmand, ..."), else ``AFG`` (the role extractor then reports AFG from the
claim when the text never names it). A count takes the district total its sentence or
the sentence before states ("Of the country's 407 districts, ... 59 districts"). The
attribution is the source the sentence cites ("according to the New York Times",
"according to local officials", "a Reuters report said", "citing Pakistani officials",
"SIGAR said"), carried to the next sentence of the same paragraph when that one cites
nothing; "the report said" / "it said" take the source of the sentence before (else the
nearest explicit one); otherwise null (the article's own claim). ``as_of`` comes from
"as of October 2018", "starting in 2017", "in 2018".

Guards: percentages above 100, counts above their total or above ``MAX_DISTRICTS``, and
totals above ``MAX_DISTRICTS`` are never stored; numbers that are not about control
("3,200 participants", "2,500 US soldiers", "17 years of war") have no control cue and
no district/population/territory noun, so they are ignored. Work is per sentence and
only where a cue word occurs; every pattern is bounded.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import threading

from naqsha.etl.clauses import Tok, sentence_tokens
from naqsha.etl.dates import MONTHS
from naqsha.etl.figures import parse_number_token
from naqsha.etl.records import Article, Claim, GeoparseResult, Mention, Sentence

#: Afghanistan has about 400 districts; no figure of districts can exceed this.
MAX_DISTRICTS = 500
#: No province has more districts than this (Ghazni, Herat: about 19): a smaller total
#: is a province's.
PROVINCE_MAX_DISTRICTS = 30

_CUE = re.compile(r"control|influence|district|percent|per cent|%|population|territor|shadow\s+government|\bsway\b|\bgrip\b|contested|\bfell\b|seized|captured|overr[au]n|\bheld\b|\bholds?\b|\brule\b|half|third|quarter", re.I)

# Cheap substring tests (on the lower-cased text) before a sentence is tokenized: a claim
# needs a cue and a subject.
_CUE_WORDS = ("control", "influence", "district", "percent", "per cent", "%", "population",
              "territor", "shadow", "sway", "grip", "contested", "fell", "seized", "captured",
              "overr", "held", "hold", "rule", "half", "third", "quarter")
_SUBJECT_WORDS = ("taliban", "government", "kabul", "emirate", "contested", "forces", "insurgents")
_ATTR_WORDS = ("ccording", "citing", "said", "says", "report", "estimat", "data", "figures", "found",
               "finds", "claim", "noted", "notes", "assess", "analysis", "survey", "study", "tally", "map")

CONTROL_WORDS = frozenset("control controls controlled controlling influence sway grip".split())
HOLD_WORDS = frozenset("hold holds held".split())
TERRITORY_WORDS = frozenset("""territory territories districts district areas area country land population
provinces province regions region parts part swathes swaths countryside villages cities""".split())
CAPTURE_WORDS = frozenset("captured seized overran overrun".split())
FOREIGN_MODIFIERS = frozenset("""us u.s. american america russian russia pakistani pakistan indian india
chinese china iranian iran british uk qatari qatar united states foreign shadow interim puppet
parallel new future transitional western iraqi syrian turkish saudi uzbek tajik turkmen kazakh kyrgyz
german french japanese israeli yemeni libyan somali nigerian malian egyptian ukrainian emirati
soviet""".split())
POP_NOUNS = frozenset("population people afghans residents inhabitants citizens".split())
TERR_NOUNS = frozenset("territory land country area countryside".split())
FRACTIONS = {"half": 50.0, "third": 100 / 3, "thirds": 200 / 3, "quarter": 25.0, "quarters": 75.0}

# ------------------------------------------------------------------ attribution

_NAME = r"(?:[A-Z][\w&.'’-]*)(?:\s+(?:(?:of|for|on|and|the|de)\s+)?[A-Z][\w&.'’-]*){0,5}"
_ROLE_NOUNS = r"(?:(?:\s+(?:security|military|intelligence|government|provincial|local|police|army|defence|defense|senior|tribal))?\s+(?:officials|sources|analysts|diplomats|authorities|military|officers|government|commanders|spokesman|spokesperson|data|report|reports))?"
#: People cited by an "according to": kept with their qualifier ("Afghan security sources").
_PEOPLE = r"(?:(?:\s+(?:security|military|intelligence|government|provincial|local|police|army|defence|defense|senior|tribal))?\s+(?:officials|sources|analysts|diplomats|officers|commanders|spokesman|spokesperson))?"
_ATTR_PATTERNS = [
    re.compile(rf"\b[Aa]ccording\s+to\s+(?:an?\s+|the\s+)?(?:(?:latest|new|recent|quarterly|annual|monthly|official|\w+-\w+)\s+){{0,3}}(?:(?:tally|count|report|survey|study|map|assessment|analysis|estimate|data|figures)\s+(?:by|from|of)\s+)?(?P<the>[Tt]he\s+)?(?P<src>{_NAME}{_PEOPLE}){_ROLE_NOUNS}(?:\s+(?:report|reports|data|figures|estimates|assessment|analysis|survey|tally))?(?:\s+citing\s+(?P<the2>[Tt]he\s+)?(?P<src2>{_NAME}{_ROLE_NOUNS}))?"),
    # "according to local officials", "according to Afghan security sources"
    re.compile(r"\b[Aa]ccording\s+to\s+(?:the\s+)?(?P<src>(?:(?:[A-Z][\w-]+|provincial|local|district|government|security|military|senior|western|intelligence|council|police|army|defence|defense|tribal|village)\s+){1,3}(?:officials|sources|commanders|analysts|diplomats|elders|officers|residents|members|spokesman|spokesperson|estimates|figures))\b"),
    # "SIGAR published its quarterly report": a named source for "the report said" after it
    re.compile(rf"(?P<the>\b[Tt]he\s+)?(?P<src>{_NAME})\s+(?:published|released|issued|presented)\s+(?:its|a|an|the|their)\s+(?:[\w-]+\s+){{0,2}}(?:report|assessment|survey|study|analysis|map|tally|data|figures)\b"),
    # "SIGAR's latest report said", "the Pentagon's assessment found"
    re.compile(rf"(?P<the>\b[Tt]he\s+)?(?P<src>{_NAME})['’]s\s+(?:(?:latest|new|recent|quarterly|annual|last|own)\s+)?(?:report|assessment|analysis|study|survey|data|figures|estimates?|tally|map)\s+(?:said|says|found|finds|showed|shows|estimated|estimates|noted|notes|suggests|suggested|put|puts)\b"),
    re.compile(rf"\b[Cc]iting\s+(?:an?\s+|the\s+)?(?P<the>[Tt]he\s+)?(?P<src>{_NAME}{_ROLE_NOUNS})"),
    re.compile(rf"\b(?:[Aa]n?|[Tt]he)\s+(?P<src>{_NAME})\s+(?:report|analysis|assessment|study|survey|tally|estimate|map)\s+(?:said|says|found|finds|showed|shows|estimated|estimates|noted|concluded|suggests|suggested)\b"),
    re.compile(rf"\b(?:data|figures|estimates|reports?|analysis|assessment|tally|count|map|survey|study)\s+(?:from|by|of)\s+(?P<the>[Tt]he\s+)?(?P<src>{_NAME})"),
    # "provincial officials said", "Afghan security sources say"
    re.compile(r"\b(?P<src>(?:(?:[A-Z][\w-]+|provincial|local|district|government|security|military|senior|western|intelligence|council|police|army)\s+){1,3}(?:officials|official|sources|source|commanders|commander|analysts|diplomats|elders|member|members|spokesman|spokesperson))(?:\s+(?:at|in|from|of|with)\s+(?:the\s+)?[\w-]+){0,2}\s+(?:said|say|says|told|estimate|estimated|reported)\b"),
    re.compile(rf"(?P<the>\b[Tt]he\s+)?(?P<src>{_NAME})\s+(?:said|says|reported|reports|estimates|estimated|found|finds|noted|notes|claimed|claims|assessed|assesses)\b"),
]
_UNSET = object()
_NOT_SOURCES = frozenset("""he she they it we i this that these those there here but and while however
the a an in on at as if so meanwhile officials sources reports""".split())
_NEWS_TITLES = ("Times", "Post", "Guardian", "Economist", "Independent", "Telegraph", "Journal",
                "Diplomat", "Atlantic", "Intercept", "Hindu", "Nation", "Express", "News")
#: Reviewed spellings of sources that are often cited.
CANONICAL_SOURCES = {
    "new york times": "The New York Times", "nyt": "The New York Times",
    "washington post": "The Washington Post", "wall street journal": "The Wall Street Journal",
    "guardian": "The Guardian", "economist": "The Economist",
    "long war journal": "Long War Journal", "fdd's long war journal": "Long War Journal",
    "afp": "AFP", "agence france-presse": "AFP", "reuters": "Reuters", "ap": "AP",
    "associated press": "AP", "bbc": "BBC", "al jazeera": "Al Jazeera",
    "sigar": "SIGAR", "special inspector general for afghanistan reconstruction": "SIGAR",
    "un": "UN", "united nations": "UN", "unama": "UNAMA", "pentagon": "Pentagon",
    "us military": "US military", "resolute support": "Resolute Support", "nato": "NATO",
}


# How far a qualitative claim's quote reaches either side of its control word, in tokens.
QUOTE_TOKENS = 40


def _clean_source(src: str, the: str | None) -> str | None:
    src = src.strip().rstrip(".,;:’'").replace("’", "'")
    if src.endswith("'s"):
        src = src[:-2]
    words = src.split()
    while words and (words[0].lower() in ("the", "a", "an") or re.search(r"-(?:led|backed|run|based|funded)$", words[0])):
        words = words[1:]  # "the NATO-led Resolute Support" -> "Resolute Support"
    if not words or words[0].lower() in _NOT_SOURCES:
        return None
    src = " ".join(words)
    canon = CANONICAL_SOURCES.get(src.lower())
    if canon:
        return canon
    if the and words[-1] in _NEWS_TITLES:
        return "The " + src
    return src


# "The report said ...": the source named before in the article.
_ANAPHOR = re.compile(r"\b(?:(?:[Tt]he|[Tt]his|[Tt]hat|[Ii]ts)\s+(?:(?:latest|new|same|quarterly|annual)\s+)?(?:report|study|survey|tally|map|watchdog|agency|assessment|analysis|newspaper|paper|group|think\s+tank)|[Ii]t)\s+(?:also\s+)?(?:said|says|found|finds|showed|shows|estimated|estimates|noted|notes|put|puts|counted|counts|added|adds)\b")


def find_attribution(sentence: str) -> tuple[str, int, bool] | None:
    """The source a sentence cites, its offset, and whether it is an explicit citation
    ("according to", "citing", "a X report") rather than a bare "X said"."""
    best = None
    for rank, pat in enumerate(_ATTR_PATTERNS):
        for m in pat.finditer(sentence[:2000]):
            gd = m.groupdict()
            src = None
            if gd.get("src2"):
                src = _clean_source(gd["src2"], gd.get("the2"))
            if not src:
                src = _clean_source(gd["src"], gd.get("the"))
            if src:
                cand = (src, m.start(), rank < 7)
                if best is None:
                    best = cand
                break
        if best:
            break
    return best


# ------------------------------------------------------------------ as_of

_ASOF = [
    re.compile(r"\b(?:as\s+of|as\s+at|by|in|since|starting\s+in|starting\s+from|beginning\s+in|at\s+the\s+end\s+of|end\s+of)\s+(?:early\s+|late\s+|mid-?)?(?:(?P<day1>\d{1,2})\s+)?(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?(?:\s+(?P<day>\d{1,2}))?,?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(r"\b(?:as\s+of|as\s+at|starting\s+in|starting\s+from|beginning\s+in)\s+(?:early\s+|late\s+|mid-?)?(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(r"\b(?:as\s+of|as\s+at)\s+(?:early\s+|late\s+|mid-?)?(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December)\b(?:\s+(?P<day>\d{1,2})\b)?", re.I),
    re.compile(r"\b(?:in|by|since|at\s+the\s+end\s+of)\s+(?:early\s+|late\s+|mid-?)?(?P<year>(?:19|20)\d\d)\b(?!\s+(?:American|US|U\.S\.|invasion|war))", re.I),
]


def find_as_of(sentence: str, article: Article) -> str | None:
    for pat in _ASOF:
        m = pat.search(sentence[:2000])
        if not m:
            continue
        gd = m.groupdict()
        year = gd.get("year")
        mon = gd.get("mon")
        day = gd.get("day") or gd.get("day1")
        if year is None and mon and article.published_from:
            mnum = MONTHS[mon.lower()[:4].rstrip(".") if mon.lower()[:4] in MONTHS else mon.lower()[:3]]
            y = article.published_from.year - (1 if mnum > article.published_from.month else 0)
            if day and 1 <= int(day) <= 31:
                return f"{y:04d}-{mnum:02d}-{int(day):02d}"
            return f"{y:04d}-{mnum:02d}"
        if year is None:
            continue
        if article.published_from and int(year) > article.published_from.year + 1:
            continue
        if mon:
            key = mon.lower()
            mnum = MONTHS.get(key) or MONTHS.get(key[:3]) or MONTHS.get(key[:4])
            if day and 1 <= int(day) <= 31:
                return f"{int(year):04d}-{mnum:02d}-{int(day):02d}"
            return f"{int(year):04d}-{mnum:02d}"
        return year
    return None


# ------------------------------------------------------------------ subjects


def _subject_at(toks: list[Tok], i: int, metonymic_afg: set[int]) -> str | None:
    """The control subject the token at ``i`` names, or None."""
    low = toks[i].low
    prev = toks[i - 1].low if i > 0 else ""
    prev2 = toks[i - 2].low if i > 1 else ""
    nxt = toks[i + 1].low if i + 1 < len(toks) else ""
    if low in ("taliban", "talibans", "insurgents") or (low == "emirate" and prev == "islamic"):
        return "taliban"  # in claims about Afghan districts, "insurgents" are the Taliban
    if low == "government" or low == "forces" and prev in ("government", "afghan", "security"):
        if low == "government" and nxt == "-":
            nxt2 = toks[i + 2].low if i + 2 < len(toks) else ""
            return "government" if nxt2 in ("controlled", "held", "run") else None  # not government-appointed
        if prev in FOREIGN_MODIFIERS or (prev == "." and prev2 in ("s",)) or prev2 in ("united",) and prev == "states":
            return None
        if prev in ("'",) or prev == "s" and prev2 == "'":
            # "Taliban's shadow government" is handled by the shadow rule; "X's government" -> X
            owner = toks[i - 3].low if i > 2 else ""
            return "government" if owner in ("afghanistan", "kabul", "ghani") else None
        return "government"
    if i in metonymic_afg:
        return "government"  # "Kabul" standing for the Afghan government
    return None  # "contested" is a category, not an actor: never a subject


def _shadow(toks: list[Tok], i: int) -> bool:
    return toks[i].low == "government" and i > 0 and toks[i - 1].low == "shadow"


# ------------------------------------------------------------------ figures


_WORD_FIGURE_NEXT = frozenset("percent % per of out districts".split())


def _figure_at(toks: list[Tok], i: int, words: bool = False):
    """A share or count starting at token ``i``: (value, kind, end_index) or None.
    kind is 'percent', 'fraction' or 'count'. A number in words ("five of seven
    districts", "twenty percent") counts before a share or district word, or anywhere
    when ``words``."""
    t = toks[i]
    n = len(toks)
    val = parse_number_token(t.low) if t.low[:1].isdigit() else None
    if val is None and t.low in _NUMBER_WORDS and (words or (
            i + 1 < n and toks[i + 1].low in _WORD_FIGURE_NEXT)):
        val = parse_number_token(t.low)
    if val is not None:
        nxt = toks[i + 1].low if i + 1 < n else ""
        if nxt == "%":
            return val, "percent", i + 2
        if nxt == "percent":
            return val, "percent", i + 2
        if nxt == "per" and i + 2 < n and toks[i + 2].low == "cent":
            return val, "percent", i + 3
        return val, "count", i + 1
    if t.low in ("half",) or t.low in FRACTIONS:
        prev = toks[i - 1].low if i > 0 else ""
        mult = {"one": 1, "a": 1, "two": 2, "three": 3}.get(prev, 1)
        if t.low == "thirds":
            return 200 / 3, "fraction", i + 1
        if t.low == "quarters":
            return 75.0, "fraction", i + 1
        base = FRACTIONS[t.low]
        return base * mult if t.low != "half" else 50.0, "fraction", i + 1
    return None


def _of_phrase(toks: list[Tok], j: int, clause: int, mention_at: dict[int, Mention],
               province: Mention | None = None):
    """Read "of [the] [X's] [N] districts|population|territory" from index ``j``;
    "the province's" is ``province``, the province the text named last.
    Returns (metric_noun, of_total, scope_mention, end) or None."""
    n = len(toks)
    if j + 1 < n and toks[j].low == "out" and toks[j + 1].low == "of":
        j += 1  # "59 out of 407 districts"
    if j >= n or toks[j].low != "of":
        return None
    k = j + 1
    total = None
    scope = None
    steps = 0
    while k < n and steps < 8 and toks[k].clause == clause:
        low = toks[k].low
        if k in mention_at:
            scope = scope or mention_at[k]
            k += 1
        elif low in ("the", "its", "their", "all", "'", "s", "country", "nation") and not (low == "country" and (k + 1 >= n or toks[k + 1].low not in ("'", "s"))):
            k += 1
        elif low[:1].isdigit() or low in _NUMBER_WORDS:
            v = parse_number_token(low)
            total = int(v) if v is not None and v == int(v) else None
            k += 1
        elif low in ("districts", "district"):
            return "district", total, scope, k + 1
        elif low in POP_NOUNS:
            return "population", None, scope, k + 1
        elif low in TERR_NOUNS or low == "country":
            return "territory", None, scope, k + 1
        elif low in ("afghan", "afghanistan") :
            k += 1
        elif low == "province" and k + 2 < n and toks[k + 1].low == "'" and toks[k + 2].low == "s":
            scope = scope or province  # "7 of the province's 19 districts"
            k += 1
        else:
            break
        steps += 1
    if scope is not None and scope.place.level in ("country", "province", "district"):
        return "territory", None, scope, k
    return None


def _figure_subject(toks, i, end, prev_fig_end, next_fig_start, clause, metonymic_afg):
    """Subject of the figure at [i, end): "under the government" / "controlled by the
    Taliban" after it (before the next figure), else the nearest subject before it."""
    n = len(toks)
    k = end
    limit = min(n, next_fig_start, end + 14)
    while k < limit and toks[k].clause == clause:
        low = toks[k].low
        if low in ("under", "by", "to"):
            for q in range(k + 1, min(limit, k + 5)):
                sub = _subject_at(toks, q, metonymic_afg)
                if sub:
                    return sub
        if low == "contested" and k - end <= 3:
            # "30 percent are contested": a category, no actor's claim; "... contested by
            # the Taliban" is the Taliban's
            for q in range(k + 1, min(limit, k + 3)):
                if toks[q].low == "by":
                    for r in range(q + 1, min(limit, q + 4)):
                        sub = _subject_at(toks, r, metonymic_afg)
                        if sub:
                            return sub
            return None
        if low in ("rest", "remainder", "while", "whereas"):
            break
        k += 1
    k = i - 1
    lo = max(prev_fig_end, i - 14)
    while k >= lo and toks[k].clause == clause:
        sub = _subject_at(toks, k, metonymic_afg)
        if sub and not _shadow(toks, k):
            return sub
        k -= 1
    return None


_NUMBER_WORDS = frozenset("""two three four five six seven eight nine ten eleven twelve thirteen
fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
ninety""".split())
_OBJECT_SKIP = frozenset("""the a an much most all large parts part of key strategic remote entire whole
several two three four five six seven its their another more nearby""".split())


def _captures_territory(toks: list[Tok], i: int, mention_at: dict[int, Mention]) -> bool:
    """The object of the capture verb at ``i`` is a place or a territorial unit ('seized
    the district centre', 'captured Kunduz', 'overran large parts of Baghlan'), not a post
    in it ('overran checkpoints in Baghlan')."""
    n = len(toks)
    for k in range(i + 1, min(n, i + 7)):
        if k in mention_at:
            return mention_at[k].place.level in ("district", "province", "city")
        low = toks[k].low
        if low in ("district", "districts", "territory", "province", "city", "town", "provinces", "cities", "towns"):
            return not (k + 1 < n and toks[k + 1].low == "'")
        if low not in _OBJECT_SKIP and not low[:1].isdigit():
            return False
    return False


_STATED_TOTAL = re.compile(r"(?:\b(?:has|have|had|of|across|among)|['’]s)\s+(?:(?:a\s+total\s+of|some|about|its|the)\s+)?(\d{1,3})\s+districts\b")


def _stated_total(text: str, sent: Sentence, value: float | None) -> int | None:
    """The district total the sentence before a count states ("Afghanistan has 407
    districts. The Taliban control 59 districts.")."""
    for m in _STATED_TOTAL.finditer(text, sent.start, min(sent.end, sent.start + 2000)):
        v = int(m.group(1))
        if value is not None and value < v <= MAX_DISTRICTS:
            return v
    return None


def _measure_before(toks: list[Tok], i: int, clause: int) -> str | None:
    """'control over districts ... 53.8 percent': the measure a control word names
    before a bare share (districts, population, territory)."""
    for k in range(i - 1, max(0, i - 9), -1):
        if toks[k].clause != clause:
            return None
        low = toks[k].low
        if toks[k - 1].low in ("over", "of") and toks[k - 2].low in CONTROL_WORDS if k >= 2 else False:
            if low in ("districts", "district"):
                return "district"
            if low in POP_NOUNS:
                return "population"
            if low in TERR_NOUNS:
                return "territory"
    return None


def _fronted_place(toks: list[Tok], i: int, clause: int, mention_at: dict[int, Mention]) -> Mention | None:
    """The place a locative phrase at the head of the clause names ("In Kunduz province,
    the Taliban have wide influence"), before token ``i``."""
    for k in range(max(0, i - 16), i):
        if toks[k].clause != clause:
            continue
        if k in mention_at and k > 0 and toks[k - 1].low in ("in", "across", "throughout"):
            return mention_at[k]
    return None


def _is_total(toks: list[Tok], i: int) -> bool:
    """The number at ``i`` is a possessed or stated total: "Afghanistan's 407 districts",
    "a total of 407", "out of 407"."""
    p1 = toks[i - 1].low if i > 0 else ""
    p2 = toks[i - 2].low if i > 1 else ""
    return (p1 == "s" and p2 == "'") or (p1 == "of" and p2 in ("total", "out"))


def _total_nearby(toks: list[Tok], i: int, val: float) -> int | None:
    """The district total the sentence states around a count: the first "'s N districts"
    / "of N districts" / "out of N" with N above the count."""
    n = len(toks)
    for k in range(max(0, i - 30), min(n, i + 30)):
        if k == i or not toks[k].low[:1].isdigit() or not _is_total(toks, k):
            continue
        if k + 1 < n and toks[k + 1].low not in ("districts", "district"):
            continue
        v = parse_number_token(toks[k].low)
        if v is not None and v == int(v) and val < v <= MAX_DISTRICTS:
            return int(v)
    return None


def _has_control_cue(toks, lo, hi, clause) -> bool:
    for k in range(max(0, lo), min(len(toks), hi)):
        t = toks[k]
        if t.clause != clause:
            continue
        if t.low in CONTROL_WORDS or t.low in HOLD_WORDS or t.low in ("under", "rule", "contested", "remain", "remains", "governs", "govern", "control") or t.low in CAPTURE_WORDS:
            return True
    return False


def _foreign_only(toks, clause, mention_at, scope_m) -> bool:
    """True when the clause names a foreign country or place and no Afghan one."""
    if scope_m is not None and _scope_of(scope_m, "") != "":
        return False
    foreign = False
    for q, m in mention_at.items():
        if toks[q].clause != clause:
            continue
        if _scope_of(m, "") != "" or m.place.adm0 == "AFG":
            return False
        if m.place.adm0 not in (None, "AFG"):
            foreign = True
    return foreign


def _scope_of(m: Mention | None, default: str = "AFG") -> str:
    if m is None:
        return default
    key = m.place.place_key
    if m.place.level in ("country",) and key == "AFG":
        return key
    if m.place.level in ("province", "district") and key.startswith("AF-"):
        return key
    if m.place.level == "city" and m.place.adm1 and m.place.adm1.startswith("AF-"):
        return m.place.adm1  # a claim about a provincial capital is about its province
    return default


# ------------------------------------------------------------------ main


# The last call's result, per thread: the role extractor asks for the claims of the
# article the pipeline asks about next. Objects are held (not their ids), so a match is exact.
_Memo = threading.local()


def extract_claims(article: Article, geo: GeoparseResult) -> list[Claim]:
    """Every control claim of the article (see the module docstring)."""
    key = (article, article.text, geo, len(geo.mentions), len(geo.sentences or ()))
    old = getattr(_Memo, "key", None)
    if old is not None and all(a is b for a, b in zip((old[0], old[1], old[2]), key[:3])) and old[3:] == key[3:]:
        return [dataclasses.replace(c) for c in _Memo.value]
    out = _extract(article, geo)
    _Memo.key, _Memo.value = key, out
    return [dataclasses.replace(c) for c in out]


def remember_claims(article: Article, geo: GeoparseResult, claims: list[Claim]) -> None:
    """Keep ``claims`` as the result for ``geo`` after a later stage added a mention to it
    (the place a claim implies), so the pipeline's own call does not parse again."""
    _Memo.key = (article, article.text, geo, len(geo.mentions), len(geo.sentences or ()))
    _Memo.value = [dataclasses.replace(c) for c in claims]


def _extract(article: Article, geo: GeoparseResult) -> list[Claim]:
    text = article.text or ""
    sentences = sorted(geo.sentences or [], key=lambda s: s.start)
    if not sentences and text:
        sentences = [Sentence(0, len(text))]
    mentions = sorted(geo.mentions, key=lambda m: m.start)
    mstarts = [m.start for m in mentions]
    claims: list[Claim] = []
    seen: set = set()
    low_text = text.lower()
    if len(low_text) != len(text):
        low_text = "".join(ch.lower()[:1] or ch for ch in text)
    attr_cache: dict[int, tuple | None] = {}

    def attribution_of(k: int):
        if k not in attr_cache:
            st = text[sentences[k].start:sentences[k].end]
            sl = low_text[sentences[k].start:sentences[k].end]
            found = find_attribution(st) if any(c in sl for c in _ATTR_WORDS) else None
            if found is None and _ANAPHOR.search(st):
                # "the report said", "it said": the source of the sentence just before, else
                # the nearest one an earlier sentence names explicitly
                for j in range(k - 1, max(-1, k - 12), -1):
                    prev = attribution_of(j)
                    if prev and (prev[2] or j == k - 1):  # 'SIGAR said ... It said ...'
                        found = (prev[0], 0, False)
                        break
            attr_cache[k] = found
        return attr_cache[k]

    def province_at(pos: int) -> Mention | None:
        """The Afghan province the text named last before ``pos`` (this sentence or the
        three before it): what "the province's 19 districts" refers to."""
        k = bisect.bisect_left(mstarts, pos) - 1
        floor = sentences[max(0, cur[0] - 3)].start
        for _ in range(20):
            if k < 0 or mentions[k].start < floor:
                return None
            m = mentions[k]
            scope = _scope_of(m, "") if not m.metonymy else ""
            if scope.startswith("AF-") and "/" not in scope:
                return m
            k -= 1
        return None

    cur = [0]
    for si, sent in enumerate(sentences):
        cur[0] = si
        stext = text[sent.start:sent.end]
        slow = low_text[sent.start:sent.end]
        if not any(c in slow for c in _CUE_WORDS) or not any(c in slow for c in _SUBJECT_WORDS):
            continue
        lo = bisect.bisect_left(mstarts, sent.start)
        hi = bisect.bisect_left(mstarts, sent.end)
        sent_mentions = mentions[lo:hi]
        as_of = None
        as_of_done = False
        source_for_claims = _UNSET
        for toks in sentence_tokens(text, sent.start, sent.end):
            if not toks:
                continue
            mention_at: dict[int, Mention] = {}
            metonymic_afg: set[int] = set()
            tstarts = [t.start for t in toks]
            for m in sent_mentions:
                a = bisect.bisect_left(tstarts, m.start)
                b = a
                while b < len(toks) and toks[b].start < m.end:
                    b += 1
                for q in range(a, b):
                    if m.metonymy or (b < len(toks) and toks[b].low in ("government", "regime", "administration")):
                        if m.place.place_key == "AFG" or m.place.place_key.startswith("AF-") or m.place.adm0 == "AFG":
                            metonymic_afg.add(q)
                    else:
                        mention_at[q] = m
            carry = claims[-1] if claims and si > 0 and claims[-1].start >= sentences[si - 1].start and (
                "\n\n" not in text[sentences[si - 1].end:sent.start]) else None
            found = _claims_in_window(toks, mention_at, metonymic_afg, province_at, carry)
            if found and source_for_claims is _UNSET:
                # The sentence's own source, else an explicit citation in the sentence
                # just before it in the same paragraph ("According to X, ... . The rest ...").
                attr = attribution_of(si)
                source_for_claims = attr[0] if attr else None
                if attr is None and si > 0:
                    prev = attribution_of(si - 1)
                    if prev and prev[2] and "\n\n" not in text[sentences[si - 1].end:sent.start]:
                        source_for_claims = prev[0]
            for c in found:
                if not as_of_done:
                    as_of = find_as_of(stext, article)
                    as_of_done = True
                if c.metric == "district_count" and c.of_total is None and si > 0 and (
                        "\n\n" not in text[sentences[si - 1].end:sent.start]):
                    c.of_total = _stated_total(text, sentences[si - 1], c.value)
                c.attributed_to = source_for_claims
                c.as_of = as_of
                c.text = text[c.start:c.end]
                k = (c.subject, c.metric, c.value, c.scope, c.attributed_to, c.derived)
                if c.metric == "qualitative":
                    k = (c.subject, c.metric, c.scope, c.attributed_to)
                if k in seen:
                    continue
                seen.add(k)
                claims.append(c)
    return claims


def _claims_in_window(toks: list[Tok], mention_at: dict[int, Mention], metonymic_afg: set[int],
                      province_at=lambda pos: None, carry: Claim | None = None) -> list[Claim]:
    """The claims of one window; ``carry`` is the last share the sentence before stated
    (what a bare "12 percent" in this one measures)."""
    n = len(toks)
    out: list[Claim] = []
    # --- figures
    figs = []
    i = 0
    # "Of Helmand's 14 districts, only two remain under government control": a fronted
    # total says what the counts of its clause are out of, and where
    front = _of_phrase(toks, 0, toks[0].clause, mention_at, province_at(toks[0].start)) if n and toks[0].low == "of" else None
    if front is not None and (front[0] != "district" or not front[1] or front[3] >= n or toks[front[3]].text != ","):
        front = None
    if front is not None:
        i = front[3]
    while i < n:
        f = _figure_at(toks, i, words=front is not None)
        if f:
            figs.append((i, f))
            # a figure's own "of [X's] N districts" is part of it: "407" is not a second figure
            ph = _of_phrase(toks, f[2], toks[i].clause, mention_at, province_at(toks[i].start))
            i = ph[3] if ph else f[2]
        else:
            i += 1
    fig_claim_clauses: set[int] = set()
    prev_share_scope: dict[int, Mention | None] = {}
    for idx, (i, (val, kind, end)) in enumerate(figs):
        clause = toks[i].clause
        prev_end = figs[idx - 1][1][2] if idx > 0 else 0
        next_start = figs[idx + 1][0] if idx + 1 < len(figs) else n
        metric = None
        of_total = None
        scope_m = None
        carried_scope = None
        prev_count = next((c for c in reversed(out) if c.metric == "district_count" and not c.derived), None)
        stop = end
        if kind in ("percent", "fraction") or (end < n and toks[end].low in ("of", "districts")):
            fig_claim_clauses.add(clause)  # a figure, kept or not: no qualitative claim beside it
        if kind in ("percent", "fraction"):
            if val > 100 or val < 0:
                continue
            ph = _of_phrase(toks, end, clause, mention_at, province_at(toks[i].start))
            if not ph:
                # "65% of the population, while the Taliban held sway over 12%": the share
                # of what the previous figure of the sentence measured
                prev_share = next((c for c in reversed(out) if c.metric.endswith("_share") and not c.derived), None)
                noun_before = _measure_before(toks, i, clause)
                if noun_before is not None and prev_share is None:
                    # "Government control over districts fell to 53.8 percent"
                    prev_share = Claim("", {"district": "district_share", "population": "population_share",
                                            "territory": "territory_share"}[noun_before], "", 0, 0, "")
                if prev_share is None and carry is not None and carry.metric.endswith("_share"):
                    prev_share = carry  # "... 54 percent of districts. It said the Taliban controlled 12 percent."
                if prev_share is None or (end < n and toks[end].low.isalpha() and toks[end].low not in ("and", "while", "of")):
                    continue
                noun = {"district_share": "district", "population_share": "population", "territory_share": "territory"}[prev_share.metric]
                of_total, stop = prev_share.of_total, end
                scope_m = prev_share_scope.get(id(prev_share))
                carried_scope = prev_share.scope or None
            else:
                noun, of_total, scope_m, stop = ph
            metric = {"district": "district_share", "population": "population_share", "territory": "territory_share"}[noun]
            unit = "percent"
        else:
            # "226 of 407 districts", "7 of Ghazni's 19 districts", "controls 59 districts"
            if _is_total(toks, i):
                continue  # "of the country's 407 districts": the total, not a count
            ph = _of_phrase(toks, end, clause, mention_at, province_at(toks[i].start))
            if ph and ph[0] == "district" and ph[1]:
                _, of_total, scope_m, stop = ph
            elif end < n and toks[end].low in ("districts",) and toks[end].clause == clause:
                stop = end + 1
                if stop + 1 < n and toks[stop].low in ("in", "of") and stop + 1 in mention_at:
                    scope_m = mention_at[stop + 1]
                    stop += 2
            elif front is not None and toks[i].clause == toks[0].clause:
                of_total, scope_m, stop = front[1], front[2], end
            elif prev_count is not None and i > 0 and (toks[i - 1].low in CONTROL_WORDS or toks[i - 1].low in HOLD_WORDS) and (
                    end >= n or not toks[end].low.isalpha() or toks[end].low in ("and", "while", "whereas")):
                # "72 of 407 districts, while the Taliban control 63": the same measure
                of_total, stop = prev_count.of_total, end
                scope_m = prev_share_scope.get(id(prev_count))
                carried_scope = prev_count.scope
            else:
                continue
            if val != int(val) or val > MAX_DISTRICTS or (of_total is not None and (of_total > MAX_DISTRICTS or val > of_total)):
                continue
            metric, unit = "district_count", "districts"
            if of_total is None:
                of_total = _total_nearby(toks, i, val)  # "Of the country's 407 districts, ... 59"
        if of_total is not None and of_total > MAX_DISTRICTS:
            continue
        if not _has_control_cue(toks, i - 12, stop + 12, clause):
            continue
        subject = _figure_subject(toks, i, stop, prev_end, next_start, clause, metonymic_afg)
        if subject is None:
            continue
        if scope_m is None:
            for q in range(max(0, i - 12), min(n, stop + 8)):
                if q in mention_at and toks[q].clause == clause and _scope_of(mention_at[q], "") != "":
                    scope_m = mention_at[q]
                    break
        if scope_m is None and carried_scope is None and of_total is not None and of_total <= PROVINCE_MAX_DISTRICTS:
            scope_m = province_at(toks[i].start)  # "7 of the 19 districts": a province's, the one named last
        if _foreign_only(toks, clause, mention_at, scope_m):
            continue  # "the government of Iraq controls 90% of the territory"
        scope = _scope_of(scope_m) if scope_m is not None or carried_scope is None else carried_scope
        c = Claim(subject=subject, metric=metric, scope=scope, start=toks[i].start, end=toks[stop - 1].end,
                  text="", value=float(round(val, 1)), unit=unit, of_total=of_total)
        out.append(c)
        prev_share_scope[id(c)] = scope_m
        fig_claim_clauses.add(clause)
        # "with the rest (largely) under Taliban control": the complement
        if metric.endswith("_share"):
            for q in range(stop, min(n, stop + 12)):
                if toks[q].low in ("rest", "remainder", "remaining") and (idx + 1 >= len(figs) or q < figs[idx + 1][0]):
                    other = None
                    for r in range(q + 1, min(n, q + 8)):
                        if toks[r].low in ("under", "by"):
                            for s_ in range(r + 1, min(n, r + 5)):
                                other = _subject_at(toks, s_, metonymic_afg)
                                if other:
                                    break
                            break
                    if other and other != subject and other != "contested":
                        out.append(Claim(subject=other, metric=metric, scope=scope, start=toks[q].start,
                                         end=toks[min(n - 1, q + 7)].end, text="", value=float(round(100 - val, 1)),
                                         unit=unit, of_total=of_total, derived=True))
                        fig_claim_clauses.add(toks[q].clause)
                    break

    # --- qualitative
    for i, t in enumerate(toks):
        clause = t.clause
        if clause in fig_claim_clauses:
            continue
        subject = None
        if t.low in CONTROL_WORDS or (t.low == "rule" and i > 0):
            # under Taliban control / rule
            if i >= 2 and toks[i - 2].low == "under":
                subject = _subject_at(toks, i - 1, metonymic_afg)
            elif i >= 3 and toks[i - 3].low == "under" and toks[i - 2].low in ("the", "afghan"):
                subject = _subject_at(toks, i - 1, metonymic_afg)
            if subject is None and t.low != "rule":
                if i + 2 < n and toks[i + 1].low == "of" and toks[i + 2].low in ("the",) and i + 3 < n and _subject_at(toks, i + 3, metonymic_afg):
                    subject = _subject_at(toks, i + 3, metonymic_afg)  # "the control of the Taliban"
                else:
                    for k in range(i - 1, max(-1, i - 9), -1):
                        if toks[k].clause != clause:
                            break
                        sub = _subject_at(toks, k, metonymic_afg)
                        if sub and not _shadow(toks, k):
                            subject = sub
                            break
                        if toks[k].low in (",",) and k < i - 1:
                            continue
        elif t.low in HOLD_WORDS:
            if any(toks[k].low in TERRITORY_WORDS for k in range(i + 1, min(n, i + 4))):
                for k in range(i - 1, max(-1, i - 5), -1):
                    sub = _subject_at(toks, k, metonymic_afg)
                    if sub:
                        subject = sub
                        break
        elif _shadow(toks, i):
            lows = [x.low for x in toks[max(0, i - 8):min(n, i + 5)]]
            if "taliban" in lows:
                subject = "taliban"
        elif t.low in CAPTURE_WORDS:
            for k in range(i - 1, max(-1, i - 5), -1):
                sub = _subject_at(toks, k, metonymic_afg)
                if sub == "taliban":
                    subject = sub
                    break
            if subject and not _captures_territory(toks, i, mention_at):
                subject = None  # 'overran checkpoints in X' takes posts, not the place
        if subject is None or subject == "contested":
            continue
        # about territory or a place?
        scope_m = None
        territorial = _shadow(toks, i) or t.low in CAPTURE_WORDS
        for k in range(i + 1, min(n, i + 10)):
            if toks[k].clause != clause:
                break
            if k in mention_at:
                scope_m = scope_m or mention_at[k]
                territorial = True
            if toks[k].low in TERRITORY_WORDS or (toks[k].low == "over" and k > 0 and toks[k - 1].low == "all"):
                territorial = True
        if not territorial and i >= 2 and toks[i - 2].low == "under":
            territorial = True  # "areas under Taliban control"
        if scope_m is None:
            scope_m = _fronted_place(toks, i, clause, mention_at)  # "In Helmand, ... under Taliban control"
        if not territorial:
            continue
        if _foreign_only(toks, clause, mention_at, scope_m):
            continue
        if scope_m is not None and _scope_of(scope_m, "") == "":
            if scope_m.place.adm0 not in (None, "AFG"):
                continue  # control of a foreign place: not ours
            if scope_m.place.level == "city":
                continue  # a town whose province is unknown: saying "all of Afghanistan" would be wrong
        # quote the whole clause (capped), so a card never starts mid-name ("York Times ...")
        lo = i
        for k in range(i - 1, max(-1, i - QUOTE_TOKENS), -1):
            if toks[k].clause != clause:
                break
            lo = k
        hi = min(n - 1, i + QUOTE_TOKENS)
        while hi > i and toks[hi].clause != clause:
            hi -= 1
        out.append(Claim(subject=subject, metric="qualitative", scope=_scope_of(scope_m), start=toks[lo].start,
                         end=toks[hi].end, text=""))
        fig_claim_clauses.add(clause)  # one qualitative claim per clause
    return out
