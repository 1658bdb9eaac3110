"""The moto server the AWS adapters' tests (and `npm run engines`) talk to, on loopback.

Why not `python -m moto.server`: moto is not thread-safe for concurrent DynamoDB transactions
(a few percent of HTTP 500s at a concurrency of 2 to 8), so requests to DynamoDB and DynamoDB
Streams run one at a time under a lock here; every other service keeps werkzeug's threads.
The server binds an ephemeral port itself (no race for a free port), prints
`MOTO_READY <port>` once it listens, and exits when its standard input closes, so a test run
that dies never leaves it behind.

Usage: python moto_server.py [--host 127.0.0.1] [--port 0]
"""

import argparse
import os
import sys
import threading

from werkzeug.serving import make_server

from moto.moto_server.threaded_moto_server import MotoRequestHandler
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app


class SerialisedDynamoDb:
    """WSGI middleware: DynamoDB requests one at a time, the response body consumed under the lock."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
            return self.app(environ, start_response)
        with self.lock:
            return list(self.app(environ, start_response))


def exit_when_stdin_closes():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--keep-running", action="store_true", help="do not exit when stdin closes")
    args = parser.parse_args()

    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(args.host, args.port, SerialisedDynamoDb(app), threaded=True, request_handler=MotoRequestHandler)
    # moto builds callback URLs (SNS -> SQS, for one) from MOTO_PORT.
    os.environ["MOTO_PORT"] = str(server.server_port)
    if not args.keep_running:
        threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    print(f"MOTO_READY {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
