"""Holds every answer of the HTTP API, as `usernames serve` gives it, to the OpenAPI document it
serves: Schemathesis generates requests for every operation and checks each answer against it.
"""

import base64
import collections
import copy
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import schemathesis
import schemathesis.checks

# Per operation in the fuzzing phase, valid and invalid cases together; the coverage phase adds
# its own, and some checks send a request of their own: about 350 cases, 1,300 requests in all.
MAX_EXAMPLES = 100
# The whole Schemathesis run, so that a server that stops answering fails the test instead of
# hanging the suite.
RUN_TIMEOUT = 300

# A name another user holds before the run, so that renames to it and to its look-alikes meet
# `name_taken` (409 with suggestions), and availability answers it as taken.
HELD = "Held_By_Another"

# Names the generator mixes into the rename body and the availability path. Random strings almost
# never pass the username policy, so without these the fuzzer would see only 422s from PUT and
# never the 200 and 409 answers, nor an availability answer for a taken or quarantined name.
NAMES = [
    "River_Song",
    "Ada_Lovelace",
    "Jürgen",
    "Zoë_42",
    "maria.lopez",
    "Ангелина",
    "山田太郎",
    HELD,
    "HELD_BY_ANOTHER",  # another spelling of the held name
    "He1d_By_Another",  # a look-alike of it
    "admin",  # reserved
    "ab",  # too short
    "раураl",  # mixed scripts
    "Ｊürgen",  # not in display form: the answer carries `suggestion`
    "john@example.com",  # looks like an email
]
# Names only asked about, never renamed to, so that availability also answers "free": by the time
# it is tested, the renames have taken or quarantined every valid name of NAMES.
ASKED_ONLY = ["Quiet_Otter", "Nobody_Holds_This"]

# The checks a single answer is held to, for the cases built by hand below.
CONFORMANCE = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]


def _toml_list(values) -> str:
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


CONFIG = f"""
# Repeatable: the same requests in every run, one at a time, so that the registry's state (a
# rename, then the availability of that name) follows the same order too.
workers = 1
continue-on-failure = true
request-timeout = 10

[generation]
deterministic = true
max-examples = {MAX_EXAMPLES}
# Nothing is kept between runs, in the repo or elsewhere: a run is only what this file says.
database = "none"

[cache]
enabled = false

[checks]
# Generous: the embedded store answers in milliseconds; this catches a hang, not a slow machine.
max_response_time = 5

[checks.positive_data_acceptance]
# The document's RenameRequest admits any string, and the username policy (Unicode rules no JSON
# Schema can state) refuses most of them with 422, as the document says. Schemathesis's default
# statuses for a schema-valid request, with 422 added for the policy.
expected-statuses = ["2xx", "3xx", 401, 403, 404, 409, 422, 429, "5xx"]

[dictionaries.names]
values = {_toml_list(NAMES)}

[dictionaries.asked]
values = {_toml_list(NAMES + ASKED_ONLY)}

[dictionaries.languages]
values = ["de", "pt-BR", "zh-Hans", "ar;q=0.9, fr;q=0.8", "ja-JP", "*", "xx"]

[parameters]
# Random header values almost always fall back to English; these reach the other languages.
"header.Accept-Language" = {{ dictionary = "languages", probability = 0.5 }}

[[operations]]
include-operation-id = "rename"
parameters = {{ "body.username" = {{ dictionary = "names", probability = 0.5 }} }}

[[operations]]
include-operation-id = "checkAvailability"
parameters = {{ "path.name" = {{ dictionary = "asked", probability = 0.5 }} }}

[auth.openapi.cognitoUserToken]
# From the environment, so that the token is on no command line and in no file.
bearer = "${{USERNAMES_TEST_BEARER}}"
"""


def _schemathesis(workdir: Path, user, location: str, *args: str):
    """Runs `st run` on `location` with CONFIG and every check, as `user`; returns (exit code,
    console, JSON report, ndjson events)."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "schemathesis.toml"
    config.write_text(CONFIG)
    reports = workdir / "reports"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMATHESIS_")}
    env["USERNAMES_TEST_BEARER"] = user.bearer()
    started = time.monotonic()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(config),
            "run",
            location,
            "--checks",
            "all",
            "--report",
            "json,ndjson",
            "--report-dir",
            str(reports),
            "--no-color",
            *args,
        ],
        # Reports and any state Schemathesis keeps go to the temporary folder, not the repo.
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    console = run.stdout + run.stderr + f"\n(st run took {time.monotonic() - started:.1f} s)"
    report, events = sorted(reports.glob("json-*.json")), sorted(reports.glob("ndjson-*.ndjson"))
    if len(report) != 1 or len(events) != 1:
        pytest.fail(f"Schemathesis wrote no report (exit {run.returncode}):\n{console}")
    [report], [events] = report, events
    lines = [json.loads(line) for line in events.read_text().splitlines() if line.strip()]
    return run.returncode, console, json.loads(report.read_text()), lines


def _answers(events) -> dict:
    """What the run saw: per operation, each kind of answer (status, and `code` and `available`
    of a JSON object) with how many times; per check, how many times it ran."""
    answers: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    checks: collections.Counter = collections.Counter()
    for event in events:
        finished = event.get("ScenarioFinished")
        if not finished or finished["status"] == "skip":
            continue
        recorder = finished["recorder"]
        for interaction in recorder.get("interactions", {}).values():
            response = interaction.get("response")
            if not response:
                continue
            try:
                body = json.loads(base64.b64decode(response["content"]["$base64"]))
            except (KeyError, TypeError, ValueError):
                body = None
            kind = (response["status_code"],)
            if isinstance(body, dict):
                kind += (body.get("code"), body.get("available"))
            answers[recorder["label"]][kind] += 1
        for results in recorder.get("checks", {}).values():
            for result in results:
                checks[result["name"]] += 1
    return {"answers": answers, "checks": checks}


def _put_name(base: str, user, name: str) -> requests.Response:
    return requests.put(
        f"{base}/v1/me/username", json={"username": name}, headers=user.authorization(), timeout=30
    )


def test_every_answer_conforms_to_the_served_document(pool, serve, tmp_path):
    """Schemathesis's coverage and fuzzing phases on every operation, with every check, as a
    signed-in user; its report is the failure message."""
    # No cooldown, so that every accepted rename is a 200 and the next ones are tried too (with
    # the default 24 h, all but the first would be the 429 that the next test checks). Quarantine
    # stays at its default: the user's own old names wait in it, which availability must answer
    # as taken and a rename back must take back.
    base = serve(USERNAMES_RENAME_COOLDOWN="0")
    held = _put_name(base, pool.new_user(), HELD)
    assert held.status_code == 200, held.text

    code, console, report, events = _schemathesis(
        tmp_path,
        pool.new_user(),
        f"{base}/v1/openapi.json",
        # Schemathesis leaves out the operation that served the document unless a filter names
        # it; this one names every operation, so the document's own route is held to it too.
        "--include-path-regex",
        "^/",
    )
    assert code == 0, console

    # The run cannot pass by testing nothing: every operation was tested, by both phases that
    # generate requests, and each answer the document describes for ordinary use was seen.
    operations = report["operations"]
    assert operations["tested"] == operations["total"] == 4, report["operations"]
    assert report["phases"]["coverage"]["status"] == "success", report["phases"]
    assert report["phases"]["fuzzing"]["status"] == "success", report["phases"]
    seen = _answers(events)
    answers = seen["answers"]
    print("answers:", {label: dict(kinds) for label, kinds in answers.items()})
    print("checks run:", dict(seen["checks"]))

    def saw(label, *kind):
        return any(k[: len(kind)] == kind for k in answers[label])

    availability, rename, release = (
        "GET /v1/usernames/{name}",
        "PUT /v1/me/username",
        "DELETE /v1/me/username",
    )
    assert saw(availability, 200, None, True), answers[availability]
    assert saw(availability, 200, "name_taken", False), answers[availability]
    assert any(
        kind[0] == 200 and kind[1] not in (None, "name_taken") and kind[2] is False
        for kind in answers[availability]
    ), answers[availability]
    assert saw(rename, 200, None), answers[rename]
    assert saw(rename, 409, "name_taken"), answers[rename]
    assert saw(rename, 422), answers[rename]
    assert saw(rename, 400, "bad_request"), answers[rename]
    assert saw(rename, 401, "unauthorized"), answers[rename]
    assert saw(release, 200, None), answers[release]
    assert saw(release, 401, "unauthorized"), answers[release]
    assert saw("GET /v1/openapi.json", 200), answers["GET /v1/openapi.json"]
    for check in CONFORMANCE + [
        "negative_data_rejection",
        "positive_data_acceptance",
        "ignored_auth",
        "unsupported_method",
        "allow_header_conformance",
        "max_response_time",
    ]:
        assert seen["checks"][check] > 0, (check, seen["checks"])


def test_answers_the_fuzzer_rarely_reaches_conform_too(pool, serve):
    """The cooldown's 429, a rename to a held name, the size limit, a path that is not UTF-8 and
    an ID token: each sent on purpose, and held to the document by the same checks."""
    base = serve()  # the default 24 h cooldown
    schema = schemathesis.openapi.from_url(f"{base}/v1/openapi.json")
    checks = [getattr(schemathesis.checks, name) for name in CONFORMANCE]
    rename = schema["/v1/me/username"]["PUT"]
    release = schema["/v1/me/username"]["DELETE"]
    availability = schema["/v1/usernames/{name}"]["GET"]

    def put(user, body, kind="AccessToken"):
        case = rename.Case(body=body, headers=user.authorization(kind))
        return case.call_and_validate(checks=checks)

    first = pool.new_user()
    answer = put(first, {"username": "Cool_Down"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"username": "Cool_Down", "previous": None}

    answer = put(first, {"username": "Cool_Down_Again"})
    assert answer.status_code == 429, answer.text
    assert answer.json()["code"] == "rename_cooldown", answer.text
    # Schemathesis's responses keep headers lowercased, each a list of values.
    [retry_after] = answer.headers["retry-after"]
    assert 0 < int(retry_after) <= 24 * 3600, answer.headers

    # Another user, signed in with an ID token this time, meets the name held in another spelling.
    second = pool.new_user()
    answer = put(second, {"username": "COOL_DOWN"}, "IdToken")
    assert answer.status_code == 409, answer.text
    assert answer.json()["code"] == "name_taken", answer.text
    answer = put(second, {"username": "Warm_Up"}, "IdToken")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"username": "Warm_Up", "previous": None}

    answer = availability.Case(
        path_parameters={"name": "cool_down"}, headers={"Accept-Language": "de"}
    ).call_and_validate(checks=checks)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["available"], answer.json()["code"]) == (False, "name_taken")
    assert answer.headers["content-language"] == ["de"], answer.headers

    answer = put(first, {"username": "x" * 5000})
    assert (answer.status_code, answer.json()["code"]) == (413, "body_too_large"), answer.text

    # Requests Schemathesis would not build from the document: sent as they are, and their
    # answers held to the operation they were meant for.
    answer = requests.get(f"{base}/v1/usernames/%FF%FE", timeout=30)
    availability.Case(path_parameters={"name": "x"}).validate_response(answer, checks=checks)
    assert (answer.status_code, answer.json()["code"]) == (400, "bad_name_encoding"), answer.text
    answer = requests.put(
        f"{base}/v1/me/username",
        data=b"{not json",
        headers={**first.authorization(), "Content-Type": "application/json"},
        timeout=30,
    )
    rename.Case(body={"username": "x"}).validate_response(answer, checks=checks)
    assert (answer.status_code, answer.json()["code"]) == (400, "bad_request"), answer.text

    for previous in ["Cool_Down", None]:
        answer = release.Case(headers=first.authorization()).call_and_validate(checks=checks)
        assert (answer.status_code, answer.json()) == (200, {"previous": previous}), answer.text


def _mutated(document: dict) -> dict:
    """The document with two lies in it: `available` a string, and no 401 for DELETE."""
    document = copy.deepcopy(document)
    document["components"]["schemas"]["Availability"]["properties"]["available"] = {
        "type": "string"
    }
    del document["paths"]["/v1/me/username"]["delete"]["responses"]["401"]
    return document


def test_a_document_the_server_disagrees_with_fails_the_run(pool, serve, tmp_path):
    """The harness can fail: the same run, on a copy of the served document changed where the
    server is right, fails with the checks that compare answers to it."""
    base = serve()
    served = requests.get(f"{base}/v1/openapi.json", timeout=30).json()
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(_mutated(served)))

    code, console, report, _ = _schemathesis(
        tmp_path / "run",
        pool.new_user(),
        str(document),
        "--url",
        base,
        "--include-operation-id",
        "checkAvailability",
        "--include-operation-id",
        "releaseName",
        "--max-examples",
        "10",
    )
    assert code == 1, console
    failures = {failure["title"]: failure["operations"] for failure in report["failures"]}
    assert failures == {
        "Response violates schema": ["GET /v1/usernames/{name}"],
        "Undocumented status code": ["DELETE /v1/me/username"],
    }, failures
