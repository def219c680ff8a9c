"""What the pytest suites (tests/e2e, tests/openapi) share to run local servers: a free loopback
port, waiting until a process listens on one, and the `usernames` binary under test."""

import os
import socket
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, name: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not listen on port {port} within {timeout} s")


def usernames_bin() -> Path:
    """`USERNAMES_BIN` (scripts/test sets it to the binary `cargo test` built), else the debug
    build; a missing one fails the suite with how to build it, never skips it."""
    path = Path(os.environ.get("USERNAMES_BIN", REPO / "target" / "debug" / "usernames"))
    if not path.exists():
        raise RuntimeError(f"{path} is missing: build it with `cargo build -p usernames`")
    return path
