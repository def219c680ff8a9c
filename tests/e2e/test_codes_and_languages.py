"""Every sign-up rejection carries its code where an app can find it, in the user's language.

An app sees only a message (Cognito drops the Lambda `errorType`): cognito-local 5.3.0 wraps the
function's `errorMessage` as `pre-sign-up failed with error <message>.` (lib/services/lambda.js,
`${functionName} failed with error ${errorMessage}.`, the function name being the one in its
config), and real Cognito as `PreSignUp failed with error <message>.`. The catalogue's
`code_pattern` must take the code back out of that, and the sentence before it must be in the
language the sign-up asked for: `ClientMetadata.locale` (cognito-local passes SignUp's
`ClientMetadata` to the trigger as `request.clientMetadata`, lib/targets/signUp.js), else the
user's `locale` attribute, else `USERNAMES_DEFAULT_LOCALE`.

Two paths are driven: boto3 → cognito-local → `usernames serve` (on moto's DynamoDB), and
`usernames invoke` on event files. The expected sentences come from the catalogue
(catalogue/messages.json, `example.text`) wherever its example arguments are the ones the
default policy produces, else from `usernames check` run in that language.
"""

import json
import os
import re
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

# The stack (moto, `usernames serve`, cognito-local) is the one the main e2e module starts, so there
# is one way to start it. pytest's default "prepend" import mode puts this directory (it has no
# __init__.py) on sys.path, and the module is then the one pytest collects, not a second copy.
from test_cognito_local import PASSWORD, REPO, Stack, stack, usernames_bin  # noqa: F401 (a fixture)

CATALOGUE = json.loads((REPO / "catalogue" / "messages.json").read_text(encoding="utf-8"))
CODE_PATTERN = re.compile(CATALOGUE["code_pattern"])
LOCALES: list[str] = CATALOGUE["locales"]
POLICY_CODES: list[str] = json.loads(
    (REPO / "shared" / "src" / "api" / "openapi.json").read_text(encoding="utf-8")
)["components"]["schemas"]["PolicyCode"]["enum"]
WRAPPER = "pre-sign-up failed with error {}."

# One name per policy code, each the first rule it breaks under the default settings (the
# `confirmed` fixture has `usernames check` agree before any is sent).
NAMES = {
    "too_long": "abcdefghijklmnopqrstuvwxyzabcdefg",
    "too_short": "ab",
    # NUL itself: the whole chain (botocore JSON, Node, the Lambda client, serve) must carry it.
    "control_character": "\u0000",
    "bidi_control": "\u202eecila",
    "whitespace": "ali ce",
    "invisible_character": "ali\u200bce",
    "format_character": "\u0600alice",
    "private_use_character": "alice\ue000",
    "noncharacter": "alice\ufdd0",
    "unassigned_character": "alice\u0378",
    # Decomposed ü: its display form is the catalogue example's argument, "Jürgen_M".
    "not_display_form": "Ju\u0308rgen_M",
    "compatibility_character": "\ufb01sh",
    "disallowed_character": "\u1100\u1100\u1100",
    "bidi_rule": "1\u05e9\u05dc\u05d5\u05dd",
    "separator_at_edge": ".alice",
    "consecutive_separators": "al..ice",
    "no_letter": "12345",
    "misplaced_combining_mark": "\u0301abc",
    "too_many_combining_marks": "q\u0301\u0302\u0303\u0304\u0306\u0308algo",
    "repeated_combining_mark": "x\u0303\u0303yz",
    "mixed_scripts": "p\u0430ypal",
    "mixed_digits": "\u0645\u062d\u0645\u062f1\u0661",
    "whole_script_confusable": "\u0441\u043e\u0441\u043e",
    "looks_like_email": "alice@example.com",
    "looks_like_url": "https://example",
    "looks_like_domain": "example.com",
    "looks_like_punycode": "xn--80ak6aa92e",
    "looks_like_phone_number": "5551234567",
    "reserved": "Administrator",
    # A sentence that never echoes the name (the test checks every sentence's shape).
    "inappropriate": "fuck_you",
}

# Policy codes no sign-up can produce, and why. Neither is refused before the trigger:
# cognito-local and boto3 pass every string through (NUL, noncharacters and unassigned code
# points included, see NAMES).
UNREACHABLE = {
    # The triggers read a blank preferred_username ("" or only spaces) as no name at all, as an
    # optional form field left blank (shared/src/triggers/mod.rs `requested_name`): the sign-up
    # is admitted without a name, or refused with `name_required` when USERNAMES_REQUIRED.
    # Normalisation never empties a non-empty name, so the policy's `empty` is not reached.
    # test_a_blank_name_is_no_name_not_empty asserts what happens instead.
    "empty": "a blank name is no name: admitted, or name_required",
    # A fail-closed guard (shared/src/policy/mod.rs): it fires only if the display form
    # (width mapping, then NFC) changed when normalised a second time. Width mapping yields no
    # character NFC recomposes into a width variant, and NFC is idempotent, so no input reaches it.
    "unstable_normalization": "guard against a non-idempotent normaliser; no input reaches it",
}

# The arguments the default policy puts in each parameterised sentence; the catalogue's example
# text is the expected sentence only where its example arguments are these. The catalogue's
# example for too_many_combining_marks carries max 32, the policy's limit is 4: for that code
# `usernames check` alone says what to expect.
ACTUAL_ARGUMENTS = {
    "too_short": {"min": 3},
    "too_long": {"max": 32},
    "too_many_combining_marks": {"max": 4},
    "not_display_form": {"display": "J\u00fcrgen_M"},
}

HELD = "Lena_Holds"
HELD_VARIANTS = ["LENA_HOLDS", "lena.holds"]


def _clean_env(**extra: str) -> dict:
    """The CLI's environment without the developer's AWS and USERNAMES_ settings (so the policy
    is the default one and `invoke` uses its embedded store), and without the IMDS probe."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "USERNAMES_"))
    }
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env.update(extra)
    return env


def _catalogue_text(code: str, locale: str) -> str | None:
    example = CATALOGUE["messages"][code]["example"]
    if example["arguments"] != ACTUAL_ARGUMENTS.get(code, {}):
        return None
    return example["text"][locale]


def _extracted(message: str) -> str | None:
    match = CODE_PATTERN.search(message)
    return match.group(1) if match else None


@pytest.fixture(scope="module")
def expected() -> dict[tuple[str, str], str]:
    """(code, locale) → the sentence a user must see, for every policy code in NAMES and every
    locale; fails unless `usernames check` gives each name its code."""
    table: dict[tuple[str, str], str] = {}
    stdin = "".join(json.dumps(name) + "\n" for name in NAMES.values())
    for locale in LOCALES:
        run = subprocess.run(
            [str(usernames_bin()), "check"],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            env=_clean_env(USERNAMES_DEFAULT_LOCALE=locale),
        )
        lines = [json.loads(line) for line in run.stdout.splitlines()]
        assert len(lines) == len(NAMES), run.stderr
        for (code, name), line in zip(NAMES.items(), lines):
            assert line.get("code") == code, (name, locale, line)
            catalogue = _catalogue_text(code, locale)
            if catalogue is not None:
                # Two sources of the sentence that must agree before either is trusted.
                assert line["message"] == catalogue, (code, locale, line["message"])
            table[code, locale] = line["message"]
    for code, arguments in ACTUAL_ARGUMENTS.items():
        for value in arguments.values():
            assert str(value) in table[code, "en"], (code, table[code, "en"])
    return table


def _sentence(code: str, locale: str) -> str:
    """A trigger code's sentence (no parameters) straight from the catalogue."""
    example = CATALOGUE["messages"][code]["example"]
    assert example["arguments"] == {}, code
    return example["text"][locale]


# The sign-up's `clientMetadata.locale`, the user's `locale` attribute, and the language of a
# `name_required` refusal on a server whose USERNAMES_DEFAULT_LOCALE is Japanese.
REQUIRED_NAME_LANGUAGES = [
    (None, None, "ja"),
    ("nl", None, "ja"),
    ("de", None, "de"),
    ("ar", None, "ar"),
    (None, "en", "en"),
]


# --- through cognito-local ----------------------------------------------------------------


@pytest.fixture(scope="module")
def required_stack():
    """A second stack whose triggers require a name and answer in Japanese by default: one
    cognito-local can call one Lambda endpoint, and serve reads its settings at start."""
    s = Stack()
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("USERNAMES_REQUIRED", "true")
            env.setenv("USERNAMES_DEFAULT_LOCALE", "ja")
            s.start()
        yield s
    finally:
        s.stop()


def _sign_up(s: Stack, name: str | None, metadata_locale=None, attribute_locale=None) -> dict:
    email = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    attributes = [{"Name": "email", "Value": email}]
    if name is not None:
        attributes.append({"Name": "preferred_username", "Value": name})
    if attribute_locale is not None:
        attributes.append({"Name": "locale", "Value": attribute_locale})
    extra = {"ClientMetadata": {"locale": metadata_locale}} if metadata_locale else {}
    return s.idp.sign_up(
        ClientId=s.client_id,
        Username=email,
        Password=PASSWORD,
        UserAttributes=attributes,
        **extra,
    )


def _refusal(s: Stack, name, metadata_locale=None, attribute_locale=None) -> str:
    """The message of a sign-up the trigger refuses; the error type Cognito gives apps is
    checked here once for all."""
    with pytest.raises(ClientError) as raised:
        _sign_up(s, name, metadata_locale, attribute_locale)
    error = raised.value.response["Error"]
    assert error["Code"] == "UserLambdaValidationException", (name, error)
    return error["Message"]


def _check_refusal(message: str, code: str, sentence: str) -> list:
    """Problems with one refusal: the pattern must find exactly `code`, and the message must be
    cognito-local's wrapper around the sentence and the bracketed code."""
    problems = []
    if _extracted(message) != code:
        problems.append(("pattern found", _extracted(message), "wanted", code, message))
    if message != WRAPPER.format(f"{sentence} [{code}]"):
        problems.append(("message", message, "wanted", WRAPPER.format(f"{sentence} [{code}]")))
    return problems


def test_the_catalogue_pattern_is_the_one_the_code_uses():
    source = (REPO / "shared" / "src" / "messages" / "mod.rs").read_text(encoding="utf-8")
    rust = re.search(r'pub const CODE_PATTERN: &str = r"(.*)";', source).group(1)
    assert rust == CATALOGUE["code_pattern"]


def test_every_policy_code_is_covered_or_explained():
    assert not set(NAMES) & set(UNREACHABLE)
    assert set(NAMES) | set(UNREACHABLE) == set(POLICY_CODES)


def test_every_policy_code_reaches_the_app_with_its_code_in_every_language(stack, expected):
    problems = []
    for code, name in NAMES.items():
        # None: no client metadata and no locale attribute, so the server's default, English.
        for locale in [None, *LOCALES]:
            message = _refusal(stack, name, metadata_locale=locale)
            sentence = expected[code, locale or "en"]
            problems += [(code, locale, *p) for p in _check_refusal(message, code, sentence)]
    assert not problems, "\n".join(map(repr, problems))


def test_a_taken_name_in_another_spelling_is_refused_in_the_users_language(stack):
    _sign_up(stack, HELD, metadata_locale="de")
    problems = []
    for variant in HELD_VARIANTS:
        # "nl" has no sentences: passed over, down to the default, English.
        for locale in [None, "nl", *LOCALES]:
            message = _refusal(stack, variant, metadata_locale=locale)
            sentence = _sentence("name_taken", "en" if locale in (None, "nl") else locale)
            problems += [
                (variant, locale, *p) for p in _check_refusal(message, "name_taken", sentence)
            ]
    assert not problems, "\n".join(map(repr, problems))


@pytest.mark.parametrize("locale", ["de", "ja", "ar"])
def test_the_locale_attribute_chooses_the_language_without_client_metadata(
    stack, expected, locale
):
    message = _refusal(stack, "ab", attribute_locale=locale)
    assert not _check_refusal(message, "too_short", expected["too_short", locale])

    message = _refusal(stack, NAMES["not_display_form"], attribute_locale=locale)
    assert not _check_refusal(message, "not_display_form", expected["not_display_form", locale])
    # The suggested name stands isolated from the sentence's direction (U+2068 … U+2069).
    assert "\u2068J\u00fcrgen_M\u2069" in message, message

    message = _refusal(stack, HELD_VARIANTS[0], attribute_locale=locale)
    assert not _check_refusal(message, "name_taken", _sentence("name_taken", locale))


@pytest.mark.parametrize(
    "metadata, attribute, language",
    [
        ("de", "ja", "de"),  # the sign-up's own choice comes first
        ("nl", "ja", "ja"),  # a tag without sentences is passed over
        ("nl", "nl", "en"),  # then the server's default
        ("de-CH", None, "de"),  # a regional tag is its language
        ("zh-CN", None, "zh-Hans"),
        ("zh-TW", None, "en"),  # Traditional Chinese has no sentences
        ("pt-BR", "ar", "pt"),
    ],
)
def test_client_metadata_comes_first_and_unknown_tags_fall_through(
    stack, expected, metadata, attribute, language
):
    message = _refusal(stack, "ab", metadata_locale=metadata, attribute_locale=attribute)
    assert not _check_refusal(message, "too_short", expected["too_short", language]), message


def test_a_blank_name_is_no_name_not_empty(stack, required_stack):
    # Without USERNAMES_REQUIRED a blank name is admitted as no name: the policy's `empty`
    # never comes into it (UNREACHABLE).
    for blank in ["", " "]:
        assert _sign_up(stack, blank, metadata_locale="de")["UserConfirmed"] is False
    # With it, a blank or missing name is `name_required`, in the sign-up's language, else in
    # the server's default (Japanese on this stack).
    problems = []
    for name in [None, "", " "]:
        for metadata, attribute, language in REQUIRED_NAME_LANGUAGES:
            message = _refusal(required_stack, name, metadata, attribute)
            sentence = _sentence("name_required", language)
            problems += [
                (name, metadata, attribute, *p)
                for p in _check_refusal(message, "name_required", sentence)
            ]
    assert not problems, "\n".join(map(repr, problems))


def test_the_default_language_setting_applies_to_policy_refusals(required_stack, expected):
    message = _refusal(required_stack, NAMES["not_display_form"])
    assert not _check_refusal(message, "not_display_form", expected["not_display_form", "ja"])


# --- through `usernames invoke` -------------------------------------------------------------


def _event(user_name: str, name: str | None, metadata_locale=None, attribute_locale=None) -> dict:
    event = json.loads((REPO / "events" / "pre-sign-up-signup.json").read_text(encoding="utf-8"))
    event["userName"] = user_name
    attributes = {"email": f"{user_name[:8]}@example.com"}
    if name is not None:
        attributes["preferred_username"] = name
    if attribute_locale is not None:
        attributes["locale"] = attribute_locale
    event["request"]["userAttributes"] = attributes
    event["request"]["clientMetadata"] = (
        {"signUpSource": "web", "locale": metadata_locale} if metadata_locale else None
    )
    return event


def _invoke(events: list[dict], **env: str) -> list[dict]:
    """Runs the events through one `usernames invoke` (one embedded store), in order."""
    with tempfile.TemporaryDirectory(prefix="usernames-invoke-") as directory:
        paths = []
        for i, event in enumerate(events):
            path = Path(directory) / f"{i:04}.json"
            path.write_text(json.dumps(event), encoding="utf-8")
            paths.append(str(path))
        run = subprocess.run(
            [str(usernames_bin()), "invoke", *paths],
            capture_output=True,
            text=True,
            timeout=60,
            env=_clean_env(**env),
        )
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(lines) == len(events), run.stderr[-2000:]
    return lines


def _check_error(line: dict, code: str, sentence: str) -> list:
    problems = []
    if line.get("errorType") != code:
        problems.append(("errorType", line.get("errorType"), "wanted", code))
    message = line.get("errorMessage", "")
    if _extracted(message) != code:
        problems.append(("pattern found", _extracted(message), "wanted", code, message))
    if message != f"{sentence} [{code}]":
        problems.append(("errorMessage", message, "wanted", f"{sentence} [{code}]"))
    return problems


def test_invoke_every_policy_code_in_every_language(expected):
    cases = [(code, locale) for code in NAMES for locale in [None, *LOCALES]]
    lines = _invoke(
        [_event(str(uuid.uuid4()), NAMES[code], metadata_locale=locale) for code, locale in cases]
    )
    problems = []
    for (code, locale), line in zip(cases, lines):
        problems += [
            (code, locale, *p) for p in _check_error(line, code, expected[code, locale or "en"])
        ]
    assert not problems, "\n".join(map(repr, problems))


def test_invoke_name_taken_in_the_users_language():
    cases = [
        (variant, metadata, attribute, language)
        for variant in HELD_VARIANTS
        for metadata, attribute, language in [
            (None, None, "en"),
            ("nl", None, "en"),
            *((locale, None, locale) for locale in LOCALES),
            (None, "de", "de"),
            (None, "ja", "ja"),
            (None, "ar", "ar"),
            ("ja", "de", "ja"),
        ]
    ]
    holder = _event(str(uuid.uuid4()), HELD, metadata_locale="de")
    lines = _invoke(
        [holder]
        + [
            _event(str(uuid.uuid4()), v, metadata_locale=m, attribute_locale=a)
            for v, m, a, _ in cases
        ]
    )
    assert "errorType" not in lines[0], lines[0]
    assert lines[0]["request"]["userAttributes"]["preferred_username"] == HELD
    problems = []
    for (variant, metadata, attribute, language), line in zip(cases, lines[1:]):
        problems += [
            (variant, metadata, attribute, *p)
            for p in _check_error(line, "name_taken", _sentence("name_taken", language))
        ]
    assert not problems, "\n".join(map(repr, problems))


def test_invoke_name_required_and_the_default_language():
    cases = [
        (name, metadata, attribute, language)
        for name in [None, "", " "]
        for metadata, attribute, language in REQUIRED_NAME_LANGUAGES
    ]
    lines = _invoke(
        [
            _event(str(uuid.uuid4()), n, metadata_locale=m, attribute_locale=a)
            for n, m, a, _ in cases
        ],
        USERNAMES_REQUIRED="true",
        USERNAMES_DEFAULT_LOCALE="ja",
    )
    problems = []
    for (name, metadata, attribute, language), line in zip(cases, lines):
        problems += [
            (name, metadata, attribute, *p)
            for p in _check_error(line, "name_required", _sentence("name_required", language))
        ]
    assert not problems, "\n".join(map(repr, problems))
