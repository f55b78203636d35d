"""Actors a clause names, from the reviewed table."""

from naqsha.etl.actors import find_actors


def test_longest_phrase_wins_and_envoy_replaces_government():
    assert find_actors("US special envoy Zalmay Khalilzad met Taliban negotiators") == ["us_envoy", "taliban"]


def test_pronoun_us_is_not_the_united_states():
    assert find_actors("Taliban attacked U.S. troops; tell us more") == ["taliban", "us_military"]
    assert find_actors("let us talk") == []


def test_security_forces_and_civilians():
    assert find_actors("local inhabitants repelled the attack without Afghan security forces") == [
        "civilians", "afghan_security_forces"]


def test_cities_are_not_actors_by_name():
    assert find_actors("talks in Moscow and Islamabad") == []


def test_long_input_is_capped():
    assert find_actors("Taliban " * 100_000) == ["taliban"]
