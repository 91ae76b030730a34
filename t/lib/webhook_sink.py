#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""webhook_sink.py: a webhook receiver on loopback for t/6021-alerting.t.

  webhook_sink.py PORT FILE

Listens on 127.0.0.1:PORT.  Every POST whose body is JSON (at most
MAX_BODY bytes) is answered 200 and appended to FILE as one line,
{"path": PATH, "body": BODY}, so Alertmanager's notifications can be
read back in the order they came: the path says which receiver sent it
(the test points each receiver at a path of its own name).  A body too
big, or not JSON, is answered 413 or 400 and recorded as
{"path": PATH, "error": WHY}.  Anything else (GET /metrics, say) is
answered 404: the test also uses this port as a host that answers
Prometheus with no metrics.
"""
import http.server
import json
import sys
import threading

MAX_BODY = 1 << 20
LOCK = threading.Lock()


class Sink(http.server.BaseHTTPRequestHandler):
    def record(self, entry):
        line = json.dumps(entry, sort_keys=True) + "\n"
        with LOCK, open(self.server.out, "a", encoding="utf-8") as f:
            f.write(line)

    def answer(self, code):
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        try:
            n = int(self.headers.get("Content-Length", ""))
        except ValueError:
            n = -1
        if n < 0 or n > MAX_BODY:
            self.record({"path": self.path, "error": "length %r" % self.headers.get("Content-Length")})
            self.close_connection = True
            self.answer(413)
            return
        raw = self.rfile.read(n)
        try:
            body = json.loads(raw)
        except ValueError as e:
            self.record({"path": self.path, "error": "not JSON: %s" % e})
            self.answer(400)
            return
        self.record({"path": self.path, "body": body})
        self.answer(200)

    def do_GET(self):
        self.answer(404)

    def log_message(self, *args):
        pass


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: webhook_sink.py PORT FILE")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink)
    server.out = sys.argv[2]
    server.serve_forever()


if __name__ == "__main__":
    main()
