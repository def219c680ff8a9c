"""The corpus of the reference suites: candidate usernames generated from a fixed seed, so every
run checks the same names. Letters, marks and digits come from every script with UTS #39 Allowed
letters (ICU's data), then names get case, separators, marks, digits, compatibility and width
variants, look-alike substitutions and stray characters."""

import random

import icu
import unicodedata2 as ud

SEED = 20261201
NAMES_PER_SCRIPT = 180
LOOK_ALIKE_NAMES_PER_SCRIPT = 60

# Real names with what generated names rarely hit: marks inside right-to-left words, Greek
# accents and final sigma, Hebrew points, digits of several systems, capitals with look-alikes.
REAL_NAMES = [
    "\u0645\u062d\u0645\u0651\u062f", "فاطِمة", "مُحَمَّد", "عليّ", "عَلِيّ", "حَسَن", "زينب", "عائشة",
    "يوسف٢٠", "محمد١٢", "محمد۱۲", "علی۱۲", "محمد1١", "محمد١۲", "محمد12", "فاطمة_علي",
    "שלום", "שָׁלוֹם", "דָּוִד", "יעל12", "משה.כהן", "1שלום", "abcשלום", "שלוםabc",
    "ދިވެހި", "ސަލީމް", "ܫܠܡܐ", "ߒߞߏ",
    "ΣΟΦΊΑ", "σοφία", "Νίκος", "ΟΔΥΣΣΕΥΣ", "οδυσσευς", "Ἀθηνᾶ", "άθηνα",
    "Иван", "ИВАН", "иван", "Ёлка", "Наталья", "сосо", "МОСКВА",
    "Ðavid", "Đavid", "Ɖavid", "ðavid", "đavid", "ɖavid", "Þórunn", "Nguyễn", "Zoë", "straße",
    "STRASSE", "İstanbul", "Ångström", "Åsa", "Kelvin", "Ωμέγα", "paypal", "paypaI", "g00gle",
    "google", "rnodern", "modern", "john.smith", "john_smith", "johnsmith", "adm1n",
    "नमस्ते", "सत्यम्", "สมชาย", "ქართველი", "ᲐᲑᲒ", "Հայկ", "王小明", "山田たろう", "カーター",
    "김민준", "한글漢字", "ಕನ್ನಡ", "தமிழ்", "ગુજરાતી", "ਪੰਜਾਬੀ", "മലയാളം", "తెలుగు",
    "বাংলা", "ଓଡ଼ିଆ", "සිංහල", "ພາສາລາວ", "ភាសាខ្មែរ", "မြန်မာ", "བོད་ཡིག", "ኢትዮጵያ",
]

# Compatibility and width variants of characters that occur in names (RFC 8264 HasCompat and
# width mapping, plus canonical singletons such as the Angstrom sign and Greek oxia).
VARIANTS = {
    "K": ["\u212a"], "Å": ["\u212b"], "Ω": ["\u2126"],
    "ά": ["\u1f71"], "έ": ["\u1f73"], "ή": ["\u1f75"], "ί": ["\u1f77"], "ό": ["\u1f79"],
    "ύ": ["\u1f7b"], "ώ": ["\u1f7d"], "Ά": ["\u1fbb"], "Έ": ["\u1fc9"],
    "a": ["ａ", "ⓐ", "𝐚", "ª"], "b": ["ｂ", "𝐛"], "e": ["ｅ", "ℯ"], "i": ["ｉ", "ⅰ"],
    "l": ["ℓ", "ｌ"], "n": ["ⁿ", "ｎ"], "o": ["ｏ", "º"], "1": ["１", "¹", "①"], "2": ["²", "２"],
    "0": ["０", "⁰"], "x": ["ｘ", "ⅹ"], "ff": ["ﬀ"], "fi": ["ﬁ"], "s": ["ſ"], "-": ["－", "‐"],
    "_": ["＿"], ".": ["．", "。"],
}

# Characters that no name may hold, or that hold only in some places.
STRAY = [
    " ", "\u00a0", "\u3000", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202e", "\u2066",
    "\u00ad", "\u2060", "\ufeff", "\ufe0f", "\u0640", "\u0600", "@", "!", "'", "+", "/", ":",
    "·", "‧", "・", "‐", "’", "☺", "😀", "❤", "\u0301", "\u0651", "\u05b4", "\u0300", "\u0345",
    "\u0660", "\u06f0", "\u0966", "1", "_", ".", "-", "\ue000", "\U0001f1fa", "ǀ", "ʼ", "ˈ",
]


def _allowed():
    return icu.UnicodeSet(r"[\p{Identifier_Status=Allowed}]")


def _script(c):
    return icu.Script.getScript(c).getShortName()


def inventories():
    """Letters, marks and digits of each script with Allowed letters; inherited marks go with
    the scripts that use them (Latin, Greek, Cyrillic)."""
    scripts = {}
    inherited = []
    for c in _allowed():
        category = ud.category(c)
        script = _script(c)
        if script == "Zinh":
            inherited.append(c)
            continue
        kind = {"Mn": "marks", "Mc": "marks", "Nd": "digits"}.get(
            category, "letters" if category.startswith("L") else None
        )
        if kind is None:
            continue
        scripts.setdefault(script, {"letters": [], "marks": [], "digits": []})[kind].append(c)
    for script in ("Latn", "Grek", "Cyrl"):
        scripts[script]["marks"] += inherited
    return {s: inv for s, inv in sorted(scripts.items()) if inv["letters"]}


def _name(rng, inv):
    letters, marks, digits = inv["letters"], inv["marks"], inv["digits"] or list("0123456789")
    out = []
    for i in range(rng.randint(2, 10)):
        out.append(rng.choice(letters))
        if marks and rng.random() < 0.3:
            out.append(rng.choice(marks))
        if i and rng.random() < 0.08:
            out.append(rng.choice("._-"))
    if rng.random() < 0.2:
        out += rng.choices(rng.choice([digits, list("0123456789")]), k=rng.randint(1, 3))
    return "".join(out)


def _confusables(allowed):
    """Allowed characters grouped by ICU skeleton: the look-alikes ICU knows."""
    checker = icu.SpoofChecker()
    groups = {}
    for c in allowed:
        groups.setdefault(checker.getSkeleton(0, c), []).append(c)
    return {c: group for group in groups.values() if len(group) > 1 for c in group}


def _variant(rng, name, lookalikes, inventory):
    kind = rng.randrange(9)
    if kind == 0:
        return rng.choice([name.upper(), name.title(), name.lower(), name.swapcase()])
    if kind == 1:
        return ud.normalize(rng.choice(["NFD", "NFKD"]), name)
    if kind == 2:
        keys = [k for k in VARIANTS if k in name]
        if not keys:
            return name.upper()
        key = rng.choice(keys)
        return name.replace(key, rng.choice(VARIANTS[key]), rng.choice([1, -1]))
    if kind == 3:
        at = rng.randrange(len(name) + 1)
        return name[:at] + rng.choice(STRAY) + name[at:]
    if kind == 4:
        other = rng.choice(inventory)
        return name + rng.choice(["", "", ".", "_"]) + _name(rng, other)
    if kind in (5, 6):
        chars = list(name)
        spots = [i for i, c in enumerate(chars) if c in lookalikes]
        for i in rng.sample(spots, min(len(spots), rng.randint(1, 3))):
            chars[i] = rng.choice(lookalikes[chars[i]])
        return "".join(chars)
    if kind == 7:
        halfwidth = "".join(_HALFWIDTH.get(c, c) for c in name)
        return halfwidth if halfwidth != name else name + rng.choice("._-") + "x"
    return name + rng.choice(["1", "١", "۱", "१", "12", "١٢", "1١", "١۲"])


# Halfwidth katakana and Hangul letters, by the fullwidth letter they map to.
_HALFWIDTH = {
    ud.normalize("NFKC", chr(cp)): chr(cp)
    for cp in range(0xFF61, 0xFFDD)
    if len(ud.normalize("NFKC", chr(cp))) == 1
}


def single_letters():
    """One probe name per Allowed letter (three of it), for `generate(accepted=...)`."""
    return [c * 3 for inv in inventories().values() for c in inv["letters"]]


def _look_alike_names(rng, letters, lookalikes):
    """Names made of letters the policy accepts, each with look-alike and case variants, so that
    the key comparison has confusable names to compare."""
    by_script = {}
    for c in letters:
        by_script.setdefault(_script(c), []).append(c)
    names = []
    for script, pool in sorted(by_script.items()):
        for _ in range(LOOK_ALIKE_NAMES_PER_SCRIPT):
            name = "".join(rng.choices(pool, k=rng.randint(3, 9)))
            names.append(name)
            swappable = [i for i, c in enumerate(name) if c in lookalikes]
            for _ in range(2):
                chars = list(name)
                for i in rng.sample(swappable, min(len(swappable), rng.randint(1, 2))):
                    chars[i] = rng.choice(lookalikes[chars[i]])
                names.append("".join(chars))
            names.append(rng.choice([name.upper(), name.title(), name.swapcase()]))
            if len(name) > 3:
                at = rng.randrange(1, len(name) - 1)
                names.append(name[:at] + rng.choice("._-") + name[at:])
    return names


def generate(accepted=frozenset()):
    """The corpus, in a fixed order, without duplicates. `accepted`: the letters of
    `single_letters()` the policy accepts, from which the look-alike section draws."""
    rng = random.Random(SEED)
    inv = inventories()
    lookalikes = _confusables(_allowed())
    base = list(REAL_NAMES)
    for script, inventory in inv.items():
        base += [_name(rng, inventory) for _ in range(NAMES_PER_SCRIPT)]
    names = list(base)
    inventory = list(inv.values())
    for name in base:
        names += [_variant(rng, name, lookalikes, inventory) for _ in range(2)]
    names += _look_alike_names(rng, sorted(accepted), lookalikes)
    seen = set()
    return [n for n in names if n and not (n in seen or seen.add(n))]


if __name__ == "__main__":
    import json
    import sys

    for name in generate():
        sys.stdout.write(json.dumps(name, ensure_ascii=False) + "\n")
