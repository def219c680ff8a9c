#!/usr/bin/env python3
"""Generates the two corpora of the inappropriate-name rule (docs/policy.md#inappropriate-names):

* evasions.tsv: slurs and severe profanity written the ways people slip them past filters
  (digit swaps, separators, repeated letters, mixed case, Cyrillic and Greek look-alikes, Latin
  look-alikes (accents, hooks, dotless i, `rn` for `m`),
  prefixes and suffixes), one `word<TAB>technique<TAB>name` per line;
* names.tsv: personal names (given, family, both) of Faker's person lists in 30 locales, place
  names, and the known Scunthorpe cases, one `source<TAB>name` per line, kept only when the
  policy with the rule off accepts them (so a refusal measured on them is the rule's alone).

Deterministic (fixed seed, sorted input). Needs Faker (pinned in scripts/requirements-corpora.txt)
and the `usernames` binary for the policy (USERNAMES_BIN, default target/debug/usernames):

    python3 -m venv .cache/corpora-venv && .cache/corpora-venv/bin/pip install -r scripts/requirements-corpora.txt
    cargo build -p usernames
    USERNAMES_BIN=$CARGO_TARGET_DIR/debug/usernames .cache/corpora-venv/bin/python tests/corpora/generate.py
"""

import importlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 21  # issue 21

# Slurs and severe profanity in English, the language rustrict's list is written in. Every one
# must be refused at `severe` in all its evasions below.
SEVERE_WORDS = [
    "nigger", "nigga", "faggot", "fag", "kike", "chink", "spic", "wetback", "gook", "coon",
    "tranny", "retard", "cunt", "fuck", "fucker", "motherfucker", "cocksucker", "whore", "slut",
    "twat", "pussy", "bitch", "rape", "rapist", "raghead", "towelhead", "beaner", "dyke",
    "paki", "jigaboo", "pedophile",
]

LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7", "g": "9", "b": "8", "l": "1"}
# Latin letter -> look-alike of another script (Cyrillic first, then Greek).
LOOKALIKES = {
    "a": ["а", "α"], "c": ["с"], "e": ["е", "ε"], "i": ["і", "ι"], "k": ["к", "κ"],
    "o": ["о", "ο"], "p": ["р", "ρ"], "t": ["т", "τ"], "u": ["υ"], "x": ["х", "χ"],
    "y": ["у", "γ"], "n": ["п", "η"], "h": ["һ"], "g": ["ɡ"], "r": ["г"],
}
# Latin letter -> Latin letters that look like it (hooks, accents, dotless i, rn for m): they pass
# the script rules, so only this rule can refuse them.
LATIN_LOOKALIKES = {
    "a": ["á", "à", "ä"], "b": ["ƀ", "ɓ"], "c": ["ç", "ć"], "d": ["ɗ", "đ"], "e": ["é", "ë"],
    "f": ["ƒ"], "g": ["ğ", "ɠ"], "h": ["ħ"], "i": ["ı", "ï", "í"], "k": ["ķ", "ƙ"],
    "l": ["ł"], "m": ["rn"], "n": ["ñ", "ń"], "o": ["ö", "ø"], "p": ["ƥ"], "r": ["ř"],
    "s": ["ś", "š"], "t": ["ť", "ƭ"], "u": ["ü", "ú"], "w": ["vv"], "y": ["ý", "ƴ"],
}
PREFIXES = ["the_", "xx", "real", "big_", "i_am_", "Mr", "lil_", "dr.", "king-", "iam"]
SUFFIXES = ["_1", "69", "xx", "_lover", "_boy", "420", "_official", "2024", "-king", "s"]


def evasions(rng):
    rows = []
    for word in SEVERE_WORDS:
        out = {}

        def add(technique, name):
            if 3 <= len(name) <= 32:
                out.setdefault(name, technique)

        add("plain", word)
        add("case", word.upper())
        add("case", word.capitalize())
        add("case", "".join(c.upper() if i % 2 else c for i, c in enumerate(word)))
        for i, c in enumerate(word):
            if c in LEET:
                add("digit", word[:i] + LEET[c] + word[i + 1 :])
        add("digit", "".join(LEET.get(c, c) for c in word))
        for sep in "._-":
            add("separator", sep.join(word))
            mid = len(word) // 2
            add("separator", word[:mid] + sep + word[mid:])
        for i, c in enumerate(word):
            add("repeat", word[:i] + c * 2 + word[i:])
        add("repeat", "".join(c * 2 for c in word))
        for i, c in enumerate(word):
            for look in LOOKALIKES.get(c, []):
                add("lookalike", word[:i] + look + word[i + 1 :])
        for i, c in enumerate(word):
            for look in LATIN_LOOKALIKES.get(c, []):
                add("latin_lookalike", word[:i] + look + word[i + 1 :])
        add("latin_lookalike", "".join(LATIN_LOOKALIKES.get(c, [c])[0] for c in word))
        whole = "".join(LOOKALIKES[c][0] if c in LOOKALIKES else c for c in word)
        add("lookalike", whole)
        for prefix in PREFIXES:
            add("affix", prefix + word)
        for suffix in SUFFIXES:
            add("affix", word + suffix)
        # Two techniques at once, drawn with the fixed seed.
        for _ in range(6):
            base = rng.choice([word.capitalize(), word.upper(), word])
            i = rng.randrange(len(base))
            if base[i].lower() in LEET:
                base = base[:i] + LEET[base[i].lower()] + base[i + 1 :]
            add("combined", rng.choice(PREFIXES) + base + rng.choice(SUFFIXES))
        rows += [(word, technique, name) for name, technique in out.items()]
    return rows


# Faker person lists, 30 locales: 10 outside the Latin script.
LOCALES = [
    "en_US", "en_GB", "en_IE", "en_NZ", "en_IN", "en_NG", "de_DE", "de_AT", "fr_FR", "it_IT",
    "es_ES", "es_MX", "pt_BR", "nl_NL", "pl_PL", "cs_CZ", "sv_SE", "fi_FI", "hu_HU", "tr_TR",
    "id_ID", "vi_VN", "ru_RU", "uk_UA", "el_GR", "ja_JP", "zh_CN", "ko_KR", "hi_IN", "ar_AA",
]
PER_LIST = 400  # given names and family names drawn per locale (all when fewer)
COMBINED = 300  # given_family combinations per locale
PLACES = 3000  # towns and cities drawn from Faker's lists of 8 locales

# Real names and places that contain a rude word, and the words' innocent neighbours.
SCUNTHORPE = [
    "Dick_Smith", "DickSmith", "Dick.Van.Dyke", "Philip_Dick", "Cumming", "Alan_Cumming",
    "Scunthorpe", "Penistone", "Assisi", "Clitheroe", "Sussex", "Essex", "Middlesex", "Wessex",
    "Cockburn", "Hancock", "Herbie_Hancock", "Weiner", "Butts", "Fuchs", "Kuntz", "Shitake_Farm",
    "Shiitake_Farm", "Cockermouth", "Shitterton", "Twatt", "Bitche", "Cumbria", "Cumbernauld",
    "Lickey_End", "Dickens", "Charles_Dickens", "Emily_Dickinson", "Dixon", "Glasscock",
    "Hitchcock", "Alfred_Hitchcock", "Peacock", "Woodcock", "Babcock", "Alcock", "Wilcox",
    "Sexton", "Anne_Sexton", "Cummings", "Cummins", "Titmus", "Pusey", "Fagan", "Gay_Talese",
    "Marvin_Gaye", "Fanny_Brice", "Randy_Newman", "Willy_Wonka", "Koch", "Kock", "Hoar",
    "Dikshit", "Shittu", "Kunz", "Wiener", "Cumberbatch", "Benedict_Cumberbatch", "Assange",
    "Matsushita", "Cassandra", "Passion", "Classic", "Grasshopper", "Therapist", "Analyst",
    "Cocktail", "Peniston", "Spiceland", "Scrabble", "Shuttlecock", "Cockatoo", "Hancock_Park",
    "Arsenal_fan", "Sextant", "Titanic", "Nigeria", "Niger", "Raccoon", "Tycoon", "Cocoon",
    "Dickson", "Homer", "Hello_Kitty", "Pussycat_Dolls", "Dyke_Road", "Spicer",
    "Kikeri", "Sluter", "Bastion", "Cumulus", "Documents", "Circumstance", "Therapist_Anna",
    "Bumstead", "Buttercup", "Scuttlebutt", "Assassin_Creed", "Bass_player", "Mass_effect",
]


def person_lists(locale):
    module = importlib.import_module(f"faker.providers.person.{locale}")
    provider = module.Provider
    first = set()
    for attr in ("first_names", "first_names_male", "first_names_female"):
        first |= set(getattr(provider, attr, ()) or ())
    last = set(getattr(provider, "last_names", ()) or ())
    return sorted(first), sorted(last)


def place_lists():
    places = set()
    for locale in ("en_GB", "de_DE", "fr_FR", "it_IT", "es_ES", "ja_JP", "ru_RU", "nl_NL"):
        module = importlib.import_module(f"faker.providers.address.{locale}")
        for attr in ("cities", "city_names"):
            places |= set(getattr(module.Provider, attr, ()) or ())
    return sorted(places)


def as_username(text):
    """Spaces and apostrophes as the separators a user would type."""
    out = text.strip().replace(" ", "_").replace("'", "").replace("’", "")
    while "__" in out:
        out = out.replace("__", "_")
    return out


def names(rng):
    rows = []
    for locale in LOCALES:
        first, last = person_lists(locale)
        picked_first = first if len(first) <= PER_LIST else rng.sample(first, PER_LIST)
        picked_last = last if len(last) <= PER_LIST else rng.sample(last, PER_LIST)
        seen = set()
        for name in sorted(picked_first) + sorted(picked_last):
            seen.add(as_username(name))
        for _ in range(COMBINED):
            given, family = rng.choice(first), rng.choice(last)
            style = rng.randrange(4)
            if style == 0:
                name = f"{given}_{family}"
            elif style == 1:
                name = f"{given}{family}"
            elif style == 2:
                name = f"{given}.{family}".lower()
            else:
                name = f"{given}_{family}{rng.randrange(100)}"
            seen.add(as_username(name))
        rows += [(locale, n) for n in sorted(seen)]
    places = place_lists()
    places = sorted(rng.sample(places, min(PLACES, len(places))))
    rows += [("places", as_username(p)) for p in places]
    rows += [("scunthorpe", n) for n in SCUNTHORPE]
    return rows


def accepted_with_rule_off(candidates):
    """The candidates the policy accepts with the inappropriate-name rule off."""
    binary = os.environ.get("USERNAMES_BIN", "target/debug/usernames")
    env = {k: v for k, v in os.environ.items() if not k.startswith("USERNAMES_")}
    env["USERNAMES_PROFANITY"] = "off"
    stdin = "".join(json.dumps(c) + "\n" for c in candidates)
    done = subprocess.run([binary, "check"], input=stdin, capture_output=True, text=True, env=env)
    if done.returncode not in (0, 1):
        sys.exit(f"usernames check failed: {done.stderr}")
    verdicts = [json.loads(line) for line in done.stdout.splitlines()]
    return {v["input"]: v.get("code") for v in verdicts}


def main():
    rng = random.Random(SEED)
    evasion_rows = evasions(rng)
    name_rows = names(rng)
    verdicts = accepted_with_rule_off(
        sorted({n for *_, n in evasion_rows} | {n for _, n in name_rows})
    )
    # Evasions are all kept: a look-alike refused by the script rules is refused all the same;
    # the measurement reports which rule refused each.
    with open(HERE / "evasions.tsv", "w", encoding="utf-8") as f:
        f.write("# word\ttechnique\tname (generated by generate.py; do not edit)\n")
        for row in evasion_rows:
            f.write("\t".join(row) + "\n")
    kept = [(s, n) for s, n in name_rows if verdicts.get(n, "?") is None]
    dropped = len(name_rows) - len(kept)
    with open(HERE / "names.tsv", "w", encoding="utf-8") as f:
        f.write("# source\tname (generated by generate.py; do not edit)\n")
        seen = set()
        for source, name in kept:
            if (source, name) not in seen:
                seen.add((source, name))
                f.write(f"{source}\t{name}\n")
    print(
        f"{len(evasion_rows)} evasions; {len(kept)} names kept, {dropped} refused by other rules",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
