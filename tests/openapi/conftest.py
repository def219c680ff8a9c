"""The stack the OpenAPI suite runs on: cognito-local for a user pool and its users' tokens, and
`usernames serve` on its embedded store, verifying that pool's tokens; stopped however tests end.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

# The helpers every pytest suite shares live beside the suites, in tests/local_servers.py.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from local_servers import free_port, usernames_bin, wait_for_port  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "Corr3ct-Horse-Battery"


class Processes:
    """Every process the suite started, each in its own process group, so that stopping one
    stops what it spawned too (cognito-local is a node script behind a shell shim), and the
    folder they work in."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen] = []
        self.workdir = Path(tempfile.mkdtemp(prefix="usernames-openapi-"))

    def spawn(self, args, **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
            **kwargs,
        )
        self.started.append(process)
        return process

    @staticmethod
    def drain(process: subprocess.Popen) -> None:
        # A console nobody reads fills its pipe and blocks the server.
        threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is not None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)
                process.wait(timeout=10)
                return
            except ProcessLookupError:
                return
            except subprocess.TimeoutExpired:
                continue

    def stop_all(self) -> None:
        for process in reversed(self.started):
            self.stop(process)
        shutil.rmtree(self.workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def processes():
    started = Processes()
    try:
        yield started
    finally:
        started.stop_all()


class User:
    """A confirmed user of the pool, signed in. Its tokens stay out of its repr, so that no
    traceback or assertion message prints them."""

    def __init__(self, email: str, tokens: dict) -> None:
        self.email = email
        self._tokens = tokens

    def __repr__(self) -> str:
        return f"User({self.email})"

    def bearer(self, kind: str = "AccessToken") -> str:
        return self._tokens[kind]

    def authorization(self, kind: str = "AccessToken") -> dict:
        return {"Authorization": f"Bearer {self._tokens[kind]}"}


class Pool:
    """A cognito-local user pool that signs in with email, and one app client."""

    def __init__(self, processes: Processes) -> None:
        workdir = processes.workdir
        config_dir = workdir / ".cognito"
        config_dir.mkdir()
        # No triggers: the registry learns names through the API under test, so cognito-local
        # needs no Lambda endpoint, and `serve` can start once the pool's issuer is known.
        (config_dir / "config.json").write_text(
            json.dumps({"UserPoolDefaults": {"UsernameAttributes": ["email"]}})
        )
        cognito_local = REPO / "node_modules" / ".bin" / "cognito-local"
        if not cognito_local.exists():
            raise RuntimeError("cognito-local is missing: run scripts/setup-test-tools")
        port = free_port()
        process = processes.spawn(
            [str(cognito_local)],
            cwd=workdir,
            env={**os.environ, "PORT": str(port), "HOST": "127.0.0.1"},
        )
        processes.drain(process)
        wait_for_port(port, process, "cognito-local")

        self.endpoint = f"http://127.0.0.1:{port}"
        self.idp = boto3.client(
            "cognito-idp",
            endpoint_url=self.endpoint,
            region_name="eu-west-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(retries={"max_attempts": 1}, read_timeout=30),
        )
        self.pool_id = self.idp.create_user_pool(
            PoolName="openapi",
            UsernameAttributes=["email"],
            UsernameConfiguration={"CaseSensitive": False},
        )["UserPool"]["Id"]
        self.client_id = self.idp.create_user_pool_client(
            UserPoolId=self.pool_id,
            ClientName="app",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        self.issuer = f"{self.endpoint}/{self.pool_id}"

    def new_user(self) -> User:
        """A new user, confirmed by an administrator and signed in with their password."""
        email = f"{uuid.uuid4().hex[:10]}@example.com"
        self.idp.sign_up(
            ClientId=self.client_id,
            Username=email,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": email}],
        )
        self.idp.admin_confirm_sign_up(UserPoolId=self.pool_id, Username=email)
        tokens = self.idp.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        return User(email, tokens)


@pytest.fixture(scope="session")
def pool(processes) -> Pool:
    return Pool(processes)


@pytest.fixture(scope="session")
def serve(processes, pool):
    """Starts `usernames serve` on a fresh embedded store, taking `pool`'s tokens and mirroring
    names into it, with extra settings; returns its base URL."""

    def start(**settings: str) -> str:
        # The caller's shell must not put the server on a DynamoDB table or another pool.
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("USERNAMES_", "AWS_", "RUST_LOG"))
        }
        env.update(
            {
                "USERNAMES_JWT_ISSUER": pool.issuer,
                "USERNAMES_JWT_AUDIENCE": pool.client_id,
                "USERNAMES_USER_POOL_ID": pool.pool_id,
                "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": pool.endpoint,
                "AWS_REGION": "eu-west-1",
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                **settings,
            }
        )
        process = processes.spawn(
            [str(usernames_bin()), "serve", "--addr", "127.0.0.1:0"], env=env
        )
        banner = process.stdout.readline()
        if "http://" not in banner:
            processes.stop(process)
            raise RuntimeError(f"usernames serve did not start: {banner!r}")
        processes.drain(process)
        return "http://" + banner.split("http://", 1)[1].split()[0]

    return start
