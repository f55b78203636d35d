"""Folding, tokens and sentences: the offsets every mention relies on."""

from naqsha.etl.text import fold, split_sentences, tokenize


def test_fold_case_diacritics_apostrophes_hyphens():
    assert fold("KABUL") == "kabul"
    assert fold("Bāmyān") == "bamyan"
    assert fold("Sar-e-Pul") == "sar e pul"
    assert fold("Ma’ruf") == "maruf"
    assert fold("  Lashkar   Gah ") == "lashkar gah"


def test_tokens_carry_offsets_into_the_text():
    text = "Pakistan’s army and the U.S. met in Mazar-i-Sharif."
    tokens = tokenize(text)
    assert all(text[t.start:t.end] == t.text for t in tokens)
    words = [t.text for t in tokens]
    assert words[:2] == ["Pakistan", "s"]          # a possessive leaves the name alone
    assert "U.S." in words                          # dotted abbreviation stays one token
    assert [t.norm for t in tokens if t.text == "U.S."] == ["us"]
    assert words[-3:] == ["Mazar", "i", "Sharif"]


def test_tokens_fold_accents():
    (tok,) = tokenize("Herāt")
    assert tok.norm == "herat" and tok.text == "Herāt"


def test_sentences_split_on_stops_and_line_breaks_not_abbreviations():
    text = ("Gen. Smith met U.S. officials on Nov. 3 in Kabul. Talks failed!\n"
            "A headline without a stop\nThe last one.")
    spans = [text[s.start:s.end] for s in split_sentences(text)]
    assert spans == [
        "Gen. Smith met U.S. officials on Nov. 3 in Kabul.",
        "Talks failed!",
        "A headline without a stop",
        "The last one.",
    ]


def test_sentences_are_trimmed_and_never_empty():
    text = "  First one.   \n\n\n  Second one.  "
    sentences = split_sentences(text)
    assert [text[s.start:s.end] for s in sentences] == ["First one.", "Second one."]
    assert split_sentences("") == []


def test_a_dotted_abbreviation_can_end_a_sentence():
    text = "The talks were backed by the U.S. The Taliban refused. U.S. officials left."
    spans = [text[s.start:s.end] for s in split_sentences(text)]
    assert spans == ["The talks were backed by the U.S.", "The Taliban refused.",
                     "U.S. officials left."]
