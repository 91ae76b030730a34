#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""fcgi_client.py: a minimal FastCGI client for tests that talk to inkwelld
directly, without nginx in between.

  fcgi_client.py ADDRESS METHOD URI [options]
    ADDRESS   unix:/path/to.sock or HOST:PORT
    -H K=V    extra parameter (e.g. HTTP_COOKIE=a=1); repeatable
    -b BODY   request body (CONTENT_LENGTH is set from it)
    --body-size N  a body of N bytes instead of -b
    --stall N send half the body, wait N seconds, then the rest; with
              --pidfile-signal PID:SIG the signal is sent during the stall
Prints the raw CGI response (headers, blank line, body) to stdout and exits
0 when a complete FCGI_END_REQUEST arrived, 1 otherwise.
"""
import argparse
import os
import signal
import socket
import struct
import sys
import time

BEGIN, ABORT, END, PARAMS, STDIN, STDOUT, STDERR = 1, 2, 3, 4, 5, 6, 7


def record(rtype, content, req_id=1):
    out = b""
    # Records carry at most 65535 bytes; split longer content.
    for i in range(0, max(len(content), 1), 65535):
        chunk = content[i:i + 65535]
        pad = (8 - len(chunk) % 8) % 8
        out += struct.pack("!BBHHBx", 1, rtype, req_id, len(chunk), pad)
        out += chunk + b"\0" * pad
        if not content:
            break
    return out


def nv(name, value):
    def ln(n):
        return struct.pack("!B", n) if n < 128 else struct.pack("!I", n | 0x80000000)
    return ln(len(name)) + ln(len(value)) + name + value


def connect(address):
    if address.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(address[5:])
    else:
        host, port = address.rsplit(":", 1)
        s = socket.create_connection((host.strip("[]"), int(port)))
    s.settimeout(30)
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("address")
    ap.add_argument("method")
    ap.add_argument("uri")
    ap.add_argument("-H", action="append", default=[])
    ap.add_argument("-b", default=None)
    ap.add_argument("--body-size", type=int, default=None,
                    help="send a body of this many 'x' bytes")
    ap.add_argument("--stall", type=float, default=0)
    ap.add_argument("--signal", default=None, help="PID:SIGNAME during stall")
    ap.add_argument("--closed-within", type=float, default=None,
                    help="after the answer, exit 3 unless the server has "
                    "closed the connection (not just its sending side) "
                    "within SECONDS")
    a = ap.parse_args()

    if a.body_size is not None:
        a.b = "x" * a.body_size
    body = a.b.encode() if a.b is not None else b""
    path, _, query = a.uri.partition("?")
    params = {
        "REQUEST_METHOD": a.method, "REQUEST_URI": a.uri,
        "QUERY_STRING": query, "SCRIPT_NAME": path, "DOCUMENT_URI": path,
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "GATEWAY_INTERFACE": "CGI/1.1",
    }
    if a.b is not None:
        params["CONTENT_LENGTH"] = str(len(body))
    for kv in a.H:
        k, _, v = kv.partition("=")
        params[k] = v
    s = connect(a.address)
    msg = record(BEGIN, struct.pack("!HB5x", 1, 0))
    msg += record(PARAMS, b"".join(nv(k.encode(), v.encode()) for k, v in params.items()))
    msg += record(PARAMS, b"")
    s.sendall(msg)
    try:
        if a.stall and body:
            half = len(body) // 2
            s.sendall(record(STDIN, body[:half]))
            if a.signal:
                pid, sig = a.signal.split(":")
                time.sleep(0.2)
                os.kill(int(pid), getattr(signal, sig))
            time.sleep(a.stall)
            s.sendall(record(STDIN, body[half:]))
        elif body:
            s.sendall(record(STDIN, body))
        s.sendall(record(STDIN, b""))
    except (BrokenPipeError, ConnectionResetError):
        # The server answered without reading the whole body (a 413
        # refuses it unread) and closed: its answer is still to be read.
        pass

    buf, out, ended = b"", b"", False
    while not ended:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        buf += chunk
        while len(buf) >= 8:
            _, rtype, _, clen, plen = struct.unpack("!BBHHBx", buf[:8])
            if len(buf) < 8 + clen + plen:
                break
            content = buf[8:8 + clen]
            buf = buf[8 + clen + plen:]
            if rtype == STDOUT:
                out += content
            elif rtype == STDERR:
                sys.stderr.buffer.write(content)
            elif rtype == END:
                ended = True
    sys.stdout.buffer.write(out)
    if not ended:
        return 1
    if a.closed_within is not None:
        # A server that only shut its sending side down (to wait for
        # ours) still takes bytes; a closed socket refuses them.
        until = time.monotonic() + a.closed_within
        while time.monotonic() < until:
            try:
                s.send(b"x")
            except (BrokenPipeError, ConnectionResetError):
                return 0
            time.sleep(0.05)
        sys.stderr.write("still open after %.1f s\n" % a.closed_within)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
