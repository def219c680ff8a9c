"""End to end: cognito-local (a Cognito API emulator) calls `usernames serve` through the Lambda
Invoke API, with the registry on moto's DynamoDB; the tests drive it with boto3, as an app would.

The stack is started once for the module, on free loopback ports, and stopped however the tests
end. The tests run in file order: the last one stops the registry.
"""

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

# The helpers every pytest suite shares live beside the suites, in tests/local_servers.py.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from local_servers import free_port, usernames_bin, wait_for_port  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "Corr3ct-Horse-Battery"
CODE = "123456"


class Stack:
    """moto, `usernames serve` on it, and cognito-local calling the server."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen] = []
        self.workdir = Path(tempfile.mkdtemp(prefix="usernames-e2e-"))
        self.table = f"usernames-e2e-{uuid.uuid4().hex[:8]}"

    def start(self) -> None:
        python = os.environ.get("USERNAMES_TEST_PYTHON", str(REPO / ".venv" / "bin" / "python"))
        # moto prints its port once it listens, and exits when its stdin closes.
        self.moto = self._spawn(
            [python, str(REPO / "scripts" / "moto_server.py")], stdin=subprocess.PIPE
        )
        line = self.moto.stdout.readline().strip()
        if not line.isdigit():
            raise RuntimeError(f"moto_server did not print its port: {line!r}")
        self.dynamodb_endpoint = f"http://127.0.0.1:{line}"

        # cognito-local's port, chosen now: the triggers ask it (AdminGetUser) whether the holder
        # of a colliding reservation still exists.
        port = free_port()
        registry_env = {
            **os.environ,
            "USERNAMES_TABLE": self.table,
            "AWS_ENDPOINT_URL_DYNAMODB": self.dynamodb_endpoint,
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": f"http://127.0.0.1:{port}",
            "AWS_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            # The operator's word rules are read at every sign-up here, instead of once a
            # minute: the minute itself is tested with a manual clock (tests/word_rules.rs).
            "USERNAMES_RULES_CACHE": "0s",
        }
        self.registry_env = registry_env
        created = subprocess.run(
            [str(usernames_bin()), "table", "create"],
            env=registry_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert created.returncode == 0, created.stderr

        self.serve = self._spawn(
            [str(usernames_bin()), "serve", "--addr", "127.0.0.1:0"], env=registry_env
        )
        banner = self.serve.stdout.readline()
        self.lambda_endpoint = "http://" + banner.split("http://", 1)[1].split()[0]
        # Keep draining the console so the server never blocks on a full pipe.
        self._drain(self.serve)

        config_dir = self.workdir / ".cognito"
        config_dir.mkdir()
        (config_dir / "config.json").write_text(
            json.dumps(
                {
                    "LambdaClient": {
                        "endpoint": self.lambda_endpoint,
                        "region": "local",
                        "credentials": {"accessKeyId": "local", "secretAccessKey": "local"},
                    },
                    "TriggerFunctions": {
                        "PreSignUp": "pre-sign-up",
                        "PostConfirmation": "post-confirmation",
                        "PreTokenGeneration": "pre-token-generation",
                    },
                    # No default sign-in attribute (cognito-local's is email, merged into every
                    # pool): each pool says its own, so a username pool can be made too.
                    "UserPoolDefaults": {"UsernameAttributes": None},
                }
            )
        )
        cognito_local = REPO / "node_modules" / ".bin" / "cognito-local"
        if not cognito_local.exists():
            raise RuntimeError("cognito-local is missing: run scripts/setup-test-tools")
        self.cognito = self._spawn(
            [str(cognito_local)],
            cwd=self.workdir,
            env={**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "CODE": CODE},
        )
        self._drain(self.cognito)
        wait_for_port(port, self.cognito, "cognito-local")

        self.idp = boto3.client(
            "cognito-idp",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="eu-west-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(retries={"max_attempts": 1}, read_timeout=30),
        )
        pool = self.idp.create_user_pool(
            PoolName="e2e",
            UsernameAttributes=["email"],
            UsernameConfiguration={"CaseSensitive": False},
        )["UserPool"]
        self.pool_id = pool["Id"]
        self.client_id = self.idp.create_user_pool_client(
            UserPoolId=self.pool_id,
            ClientName="app",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]

    def start_api(self) -> str:
        """A second `usernames serve` on the same table, for the HTTP API: it needs the pool's
        issuer (cognito-local's URL and the pool id), known only once the pool exists. It
        verifies tokens against cognito-local's JWKS and mirrors renames into the pool."""
        if getattr(self, "api_endpoint", None):
            return self.api_endpoint
        cognito = self.idp.meta.endpoint_url
        env = {
            **os.environ,
            "USERNAMES_TABLE": self.table,
            "AWS_ENDPOINT_URL_DYNAMODB": self.dynamodb_endpoint,
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": cognito,
            "AWS_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "USERNAMES_JWT_ISSUER": f"{cognito}/{self.pool_id}",
            "USERNAMES_JWT_AUDIENCE": self.client_id,
            "USERNAMES_USER_POOL_ID": self.pool_id,
        }
        api = self._spawn([str(usernames_bin()), "serve", "--addr", "127.0.0.1:0"], env=env)
        banner = api.stdout.readline()
        self.api_endpoint = "http://" + banner.split("http://", 1)[1].split()[0]
        self._drain(api)
        return self.api_endpoint

    def api(self, method: str, path: str, token: str | None = None, body: dict | None = None):
        """One request to the HTTP API: (status, headers, JSON body)."""
        import urllib.error
        import urllib.request

        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.start_api() + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return reply.status, dict(reply.headers), json.loads(reply.read())
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), json.loads(error.read())

    def tokens(self, email: str) -> dict:
        return self.idp.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]

    def _spawn(self, args, **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
            **kwargs,
        )
        self.processes.append(process)
        return process

    @staticmethod
    def _drain(process: subprocess.Popen) -> None:
        import threading

        threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()

    def stop_registry(self) -> None:
        self.moto.kill()
        self.moto.wait(timeout=10)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=10)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    process.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)

    # --- what an app does -------------------------------------------------------------------

    def sign_up(self, email: str, name: str) -> dict:
        return self.idp.sign_up(
            ClientId=self.client_id,
            Username=email,
            Password=PASSWORD,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "preferred_username", "Value": name},
            ],
        )

    def confirm(self, email: str) -> None:
        self.idp.confirm_sign_up(ClientId=self.client_id, Username=email, ConfirmationCode=CODE)

    def id_token_claims(self, email: str) -> dict:
        tokens = self.idp.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        payload = tokens["IdToken"].split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture(scope="module")
def stack():
    s = Stack()
    try:
        s.start()
        yield s
    finally:
        s.stop()


def _rejection(call) -> str:
    with pytest.raises(ClientError) as raised:
        call()
    error = raised.value.response["Error"]
    assert error["Code"] == "UserLambdaValidationException", error
    return error["Message"]


def test_sign_up_then_variants_are_rejected_with_our_message(stack):
    reply = stack.sign_up("melody@example.com", "Melody_Rivers")
    assert reply["UserConfirmed"] is False

    for variant in ["MELODY_RIVERS", "melody.rivers", "MeIody_Rivers"]:
        message = _rejection(lambda: stack.sign_up(f"{uuid.uuid4().hex[:6]}@example.com", variant))
        # Cognito adds the final full stop to the function's sentence.
        assert message == "pre-sign-up failed with error That username is already taken. [name_taken].", variant


def test_reserved_and_invalid_names_are_rejected(stack):
    message = _rejection(lambda: stack.sign_up("root@example.com", "Administrator"))
    assert message == "pre-sign-up failed with error That username is reserved. [reserved].", message
    message = _rejection(lambda: stack.sign_up("zw@example.com", "ann\u200bie"))
    assert message == (
        "pre-sign-up failed with error Usernames can't contain invisible characters. "
        "[invisible_character]."
    ), message


def test_confirmed_owner_gets_the_name_in_the_id_token(stack):
    stack.confirm("melody@example.com")
    claims = stack.id_token_claims("melody@example.com")
    assert claims["preferred_username"] == "Melody_Rivers"
    assert claims["email"] == "melody@example.com"


def test_forgot_password_confirmation_keeps_the_name(stack):
    stack.idp.forgot_password(ClientId=stack.client_id, Username="melody@example.com")
    stack.idp.confirm_forgot_password(
        ClientId=stack.client_id,
        Username="melody@example.com",
        ConfirmationCode=CODE,
        Password=PASSWORD,
    )
    assert stack.id_token_claims("melody@example.com")["preferred_username"] == "Melody_Rivers"


def test_a_name_set_behind_the_triggers_never_reaches_a_token(stack):
    stack.sign_up("mallory@example.com", "mallory_k")
    stack.confirm("mallory@example.com")
    assert stack.id_token_claims("mallory@example.com")["preferred_username"] == "mallory_k"

    # No trigger fires for an attribute update: the token carries the name she owns.
    stack.idp.admin_update_user_attributes(
        UserPoolId=stack.pool_id,
        Username="mallory@example.com",
        UserAttributes=[{"Name": "preferred_username", "Value": "melody.rivers"}],
    )
    claims = stack.id_token_claims("mallory@example.com")
    assert claims["preferred_username"] == "mallory_k", claims
    # The owner is unaffected.
    assert stack.id_token_claims("melody@example.com")["preferred_username"] == "Melody_Rivers"


def test_a_deleted_users_name_is_not_inherited_by_a_newcomer(stack):
    stack.sign_up("bob@example.com", "Bobby_Tables")
    stack.confirm("bob@example.com")
    assert stack.id_token_claims("bob@example.com")["preferred_username"] == "Bobby_Tables"
    # Cognito fires no trigger on deletion; a new person then signs up with the same email, so
    # the same userName in this pool, and the same name.
    stack.idp.admin_delete_user(UserPoolId=stack.pool_id, Username="bob@example.com")
    message = _rejection(lambda: stack.sign_up("bob@example.com", "Bobby_Tables"))
    assert message == "pre-sign-up failed with error That username is already taken. [name_taken].", message
    # With another name they get in, and a bypass to the old name gets them nothing.
    stack.sign_up("bob@example.com", "Robert_Newman")
    stack.confirm("bob@example.com")
    stack.idp.admin_update_user_attributes(
        UserPoolId=stack.pool_id,
        Username="bob@example.com",
        UserAttributes=[{"Name": "preferred_username", "Value": "Bobby_Tables"}],
    )
    assert stack.id_token_claims("bob@example.com")["preferred_username"] == "Robert_Newman"


def test_an_operators_word_rule_refuses_a_look_alike_compound_at_the_next_sign_up(stack):
    def usernames(*args: str) -> dict:
        done = subprocess.run(
            [str(usernames_bin()), *args],
            env=stack.registry_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, (done.stdout, done.stderr)
        return json.loads(done.stdout)

    stack.sign_up("helpdesk@example.com", "Support_Crew")
    stack.confirm("helpdesk@example.com")
    added = usernames("block", "--contains", "support", "--reason", "staff")
    # Existing owners keep their names; the rule lists them.
    assert [o["name"] for o in added["added"]["owners"]] == ["Support_Crew"], added

    # No redeploy: the running triggers refuse every spelling at the next sign-up.
    for name in ["Supp0rt-Team", "5UPP0RT_desk", "the.support.bot"]:
        message = _rejection(
            lambda: stack.sign_up(f"{uuid.uuid4().hex[:6]}@example.com", name)
        )
        assert message == "pre-sign-up failed with error That username is reserved. [reserved].", name
    assert stack.id_token_claims("helpdesk@example.com")["preferred_username"] == "Support_Crew"

    usernames("unblock", "--contains", "Support")
    reply = stack.sign_up("team@example.com", "Supp0rt-Team")
    assert reply["UserConfirmed"] is False


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sign(claims: dict, private_pem: bytes) -> str:
    """An RS256 token with cognito-local's key id, signed with `private_pem`."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    key = serialization.load_pem_private_key(private_pem, password=None)
    header = {"alg": "RS256", "typ": "JWT", "kid": "CognitoLocal"}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64(signature)}"


def test_a_rename_through_the_api_reaches_the_next_id_token(stack):
    stack.sign_up("renee@example.com", "Renee_Old")
    stack.confirm("renee@example.com")
    access = stack.tokens("renee@example.com")["AccessToken"]

    status, _, body = stack.api("PUT", "/v1/me/username", access, {"username": "Renee_New"})
    assert status == 200, body
    assert body == {"username": "Renee_New", "previous": "Renee_Old"}

    assert stack.id_token_claims("renee@example.com")["preferred_username"] == "Renee_New"
    # The attribute was mirrored into the pool.
    user = stack.idp.admin_get_user(UserPoolId=stack.pool_id, Username="renee@example.com")
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["preferred_username"] == "Renee_New"


def test_giving_the_name_up_removes_the_attribute(stack):
    stack.sign_up("gwen@example.com", "Gwen_Gives")
    stack.confirm("gwen@example.com")
    access = stack.tokens("gwen@example.com")["AccessToken"]
    status, _, body = stack.api("DELETE", "/v1/me/username", access)
    assert (status, body) == (200, {"previous": "Gwen_Gives"}), body
    user = stack.idp.admin_get_user(UserPoolId=stack.pool_id, Username="gwen@example.com")
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert "preferred_username" not in attributes, attributes
    assert "preferred_username" not in stack.id_token_claims("gwen@example.com")


def test_knowing_a_pending_holders_email_tells_nothing(stack):
    """In a pool that signs in with a username (people choose it, and give an email beside it),
    a sign-up that carries the email of a name's pending holder gets the very answer a sign-up
    with any other email gets: the triggers ask cognito-local whether that holder exists."""
    pool_id = stack.idp.create_user_pool(
        PoolName="e2e-usernames",
        UsernameAttributes=[],
        UsernameConfiguration={"CaseSensitive": False},
    )["UserPool"]["Id"]
    client_id = stack.idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]

    def sign_up(user_name: str, email: str):
        return stack.idp.sign_up(
            ClientId=client_id,
            Username=user_name,
            Password=PASSWORD,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "preferred_username", "Value": "Vera_Holds"},
            ],
        )

    sign_up("vera_v", "vera@example.com")
    knows = _rejection(lambda: sign_up("mallory_m", "vera@example.com"))
    guesses = _rejection(lambda: sign_up("guesser_g", "someone@example.com"))
    assert knows == guesses, (knows, guesses)
    assert "That username is already taken" in knows, knows
    # Once the pool no longer has the holder (a failed or deleted sign-up), the same email is
    # admitted as that person's retry; a confirmation takes the name only with a verified email.
    stack.idp.admin_delete_user(UserPoolId=pool_id, Username="vera_v")
    assert sign_up("vera_again", "vera@example.com")["UserConfirmed"] is False
    assert "already taken" in _rejection(lambda: sign_up("guesser_h", "other@example.com"))


def test_the_old_name_is_refused_to_a_second_user(stack):
    message = _rejection(lambda: stack.sign_up("copycat@example.com", "renee_old"))
    assert message.startswith("pre-sign-up failed with error That username is already taken"), message


def test_availability_answers_free_taken_quarantined_and_invalid_names(stack):
    for name, available, code in [
        ("Fresh_Name_42", True, None),
        ("RENEE_NEW", False, "name_taken"),
        ("Renee_Old", False, "name_taken"),
        ("ab", False, "too_short"),
    ]:
        status, _, body = stack.api("GET", f"/v1/usernames/{name}")
        assert status == 200, body
        assert body["available"] is available, (name, body)
        assert body.get("code") == code, (name, body)


def test_forged_or_expired_tokens_get_401(stack):
    claims = _claims(stack.tokens("renee@example.com")["AccessToken"])
    other_key = __import__(
        "cryptography.hazmat.primitives.asymmetric.rsa", fromlist=["rsa"]
    ).generate_private_key(public_exponent=65537, key_size=2048)
    from cryptography.hazmat.primitives import serialization

    forged_pem = other_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    local_pem = json.loads(
        (REPO / "node_modules/cognito-local/lib/keys/cognitoLocal.private.json").read_text()
    )["pem"].encode()
    expired = {**claims, "iat": claims["iat"] - 7200, "exp": int(time.time()) - 600}
    for what, token in [
        ("forged", _sign(claims, forged_pem)),
        ("expired", _sign(expired, local_pem)),
    ]:
        status, _, body = stack.api("PUT", "/v1/me/username", token, {"username": "Intruder"})
        assert status == 401, (what, body)
        assert body["code"] == "unauthorized", (what, body)
    # The name nobody could take is still free.
    assert stack.api("GET", "/v1/usernames/Intruder")[2]["available"] is True


def test_registry_down_denies_sign_up_and_sign_in_still_works(stack):
    stack.stop_registry()
    started = time.monotonic()
    message = _rejection(lambda: stack.sign_up("late@example.com", "latecomer"))
    assert time.monotonic() - started < 5
    # Refused (connection refused) or silent, the registry's own code and a try-again sentence.
    assert message in (
        "pre-sign-up failed with error We couldn't reach the username registry right now. "
        "Please try again. [registry_unavailable].",
        "pre-sign-up failed with error We couldn't reach the username registry in time. "
        "Please try again. [registry_timeout].",
    ), message
    claims = stack.id_token_claims("melody@example.com")
    assert "preferred_username" not in claims, claims
    assert claims["email"] == "melody@example.com"
