"""The corpus reaches what the suites claim to cover: accepted names in every script whose
letters the policy accepts, and refused names of every kind the generator aims at."""

import collections

import icu

import corpus
from conftest import probe


def script_of(name):
    scripts = {icu.Script.getScript(c).getShortName() for c in name} - {"Zyyy", "Zinh"}
    return scripts.pop() if len(scripts) == 1 else None


def test_every_script_the_policy_allows_has_accepted_names(verdicts):
    singles = probe(corpus.single_letters())
    allowed_scripts = {script_of(n) for n, v in singles.items() if v["ok"]} - {None}
    accepted = collections.Counter(script_of(n) for n, v in verdicts.items() if v["ok"])
    thin = {s: accepted[s] for s in allowed_scripts if accepted[s] < 20}
    assert len(allowed_scripts) >= 25
    assert not thin, f"scripts with fewer than 20 accepted names: {thin}"


def test_every_kind_of_refusal_occurs(verdicts):
    codes = collections.Counter(v.get("code") for v in verdicts.values())
    for code in [
        "not_display_form", "compatibility_character", "disallowed_character", "bidi_rule",
        "mixed_digits", "mixed_scripts", "whitespace", "invisible_character", "bidi_control",
        "misplaced_combining_mark", "separator_at_edge", "consecutive_separators",
    ]:
        assert codes[code] >= 10, (code, codes[code])
