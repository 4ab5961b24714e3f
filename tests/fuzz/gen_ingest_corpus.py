#!/usr/bin/env python3
# Writes the seed corpus of fuzz_ingest (tests/fuzz/corpus/ingest) in the
# record format that fuzz_ingest.c documents. Run from anywhere.
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "ingest")


def rec(sel, body):
    return bytes([sel]) + struct.pack("<H", len(body)) + body


def exec_(pid, ppid, path, comm, args, sel=0):
    p = path.encode() if isinstance(path, str) else path
    a = b"\0".join(x.encode() if isinstance(x, str) else x for x in args) + b"\0"
    c = (comm.encode() if isinstance(comm, str) else comm)[:8].ljust(8, b"\0")
    return rec(sel | 0, bytes([pid, ppid, len(p)]) + p + c + a)


def fork(pid, child):
    return rec(1, bytes([pid, child]))


def exit_(pid, code):
    return rec(2, bytes([pid]) + struct.pack("<H", code))


def go(pid, kind, bin_, value, state=1):
    return rec(3, bytes([pid, kind, bin_]) + struct.pack("<Q", value) + bytes([state]))


def io(pid, dirw, where, data, extra=0):
    d = data.encode() if isinstance(data, str) else data
    return rec(4, bytes([pid, dirw, where]) + struct.pack("<H", extra) + d)


def listen(pid, port):
    return rec(5, bytes([pid]) + struct.pack("<H", port))


def set_go(pid, bin_, note, version=True):
    return rec(7 | (0x80 if version else 0), bytes([pid, bin_]) + note.encode())


def root(pid):
    return rec(8, bytes([pid]))


# the kernel-level breakdown (issue 12)
S_IN, S_OUT, S_WAKE, S_NEW = 1, 2, 3, 4
RUNNING, RUNNABLE, SLEEP, DISK, IOWAIT, STOPPED, DEAD = range(7)


def sched(pid, thr, what, state, run=0, mn=0, mj=0, vol=0, inv=0, back=0):
    return rec(9, bytes([pid, thr, what, state, back]) + struct.pack("<H", run) + bytes([mn, mj, vol, inv]))


def open_(pid, fd, dev, ino, path, sel=0):
    return rec(sel | 10, bytes([pid, fd + 4, dev, ino]) + path.encode())


def fread(pid, fd, dev, ino, nbytes):
    return rec(11, bytes([pid, fd, dev, ino]) + struct.pack("<H", nbytes))


def pcache(pid, dev, ino, pages):
    return rec(12, bytes([pid, dev, ino, pages]))


def go_start(pid, bin_, n):
    out = go(pid, 1, bin_, 1000000000)
    for i in range(n):
        out += go(pid, 5, bin_, 0x1000 * (i + 1) + i) + go(pid, 6, bin_, 0)
    return out + go(pid, 4, bin_, 0)


# sockets: where = 0x80 | k; odd k: the agent's end (lport 9001)
RT_SOCK, AG_SOCK = 0x80 | 2, 0x80 | 3
NEXT = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n\r\n"
NEXT_RESP = ("HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: req-1\r\n"
             "Lambda-Runtime-Deadline-Ms: 1\r\nContent-Length: 2\r\n\r\n{}")
POST = ("POST /2018-06-01/runtime/invocation/req-1/response HTTP/1.1\r\nHost: h\r\n"
        "Content-Length: 2\r\n\r\n{}")
ACCEPTED = "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"


def cold_start():
    s = root(0) + exec_(0, 7, "/opt/agent", "agent", ["/opt/agent", "--port", "9001"])
    s += set_go(0, 1, "") + go_start(0, 1, 3) + listen(0, 9001)
    s += io(0, 1, 1, "INIT_START Runtime Version: go:1 Runtime Version ARN: arn:x\n")
    s += fork(0, 1) + exec_(1, 0, "/var/task/bootstrap", "bootstrap", ["bootstrap"])
    s += set_go(1, 2, "") + go_start(1, 2, 2)
    s += io(1, 1, RT_SOCK, NEXT) + io(0, 0, AG_SOCK, NEXT)
    s += io(0, 1, AG_SOCK, NEXT_RESP) + io(1, 0, RT_SOCK, NEXT_RESP)
    s += io(0, 1, 1, "START RequestId: req-1 Version: $LATEST\n")
    s += io(1, 1, RT_SOCK, POST) + io(0, 0, AG_SOCK, POST)
    s += io(0, 1, AG_SOCK, ACCEPTED) + io(1, 0, RT_SOCK, ACCEPTED)
    s += io(0, 1, 1, "END RequestId: req-1\nREPORT RequestId: req-1\tInit Duration: 1.50 ms\t"
                     "Duration: 2.00 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\n")
    s += io(0, 1, 1, "INIT REPORT(durationMs: 14.5, status: success)\n")
    s += exit_(1, 0) + exit_(0, 0)
    return s


def secrets():
    s = root(0) + exec_(0, 7, "/tmp/AWS_SECRET_ACCESS_KEY=abc/x", "x",
                        ["curl", "-H", "Authorization: Bearer tok", "--password", "pw",
                         "https://u:p@h/o?X-Amz-Signature=s&a=1"])
    s += io(0, 1, RT_SOCK, "GET /o?X-Amz-Credential=c&plain=v#frag HTTP/1.1\r\nHost: h\r\n"
                           "User-Agent: token=t\r\nAuthorization: Basic x\r\n\r\n")
    s += io(0, 1, 2, "START RequestId: r password=p secret: s Version: {\"token\":\"t\"}\n")
    s += set_go(0, 1, "cannot read /x?token=abc")
    return bytes([0]) + s, bytes([1]) + s


def escapes():
    s = root(0) + exec_(0, 7, b"/tmp/a\ninit forged @0 ms, 1 ms clock, 0 bytes, 0 allocs\n\x1b[31m", b"a\x1b[2J",
                        [b"a", b"\x1b]0;t\x07"])
    s += go_start(0, 1, 3)
    s += exec_(1, 0, b"/tmp/b\x9b\xc2\x9b\xe2\x80\xae", b"b", [b"b"]) + go_start(1, 0, 2)
    s += io(0, 1, 1, b"START RequestId: \x1b]0;x\x07 Version: \x7f\n")
    return bytes([0]) + s


def flood():
    line = "START RequestId: " + "x" * 3000 + "\n"
    s = root(0) + exec_(0, 7, "/opt/agent", "agent", ["agent"])
    for i in range(40):
        s += io(0, 1, 1, line)
    for i in range(40):
        s += io(1, 1, 0x80 | (i % 8 & 6), "GET /f/%d?q=%d HTTP/1.1\r\nHost: h\r\n\r\n" % (i, i))
    return bytes([2 << 1]) + s  # a 16 KiB budget


def odd():
    # truncated captures, a raw record of each type with a bad size, exits
    s = root(0) + io(0, 1, RT_SOCK, NEXT[:20], extra=100) + io(0, 1, RT_SOCK, NEXT[40:])
    for t in range(0, 13):
        s += rec(6, struct.pack("<IIIIQII", t, 100, 100, 100, 5, 100, 0))
    s += exit_(0, 0x0900) + go(3, 6, 0, 0) + go(3, 3, 0, 0)
    return bytes([0]) + s


def breakdown():
    # a cold start with threads, files and misses; then records out of order,
    # lost (an IN after an IN), a thread's death and its tid again
    s = root(0) + exec_(0, 7, "/opt/agent", "agent", ["agent"])
    s += sched(0, 0, S_NEW, RUNNABLE) + sched(0, 0, S_IN, RUNNING) + pcache(0, 1, 3, 4)
    s += open_(0, 3, 1, 2, "/var/task/node_modules/x/index.js") + pcache(0, 1, 2, 2)
    s += fread(0, 3, 1, 2, 4096) + fread(0, 3, 1, 2, 900)
    s += sched(0, 1, S_NEW, RUNNABLE) + sched(0, 1, S_IN, RUNNING, 1) + sched(0, 0, S_OUT, IOWAIT, 50, 10, 2, 1)
    s += sched(0, 0, S_WAKE, RUNNABLE, 50, 10, 2, 1) + sched(0, 0, S_IN, RUNNING, 50, 10, 2, 1)
    s += sched(0, 1, S_OUT, DEAD, 9, 1, 0, 1) + go_start(0, 1, 2) + listen(0, 9001)
    s += fork(0, 1) + exec_(1, 0, "/var/task/bootstrap", "bootstrap", ["bootstrap"])
    s += sched(1, 0, S_NEW, RUNNABLE) + sched(1, 0, S_IN, RUNNING) + fread(1, 3, 1, 2, 100)
    s += open_(1, -1, 1, 1, "/missing") + open_(1, 4, 2, 3, "rel/site-packages/y.py", 0x80)
    s += sched(1, 0, S_OUT, SLEEP, 20, 3, 0, 1) + sched(1, 0, S_OUT, DISK, 10, back=5)
    s += sched(1, 0, S_IN, RUNNING, 20, 3, 0, 1) + sched(1, 0, S_IN, RUNNING, 30, 3, 0, 1)
    s += sched(1, 0, S_OUT, STOPPED, 2, 0, 0, 0) + sched(1, 0, S_WAKE, RUNNABLE)
    s += sched(0, 1, S_IN, RUNNING) + sched(1, 0, 7, 9) + sched(0, 0, S_OUT, RUNNING)
    s += exit_(1, 0) + sched(0, 0, S_OUT, DEAD, 80, 12, 2, 2) + exit_(0, 0)
    return bytes([0]) + s


# CPython imports (issue 14): kind 13, what 1 start / 2 end
PY_UTF8, PY_UCS1, PY_UCS2, PY_UCS4, PY_NONE = range(5)


def py(pid, what, depth, name=b"", thr=0, kind=PY_UTF8, extra=0):
    n = name.encode() if isinstance(name, str) else name
    return rec(13, bytes([pid, what, depth, thr, kind | (extra << 4)]) + n)


def python():
    s = exec_(0, 0, "/usr/bin/python3", "python3", ["python3", "app.py"])
    s += py(0, 1, 1, "_frozen_importlib_external") + py(0, 1, 2, "_io") + py(0, 2, 2)
    s += py(0, 2, 1) + py(0, 1, 1, "app") + py(0, 1, 3, "json") + py(0, 1, 4, "json.decoder")
    s += py(0, 2, 4) + py(0, 2, 3) + py(0, 1, 2, "caf\xe9".encode("latin-1"), kind=PY_UCS1)
    s += py(0, 2, 2) + py(0, 1, 2, "\u65e5\u672c".encode("utf-16-le"), kind=PY_UCS2)
    s += py(0, 1, 3, "\U0001f40d".encode("utf-32-le"), kind=PY_UCS4, extra=3) + py(0, 2, 3)
    s += py(0, 1, 2, "t", thr=1) + py(0, 2, 2, thr=1) + py(0, 2, 5) + py(0, 1, 3, b"\xff\xfe", kind=PY_NONE)
    s += py(0, 1, 2, "x" * 140) + py(0, 3, 1) + py(0, 2, 1) + py(0, 1, 1, "never.ended")
    s += exit_(0, 0)
    return bytes([0]) + s


def main():
    os.makedirs(OUT, exist_ok=True)
    a, b = secrets()
    seeds = {"cold_start": bytes([0]) + cold_start(), "secrets": a, "secrets_keep_query": b,
             "escapes": escapes(), "flood_small_budget": flood(), "odd_records": odd(),
             "breakdown": breakdown(), "breakdown_small_budget": bytes([1 << 1]) + breakdown()[1:] * 8,
             "python": python()}
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
