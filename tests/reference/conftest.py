"""Runs the policy (tests/bin/policy_probe.rs, built by scripts/test and named by
USERNAMES_POLICY_PROBE) once over the generated corpus, for every reference suite."""

import csv
import json
import os
import pathlib
import subprocess

import pytest

import corpus

HERE = pathlib.Path(__file__).parent


def probe(names, env=None):
    """The policy's verdict on each name: {input: {"ok", "display", "key", "code"}}."""
    binary = os.environ.get("USERNAMES_POLICY_PROBE")
    if not binary:
        pytest.fail("USERNAMES_POLICY_PROBE must name the policy-probe binary (scripts/test sets it)")
    stdin = "".join(json.dumps(n, ensure_ascii=False) + "\n" for n in names)
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("USERNAMES_")}
    run_env.update(env or {})
    out = subprocess.run(
        [binary], input=stdin.encode(), capture_output=True, check=True, env=run_env
    ).stdout.decode()
    verdicts = [json.loads(line) for line in out.splitlines()]
    assert [v["input"] for v in verdicts] == list(names)
    return {v["input"]: v for v in verdicts}


@pytest.fixture(scope="session")
def names():
    singles = probe(corpus.single_letters())
    accepted = {name[0] for name, verdict in singles.items() if verdict["ok"]}
    generated = corpus.generate(accepted)
    assert len(generated) >= 10_000, len(generated)
    return generated


@pytest.fixture(scope="session")
def verdicts(names):
    return probe(names)


class KnownDifferences:
    """tests/reference/known_differences.tsv: code points on which a reference is known to
    differ from us, each with its reason. A disagreement is excused only by a listed code point
    of its suite in the name, and every entry must excuse something (no stale entries)."""

    def __init__(self):
        self.entries = {}
        with open(HERE / "known_differences.tsv", encoding="utf-8") as f:
            rows = csv.reader((l for l in f if l.strip() and not l.startswith("#")), delimiter="\t")
            for suite, code_point, reason in rows:
                assert reason.strip(), f"{suite} {code_point} needs a reason"
                self.entries[(suite, chr(int(code_point.removeprefix("U+"), 16)))] = reason
        self.used = set()

    def excuse(self, suite, *names):
        listed = {(suite, c) for name in names for c in name} & self.entries.keys()
        self.used |= listed
        return bool(listed)

    def unused(self, suite):
        return sorted(
            f"U+{ord(c):04X}" for (s, c) in self.entries if s == suite and (s, c) not in self.used
        )


@pytest.fixture(scope="session")
def known():
    return KnownDifferences()
