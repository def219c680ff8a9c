"""A single-threaded moto server on loopback for the DynamoDB test suites.

Prints its port on stdout once it listens, and exits as soon as its stdin reaches EOF, so it
dies with the test process that started it, however that process ends. Single-threaded because
moto checks a condition and then writes without a lock: with several request threads, two
concurrent conditional writes on one key can both succeed, which real DynamoDB never allows
(docs/testing.md).
"""

import logging
import os
import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server


def exit_at_stdin_eof() -> None:
    sys.stdin.buffer.read()
    os._exit(0)


def main() -> None:
    # One line per request on stderr would drown the test output.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", 0, app, threaded=False)
    threading.Thread(target=exit_at_stdin_eof, daemon=True).start()
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
