#!/usr/bin/python3
# otlp_receiver.py DIR [FAIL_FIRST]
# A stand-in OTLP/HTTP collector for otlp_post.sh: listens on 127.0.0.1:0,
# writes its port to DIR/port once listening, answers 503 to the first
# FAIL_FIRST POSTs (default 0), then keeps each POST body whose path is
# /v1/traces and whose Content-Type is application/json as DIR/body-N.json
# (N from 1) and answers 200 "{}"; anything else is answered 400 and noted
# in DIR/errors. Every request is logged in DIR/requests ("POST /v1/traces
# 503"). Runs until killed.
import http.server
import os
import sys

out = sys.argv[1]
fail_first = int(sys.argv[2]) if len(sys.argv) > 2 else 0
seen = 0
kept = 0


def note(name, line):
    with open(os.path.join(out, name), "a") as f:
        f.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def do_POST(self):
        global seen, kept
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        seen += 1
        if seen <= fail_first:
            note("requests", "POST %s 503" % self.path)
            self.answer(503, b'{"error":"try later"}')
            return
        problems = []
        if self.path != "/v1/traces":
            problems.append("path %s" % self.path)
        if self.headers.get("Content-Type") != "application/json":
            problems.append("Content-Type %s" % self.headers.get("Content-Type"))
        if problems:
            note("errors", "; ".join(problems))
            note("requests", "POST %s 400" % self.path)
            self.answer(400, b'{"error":"bad request"}')
            return
        kept += 1
        with open(os.path.join(out, "body-%d.json" % kept), "wb") as f:
            f.write(body)
        note("requests", "POST %s 200" % self.path)
        self.answer(200, b"{}")

    def do_GET(self):
        note("requests", "GET %s 405" % self.path)
        self.answer(405, b"{}")

    def log_message(self, *args):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
tmp = os.path.join(out, "port.tmp")
with open(tmp, "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(tmp, os.path.join(out, "port"))
srv.serve_forever()
