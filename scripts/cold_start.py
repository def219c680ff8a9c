"""Cold-start benchmark of the Lambda functions (scripts/bench-cold-start builds the binaries).

Each binary is spawned many times under a small Lambda Runtime API stand-in, the way Lambda starts
a custom runtime, and three things are read per spawn:

- init: from the spawn to the runtime's first `GET .../invocation/next` (Lambda's init phase);
- first event: from handing out the first event to receiving its response (the first user's wait
  once init is over; for the functions this includes their one DynamoDB request);
- peak RSS (VmHWM) once the first event is answered.

The registry is moto behind a TLS front with a test CA (real DynamoDB is HTTPS, and the TLS
handshake is what the warm connection moves into init), trusted by the functions through
SSL_CERT_FILE; so is the user pool (moto's Cognito), which the HTTP API function opens at init
too and a rename calls. The API function is measured on two first requests: an availability
check (one DynamoDB read) and a rename (DynamoDB, then the pool's attribute). Two floors are built and measured in the same run, spawn after spawn with the
functions: a bare `lambda_runtime` echo and an echo that builds an SDK DynamoDB client at init.
Figures are medians, reported as ratios to those floors; absolute times depend on the machine.

Usage: python scripts/cold_start.py --rounds N --bin NAME=PATH... --cli PATH [--json OUT]
"""

import argparse
import asyncio
import datetime
import http.server
import ipaddress
import json
import os
import re
import shutil
import socket
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
EVENTS = os.path.join(HERE, "..", "events")
TABLE = "usernames-cold-start"
CONTACT_KEY = "cold-start-benchmark-contact-hash-key-0123456789"


# --- the Runtime API stand-in -----------------------------------------------------------------


class Invocation:
    """One spawn's view of the Runtime API: the first event, then the time marks."""

    def __init__(self, event):
        self.event = json.dumps(event).encode()
        self.request_id = str(uuid.uuid4())
        self.next_at = None  # first /next: the end of init
        self.answered_at = None  # /response or /error of the first event
        self.error = None
        self.answer = None
        self.done = threading.Event()


class RuntimeApi(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    current = None  # the Invocation of the process being measured (one at a time)
    # Counted spawns (--instructions) end at the first /next: the connection is closed unanswered,
    # the runtime's loop returns the error and the process exits, so the count is init's (plus an
    # exit that is the same for every binary).
    end_at_first_next = False

    def log_message(self, *args):
        pass

    def _reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self):
        now = time.perf_counter_ns()
        inv = RuntimeApi.current
        if not self.path.endswith("/runtime/invocation/next") or inv is None:
            return self._reply(404)
        if inv.next_at is not None:
            # The second /next: the first event is answered; park until the process is killed.
            inv.done.set()
            time.sleep(30)
            return
        inv.next_at = now
        if RuntimeApi.end_at_first_next:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            inv.done.set()
            return
        deadline = int(time.time() * 1000) + 30_000
        self._reply(
            200,
            inv.event,
            [
                ("Content-Type", "application/json"),
                ("Lambda-Runtime-Aws-Request-Id", inv.request_id),
                ("Lambda-Runtime-Deadline-Ms", str(deadline)),
                ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:bench"),
                ("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000"),
            ],
        )

    def do_POST(self):
        now = time.perf_counter_ns()
        inv = RuntimeApi.current
        body = self._body()
        if inv is None:
            return self._reply(404)
        if self.path.endswith("/init/error"):
            inv.error = f"init error: {body.decode(errors='replace')}"
            inv.done.set()
        elif self.path.endswith(f"/invocation/{inv.request_id}/response"):
            inv.answered_at = now
            inv.answer = body
        elif self.path.endswith(f"/invocation/{inv.request_id}/error"):
            inv.answered_at = now
            inv.error = f"handler error: {body.decode(errors='replace')}"
        else:
            return self._reply(404)
        self._reply(202, b'{"status":"OK"}', [("Content-Type", "application/json")])


class ThreadingServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def start_runtime_api():
    server = ThreadingServer(("127.0.0.1", 0), RuntimeApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"127.0.0.1:{server.server_address[1]}"


# --- moto behind a TLS front ------------------------------------------------------------------


def make_test_ca(directory):
    """A throwaway CA and a localhost certificate it signed; returns (ca.pem, cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "usernames cold-start test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = [os.path.join(directory, n) for n in ("ca.pem", "cert.pem", "key.pem")]
    with open(paths[0], "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(paths[1], "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(paths[2], "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return paths


def tls_front(cert, key, upstream_port):
    """Runs forever: terminates TLS on a free port (printed on stdout) and keeps each client
    connection alive across requests, as DynamoDB does, sending every request to moto's plain port
    on a new connection (moto's single-threaded server closes each one). Exits when stdin reaches
    EOF, so it dies with the benchmark."""
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    async def read_message(reader):
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        return head, await reader.readexactly(length)

    def kept_alive(head):
        lines = head.split(b"\r\n")
        status = lines[0].replace(b"HTTP/1.0", b"HTTP/1.1", 1)
        kept = [l for l in lines[1:] if l and not l.lower().startswith(b"connection:")]
        return b"\r\n".join([status, *kept]) + b"\r\n\r\n"

    async def connection(client_reader, client_writer):
        try:
            while True:
                request = b"".join(await read_message(client_reader))
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", upstream_port)
                up_writer.write(request)
                await up_writer.drain()
                head, body = await read_message(up_reader)
                up_writer.close()
                client_writer.write(kept_alive(head) + body)
                await client_writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, OSError, ValueError):
            pass
        finally:
            client_writer.close()

    async def main():
        server = await asyncio.start_server(connection, "127.0.0.1", 0, ssl=context)
        print(server.sockets[0].getsockname()[1], flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.buffer.read)

    asyncio.run(main())


def start_child(args):
    """A helper process that prints its port; it exits when our end of its stdin closes."""
    child = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    line = child.stdout.readline().strip()
    if not line:
        raise SystemExit(f"cold_start: {args[1]} did not start")
    return child, int(line)


# --- the events -------------------------------------------------------------------------------


def fixture(name):
    with open(os.path.join(EVENTS, name)) as f:
        return json.load(f)


def events_for(tag):
    """The events one measured spawn of each function gets, from the repo's fixtures: a fresh user
    and name per round and variant, reserved by pre-sign-up, committed by post-confirmation, read
    by the token trigger; the API checks a free name."""
    user = str(uuid.uuid4())
    name = f"bench_{tag}"
    events = {
        "pre-sign-up": fixture("pre-sign-up-signup.json"),
        "post-confirmation": fixture("post-confirmation-confirm-sign-up.json"),
        "pre-token-generation": fixture("token-generation-v2-authentication.json"),
    }
    for event in events.values():
        event["userName"] = user
        attributes = event["request"]["userAttributes"]
        attributes["preferred_username"] = name
        attributes["email"] = f"{tag}@example.com"
        if "sub" in attributes:
            attributes["sub"] = user
        attributes.pop("cognito:email_alias", None)
    available = fixture("api/get-username-public.json")
    free = f"free_{tag}"
    available["rawPath"] = f"/v1/usernames/{free}"
    available["requestContext"]["http"]["path"] = f"/v1/usernames/{free}"
    available["pathParameters"] = {"name": free}
    events["username-api"] = available
    return events


RENAME = "username-api rename"


def rename_event(user, tag):
    """A signed-in user's `PUT /v1/me/username` as API Gateway hands it over, with the claims its
    JWT authorizer verified: the user of moto's pool, renaming to a fresh name."""
    event = fixture("api/put-username-jwt.json")
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    claims["sub"] = user["sub"]
    claims["username"] = user["username"]
    event["body"] = json.dumps({"username": f"renamed_{tag}"})
    return event


def answered_ok(subject, answer):
    """The function did its job, not just answered: a rejection would measure a different path."""
    body = json.loads(answer)
    if subject == RENAME:
        return body.get("statusCode") == 200 and '"username"' in body.get("body", "")
    if subject == "username-api":
        return body.get("statusCode") == 200 and '"available":true' in body.get("body", "").replace(" ", "")
    if subject == "pre-token-generation":
        return "claims" in json.dumps(body.get("response", {}))
    return "triggerSource" in body


# --- measuring --------------------------------------------------------------------------------


def peak_rss_kb(pid):
    """The process's own peak resident set (VmHWM). Not rusage's ru_maxrss, which Linux carries
    across exec, so a spawned child reports its parent's (this interpreter's) size."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def spawn_once(path, env, event, log):
    inv = Invocation(event)
    RuntimeApi.current = inv
    started = time.perf_counter_ns()
    pid = os.posix_spawn(
        path,
        [path],
        env,
        file_actions=[
            (os.POSIX_SPAWN_DUP2, log.fileno(), 1),
            (os.POSIX_SPAWN_DUP2, log.fileno(), 2),
        ],
    )
    finished = inv.done.wait(timeout=30)
    peak_kb = peak_rss_kb(pid)
    os.kill(pid, 9)
    _, status, _ = os.wait4(pid, 0)
    RuntimeApi.current = None
    if not finished or inv.error or inv.next_at is None or inv.answered_at is None:
        reason = inv.error or ("no answer in 30 s" if not finished else f"exit status {status}")
        raise SystemExit(f"cold_start: {os.path.basename(path)} failed: {reason} (log: {log.name})")
    return {
        "init_ms": (inv.next_at - started) / 1e6,
        "first_event_ms": (inv.answered_at - inv.next_at) / 1e6,
        "rss_mb": peak_kb / 1024,
        "answer": inv.answer,
    }


def count_init_instructions(path, env, work, label):
    """Instructions one spawn executes from exec to its first /next, counted by valgrind's
    cachegrind (no cache simulation): unlike wall time, the same for the same binary, input and
    environment whatever else the machine is doing."""
    inv = Invocation({})
    RuntimeApi.current = inv
    RuntimeApi.end_at_first_next = True
    out = os.path.join(work, "cachegrind." + re.sub(r"[^a-z0-9-]+", "_", label))
    with open(os.path.join(work, "valgrind.log"), "a") as log:
        process = subprocess.Popen(
            ["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={out}", path],
            env=env,
            stdout=log,
            stderr=log,
        )
        try:
            process.wait(timeout=300)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            RuntimeApi.current = None
            RuntimeApi.end_at_first_next = False
    if inv.next_at is None or inv.error:
        raise SystemExit(f"cold_start: {label} under valgrind: {inv.error or 'no /next'} (log: {log.name})")
    with open(out) as f:
        for line in f:
            if line.startswith("summary:"):
                return int(line.split()[1])
    raise SystemExit(f"cold_start: no summary in {out}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--bin", action="append", default=[], help="NAME=PATH")
    parser.add_argument("--cli", required=True, help="the usernames binary, to create the table")
    parser.add_argument("--json", help="write every sample here")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count init's instructions once per binary under valgrind (cachegrind)",
    )
    parser.add_argument("--tls-front", nargs=3, metavar=("CERT", "KEY", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tls_front:
        return tls_front(args.tls_front[0], args.tls_front[1], int(args.tls_front[2]))

    binaries = dict(item.split("=", 1) for item in args.bin)
    floors = ["echo", "sdk-echo"]
    functions = [name for name in binaries if name not in floors]
    missing = [name for name in floors if name not in binaries]
    if missing:
        raise SystemExit(f"cold_start: --bin {missing[0]}=PATH is required")

    work = tempfile.mkdtemp(prefix="usernames-cold-start-")
    ca, cert, key = make_test_ca(work)
    moto, moto_port = start_child([sys.executable, os.path.join(HERE, "moto_server.py")])
    front, tls_port = start_child(
        [sys.executable, os.path.abspath(__file__), "--cli", "-", "--tls-front", cert, key, str(moto_port)]
    )
    runtime_api = start_runtime_api()
    home = os.path.join(work, "home")  # no ~/.aws, as in Lambda
    os.mkdir(home)
    base_env = {
        "PATH": "/usr/bin:/bin",
        "HOME": home,
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/bench",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_SESSION_TOKEN": "test",
        "AWS_ENDPOINT_URL_DYNAMODB": f"https://localhost:{tls_port}",
        "SSL_CERT_FILE": ca,
        "USERNAMES_TABLE": TABLE,
        "USERNAMES_CONTACT_HASH_KEY": CONTACT_KEY,
    }
    created = subprocess.run(
        [args.cli, "table", "create"],
        env={**base_env, "AWS_ENDPOINT_URL_DYNAMODB": f"http://127.0.0.1:{moto_port}"},
        capture_output=True,
        text=True,
    )
    if created.returncode != 0:
        raise SystemExit(f"cold_start: table create failed: {created.stderr.strip()}")
    # The pool the API function opens at init and a rename mirrors into, with the one user who
    # renames (no cooldown, so every spawn's first request is a real rename).
    import boto3

    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=f"http://127.0.0.1:{moto_port}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    pool_id = cognito.create_user_pool(PoolName="cold-start")["UserPool"]["Id"]
    created_user = cognito.admin_create_user(UserPoolId=pool_id, Username="renaming-user")["User"]
    renamer = {
        "username": created_user["Username"],
        "sub": next(a["Value"] for a in created_user["Attributes"] if a["Name"] == "sub"),
    }
    api_env = {
        "USERNAMES_USER_POOL_ID": pool_id,
        "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": f"https://localhost:{tls_port}",
        "USERNAMES_RENAME_COOLDOWN": "0",
    }

    # Each function twice: with its connections opened at init (the default) and without.
    subjects = [("echo", "echo", {}), ("sdk-echo", "sdk-echo", {})]
    measured = [(name, name, api_env if name == "username-api" else {}) for name in functions]
    if "username-api" in functions:
        measured.append((RENAME, "username-api", api_env))
    subjects += measured
    for label, name, extra in measured:
        subjects.append((f"{label} (cold connection)", name, {**extra, "USERNAMES_WARM_CONNECTION": "false"}))

    samples = {label: [] for label, _, _ in subjects}
    log = open(os.path.join(work, "functions.log"), "w")
    # Round 0 warms the page cache and moto; it is not counted.
    for round_ in range(args.rounds + 1):
        events = {}
        for cold in (False, True):
            tag = f"r{round_}{'c' if cold else 'w'}"
            events[cold] = events_for(tag)
            events[cold][RENAME] = rename_event(renamer, tag)
        for label, binary, extra in subjects:
            cold = "USERNAMES_WARM_CONNECTION" in extra
            subject = label.removesuffix(" (cold connection)")
            event = events[cold].get(subject, events[cold].get(binary, events[cold]["pre-sign-up"]))
            sample = spawn_once(binaries[binary], {**base_env, **extra}, event, log)
            if binary in functions and not answered_ok(subject, sample["answer"]):
                raise SystemExit(f"cold_start: {label} answered {sample['answer'][:300]!r}")
            if round_ > 0:
                del sample["answer"]
                samples[label].append(sample)
        print(f"round {round_}/{args.rounds}", file=sys.stderr, flush=True)

    counts = {}
    if args.instructions:
        if shutil.which("valgrind") is None:
            raise SystemExit("cold_start: --instructions needs valgrind (apt-get install valgrind)")
        for label, binary, extra in subjects:
            if label.startswith(RENAME):
                continue  # the same binary and variables as the availability check's init
            counts[label] = count_init_instructions(binaries[binary], {**base_env, **extra}, work, label)
            print(f"counted {label}", file=sys.stderr, flush=True)

    moto.stdin.close()
    front.stdin.close()
    report(samples, args.rounds)
    if counts:
        report_instructions(counts)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"samples": samples, "init_instructions": counts}, f, indent=1)


def report(samples, rounds):
    med = {
        label: {k: statistics.median(s[k] for s in rows) for k in ("init_ms", "first_event_ms", "rss_mb")}
        for label, rows in samples.items()
    }
    echo, sdk = med["echo"]["init_ms"], med["sdk-echo"]["init_ms"]
    print(f"\nmedians of {rounds} spawns each, alternating in one run")
    print("init: spawn -> first /next; first event: the event handed out -> its response")
    print("\n| floor | init (ms) | first event (ms) | peak RSS (MB) |")
    print("| --- | ---: | ---: | ---: |")
    for label in ("echo", "sdk-echo"):
        m = med[label]
        print(f"| {label} | {m['init_ms']:.2f} | {m['first_event_ms']:.2f} | {m['rss_mb']:.1f} |")
    print(
        "\n| function | init without the warm-up (ms) | / SDK echo | / bare echo "
        "| init with it (ms) | first event, warm / cold connection (ms) | peak RSS (MB) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, warm in med.items():
        cold = med.get(f"{label} (cold connection)")
        if cold is None:
            continue
        print(
            f"| {label} | {cold['init_ms']:.2f} | {cold['init_ms'] / sdk:.2f}x | {cold['init_ms'] / echo:.2f}x "
            f"| {warm['init_ms']:.2f} | {warm['first_event_ms']:.2f} / {cold['first_event_ms']:.2f} "
            f"| {max(warm['rss_mb'], cold['rss_mb']):.1f} |"
        )


def report_instructions(counts):
    echo, sdk = counts["echo"], counts["sdk-echo"]
    print("\ninit instructions (valgrind cachegrind, exec -> first /next, one spawn each)")
    print("\n| binary | init without the warm-up (M instr) | / SDK echo | / bare echo | with it (M instr) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label in ("echo", "sdk-echo"):
        print(f"| {label} | {counts[label] / 1e6:.1f} | {counts[label] / sdk:.2f}x | {counts[label] / echo:.2f}x | |")
    for label, warm in counts.items():
        cold = counts.get(f"{label} (cold connection)")
        if cold is None:
            continue
        print(f"| {label} | {cold / 1e6:.1f} | {cold / sdk:.2f}x | {cold / echo:.2f}x | {warm / 1e6:.1f} |")


if __name__ == "__main__":
    main()
