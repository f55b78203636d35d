"""Find and resolve the places an article mentions.

``geoparse(article, gazetteer)`` runs four small passes over the article's tokens, each
in a module of its own:

1. ``spans.find_spans``: the longest gazetteer names (token n-gram dictionary lookups, no
   regex per name), capitalised in the text; acronyms ("US", "UK") only in capitals.
2. ``name_context.read_context``: what the words around each name say: a unit word
   ("Ghazni province", "the city of Ghazni", "Jaghori and Malistan districts"), an
   organisation or a person ("Kabul Bank", "Herat Security Council", "Ahmad Farah"), a
   state actor ("the Kabul government", "Islamabad insists": metonymy), a dateline
   ("KABUL (Reuters) -"). Misspelt Afghan names are matched fuzzily only where a unit
   word or a list of Afghan units says a province or district is meant.
3. ``resolve.choose``: one place per name (province, capital city or centre district;
   which of two districts of one name), from the unit word, the dateline and the rest of
   the document.
4. ``contained.contained_places``: places no gazetteer holds ("the village of X", "X
   area", or a name after "in"/"near" where violence is reported), reported on the
   district or province the context puts them in, with their own text; never a new point.
   A name the text itself puts inside a unit ("Khanabad, a village in Sayedabad district")
   takes the candidate inside that unit, else is reported on it as 'contained'.
"""

from __future__ import annotations

from naqsha.etl.contained import apply_containers, contained_places, find_containers
from naqsha.etl.gazetteer import Gazetteer
from naqsha.etl.name_context import fuzzy_spans, list_fuzzy_spans, read_context
from naqsha.etl.records import Article, GeoparseResult, Mention
from naqsha.etl.resolve import choose, doc_context, harmonise_lists
from naqsha.etl.spans import Doc, find_spans, token_sentences
from naqsha.etl.text import split_sentences, tokenize

#: The country national claims are about, when the text does not name it.
IMPLIED = ("AFG",)


def geoparse(article: Article, gazetteer: Gazetteer) -> GeoparseResult:
    """Sentences and resolved place mentions of one article."""
    text = article.text
    sentences = split_sentences(text)
    tokens = tokenize(text)
    tok_sent = token_sentences(tokens, sentences)
    doc = Doc(text, tokens, sentences, tok_sent)
    implied = {key: gazetteer.place(key) for key in IMPLIED if key in gazetteer.places}
    if not tokens or not sentences:
        return GeoparseResult(sentences, [], implied)
    doc.spans = find_spans(doc, gazetteer)
    read_context(doc, gazetteer)
    doc.spans += fuzzy_spans(doc, gazetteer)
    doc.spans += list_fuzzy_spans(doc, gazetteer)
    doc.spans.sort(key=lambda sp: sp.start)
    find_containers(doc, gazetteer)
    ctx = doc_context(doc)
    for sp in doc.spans:
        if not sp.dropped:
            sp.chosen = choose(sp, ctx)
    apply_containers(doc)
    harmonise_lists(doc)
    resolved = [sp for sp in doc.spans if not sp.dropped and sp.chosen is not None]
    resolved += contained_places(doc, gazetteer, resolved)
    resolved.sort(key=lambda sp: sp.start)
    mentions = [
        Mention(sp.start, sp.end, text[sp.start:sp.end], sp.chosen.place(), sp.resolution,
                sp.metonymy, sentences[sp.sent])
        for sp in resolved
    ]
    return GeoparseResult(sentences, mentions, implied)
