"""End to end: `usernames dev` as an app developer runs it. It starts the repo's cognito-local (no
download), writes amplify_outputs.json, and the tests drive it with boto3 as the app would:
sign-up with a preferred_username, confirmation with the fixed code, sign-in, the name in the ID
token, the HTTP API with that token; then `dev` is stopped and started again on the same folder,
and the pool, the user and her name are all still there.

Every process is started on free loopback ports and stopped however the tests end. The tests run
in file order on one folder.
"""

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from local_servers import REPO, usernames_bin  # noqa: E402

PASSWORD = "Corr3ct-Horse-Battery"
ANN = "ann@example.com"


class Dev:
    """One `usernames dev` on a folder: its banner, its outputs, and what it printed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("USERNAMES_") and not k.startswith("AWS_")
        }
        env["USERNAMES_COGNITO_LOCAL"] = str(REPO / "node_modules" / "cognito-local")
        self.stderr_path = folder.parent / f"{folder.name}-stderr-{time.monotonic_ns()}.log"
        self._stderr = open(self.stderr_path, "w")
        self.process = subprocess.Popen(
            [str(usernames_bin()), "dev", "--dir", str(folder), "--api-port", "0",
             "--cognito-port", "0"],
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            env=env,
            start_new_session=True,
        )
        try:
            self._read_what_it_started(folder)
        except BaseException:
            # A dev that never became usable is stopped here: no fixture will stop it.
            self.stop()
            raise

    def _read_what_it_started(self, folder: Path) -> None:
        self.banner: list[str] = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"usernames dev stopped before it was ready: {self.stderr()}")
            self.banner.append(line.rstrip("\n"))
            if line.startswith("usernames dev: ready"):
                break
        else:
            raise RuntimeError(f"usernames dev was not ready in time: {self.banner}")
        # Keep draining stdout so dev never blocks on a full pipe.
        self.rest: list[str] = []
        threading.Thread(
            target=lambda: [self.rest.append(l) for l in self.process.stdout], daemon=True
        ).start()
        self.outputs = json.loads((folder / "amplify_outputs.json").read_text())
        auth = self.outputs["auth"]
        self.idp = boto3.client(
            "cognito-idp",
            endpoint_url=self.outputs["custom"]["userPoolEndpoint"],
            region_name=auth["aws_region"],
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(retries={"max_attempts": 1}, read_timeout=30),
        )
        self.client_id = auth["user_pool_client_id"]
        self.pool_id = auth["user_pool_id"]
        self.api_url = self.outputs["custom"]["usernamesApi"]["url"]

    def said(self, label: str) -> str:
        """The banner's value for `usernames dev: <label>: <value>`."""
        prefix = f"usernames dev: {label}: "
        return next(l[len(prefix):] for l in self.banner if l.startswith(prefix))

    def stderr(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text()

    def stop(self) -> int:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._stderr.close()
        return self.process.returncode

    # --- what an app does -------------------------------------------------------------------

    def sign_up(self, email: str, name: str) -> None:
        self.idp.sign_up(
            ClientId=self.client_id,
            Username=email,
            Password=PASSWORD,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "preferred_username", "Value": name},
            ],
        )

    def confirm(self, email: str) -> None:
        self.idp.confirm_sign_up(
            ClientId=self.client_id, Username=email, ConfirmationCode=self.code()
        )

    def code(self) -> str:
        return self.said("confirmation code").split()[0]

    def sign_in(self, email: str) -> dict:
        return self.idp.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]

    def api(self, method: str, path: str, token: str | None = None, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.api_url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def listens(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def folder():
    workdir = Path(tempfile.mkdtemp(prefix="usernames-dev-e2e-"))
    try:
        yield workdir / "backend"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def first(folder):
    dev = Dev(folder)
    try:
        yield dev
    finally:
        dev.stop()


def test_dev_writes_amplify_outputs_for_its_pool_and_prints_what_it_started(first, folder):
    outputs = first.outputs
    assert outputs["version"] == "1.4"
    auth = outputs["auth"]
    assert auth["user_pool_id"].startswith(auth["aws_region"] + "_")
    assert auth["username_attributes"] == ["email"]
    assert auth["standard_required_attributes"] == ["email"]
    assert auth["user_verification_types"] == ["email"]
    assert auth["mfa_configuration"] == "NONE"
    assert auth["password_policy"]["min_length"] == 8
    assert set(outputs["custom"]) == {"usernamesApi", "userPoolEndpoint"}
    cognito = outputs["custom"]["userPoolEndpoint"]
    assert cognito.startswith("http://127.0.0.1:")
    assert first.api_url.startswith("http://127.0.0.1:")

    # The banner names everything it started.
    assert first.said("user pool") == f"{auth['user_pool_id']} (created)"
    assert first.said("app client").startswith(auth["user_pool_client_id"] + " ")
    assert first.code() == "123456"
    assert first.said("HTTP API").startswith(first.api_url + "/v1/")
    assert first.said("outputs") == str(folder.resolve() / "amplify_outputs.json")
    assert f"cognito-local 5.3.0: {cognito} " in "\n".join(first.banner)
    issuer = f"{cognito}/{auth['user_pool_id']}"
    assert any(f"trust user tokens of issuer {issuer} " in l for l in first.banner), first.banner

    # The pool is configured as Amplify's email sign-in configures one.
    pool = first.idp.describe_user_pool(UserPoolId=first.pool_id)["UserPool"]
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    schema = {a["Name"]: a for a in pool["SchemaAttributes"]}
    assert schema["preferred_username"]["Mutable"] is True
    assert schema["preferred_username"]["Required"] is False
    client = first.idp.describe_user_pool_client(
        UserPoolId=first.pool_id, ClientId=first.client_id
    )["UserPoolClient"]
    assert {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"} <= set(
        client["ExplicitAuthFlows"]
    )


def test_a_user_signs_up_with_a_name_and_her_token_carries_it(first):
    first.sign_up(ANN, "Ann_Lee")
    first.confirm(ANN)
    tokens = first.sign_in(ANN)
    id_claims = claims(tokens["IdToken"])
    assert id_claims["preferred_username"] == "Ann_Lee"
    # Verified, as Cognito leaves an email confirmed by code (cognito-local needs the trigger's
    # autoVerifyEmail, which dev answers), so Amplify UI does not ask to verify it.
    assert id_claims["email_verified"] is True
    # The issuer the API trusts is the one in the token, to the character.
    assert id_claims["iss"] == f"{first.outputs['custom']['userPoolEndpoint']}/{first.pool_id}"

    status, body = first.api("GET", "/v1/usernames/ann_lee")
    assert status == 200
    assert body["available"] is False and body["code"] == "name_taken", body
    status, body = first.api("GET", "/v1/usernames/Melody_Rivers")
    assert (status, body["available"]) == (200, True), body


def test_she_renames_herself_through_the_api_with_her_token(first):
    tokens = first.sign_in(ANN)
    status, body = first.api(
        "PUT", "/v1/me/username", tokens["AccessToken"], {"username": "Melody_Rivers"}
    )
    assert (status, body) == (200, {"username": "Melody_Rivers", "previous": "Ann_Lee"})
    assert claims(first.sign_in(ANN)["IdToken"])["preferred_username"] == "Melody_Rivers"
    # The registry is the file in the folder, which an operator's command reads while dev runs.
    shown = subprocess.run(
        [str(usernames_bin()), "show", "melody_rivers", "--store",
         str(first.folder / "registry.redb")],
        capture_output=True, text=True, timeout=30,
    )
    assert shown.returncode == 0, shown.stderr
    entry = json.loads(shown.stdout)
    assert (entry["name"], entry["state"]) == ("Melody_Rivers", "active"), entry
    assert first.said("store") == f"embedded, in the file {first.folder.resolve() / 'registry.redb'}"

    # A refused token is logged with its reason, never with the token or an email.
    bad = tokens["AccessToken"][:-4] + ("AAAA" if not tokens["AccessToken"].endswith("AAAA") else "BBBB")
    status, body = first.api("PUT", "/v1/me/username", bad, {"username": "Someone_Else"})
    assert (status, body["code"]) == (401, "unauthorized")
    deadline = time.monotonic() + 10
    while '"reason":"bad_signature"' not in first.stderr() and time.monotonic() < deadline:
        time.sleep(0.1)
    logged = first.stderr()
    assert '"reason":"bad_signature"' in logged, logged
    assert tokens["AccessToken"].split(".")[2] not in logged
    assert ANN not in logged


def test_a_restart_keeps_the_pool_the_user_and_her_name(first, folder):
    pool_id, client_id = first.pool_id, first.client_id
    cognito = first.outputs["custom"]["userPoolEndpoint"]
    assert first.stop() == 0
    # cognito-local went with it.
    assert not listens(cognito)

    again = Dev(folder)
    try:
        assert (again.pool_id, again.client_id) == (pool_id, client_id)
        assert again.said("user pool") == f"{pool_id} (found again)"
        # She signs in again, and her name is still hers.
        assert claims(again.sign_in(ANN)["IdToken"])["preferred_username"] == "Melody_Rivers"
        status, body = again.api("GET", "/v1/usernames/melody_rivers")
        assert (status, body["available"], body.get("code")) == (200, False, "name_taken")

        # A newcomer cannot take it, in any spelling.
        for copy in ["Melody_Rivers", "melody_rivers"]:
            with pytest.raises(ClientError) as refused:
                again.sign_up(f"bob.{len(copy)}@example.com", copy)
            error = refused.value.response["Error"]
            assert error["Code"] == "UserLambdaValidationException", error
            assert "name_taken" in error["Message"], error
    finally:
        assert again.stop() == 0
