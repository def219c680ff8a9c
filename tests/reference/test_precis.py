"""PRECIS: the policy agrees with precis-i18n's UsernameCasePreserved profile (RFC 8265 §3.4) on
the Unicode version the policy uses (unicodedata2). The policy is stricter than PRECIS (scripts,
shape, reserved names, look-alikes), so it may refuse what PRECIS accepts, never the reverse."""

import unicodedata2
from precis_i18n import get_profile

PROFILE = get_profile("UsernameCasePreserved", unicodedata=unicodedata2)
SUITE = "precis"


def reference(name):
    """precis-i18n's output for `name`, or None when it refuses it."""
    try:
        return PROFILE.enforce(name)
    except UnicodeEncodeError:
        return None


def show(name):
    return f"{name!r} ({' '.join(f'U+{ord(c):04X}' for c in name)})"


def test_reference_runs_on_the_policys_unicode_version():
    assert unicodedata2.unidata_version == "18.0.0"


def test_the_corpus_exercises_every_outcome(names, verdicts):
    outcomes = [(verdicts[n]["ok"], verdicts[n].get("code"), reference(n) is None) for n in names]
    assert sum(ok for ok, _, _ in outcomes) >= 2_000
    assert sum(code == "not_display_form" for _, code, _ in outcomes) >= 150
    assert sum(refused for _, _, refused in outcomes) >= 2_000


def test_accepted_names_are_accepted_unchanged(names, verdicts, known):
    bad = [
        f"{show(n)}: reference gives {reference(n)!r}"
        for n in names
        if verdicts[n]["ok"] and reference(n) != n and not known.excuse(SUITE, n)
    ]
    assert not bad, f"{len(bad)} names we accept are changed or refused by PRECIS:\n" + "\n".join(
        bad[:50]
    )


def test_names_the_reference_refuses_are_refused(names, verdicts, known):
    bad = [
        f"{show(n)}: we give {verdicts[n].get('code') or 'ok'}"
        for n in names
        if reference(n) is None
        and (verdicts[n]["ok"] or verdicts[n]["code"] == "not_display_form")
        and not known.excuse(SUITE, n)
    ]
    assert not bad, f"{len(bad)} names PRECIS refuses pass or get a suggestion:\n" + "\n".join(
        bad[:50]
    )


def test_suggested_forms_are_the_reference_output(names, verdicts, known):
    bad = [
        f"{show(n)}: we suggest {show(verdicts[n]['display'])}, reference gives {reference(n)!r}"
        for n in names
        if verdicts[n].get("code") == "not_display_form"
        and reference(n) != verdicts[n]["display"]
        and not known.excuse(SUITE, n)
    ]
    assert not bad, f"{len(bad)} suggestions differ from PRECIS:\n" + "\n".join(bad[:50])


# Codes that say PRECIS itself refuses the name: the reference must refuse it too. (The policy's
# own rules refuse more, under other codes; `disallowed_character` is also the UTS #39 rule's.)
PRECIS_CODES = {"bidi_rule", "compatibility_character"}


def test_names_refused_for_precis_reasons_are_refused_by_the_reference(names, verdicts, known):
    bad = [
        f"{show(n)}: we give {verdicts[n]['code']}, reference gives {reference(n)!r}"
        for n in names
        if verdicts[n].get("code") in PRECIS_CODES
        and reference(n) is not None
        and not known.excuse(SUITE, n)
    ]
    assert not bad, f"{len(bad)} names refused for PRECIS reasons pass PRECIS:\n" + "\n".join(
        bad[:50]
    )


def test_zz_every_known_difference_is_still_needed(known):
    # Runs last in this module (pytest keeps file order): the entries above were consulted.
    assert not known.unused(SUITE), known.unused(SUITE)
