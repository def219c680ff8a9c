"""The key against homoglyph data it was not built from: every look-alike pair that PyPI's
`confusable_homoglyphs` and `homoglyphs` (both built from older Unicode confusables data), ICU's
SpoofChecker (Unicode 16) and the red-team list (red_team.tsv) name is merged by the key whenever
the policy accepts both names, or is listed with its reason in homoglyph_differences.tsv.

Each pair is tried in two ways: on its own between two plain letters of its script, and in the
first accepted names of the reference corpus and of the real-names corpus (tests/corpora/names.tsv)
that hold one of its sides (`NAMES_PER_PAIR` of them, one place each)."""

import collections
import csv
import json
import pathlib

import confusable_homoglyphs
import homoglyphs
import icu
import pytest
import unicodedata2 as ud

from conftest import probe

HERE = pathlib.Path(__file__).parent
REAL_NAMES = HERE.parent / "corpora" / "names.tsv"
CHECKER = icu.SpoofChecker()
# Names each pair is tried in: the verdict rarely depends on the name once its script is right,
# and every name of every pair would be five million evaluations.
NAMES_PER_PAIR = 6


def code_points(s):
    return " ".join(f"U+{ord(c):04X}" for c in s)


def from_code_points(text):
    return "".join(chr(int(p.removeprefix("U+"), 16)) for p in text.split())


def _package_data(package):
    return json.loads((pathlib.Path(package.__file__).parent / "confusables.json").read_text("utf-8"))


def source_pairs():
    """{(x, y): {source, ...}} for every look-alike pair of the three data sets, x < y."""
    pairs = collections.defaultdict(set)

    def add(x, y, source):
        if x != y and ud.normalize("NFD", x) != ud.normalize("NFD", y):
            pairs[tuple(sorted((x, y)))].add(source)

    for x, ys in _package_data(confusable_homoglyphs).items():
        for y in ys:
            add(x, y["c"], "confusable_homoglyphs")
    for x, ys in _package_data(homoglyphs).items():
        for y in ys:
            add(x, y, "homoglyphs")
    for c in icu.UnicodeSet(r"[\p{Identifier_Status=Allowed}]"):
        add(c, CHECKER.getSkeleton(0, c), "icu")
    assert len(pairs) > 15_000, len(pairs)
    return pairs


def red_team_pairs():
    with open(HERE / "red_team.tsv", encoding="utf-8") as f:
        rows = csv.reader((l for l in f if l.strip() and not l.startswith("#")), delimiter="\t")
        return [(original, imitation, note) for original, imitation, note in rows]


class Differences:
    """homoglyph_differences.tsv: pairs (as code points) the key keeps apart on purpose, each
    with its reason; every entry must still excuse something."""

    def __init__(self):
        self.reasons = {}
        with open(HERE / "homoglyph_differences.tsv", encoding="utf-8") as f:
            rows = csv.reader((l for l in f if l.strip() and not l.startswith("#")), delimiter="\t")
            for first, second, reason in rows:
                assert reason.strip(), f"{first} / {second} needs a reason"
                pair = tuple(sorted((from_code_points(first), from_code_points(second))))
                self.reasons[pair] = reason
        self.used = set()

    def excuse(self, x, y):
        pair = tuple(sorted((x, y)))
        if pair in self.reasons:
            self.used.add(pair)
            return True
        return False


def plain_letters():
    """Two letters per script that the policy accepts as themselves, to hold a pair's sides."""
    candidates = {}
    for c in icu.UnicodeSet(r"[\p{Identifier_Status=Allowed} & \p{L}]"):
        script = icu.Script.getScript(c).getShortName()
        if CHECKER.getSkeleton(0, c) == c and c not in "lio" and len(candidates.get(script, [])) < 40:
            candidates.setdefault(script, []).append(c)
    verdicts = probe([c * 3 for group in candidates.values() for c in group])
    letters = {"Latn": ["k", "w"], "Hani": ["山", "川"]}
    for name, v in verdicts.items():
        script = icu.Script.getScript(name[0]).getShortName()
        if v["ok"] and v["key"] == name and len(letters.setdefault(script, [])) < 2:
            letters[script].append(name[0])
    return letters


def script_of(s):
    for c in s:
        script = icu.Script.getScript(c).getShortName()
        if script not in ("Zyyy", "Zinh"):
            return script
    return "Latn"


def real_names():
    with open(REAL_NAMES, encoding="utf-8") as f:
        rows = csv.reader((l for l in f if l.strip() and not l.startswith("#")), delimiter="\t")
        return list(dict.fromkeys(name for _, name in rows))


@pytest.fixture(scope="module")
def cases(verdicts):
    """(x, y, name with x, name with y) for every way a pair is tried."""
    pairs = source_pairs()
    letters = plain_letters()
    out = []
    for x, y in pairs:
        first, last = ((letters.get(script_of(x + y)) or ["k", "w"]) * 2)[:2]
        out.append((x, y, first + x + last, first + y + last))
    by_side = collections.defaultdict(set)
    for x, y in pairs:
        by_side[x].add(y)
        by_side[y].add(x)
    real = probe(real_names())
    accepted = [n for n, v in list(verdicts.items()) + list(real.items()) if v["ok"]]
    tried = collections.Counter()
    for name in dict.fromkeys(accepted):
        for i, c in enumerate(name):
            for y in sorted(by_side.get(c, ())):
                if tried[(c, y)] < NAMES_PER_PAIR:
                    tried[(c, y)] += 1
                    out.append((c, y, name, name[:i] + y + name[i + 1 :]))
    for original, imitation, _ in red_team_pairs():
        out.append((original, imitation, original, imitation))
    return out


def test_every_pair_the_policy_accepts_is_merged_or_a_listed_difference(cases):
    differences = Differences()
    verdicts = probe(list(dict.fromkeys(n for _, _, a, b in cases for n in (a, b))))
    both = merged = excused = 0
    bad = {}
    for x, y, a, b in cases:
        va, vb = verdicts[a], verdicts[b]
        if not (va["ok"] and vb["ok"]):
            continue
        both += 1
        if va["key"] == vb["key"]:
            merged += 1
        elif differences.excuse(x, y):
            excused += 1
        else:
            bad.setdefault((x, y), f"{code_points(x)} / {code_points(y)}: {a!r} key {va['key']!r}, {b!r} key {vb['key']!r}")
    print(f"\nhomoglyph pairs: {len(cases)} tried, {both} with both names accepted, {merged} merged, "
          f"{excused} listed differences")
    assert both > 1_000, both
    assert not bad, f"{len(bad)} look-alike pairs the key keeps apart:\n" + "\n".join(list(bad.values())[:60])
    stale = sorted(set(differences.reasons) - differences.used)
    assert not stale, f"listed differences that excuse nothing: {[(code_points(x), code_points(y)) for x, y in stale]}"


def test_the_red_team_list_covers_each_class_of_the_issue():
    notes = collections.Counter(note.split(":")[0] for _, _, note in red_team_pairs())
    for kind in ["dot", "capital", "whole-script", "shape", "drift", "classic"]:
        assert notes[kind] >= 2, (kind, notes)
