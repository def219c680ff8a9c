#!/usr/bin/env python3
"""Trims rustrict 0.7.39's data to what the inappropriate-name rule can meet (TRIMMED.md).

    python3 vendor/rustrict/trim.py ~/.cargo/registry/src/*/rustrict-0.7.39/src

then build `usernames` and run verify.py until it prints nothing (TRIMMED.md).

The rule reads only names with a Latin letter that passed every other rule: Latin letters,
combining marks, decimal digits and . _ -. A replacement for any other character (Cyrillic,
Greek, CJK, symbols, emoji) never applies. Deterministic: the files keep upstream's order.
"""

import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent / "src"


def readable(c):
    """Whether a name that reaches the rule can hold `c`."""
    if c.isascii():
        return True
    if unicodedata.category(c) in ("Mn", "Nd"):
        return True
    return unicodedata.name(c, "").startswith("LATIN ")


# Words the rule raises to severe (RAISED_TO_SEVERE in shared/src/policy/content.rs).
RAISED = (
    "fuck fucker fucking motherfucker cunt cocksucker whore slut twat bitch faggot fag retard rape"
    " rapist pussy nigga kike spic wetback gook tranny raghead towelhead beaner dyke paki coon"
    " pedophile"
).split()
LEET = str.maketrans({"l": "i", "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                      "8": "b", "9": "g", "$": "s", "@": "a", "!": "i", "|": "i"})


def fold(text):
    """Lower case, no spaces, leetspeak digits as letters, runs of a letter as one."""
    return re.sub(r"(.)\1+", r"\1", text.lower().replace(" ", "").translate(LEET))


def write(name, lines):
    (HERE / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def main():
    upstream = Path(sys.argv[1])
    read = lambda name: (upstream / name).read_text(encoding="utf-8").splitlines()

    # Look-alikes of characters the rule never reads.
    rows = [r for r in read("replacements.csv") if r]
    kept = [r for r in rows if readable(r[0])]
    write("replacements.csv", kept)
    print(f"replacements.csv: {len(kept)} of {len(rows)} rows", file=sys.stderr)

    # Words no name that reaches the rule can spell (emoji, other scripts).
    rows = read("profanity.csv")
    kept = rows[:1] + [r for r in rows[1:] if all(readable(c) for c in r.split(",")[0])]
    write("profanity.csv", kept)
    print(f"profanity.csv: {len(kept) - 1} of {len(rows) - 1} words", file=sys.stderr)

    # Innocent phrases that only spare a mild word (weight 1 at most): the rule refuses at
    # moderate or severe, so a mild match is never a refusal. Kept when, folded, a word of
    # weight 2 or more, or one the rule raises, is inside.
    strong = {fold(w) for w in RAISED}
    for row in rows[1:]:
        word, *weights = row.split(",")
        if max(int(w) for w in weights[:5]) >= 2:
            strong.add(fold(word))
    strong.discard("")
    # keep.txt: the phrases verify.py found refused once dropped (fold is rougher than rustrict's
    # replacements: `junior`, `aggrandizement`).
    keep = set((HERE.parent / "keep.txt").read_text(encoding="utf-8").splitlines())
    phrases = [p for p in read("false_positives.txt") if p]
    kept = [p for p in phrases if p in keep or any(w in fold(p) for w in strong)]
    write("false_positives.txt", kept)
    print(f"false_positives.txt: {len(kept)} of {len(phrases)} phrases", file=sys.stderr)

    # Safe words mark friendly chat (Type::SAFE), which the rule never asks about.
    write("safe.txt", ["# Type::SAFE words: not read by the inappropriate-name rule (trim.py)"])


if __name__ == "__main__":
    main()
