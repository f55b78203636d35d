"""Roles of a place in a document, and one event record per (place, role).

``extract_events(article, geo)`` decides, for every place mention the geoparser found,
whether the clause that holds it reports violence or negotiation happening *there*;
claims about control (``naqsha.etl.claims``) give their scope the ``control`` role.

The decision is made from the link between the place and an event word, not from a
keyword anywhere in the sentence. A mention can be linked in these ways:

- as the object of a locative preposition ("in", "at", "near", "across", "all over",
  "on X's soil") in a clause that holds an event word ("talks opened ... in Moscow",
  "a spate of attacks on Hazaras in Uruzgan and Ghazni provinces", "met in Moscow");
  the nearest event word of the clause gives the role;
- as the object of an event word: "attack on X", "invasion of X", "siege of X",
  "visited X", "attacked X", "talks hosted by X";
- as a destination of a trip in a sentence about diplomacy ("trip to Kabul", "returned
  to Doha"), or of roads closed by fighting ("roads leading to X ... fighting");
- as the subject of a hosting or suffering verb ("Moscow hosted", "Moscow is going to
  host", "X came under attack", "X was shelled", "X fell");
- as the modifier of an event noun for a city or Afghan unit ("the Moscow talks", "the
  Kabul attack"), or of "-hosted" ("Moscow-hosted talks");
- as the antecedent of "where" ("Hotqol, where a dozen were killed");
- as the seat of a political office ("the Taliban office in Qatar");
- as the goal of a violence word that moves ("fighting spread to A and B districts",
  "clashes reached X"), a part of a place taken ("seized much of the city of X"), a part
  of a town ("in the east of X");
- in a coordinated phrase without a verb of its own, which shares the earlier trigger
  ("clashes were reported in A, where ..., and in B province").

Nothing is reported at a mention that stands for an actor: metonymy from the geoparser
("the Kabul government", "Washington said"), a name followed by "government",
"officials", "administration" ..., a place after "government in" / "embassy in", a
possessive ("Moscow's attempt"), a dateline, a subject of any other verb ("Russia
offered to facilitate talks", "India has sent an envoy"). A place where something is
only said is no venue: "In Moscow, Russia's envoy said ...", "said in Moscow that",
"speaking in Islamabad", "officials in Kabul said ... in Kunduz" (when the sentence names
the event's own place). Violence words under a
negation ("no attacks"), in an infinitive ("to attack the US") or in a clause marked as
long past ("had once fought") do not count.

Each event carries the best supporting sentence as evidence, the date the clause gives
(``naqsha.etl.dates``), the deaths it states (``naqsha.etl.figures``) and the actors it
names (``naqsha.etl.actors``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from naqsha.etl.actors import find_actors
from naqsha.etl.clauses import Tok, sentence_tokens
from naqsha.etl.dates import DateRef, find_date
from naqsha.etl.figures import find_fatalities
from naqsha.etl.records import Article, Event, GeoparseResult, Mention, Sentence

VIOLENCE, NEGOTIATION, CONTROL = "violence", "negotiation", "control"

# ------------------------------------------------------------------ lexicon

VIOLENCE_WORDS = frozenset("""
attack attacks attacked attacking assault assaults offensive offensives bombing bombings bomb
bombs bombed blast blasts explosion explosions ambush ambushes ambushed raid raids raided
airstrike airstrikes shelling shelled fighting fight fights fought clash clashes clashed battle
battles battled siege besieged violence killing killings killed kill kills massacre massacred
casualties deaths died dead wounded injured hostilities hostility invasion invaded intervention
combat gunfire firefight firefights bloodshed skirmish skirmishes bombardment atrocities war
stormed overran overrun ransacked torched beheaded executed kidnapped abducted detonated exploded
insurgency suicide rocket rockets mortar mortars gunmen encircled encircling besieging
""".split())
NEGOTIATION_WORDS = frozenset("""
talks negotiations negotiation negotiators negotiator negotiate negotiated negotiating dialogue
conference conferences summit summits meeting meetings met meet meets parley parleys envoy envoys
visit visits visited visiting stopover stopovers hosted host hosts hosting mediators mediator
mediation mediate mediated delegation delegations delegates consultations jirga diplomacy
diplomatic diplomats diplomat
""".split())
# Words that only count with a neighbour: "peace deal", "signing ceremony", "peace table".
_PAIRED_NEG = {"deal": {"peace"}, "agreement": {"peace"}, "accord": {"peace"},
               "process": {"peace"}, "ceremony": {"signing", "opening"},
               "table": {"peace", "negotiating", "negotiation"}, "talk": {"peace"}, "format": {"talk", "talks"}}
_PAIRED_VIOL = {"strike": {"air", "drone", "missile", "rocket"}, "strikes": {"air", "drone", "missile", "rocket"},
                "crimes": {"war"}}

LOC_PREPS = frozenset("in at near across inside throughout outside around within into through".split())
# "talks on peace and security in X": the place belongs to the topic, not the event.
TOPIC_NOUNS = frozenset("""peace security stability reconciliation situation future development
reconstruction crisis conflict cooperation affairs""".split())
# "the outskirts of X": a spatial noun makes "of" locative.
SPATIAL_OF = frozenset("""edge edges outskirts gates centre center heart streets suburbs outside
environs periphery north south east west northeast northwest southeast southwest""".split())
# "seized much of X", "overran parts of X": a share of the place is the verb's object.
PART_OF = frozenset("much most part parts half all swathes swaths areas chunk chunks".split())
TOOK = frozenset("took taken take takes taking".split())  # 'took over large parts of X'
DETERMINERS = frozenset("the a an this that its their".split())
# "fighting spread to X", "the offensive reached X": a violence word moving to a place.
SPREAD_TO = frozenset("spread spreading spreads extended extending moved moving edged advanced".split())
REACH_VERBS = frozenset("reached reaching reaches engulfed".split())
# Person nouns of diplomacy: a reason to read a clause as talks, except where the person
# only speaks ("In Moscow, Russia's envoy said ...").
DIPLO_PERSONS = frozenset("""envoy envoys diplomat diplomats negotiator negotiators delegation
delegations delegates mediator mediators""".split())
# 'officials in Kabul said ...': where the speaker sits, when the sentence names the
# place of the event too.
SPEAKER_NOUNS = frozenset("""officials official authorities sources spokesman spokesperson
spokeswoman diplomats ministry leaders""".split())
SPEECH = frozenset("""said says say told tells added stated declared noted insisted warned argued
claimed announced remarked""".split())
# "regained control of X after days of fighting": X is where the fighting was.
CONTROL_OF = frozenset("control recapture capture retaking seizure".split())
# A place after "<noun> in" that only says where an actor sits, not where something happens.
STOP_NOUNS = frozenset("""government regime ambassador ambassadors embassy embassies consulate mission
presence administration governments capital interest interests""".split())
ON_VIOLENCE = frozenset("""attack attacks assault assaults offensive strike strikes airstrike airstrikes
raid raids advance push rockets rocket fire bombardment""".split())
OF_VIOLENCE = frozenset("""invasion siege fall bombing bombings shelling capture bombardment storming
sacking destruction""".split())
TRAVEL = frozenset("""trip trips visit visits journey travel travelled traveled travels travelling
returned return returns returning flew flight came went arrived headed heading stopover stopovers
tour""".split())
ROADS = frozenset("leading road roads highway highways route routes".split())
HOSTED_BY = frozenset("hosted convened".split())
DOBJ_NEG = frozenset("visit visits visited visiting toured tour tours".split())
DOBJ_VIOL = frozenset("""attacked attack attacks attacking bombed shelled stormed raided besieged overran
overrun invaded invade hit struck targeted captured seized shelling bombing encircled encircling
besieging surrounded retook recaptured retaken overwhelmed""".split())
HOST_VERBS = frozenset("hosted hosts host hosting".split())
PASSIVE_VIOL = frozenset("""attacked hit bombed shelled stormed overrun besieged targeted captured seized
struck rocked shaken raided ambushed""".split())
AUX = frozenset("""has have had is was were are will would also again recently already reportedly
finally be been being once now then itself""".split())
UNDER_WHAT = frozenset("attack attacks fire siege assault bombardment shelling".split())
SUFFER_VERBS = frozenset("saw sees seen witnessed witnesses suffered experienced".split())
MOD_NOUNS_NEG = frozenset("""talks conference summit meeting meetings format process agreement accord
dialogue negotiations peace""".split())
MOD_NOUNS_VIOL = frozenset("""attack attacks bombing bombings blast siege offensive massacre clashes
fighting violence assault""".split())
METONYM_NEXT = frozenset("""government regime administration officials authorities leadership leaders
establishment""".split())
METONYM_PAIRS = {("high", "officials"), ("ruling", "regime"), ("ruling", "elite")}
TYPE_NOUNS = frozenset("""province provinces district districts city cities town towns village villages
capital area areas region regions valley centre center headquarters""".split())
ADJ_SKIP = frozenset("""northern southern eastern western central neighbouring neighboring restive
volatile nearby remote key strategic twin southeastern northeastern southwestern northwestern
embattled besieged capital""".split())
NEGATORS = frozenset("not no never n't without nor".split())
HYPOTHETICAL = frozenset("""could would might may threatened threatens vowed vows plans plan planned if
threat threats fear fears risk risks prevent preventing avoid warned warning warnings possible potential
plot plotting""".split())
DIPLO = frozenset("""envoy envoys diplomat diplomats diplomatic negotiator negotiators delegation
delegations delegates minister ministers secretary representative representatives talks meeting meetings met
peace officials""".split())
_ROLE_STRENGTH = {"direct": 3.0, "loc": 2.0, "where": 2.0, "travel": 2.0, "office": 2.0, "road": 1.5}
_PAST_YEAR = re.compile(r"\b(19[0-9]\d|20[0-4]\d)s?\b")
_DATELINE_AFTER = re.compile(r"^\s*(?:,\s*[A-Z][\w.'’ -]{1,30}?)?\s*(?:[_–—]|-{1,2}\s|\(|:)")


# Words some rules need that are not event words themselves.
_NON_TRIGGER_CUES = (DOBJ_VIOL | PASSIVE_VIOL | HOSTED_BY | UNDER_WHAT | TOOK | {"fell", "trip", "trips", "journey", "returned", "tour", "toured"}) - VIOLENCE_WORDS - NEGOTIATION_WORDS


_ALL_CUES = frozenset(VIOLENCE_WORDS | NEGOTIATION_WORDS | set(_PAIRED_NEG) | set(_PAIRED_VIOL)
                      | _NON_TRIGGER_CUES | {"office", "agreement", "deal", "accord", "declaration"})
# The words _trigger_role can return a role for (it returns None for every other word).
_TRIGGER_HEADS = frozenset(VIOLENCE_WORDS | NEGOTIATION_WORDS | set(_PAIRED_NEG) | set(_PAIRED_VIOL)
                           | {"office", "agreement", "deal", "accord", "declaration"})
_PUNCT_TO_SPACE = {ord(c): " " for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~‘’“”–—…"}


@dataclass
class _Hit:
    key: str
    role: str
    strength: float
    sentence: Sentence
    span: tuple[int, int]      # the clause(s) that support it, article offsets
    mention: Mention
    fat_span: tuple[int, int] | None = None  # the part of the clause that speaks of this place


# ------------------------------------------------------------------ helpers


_ABSTRACT_FOES = frozenset("""terrorism corruption poverty extremism drugs narcotics disease polio covid
coronavirus climate illiteracy hunger""".split())
_NOT_DIPLOMATIC = frozenset("press news cabinet board shareholders video".split())


def _trigger_role(toks: list[Tok], i: int) -> str | None:
    """The role the token at ``i`` announces, or None."""
    low = toks[i].low
    prev = toks[i - 1].low if i > 0 else ""
    if low in VIOLENCE_WORDS:
        if low == "war":
            nxt = toks[i + 1].low if i + 1 < len(toks) else ""
            if prev == "-" or nxt in ("-", "torn", "ravaged", "weary", "hit", "crimes") and nxt != "crimes" or nxt == "on" and i + 2 < len(toks) and toks[i + 2].low in ("terror", "terrorism", "drugs"):
                return None  # post-war, war-torn, war on terror
        if low in ("fight", "fighting", "fought", "fights", "war", "battle", "battles") and any(
                t.low in _ABSTRACT_FOES for t in toks[i + 1:i + 4]):
            return None  # the fight against corruption, the war on drugs
        return VIOLENCE
    if low in NEGOTIATION_WORDS:
        if low in ("conference", "conferences", "meeting", "meetings") and prev in _NOT_DIPLOMATIC:
            return None  # a news conference, a cabinet meeting
        return NEGOTIATION
    if low in _PAIRED_NEG and prev in _PAIRED_NEG[low]:
        return NEGOTIATION
    if low in ("agreement", "deal", "accord", "declaration") and any(
            t.low in ("signed", "sign", "signing", "signs") for t in toks[max(0, i - 4):i]):
        return NEGOTIATION
    if low in _PAIRED_VIOL and prev in _PAIRED_VIOL[low]:
        return VIOLENCE
    if low == "office" and _political_office(toks, i):
        return NEGOTIATION
    return None


def _political_office(toks: list[Tok], i: int) -> bool:
    """'political office', "Taliban office", "Taliban's political office" before index ``i``."""
    prev = [t.low for t in toks[max(0, i - 4):i]]
    return bool(prev) and (prev[-1] in ("political", "taliban") or "taliban" in prev[-3:] and prev[-1] == "political")


def _negated(toks: list[Tok], i: int) -> bool:
    for j in range(max(0, i - 2), i):
        if toks[j].low in NEGATORS or toks[j].low.endswith("n't"):
            return True
    return False


def _hypothetical(toks: list[Tok], i: int) -> bool:
    """A violence verb in an infinitive or under a modal: "to attack", "could attack"."""
    if i > 0 and toks[i - 1].low == "to" and toks[i].low not in ("violence",):
        return True
    for j in range(max(0, i - 3), i):
        if toks[j].low in HYPOTHETICAL:
            return True
    return False


def _historical(clause: list[Tok], published_year: int | None) -> bool:
    lows = [t.low for t in clause]
    if "once" in lows or ("ago" in lows and ("years" in lows or "decades" in lows)):
        return True
    if published_year:
        for t in clause:
            m = _PAST_YEAR.fullmatch(t.low)
            if m and int(m.group(1)) < published_year - 5:
                return True
    return False


def _mention_tokens(toks: list[Tok], m: Mention, starts: list[int]) -> tuple[int, int] | None:
    a = bisect.bisect_left(starts, m.start)
    b = a
    while b < len(toks) and toks[b].start < m.end:
        b += 1
    return (a, b) if b > a else None


class _Sent:
    """One window of a sentence: tokens, clauses and the mentions in it."""

    def __init__(self, toks: list[Tok], mention_at: dict[int, int]):
        self.toks = toks
        self.mention_at = mention_at  # token index -> mention index
        self._triggers: list[tuple[int, str]] | None = None
        self._clauses: dict[int, list[Tok]] | None = None

    def clause(self, cid: int) -> list[Tok]:
        if self._clauses is None:
            self._clauses = {}
            for t in self.toks:
                self._clauses.setdefault(t.clause, []).append(t)
        return self._clauses.get(cid, [])

    def triggers(self) -> list[tuple[int, str]]:
        if self._triggers is None:
            out = []
            for i, t in enumerate(self.toks):
                role = _trigger_role(self.toks, i) if t.low in _TRIGGER_HEADS else None
                if role:
                    out.append((i, role))
            self._triggers = out
        return self._triggers


# ------------------------------------------------------------------ linking


def _skip_back(s: _Sent, a: int, b: int) -> int:
    """Index of the word that governs the (possibly coordinated) name at [a, b).

    Commas are crossed only inside a list or an apposition ("visit Afghanistan,
    Pakistan and Qatar", "in Moscow, Russia,"), never from a new clause's subject
    ("During his trip to Kabul, US envoy ...")."""
    toks = s.toks
    nxt = toks[b].low if b < len(toks) else "."
    listish = nxt in (",", "and", "or", ".", ";", ")", "for", "from", "to", "on", "in")
    i = a - 1
    steps = 0
    while i >= 0 and steps < 12:
        low = toks[i].low
        if i in s.mention_at:
            i -= 1
        elif low in ADJ_SKIP and low in DOBJ_VIOL and not (i > 0 and toks[i - 1].low in DETERMINERS):
            return i  # 'insurgents besieged X' (a verb), not 'the besieged city of X'
        elif low in ("and", "or", "the", "both", "&") or low in TYPE_NOUNS or low in ADJ_SKIP:
            if low in ("and", "or"):
                listish = True
            i -= 1
        elif low == "," and i > 0 and (i - 1) in s.mention_at and listish:
            i -= 1
        elif low == "of" and i > 0 and toks[i - 1].low in TYPE_NOUNS:
            i -= 1
        elif low == "s" and i > 1 and toks[i - 1].low == "'" and (i - 2) in s.mention_at:
            i -= 2
        else:
            return i
        steps += 1
    return -1


def _skip_forward(s: _Sent, b: int) -> int:
    """Index of the first word after a (possibly coordinated) subject ending at ``b``."""
    toks = s.toks
    i = b
    steps = 0
    while i < len(toks) and steps < 12:
        low = toks[i].low
        if i in s.mention_at or low in ("and", "or", "both", ",") or low in TYPE_NOUNS:
            i += 1
        elif low == "of" and i > 0 and toks[i - 1].low in TYPE_NOUNS:
            i += 1
        else:
            return i
        steps += 1
    return len(toks)


def _is_metonymic(s: _Sent, a: int, b: int, m: Mention) -> bool:
    if m.metonymy:
        return True
    toks = s.toks
    nxt = toks[b].low if b < len(toks) else ""
    nxt2 = toks[b + 1].low if b + 1 < len(toks) else ""
    if nxt in METONYM_NEXT or (nxt, nxt2) in METONYM_PAIRS:
        return True
    if nxt == "-" and nxt2 in ("based", "born", "backed", "funded", "taliban", "afghan"):
        return True
    return False


def _is_dateline(text: str, sent: Sentence, m: Mention, article: Article) -> bool:
    if text[sent.start:m.start].strip(" \t\"'“‘*#") != "":
        return False
    return bool(_DATELINE_AFTER.match(text[m.end:m.end + 40]))


def _nearest_trigger(s: _Sent, a: int, b: int, clause_ids: set[int], published_year, max_dist=22):
    best = None
    for i, role in s.triggers():
        if s.toks[i].clause not in clause_ids or a <= i < b:
            continue
        d = a - i if i < a else i - b + 2  # a word before the place reads first ("talks opened ... in X")
        if d > max_dist:
            continue
        if _negated(s.toks, i):
            continue
        if role == VIOLENCE:
            if _hypothetical(s.toks, i):
                continue
            if _historical(s.clause(s.toks[i].clause), published_year):
                continue
        if best is None or d < best[0]:
            best = (d, i, role)
    return best


def _link(s: _Sent, a: int, b: int, m: Mention, published_year) -> list[tuple[str, str, set[int]]]:
    """(role, how, clause ids) links of the mention at tokens [a, b)."""
    toks = s.toks
    n = len(toks)
    clause = toks[a].clause
    out: list[tuple[str, str, set[int]]] = []
    level = m.place.level
    nxt = toks[b].low if b < n else ""
    nxt2 = toks[b + 1].low if b + 1 < n else ""
    possessive = nxt == "'" and nxt2 == "s"

    g = _skip_back(s, a, b)
    glow = toks[g].low if g >= 0 else ""
    g2 = toks[g - 1].low if g >= 1 else ""
    g3 = toks[g - 2].low if g >= 2 else ""

    # 1. locative preposition
    if glow in LOC_PREPS or (glow == "over" and g2 == "all") or (glow == "on" and possessive and b + 2 < n and toks[b + 2].low in ("soil", "territory", "side", "border")):
        if g2 == "office" and _political_office(toks, g - 1):
            out.append((NEGOTIATION, "office", {clause}))
        elif g2 in STOP_NOUNS or g2 == "office":
            pass
        elif g2 in TOPIC_NOUNS and glow == "in":
            pass  # "a conference on peace and security in Afghanistan": the topic's place
        elif glow in ("in", "at") and (
                (g > 0 and toks[g - 1].low in ("speaking", "reporters", "journalists"))
                or (g2 in SPEAKER_NOUNS and _other_place(s, a))):
            pass  # 'speaking in Kabul, condemned the attack in Kunduz', 'officials in Kabul said'
        else:
            hit = _nearest_trigger(s, a, b, {clause}, published_year)
            if hit is None and _elliptical(s, g, b, clause):
                # '..., and in B province': the coordinated phrase shares the earlier verb
                hit = _nearest_trigger(s, a, b, set(range(clause)), published_year, max_dist=40)
            if hit and hit[2] == NEGOTIATION and (
                    (toks[hit[1]].low in DIPLO_PERSONS and _speaks(s, hit[1]))
                    or _speech_between(toks, hit[1], a, b) or _speech_venue(toks, g)):
                # 'In Moscow, Russia's envoy said ...', 'Speaking in Islamabad, the minister
                # said ... the peace process': a statement made there, not talks
                hit = None
            if hit:
                out.append((hit[2], "loc", {clause}))
    elif glow == "on" and g2 in ON_VIOLENCE and not _negated(toks, g - 1):
        out.append((VIOLENCE, "direct", {clause}))
    elif glow == "of" and g2 in OF_VIOLENCE and not _negated(toks, g - 1):
        out.append((VIOLENCE, "direct", {clause}))
    elif glow == "of" and g2 in SPATIAL_OF:
        hit = _nearest_trigger(s, a, b, {clause}, published_year)
        if hit:
            out.append((hit[2], "loc", {clause}))
    elif glow == "of" and g2 in PART_OF and _verb_before(toks, g - 1, DOBJ_VIOL):
        out.append((VIOLENCE, "direct", {clause}))  # 'insurgents seized much of the city of X'
    elif glow in REACH_VERBS or (glow == "to" and g2 in SPREAD_TO):
        hit = _nearest_trigger(s, a, b, {clause}, published_year)
        if hit and hit[2] == VIOLENCE and hit[1] < g:
            out.append((VIOLENCE, "loc", {clause}))  # 'fighting spread to A and B districts'
    elif glow == "of" and g2 in CONTROL_OF:
        hit = _nearest_trigger(s, a, b, {clause}, published_year)
        if hit and hit[2] == VIOLENCE:
            out.append((VIOLENCE, "loc", {clause}))
    elif glow == "to":
        mover = g2 if g2 != "back" else g3
        if mover in TRAVEL or g2 == "back":
            sent_words = {t.low for t in toks}
            if sent_words & DIPLO:
                out.append((NEGOTIATION, "travel", {clause}))
        elif g2 in ROADS:
            hit = _nearest_trigger(s, a, b, {clause}, published_year, max_dist=30)
            if hit and hit[2] == VIOLENCE:
                out.append((VIOLENCE, "road", {clause}))
    elif glow == "by" and g2 in HOSTED_BY:
        out.append((NEGOTIATION, "direct", {clause}))
    elif glow in DOBJ_NEG and not _negated(toks, g):
        out.append((NEGOTIATION, "direct", {clause}))
    elif glow in DOBJ_VIOL and not _negated(toks, g) and not _hypothetical(toks, g) and (
            g2 not in AUX or g2 in ("has", "have", "had")):  # 'have besieged X', not 'was attacked'
        # "X attacked Y": Y is where it happened (a passive "was attacked" is handled below)
        out.append((VIOLENCE, "direct", {clause}))

    # 2. compounds and modifiers: "Moscow-hosted talks", "the Moscow talks"
    if nxt == "-" and b + 1 < n:
        if nxt2 == "hosted":
            out.append((NEGOTIATION, "direct", {clause}))
        elif nxt2 in ("led", "organised", "organized", "sponsored") and level == "city":
            head = {t.low for t in toks[b + 2:b + 6]}
            if head & MOD_NOUNS_NEG:
                out.append((NEGOTIATION, "direct", {clause}))
    elif level in ("city", "district", "province") and not possessive and glow not in LOC_PREPS:
        j = b
        if j < n and toks[j].low == "peace":
            j += 1
        if j < n and toks[j].low in MOD_NOUNS_NEG and toks[j].low != "peace":
            out.append((NEGOTIATION, "direct", {clause}))
        elif j < n and toks[j].low in MOD_NOUNS_VIOL:
            out.append((VIOLENCE, "direct", {clause}))

    # 3. subject of a hosting or suffering verb
    if not possessive:
        j = _skip_forward(s, b)
        aux_seen = False
        while j < n and toks[j].low in AUX | {"going", "to", "set", "due", "about"}:
            aux_seen = aux_seen or toks[j].low in ("was", "were", "is", "are", "been", "being")
            j += 1
        w = toks[j].low if j < n else ""
        if w in HOST_VERBS and not _negated(toks, j):
            out.append((NEGOTIATION, "direct", {clause}))
        elif w == "invited" and not _negated(toks, j) and any(r == NEGOTIATION for i, r in s.triggers() if toks[i].clause == clause):
            out.append((NEGOTIATION, "direct", {clause}))
        elif w in ("came", "come", "comes", "coming", "under") and not _negated(toks, j):
            k = j + 1 if w != "under" else j
            if k < n and toks[k].low == "under" and (k + 1 < n and toks[k + 1].low in UNDER_WHAT
                                                     or k + 2 < n and toks[k + 2].low in UNDER_WHAT):
                out.append((VIOLENCE, "direct", {clause}))
        elif aux_seen and w in PASSIVE_VIOL and not _negated(toks, j):
            out.append((VIOLENCE, "direct", {clause}))
        elif w == "fell" and j + 1 < n and toks[j + 1].low == "to":
            out.append((VIOLENCE, "direct", {clause}))
        elif w in SUFFER_VERBS:
            for k in range(j + 1, min(n, j + 6)):
                if toks[k].low in VIOLENCE_WORDS and toks[k].clause == clause:
                    out.append((VIOLENCE, "direct", {clause}))
                    break

    # 4. "X, where ...": the relative clause that follows the name
    k = b
    if k < n and toks[k].text in (",", "–", "—", "-"):
        k += 1
    if k < n and toks[k].low == "where":
        cid = toks[k].clause
        hit = _nearest_trigger(s, k, k + 1, {cid}, published_year, max_dist=30)
        if hit:
            out.append((hit[2], "where", {cid}))
    return out


def _verb_before(toks: list[Tok], i: int, verbs: frozenset) -> bool:
    """One of ``verbs`` right before index ``i`` (skipping 'a', 'large', 'the')."""
    for k in range(i - 1, max(-1, i - 4), -1):
        if toks[k].low in verbs or (toks[k].low == "over" and k > 0 and toks[k - 1].low in TOOK):
            return not _negated(toks, k) and not _hypothetical(toks, k)
        if toks[k].low not in ("a", "the", "large", "big", "vast", "key", "most"):
            return False
    return False


def _elliptical(s: _Sent, g: int, b: int, clause: int) -> bool:
    """The preposition at ``g`` opens a coordinated phrase without a verb of its own
    ('..., and in B province'), and the rest of its clause adds none."""
    toks = s.toks
    if g < 1 or toks[g - 1].low not in ("and", "or", "also") or toks[g - 1].clause != clause:
        return False
    k = g - 1
    while k > 0 and toks[k - 1].clause == clause:
        if toks[k - 1].low not in (",", "and", "or", "also", "as", "well"):
            return False
        k -= 1
    rest = [t.low for t in s.clause(clause) if t.start >= toks[b - 1].end]
    return len(rest) <= 8 and not any(w in _FINITE or w in SPEECH or w in VIOLENCE_WORDS
                                      or w in NEGOTIATION_WORDS for w in rest)


def _speech_between(toks: list[Tok], i: int, a: int, b: int) -> bool:
    """A speech verb stands between the trigger at ``i`` and the place at [a, b): the
    trigger is what was said, the place where it was said."""
    lo, hi = (i + 1, a) if i < a else (b, i)
    return any(toks[k].low in SPEECH or toks[k].low == "speaking" for k in range(lo, hi))


def _other_place(s: _Sent, a: int) -> bool:
    """The sentence names another place than the mention at token ``a``."""
    mine = s.mention_at.get(a)
    return any(mi != mine for mi in s.mention_at.values())


def _speech_venue(toks: list[Tok], g: int) -> bool:
    """The preposition at ``g`` says where something was said: 'said in X', 'told
    reporters in X', 'speaking at X'."""
    prev = toks[g - 1].low if g > 0 else ""
    return prev in SPEECH or prev in ("speaking", "reporters", "journalists") or (
        prev in ("today", "yesterday", "later", "earlier") and g > 1 and toks[g - 2].low in SPEECH)


def _speaks(s: _Sent, i: int) -> bool:
    """The diplomat at ``i`` is the subject of a speech verb in its clause."""
    cid = s.toks[i].clause
    return any(t.low in SPEECH for t in s.toks[i + 1:i + 6] if t.clause == cid)


# ------------------------------------------------------------------ events


_FINITE = frozenset("""were was is are has have had killed died attacked wounded left continued
raged remained""".split())


def _own_part(s: _Sent, a: int, b: int) -> tuple[int, int]:
    """The part of the mention's clause that speaks of it: the clause cut at "and"/"but"
    when a new predicate follows ("fighting raged in Sangin and 40 were killed in Kunduz"
    gives Sangin no deaths), but not inside a list of places ("Jaghori and Malistan")."""
    toks = s.toks
    cid = toks[a].clause
    clause = s.clause(cid)
    lo_i = toks.index(clause[0]) if clause else a
    hi_i = lo_i + len(clause)
    left, right = lo_i, hi_i
    for k in range(lo_i, hi_i):
        if toks[k].low not in ("and", "but") or k + 1 >= hi_i or (k + 1) in s.mention_at or (k - 1) in s.mention_at and (k + 1) in s.mention_at:
            continue
        if any(toks[q].low in _FINITE for q in range(k + 1, min(hi_i, k + 6))):
            if k < a:
                left = k + 1
            elif k >= b:
                right = k
                break
    if right == hi_i and hi_i < len(toks):
        # ", and at least 20 soldiers were killed": a following "and" clause that names
        # no other place still speaks of this one
        nxt_cid = toks[hi_i].clause
        j = hi_i + (1 if toks[hi_i].text == "," else 0)
        if j < len(toks) and toks[j].low == "and":
            nxt = s.clause(nxt_cid)
            k_end = hi_i + len(nxt)
            if not any(q in s.mention_at for q in range(hi_i, min(len(toks), k_end))):
                right = min(len(toks), k_end)
    return toks[left].start, toks[right - 1].end


def _sentence_index(sentences: list[Sentence]):
    starts = [s.start for s in sentences]

    def find(pos: int, text_len: int) -> Sentence:
        i = bisect.bisect_right(starts, pos) - 1
        if i >= 0 and sentences[i].start <= pos < max(sentences[i].end, sentences[i].start + 1):
            return sentences[i]
        return Sentence(max(0, pos - 200), min(text_len, pos + 200))
    return find


def _event_hits(article: Article, geo: GeoparseResult) -> list[_Hit]:
    text = article.text or ""
    published_year = article.published_from.year if article.published_from else None
    sentences = sorted(geo.sentences or [], key=lambda s: s.start)
    find = _sentence_index(sentences)
    by_sentence: dict[Sentence, list[Mention]] = {}
    for m in geo.mentions:
        if not (0 <= m.start < m.end <= len(text)):
            continue
        sent = m.sentence or find(m.start, len(text))
        by_sentence.setdefault(sent, []).append(m)

    hits: list[_Hit] = []
    low_text = text.lower()
    for sent, ments in by_sentence.items():
        ments = [m for m in ments if not m.metonymy and not _is_dateline(text, sent, m, article)]
        if not ments:
            continue
        # cheap test before tokenizing: does the sentence hold any word a rule needs?
        if _ALL_CUES.isdisjoint(low_text[sent.start:sent.end].translate(_PUNCT_TO_SPACE).split()):
            continue
        for toks in sentence_tokens(text, sent.start, sent.end):
            if not toks:
                continue
            located = []
            starts = [t.start for t in toks]
            mention_at: dict[int, int] = {}
            for mi, m in enumerate(ments):
                if not (toks[0].start <= m.start < toks[-1].end):
                    continue
                span = _mention_tokens(toks, m, starts)
                if span is None:
                    continue
                located.append((mi, span))
                for t in range(*span):
                    mention_at[t] = mi
            if not located:
                continue
            s = _Sent(toks, mention_at)
            if not s.triggers() and not any(t.low in _NON_TRIGGER_CUES for t in toks):
                continue
            for mi, (a, b) in located:
                m = ments[mi]
                if _is_metonymic(s, a, b, m):
                    continue
                for role, how, cids in _link(s, a, b, m, published_year):
                    cl = [s.clause(c) for c in sorted(cids)]
                    cl = [c for c in cl if c]
                    span = (min(cl[0][0].start, m.start), max(cl[-1][-1].end, m.end)) if cl else (m.start, m.end)
                    fat_span = span if how == "where" else _own_part(s, a, b)
                    hits.append(_Hit(m.place.place_key, role, _ROLE_STRENGTH[how], sent, span, m, fat_span))
    return hits


_VENUE_BEFORE = re.compile(r"(?:\b(?:in|at|near|to|from|across|inside|visit|visited|visiting|visits)|,)\s*(?:the\s+)?$", re.I)


_LIST_GAP = re.compile(r"\s*(?:,|and|or|,\s*and)?\s*(?:the\s+)?", re.I)


def _actors(text: str, span: tuple[int, int], mentions: list[Mention], starts: list[int]) -> list[str]:
    """Actors the span names; a place named as a venue ("in Qatar", "visited Pakistan")
    is where something happened, not who did it, so it is blanked out first."""
    lo, hi = span
    chunk = list(text[lo:hi])
    last_end = -1
    for m in mentions[bisect.bisect_left(starts, lo):bisect.bisect_left(starts, hi)]:
        if m.end > hi or m.metonymy:
            continue
        before = text[max(lo, m.start - 12):m.start]
        listed = last_end >= 0 and _LIST_GAP.fullmatch(text[last_end:m.start])
        if listed or _VENUE_BEFORE.search(before):
            for k in range(m.start - lo, m.end - lo):
                chunk[k] = " "
            last_end = m.end
    return find_actors("".join(chunk))


_SCOPE_WORDS = re.compile(r"\bAfghan(?:istan)?\b|\b(?:country|nation)\b")


def _scope_mention(text: str, claim, place, sent: Sentence) -> Mention:
    """The mention of a place a claim implies: the word of the claim's sentence that
    points at it ("Afghan", "the country's"), else the claim's own text."""
    m = _SCOPE_WORDS.search(text, sent.start, sent.end)
    start, end = (m.start(), m.end()) if m else (claim.start, claim.end)
    return Mention(start, end, text[start:end], place, "claim_scope", sentence=sent)


def extract_events(article: Article, geo: GeoparseResult) -> list[Event]:
    """One event per (place, role) that the article reports, with its evidence sentence,
    date, fatalities and actors; control events for the scope of each control claim."""
    text = article.text or ""
    hits = _event_hits(article, geo)
    grouped: dict[tuple[str, str], list[_Hit]] = {}
    for h in hits:
        grouped.setdefault((h.key, h.role), []).append(h)

    # One sentence is often the evidence of several events: its date is read once.
    dates: dict[tuple[int, int], DateRef | None] = {}

    def date_of(start: int, end: int) -> DateRef | None:
        if (start, end) not in dates:
            dates[(start, end)] = find_date(text[start:end], article.published_from, article.published_to)
        return dates[(start, end)]

    events: list[Event] = []
    sorted_mentions = sorted(geo.mentions, key=lambda m: m.start)
    mention_starts = [m.start for m in sorted_mentions]
    for (key, role), hs in grouped.items():
        best = None
        fat = None
        for h in hs:
            fs = h.fat_span or h.span
            f = find_fatalities(text[fs[0]:fs[1]]) if role == VIOLENCE else None
            score = h.strength + (1.5 if f else 0.0)  # the evidence should show the figure
            if f and (fat is None or f[0] > fat[0]):
                fat = f
            if best is None or score > best[0]:
                best = (score, h)
        _, h = best
        d = date_of(*h.span)
        if d is None:
            d = date_of(h.sentence.start, h.sentence.end)
        actors = (_actors(text, h.span, sorted_mentions, mention_starts)
                  or _actors(text, (h.sentence.start, h.sentence.end), sorted_mentions, mention_starts))
        events.append(Event(
            place=h.mention.place, role=role, sentence=h.sentence,
            event_date=d.date if d else None, date_precision=d.precision if d else None,
            fatalities=fat[0] if fat else None, fatalities_approx=fat[1] if fat else None,
            actors=actors,
        ))

    # Control: the scope of every control claim that the document names as a place.
    from naqsha.etl.claims import extract_claims  # late import: claims imports helpers from here

    places = {m.place.place_key: m.place for m in geo.mentions}
    find = _sentence_index(sorted(geo.sentences or [], key=lambda s: s.start))
    done = set()
    claims = extract_claims(article, geo)
    by_adm1: dict[str, str] = {}
    for key, pl in places.items():
        if pl.level == "city" and pl.adm1 and pl.adm1.startswith("AF-"):
            by_adm1.setdefault(pl.adm1, key)
    for c in claims:
        scope = c.scope if c.scope in places else by_adm1.get(c.scope)
        if scope is None and c.scope in geo.implied and not (c.of_total and c.of_total <= 30):
            # (a total of 30 districts or fewer is a province's, whatever the scope says)
            # "the government controls 54% of the country's districts": the country is the
            # claim's scope though the text never names it; it is reported from the claim
            m = _scope_mention(text, c, geo.implied[c.scope], find(c.start, len(text)))
            geo.mentions.append(m)
            places[c.scope] = m.place
            scope = c.scope
            from naqsha.etl.claims import remember_claims
            remember_claims(article, geo, claims)
        if scope is None or scope in done:
            continue
        done.add(scope)
        subjects = []
        for c2 in claims:
            name = {"government": "afghan_government"}.get(c2.subject, c2.subject)
            if c2.scope == c.scope and c2.subject != "contested" and name not in subjects:
                subjects.append(name)
        sent = find(c.start, len(text))
        d = date_of(sent.start, sent.end)
        events.append(Event(
            place=places[scope], role=CONTROL, sentence=sent,
            event_date=d.date if d else None, date_precision=d.precision if d else None,
            actors=subjects,
        ))
    events.sort(key=lambda e: (e.sentence.start, e.place.place_key, e.role))
    return events
