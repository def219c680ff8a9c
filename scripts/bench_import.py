"""Benchmark of `usernames import` against moto: a pool of N users (default 10,000) in moto's
cognito-idp, the registry table on the same server, one import timed, then a second run. Prints
users per second and the DynamoDB and Cognito requests per user, counted at the server by
operation (X-Amz-Target). moto is single-threaded and in this process, so the figures measure the
command's request pattern, not DynamoDB's or Cognito's speed.

moto deep-copies the whole table before every TransactWriteItems (its rollback), which makes an
import quadratic in the table's size: hours for 10,000 users. `lean_transactions` keeps only the
items a transaction names instead, the only ones it can change; `--moto-as-is` turns that off.

Usage: python scripts/bench_import.py [USERS] [--moto-as-is]   (USERNAMES_BIN: the binary; default
target/release/usernames)
"""

import collections
import copy
import resource
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


def lean_transactions():
    """moto's TransactWriteItems with a rollback of the items it names rather than a deep copy of
    every table it touches. Same conditions, same answers, same end state: a transaction writes
    only the items it names, so restoring those undoes it. moto serves one request at a time here
    (threaded=False), so swapping its `copy` module for the call is safe."""
    import moto.dynamodb.models as models

    original = models.DynamoDBBackend.transact_write_items

    class TablesByReference:
        """`copy` for moto's models module: a table is not copied, anything else is."""

        @staticmethod
        def deepcopy(value):
            return value if isinstance(value, models.Table) else copy.deepcopy(value)

    def transact_write_items(self, transact_items):
        saved = []
        for item in transact_items:
            _, op = next(iter(item.items()))
            name = op.get("TableName")
            if name not in self.tables:
                continue
            table = self.tables[name]
            if "Key" in op:
                key = op["Key"]
            else:
                attrs = op["Item"]
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            old = self.get_item(name, key)
            saved.append((name, key, None if old is None else old.to_json()["Attributes"]))
        models.copy = TablesByReference
        try:
            return original(self, transact_items)
        except Exception:
            for name, key, old in reversed(saved):
                if old is None:
                    if self.get_item(name, key) is not None:
                        self.delete_item(name, key)
                else:
                    self.put_item(name, copy.deepcopy(old))
            raise
        finally:
            models.copy = copy

    models.DynamoDBBackend.transact_write_items = transact_write_items


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


def children_cpu():
    """CPU seconds (user and system) of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_import(binary, env, pool):
    COUNTS.clear()
    cpu = children_cpu()
    start = time.monotonic()
    done = subprocess.run(
        [binary, "import", "--user-pool-id", pool],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    elapsed = time.monotonic() - start
    cpu = children_cpu() - cpu
    lines = done.stdout.splitlines()
    if not lines or "summary" not in lines[-1]:
        sys.exit(f"bench-import: import failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(lines[-1])["summary"], elapsed, cpu, dict(COUNTS)


def report(title, users, summary, elapsed, cpu, counts):
    dynamodb = {k.split(".", 1)[1]: v for k, v in counts.items() if k.startswith("DynamoDB_")}
    cognito = {
        k.split(".", 1)[1]: v for k, v in counts.items() if k.startswith("AWSCognitoIdentityProviderService.")
    }
    named = users - summary["no_name"] - summary["invalid"] - summary["unconfirmed"]
    print(f"== {title}: {users} users in {elapsed:.1f} s = {users / elapsed:.0f} users/s")
    # The rest of the time is moto's (in this process) and the wait for it.
    print(
        f"   the command's own CPU: {cpu:.1f} s = {cpu * 1000 / users:.2f} ms/user "
        f"({cpu / elapsed:.0%} of the run)"
    )
    print(f"   outcomes: {json.dumps(summary)}")
    print(
        f"   DynamoDB: {sum(dynamodb.values()) / users:.2f} requests/user "
        f"({sum(dynamodb.values()) / max(named, 1):.2f} per user with a valid name) {dynamodb}"
    )
    writes = dynamodb.get("TransactWriteItems", 0) + dynamodb.get("PutItem", 0)
    print(f"   writes: {writes / max(named, 1):.2f} per user with a valid name")
    print(f"   Cognito: {sum(cognito.values())} requests = one per {users / max(sum(cognito.values()), 1):.1f} users {cognito}")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    users = int(args[0]) if args else 10_000
    if "--moto-as-is" in sys.argv[1:]:
        print("== moto as is: a deep copy of the table per transaction")
    else:
        lean_transactions()
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
