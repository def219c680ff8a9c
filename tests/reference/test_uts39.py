"""UTS #39: the uniqueness key agrees with ICU's SpoofChecker. Accepted names that ICU calls
confusable (equal skeletons after full case folding) share a key, and names that share a key are
ones ICU calls confusable once our documented extra rules are applied to its data (separators
removed; `0`/`O` and `1`/`l`/`I` joined through folding after the skeleton and `l` = `i`;
capital look-alikes of one script; step 8's joins of what the current data misses)."""

import collections

import icu
import unicodedata2 as ud

SUITE = "uts39"
SEPARATORS = "._-"
CHECKER = icu.SpoofChecker()


def fold(s):
    return str(icu.UnicodeString(s).foldCase())


def skeleton(s):
    return CHECKER.getSkeleton(0, s)


def show(name):
    return f"{name!r} ({' '.join(f'U+{ord(c):04X}' for c in name)})"


def rounds(s):
    """Steps 1-6 of the key derivation (README), on ICU's data."""
    s = "".join(c for c in s if c not in SEPARATORS)
    for _ in range(8):
        following = "".join(
            "i" if c == "l" else c for c in fold(skeleton(fold(s))) if c not in SEPARATORS
        )
        if following == s:
            break
        s = following
    return s


def capital_lookalikes():
    """Step 7's table, derived again from ICU's data: Allowed capitals of one script grouped
    by their skeleton, where one of them has the skeleton's key as its own, less keys that
    letters of another script have too."""
    groups = collections.defaultdict(list)
    for c in icu.UnicodeSet(r"[[\p{Identifier_Status=Allowed}] & [\p{Lu}\p{Lt}]]"):
        if fold(c) == c:
            continue
        script = icu.Script.getScript(c).getShortName()
        groups[(script, skeleton(c))].append(rounds(c))
    table = {}
    for (script, look), owns in sorted(groups.items()):
        shared = rounds(look)
        if shared in owns:
            for own in owns:
                if own != shared and not own.isascii():
                    table.setdefault(own, (shared, script))
    # A key that letters of another script have too is left out.
    for c in icu.UnicodeSet(r"[\p{Identifier_Status=Allowed} - [\p{Hani}\p{Hang}]]"):
        entry = table.get(rounds(c))
        if entry and entry[1] != icu.Script.getScript(c).getShortName():
            del table[rounds(c)]
    return {own: shared for own, (shared, _) in table.items()}


CAPITALS = capital_lookalikes()


def digit_lookalikes():
    """Step 8's digit joins, derived again from ICU's data: Allowed capitals whose skeleton as
    written is one ASCII digit while their own key is one other non-ASCII character."""
    table = {}
    for c in icu.UnicodeSet(r"[[\p{Identifier_Status=Allowed}] & [\p{Lu}\p{Lt}]]"):
        look = skeleton(c)
        own = rounds(c)
        if fold(c) != c and len(look) == 1 and look in "0123456789" and len(own) == 1:
            if not own.isascii():
                table[own] = look
    return table


# Step 8 as docs/policy.md words it: a dot above on a soft-dotted letter and the macron below
# are dropped; then the digit joins above and the pairs older data and ICU's join.
SOFT_DOTTED = icu.UnicodeSet(r"[\p{Soft_Dotted}]")
STEP_8 = {
    **digit_lookalikes(),
    "\u0301\u0301": "\u0308",
    "\u0674": "\u0654",
    "\u90de": "\u90ce",
    "\u96b8": "\u96b7",
    "f\u0326": "f",
    "vv": "w",
}


def step_8(s):
    out, dotted = [], False
    for c in s:
        if c == "\u0331" or (c == "\u0307" and dotted):
            continue
        if ud.combining(c) == 0:
            dotted = c in SOFT_DOTTED
        out.append(c)
    s = "".join(out)
    for source, target in STEP_8.items():
        s = s.replace(source, target)
    return s


def reference_key(name):
    s = rounds(name.replace("\u0d0e\u0d46", "\u0d10"))
    if not s.isascii():
        for source, target in CAPITALS.items():
            s = s.replace(source, target)
    return ud.normalize("NFC", step_8(ud.normalize("NFD", s)))


def groups_by(names, key):
    groups = collections.defaultdict(list)
    for n in names:
        groups[key(n)].append(n)
    return [g for g in groups.values() if len(g) > 1]


def test_capital_lookalikes_include_eth_and_d_with_stroke():
    # Ɖ is Allowed only from UTS #39 at Unicode 17 on, after ICU 77's data.
    assert reference_key("Ðavid") == reference_key("Đavid") == reference_key("đavid")
    assert reference_key("ΣΟΦΊΑ") == reference_key("σοφία")


def test_names_icu_calls_confusable_share_a_key(verdicts, known):
    accepted = [n for n, v in verdicts.items() if v["ok"]]
    confusable = groups_by(accepted, lambda n: skeleton(fold(n)))
    assert len(confusable) >= 300, "the corpus must hold confusable names"
    bad = [
        " / ".join(f"{show(n)} key {verdicts[n]['key']!r}" for n in group)
        for group in confusable
        if len({verdicts[n]["key"] for n in group}) > 1 and not known.excuse(SUITE, *group)
    ]
    assert not bad, f"{len(bad)} ICU-confusable groups have several keys:\n" + "\n".join(bad[:40])


def test_names_sharing_a_key_are_confusable_under_the_documented_rules(verdicts, known):
    accepted = [n for n, v in verdicts.items() if v["ok"]]
    same_key = groups_by(accepted, lambda n: verdicts[n]["key"])
    assert len(same_key) >= 300
    bad = [
        " / ".join(f"{show(n)} reference {reference_key(n)!r}" for n in group)
        for group in same_key
        if len({reference_key(n) for n in group}) > 1 and not known.excuse(SUITE, *group)
    ]
    assert not bad, f"{len(bad)} key groups ICU keeps apart:\n" + "\n".join(bad[:40])


def test_zz_every_known_difference_is_still_needed(known):
    assert not known.unused(SUITE), known.unused(SUITE)
