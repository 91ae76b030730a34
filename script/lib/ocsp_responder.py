#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""An OCSP responder on loopback for the private ACME CA (script/lib/acme.sh).

    ocsp_responder.py PORT INDEX CA_CERT CA_KEY

Answers OCSP requests (RFC 6960: POST with the DER request as the body, or
GET with it base64-encoded in the path, which is what nginx sends) on
127.0.0.1:PORT. Each answer is made by "openssl ocsp" from INDEX (an
openssl ca index: "V" lines are good, "R" revoked, other serials unknown),
signed by CA_CERT/CA_KEY: the issuer of the certificates asked about.
openssl's own responder mode listens on every address; this one does not.
"""

import base64
import binascii
import http.server
import subprocess
import sys
import urllib.parse

MAX_REQUEST = 8192


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "inkwell-test-ocsp"

    def answer(self, der):
        if not der or len(der) > MAX_REQUEST:
            self.send_error(400, "no OCSP request")
            return
        index, cert, key = self.server.ca
        try:
            out = subprocess.run(
                ["openssl", "ocsp", "-reqin", "/dev/stdin", "-index", index,
                 "-CA", cert, "-rsigner", cert, "-rkey", key,
                 "-nmin", "60", "-respout", "/dev/stdout"],
                input=der, capture_output=True, timeout=10, check=True)
        except subprocess.CalledProcessError as e:
            sys.stderr.write("ocsp: openssl failed: %s\n" % e.stderr.decode(errors="replace"))
            self.send_error(500, "openssl ocsp failed")
            return
        except (subprocess.SubprocessError, OSError) as e:
            sys.stderr.write("ocsp: openssl failed: %s\n" % e)
            self.send_error(500, "openssl ocsp failed")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/ocsp-response")
        self.send_header("Content-Length", str(len(out.stdout)))
        self.end_headers()
        self.wfile.write(out.stdout)

    def do_POST(self):
        try:
            n = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            n = -1
        if n <= 0 or n > MAX_REQUEST:
            self.send_error(400, "bad Content-Length")
            return
        self.answer(self.rfile.read(n))

    def do_GET(self):
        path = urllib.parse.unquote(self.path.lstrip("/"))
        try:
            der = base64.b64decode(path, validate=True)
        except (binascii.Error, ValueError):
            self.send_error(400, "not a base64 OCSP request")
            return
        self.answer(der)


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: ocsp_responder.py PORT INDEX CA_CERT CA_KEY")
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    srv.ca = tuple(sys.argv[2:5])
    srv.serve_forever()


if __name__ == "__main__":
    main()
