"""Numbers in words and digits, and the deaths a clause states."""

from __future__ import annotations

import time

import pytest

from naqsha.etl.figures import MAX_FATALITIES, find_fatalities, parse_quantity


@pytest.mark.parametrize("phrase,expected", [
    ("around a dozen", (12, True)), ("a dozen", (12, False)), ("dozens", (24, True)),
    ("at least 30", (30, True)), ("twenty five", (25, False)), ("two hundred", (200, False)),
    ("1,200", (1200, False)), ("an estimated 40", (40, True)), ("more than 20", (20, True)),
    ("nearly fifty", (50, True)), ("two dozen", (24, False)), ("hundreds", (200, True)),
])
def test_parse_quantity(phrase, expected):
    assert parse_quantity(phrase) == expected


def test_parse_quantity_nothing():
    assert parse_quantity("") is None
    assert parse_quantity("the envoy") is None


@pytest.mark.parametrize("text,expected", [
    ("where around a dozen police officers were killed two days ago", (12, True)),
    ("a roadside bomb killed at least 9 civilians", (9, True)),
    ("dozens of soldiers were killed", (24, True)),
    ("the death toll rose to 45", (45, False)),
    ("three people died and 20 were wounded", (3, False)),
    ("killing twenty-one members of a family", (21, False)),
])
def test_fatalities(text, expected):
    assert find_fatalities(text) == expected


@pytest.mark.parametrize("text", [
    "17 years of war", "3,200 participants attended", "2,500 US soldiers remain",
    "5,000 Taliban prisoners were released", "killing 25 percent of the budget",
    "the attack wounded 30 people", "Taliban control 59 districts",
])
def test_not_fatalities(text):
    assert find_fatalities(text) is None


def test_absurd_fatalities_dropped():
    assert find_fatalities(f"{MAX_FATALITIES * 10} people were killed") is None


def test_fatalities_linear_on_long_input():
    text = "one two three four five six " * 20_000 + "were killed"
    t = time.perf_counter()
    find_fatalities(text)
    assert time.perf_counter() - t < 1.0
