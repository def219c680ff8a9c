#!/usr/bin/env python3
"""Lists the innocent phrases trim.py dropped that the policy now refuses (as a name, separators
for spaces) at `moderate`, the stricter level: they go back into keep.txt, and trim.py runs again.

    python3 vendor/rustrict/verify.py UPSTREAM_SRC USERNAMES_BIN >> vendor/rustrict/keep.txt
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent / "src"


def main():
    upstream, binary = Path(sys.argv[1]), sys.argv[2]
    kept = set((HERE / "false_positives.txt").read_text(encoding="utf-8").splitlines())
    dropped = [p for p in (upstream / "false_positives.txt").read_text(encoding="utf-8").splitlines()
               if p and p not in kept]
    as_name = {p.replace(" ", "_"): p for p in dropped}
    names = [n for n in as_name if re.fullmatch(r"[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*", n)
             and 3 <= len(n) <= 32]
    env = {k: v for k, v in os.environ.items() if not k.startswith("USERNAMES_")}
    env["USERNAMES_PROFANITY"] = "moderate"
    out = subprocess.run([binary, "check"], input="".join(json.dumps(n) + "\n" for n in names),
                         capture_output=True, text=True, env=env).stdout
    for line in out.splitlines():
        verdict = json.loads(line)
        if verdict.get("code") == "inappropriate":
            print(as_name[verdict["input"]])


if __name__ == "__main__":
    main()
