"""Benchmark of `usernames import` against moto: a pool of N users (default 10,000) in moto's
cognito-idp, the registry table on the same server, one import timed, then a second run. Prints
users per second and the DynamoDB and Cognito requests per user, counted at the server by
operation (X-Amz-Target). moto is single-threaded and in this process, so the figures measure the
command's request pattern, not DynamoDB's or Cognito's speed.

Usage: python scripts/bench_import.py [USERS]   (USERNAMES_BIN: the binary; default
target/release/usernames)
"""

import collections
import json
import logging
import os
import subprocess
import sys
import threading
import time

import boto3
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

COUNTS = collections.Counter()


def counting(app):
    def wrapped(environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target:
            COUNTS[target] += 1
        return app(environ, start_response)

    return wrapped


def start_moto():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = counting(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def name_of(i):
    """Mostly distinct names; every 100th collides with a look-alike of another, every 100th
    (offset) is reserved, every 50th user has none."""
    if i % 50 == 7:
        return None
    if i % 100 == 3:
        return "admin"
    if i % 100 == 5:
        return f"person_{i - 1:05d}".replace("o", "0", 1)  # 0 for o: a look-alike of i-1's
    return f"person_{i:05d}"


def run_import(binary, env, pool):
    COUNTS.clear()
    start = time.monotonic()
    done = subprocess.run(
        [binary, "import", "--user-pool-id", pool],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    elapsed = time.monotonic() - start
    lines = done.stdout.splitlines()
    if not lines or "summary" not in lines[-1]:
        sys.exit(f"bench-import: import failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(lines[-1])["summary"], elapsed, dict(COUNTS)


def report(title, users, summary, elapsed, counts):
    dynamodb = {k.split(".", 1)[1]: v for k, v in counts.items() if k.startswith("DynamoDB_")}
    cognito = {
        k.split(".", 1)[1]: v for k, v in counts.items() if k.startswith("AWSCognitoIdentityProviderService.")
    }
    named = users - summary["no_name"] - summary["invalid"] - summary["unconfirmed"]
    print(f"== {title}: {users} users in {elapsed:.1f} s = {users / elapsed:.0f} users/s")
    print(f"   outcomes: {json.dumps(summary)}")
    print(
        f"   DynamoDB: {sum(dynamodb.values()) / users:.2f} requests/user "
        f"({sum(dynamodb.values()) / max(named, 1):.2f} per user with a valid name) {dynamodb}"
    )
    writes = dynamodb.get("TransactWriteItems", 0) + dynamodb.get("PutItem", 0)
    print(f"   writes: {writes / max(named, 1):.2f} per user with a valid name")
    print(f"   Cognito: {sum(cognito.values())} requests = one per {users / max(sum(cognito.values()), 1):.1f} users {cognito}")


def main():
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    binary = os.environ.get("USERNAMES_BIN", "target/release/usernames")
    endpoint = start_moto()
    client = dict(
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    cognito = boto3.client("cognito-idp", **client)
    pool = cognito.create_user_pool(PoolName="bench")["UserPool"]["Id"]
    start = time.monotonic()
    for i in range(users):
        attributes = [] if name_of(i) is None else [{"Name": "preferred_username", "Value": name_of(i)}]
        cognito.admin_create_user(
            UserPoolId=pool, Username=f"user{i:05d}", UserAttributes=attributes, MessageAction="SUPPRESS"
        )
    print(f"== created {users} users in moto in {time.monotonic() - start:.0f} s")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "USERNAMES_"))}
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE="/nonexistent",
        AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
        USERNAMES_TABLE="bench-usernames",
    )
    subprocess.run([binary, "table", "create"], env=env, check=True, stdout=subprocess.DEVNULL)
    report("first run", users, *run_import(binary, env, pool))
    report("second run (changes nothing)", users, *run_import(binary, env, pool))


if __name__ == "__main__":
    main()
