#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The Linux side of the interop tests: each subcommand is one scenario run
with the kernel's own sockets inside the test's namespace. It prints "ok: ..."
for what it checked and exits 1 with "FAIL: ..." when the kernel reports
something else. Every socket call has a timeout, so nothing hangs."""
import errno
import hashlib
import os
import selectors
import socket
import struct
import subprocess
import sys
import threading
import time

# The family of the row (lib.sh exports them): 4 or 6; "dual" rows use IPv4
# here unless a scenario picks its family itself.
FAMILY = socket.AF_INET6 if os.environ.get("FIN_FAMILY") == "6" else socket.AF_INET
FIN_IP = os.environ.get("FIN_IP", "10.77.0.2")
LINUX_IP = os.environ.get("LINUX_IP", "10.77.0.1")
T0 = time.monotonic()


def ep(addr):
    """An address as ss writes it before ":port"."""
    return f"[{addr}]" if ":" in addr else addr


def ss_family():
    return "-6" if FAMILY == socket.AF_INET6 else "-4"


def log(msg):
    print(f"[{time.monotonic() - T0:7.3f}] {msg}", flush=True)


def fail(msg):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(1)


def ok(msg):
    log(f"ok: {msg}")


def ss_state(local, remote):
    """The kernel's state for one 4-tuple (ss spelling), or None."""
    out = subprocess.run(["ss", "-tanH", ss_family()], capture_output=True, text=True).stdout
    want = (f"{ep(local[0])}:{local[1]}", f"{ep(remote[0])}:{remote[1]}")
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 5 and (f[3], f[4]) == want:
            return f[0]
    return None


def watch_states(local, remote, seconds, until=None):
    """Polls ss every 5 ms; returns the sequence of distinct states seen."""
    seen = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        s = ss_state(local, remote)
        if not seen or seen[-1] != s:
            seen.append(s)
        if until is not None and s in until:
            break
        time.sleep(0.005)
    return seen


def payload(n, seed=1):
    """Deterministic bytes (both ends can recompute them)."""
    out = bytearray()
    block = hashlib.sha256(str(seed).encode()).digest()
    while len(out) < n:
        block = hashlib.sha256(block).digest()
        out += block * 32
    return bytes(out[:n])


def first_difference(want, got):
    """Where got first differs from want, and where in want its bytes come from."""
    i = next((k for k in range(min(len(want), len(got))) if want[k] != got[k]), None)
    if i is None:
        return f"lengths {len(want)} vs {len(got)}"
    j = i
    while j < min(len(want), len(got)) and want[j] != got[j]:
        j += 1
    return (f"bytes [{i}, {j}) differ; they equal the data at offset "
            f"{want.find(got[i:i + 64])} (stale or misplaced)")


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        d = s.recv(n - len(buf))
        if not d:
            fail(f"EOF after {len(buf)} of {n} bytes")
        buf += d
    return buf


def recv_until_eof(s):
    chunks = []
    while True:
        d = s.recv(65536)
        if not d:
            return b"".join(chunks)
        chunks.append(d)


def expect_errno(fn, want, what):
    try:
        r = fn()
    except OSError as e:
        if e.errno != want:
            fail(f"{what}: got {errno.errorcode.get(e.errno, e.errno)}, "
                 f"want {errno.errorcode[want]}")
        ok(f"{what}: {errno.errorcode[want]}")
        return
    fail(f"{what}: returned {r!r}, want {errno.errorcode[want]}")


def client(port, timeout=10, bind_port=0):
    s = socket.socket(FAMILY)
    s.settimeout(timeout)
    if bind_port:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((LINUX_IP, bind_port))
    s.connect((FIN_IP, port))
    return s


def server(port):
    ls = socket.socket(FAMILY)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((LINUX_IP, port))
    ls.listen(16)
    ls.settimeout(15)
    log("ready")
    s, peer = ls.accept()
    s.settimeout(10)
    ls.close()
    return s, (s.getsockname(), peer)


def tuple_of(s):
    return s.getsockname(), s.getpeername()


def close_expect_time_wait(s, local, remote):
    """Linux closed first: after close it must reach TIME-WAIT."""
    s.close()
    seen = watch_states(local, remote, 3, until={"TIME-WAIT"})
    log(f"kernel states after close: {seen}")
    if seen[-1] != "TIME-WAIT":
        fail(f"Linux did not reach TIME-WAIT: {seen}")
    ok("Linux in TIME-WAIT")


TCPI_OPT_SYN_DATA = 32  # linux/tcp.h: the SYN carried data that was acknowledged / taken


def syn_data(s):
    """Whether this connection's SYN data was acknowledged (as client) or
    taken (as server): tcp_info's tcpi_options, its sixth byte."""
    return bool(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)[5] & TCPI_OPT_SYN_DATA)


# ---- scenarios: fin is the server (`fin serve`) ----

def fastopen_client(port):
    """TCP Fast Open (RFC 7413) to fin twice with MSG_FASTOPEN: the first SYN
    asks for a cookie and the data follows the handshake; the second SYN
    carries the cookie and the data, which fin's SYN-ACK acknowledges."""
    for i in range(2):
        s = socket.socket(FAMILY)  # blocking (a timeout would make it non-blocking:
        msg = b"fast open %d\n" % i  # without a cookie, EINPROGRESS); the caller's
        if s.sendto(msg, socket.MSG_FASTOPEN, (FIN_IP, port)) != len(msg):  # timeout bounds it
            fail("sendto(MSG_FASTOPEN) took part of the message")
        s.settimeout(10)
        if recv_exact(s, len(msg)) != msg:
            fail("echo mismatch")
        if syn_data(s) != (i == 1):
            fail(f"connection {i}: SYN data acknowledged is {syn_data(s)}, want {i == 1}")
        ok(f"connection {i}: echo, SYN data acknowledged: {i == 1}")
        s.close()




def linux_closes_first(port):
    """Data both ways, then Linux closes: FIN-WAIT-2 -> TIME-WAIT."""
    s = client(port)
    msg = b"hello from linux\n"
    s.sendall(msg)
    if recv_exact(s, len(msg)) != msg:
        fail("echo mismatch")
    ok("data both ways (echo)")
    local, remote = tuple_of(s)
    close_expect_time_wait(s, local, remote)


def half_close_linux(port, size):
    """Linux sends, shuts down writing, and keeps receiving after its FIN."""
    s = client(port, timeout=30)
    data = payload(size)
    got = []
    after_fin = [0]
    fin_sent = threading.Event()

    def reader():
        while True:
            d = s.recv(65536)
            if not d:
                return
            got.append(d)
            if fin_sent.is_set():
                after_fin[0] += len(d)

    t = threading.Thread(target=reader)
    t.start()
    s.sendall(data)
    local, remote = tuple_of(s)
    s.shutdown(socket.SHUT_WR)
    fin_sent.set()
    st = ss_state(local, remote)
    log(f"kernel state right after SHUT_WR: {st}")
    t.join(30)
    if t.is_alive():
        fail("no EOF from fin within 30 s")
    echoed = b"".join(got)
    if echoed != data:
        fail(f"echo differs: {len(echoed)} of {len(data)} bytes; {first_difference(data, echoed)}")
    ok(f"{len(echoed)} bytes echoed, {after_fin[0]} of them received after our FIN")
    if after_fin[0] == 0:
        fail("nothing arrived after our FIN: half-close not exercised")
    close_expect_time_wait(s, local, remote)


def linux_aborts(port):
    s = client(port)
    s.sendall(b"abort soon\n")
    recv_exact(s, 11)
    ok("data both ways (echo)")
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    local, remote = tuple_of(s)
    s.close()
    if ss_state(local, remote) is not None:
        fail("Linux kept the connection after SO_LINGER {1,0} close")
    ok("Linux sent RST and forgot the connection")


def refused(port):
    s = socket.socket(FAMILY)
    s.settimeout(5)
    expect_errno(lambda: s.connect((FIN_IP, port)), errno.ECONNREFUSED,
                 f"connect to fin port {port} (nobody listening)")


def tw_reuse(port):
    """fin closes first (Connection: close) so fin holds TIME-WAIT; Linux then
    connects again from the same port: it must succeed within one second."""
    req = b"GET / HTTP/1.1\r\nHost: fin\r\nConnection: close\r\n\r\n"
    s = client(port, bind_port=0)
    s.sendall(req)
    r1 = recv_until_eof(s)
    local, remote = tuple_of(s)
    s.close()
    if not r1.startswith(b"HTTP/1.1 200"):
        fail(f"first response: {r1[:40]!r}")
    ok(f"first connection from port {local[1]}: 200, fin closed first")
    # Linux answers fin's FIN and forgets the connection (LAST-ACK -> gone).
    seen = watch_states(local, remote, 2, until={None})
    if seen[-1] is not None:
        fail(f"Linux still holds the first connection: {seen}")
    t = time.monotonic()
    s = client(port, timeout=3, bind_port=local[1])
    took = time.monotonic() - t
    log(f"second connect on the same 4-tuple took {took * 1000:.1f} ms")
    if took >= 1.0:
        fail(f"reconnect took {took:.3f} s (>= 1 s)")
    s.sendall(req)
    r2 = recv_until_eof(s)
    s.close()
    if not r2.startswith(b"HTTP/1.1 200"):
        fail(f"second response: {r2[:40]!r}")
    ok("same 4-tuple reused while fin held TIME-WAIT, within 1 s")


def restart_hold(port, gofile):
    """Holds an established connection across a fin restart, then sends."""
    s = client(port)
    s.sendall(b"before restart\n")
    recv_exact(s, 15)
    ok("data both ways (echo), connection established")
    log("established")
    end = time.monotonic() + 15
    while not os.path.exists(gofile):
        if time.monotonic() > end:
            fail("the test never restarted fin")
        time.sleep(0.02)
    local, remote = tuple_of(s)
    log(f"kernel state before sending: {ss_state(local, remote)}")
    t = time.monotonic()
    s.sendall(b"after restart\n")
    s.settimeout(2)
    expect_errno(lambda: s.recv(100), errno.ECONNRESET, "recv after the restart")
    took = time.monotonic() - t
    log(f"ECONNRESET {took * 1000:.1f} ms after the send")
    if took > 1.0:
        fail(f"reset took {took:.3f} s")
    if ss_state(local, remote) is not None:
        fail("Linux kept the connection")
    ok("Linux got ECONNRESET promptly and dropped the connection")


def k2_client(port):
    """Holds a connection while fin is told to stop: fin's orderly shutdown
    (BEHAVIOR K2) must end it with a FIN, which we answer by closing."""
    s = client(port)
    s.sendall(b"before shutdown\n")
    recv_exact(s, 16)
    ok("data both ways (echo), connection established")
    log("established")
    local, remote = tuple_of(s)
    s.settimeout(10)
    t = time.monotonic()
    try:
        d = s.recv(100)
    except OSError as e:
        fail(f"recv: {errno.errorcode.get(e.errno, e.errno)}, want EOF (fin's FIN)")
    if d != b"":
        fail(f"unexpected data {d!r}")
    log(f"kernel state after fin's FIN: {ss_state(local, remote)}")
    ok(f"EOF (fin's FIN) {(time.monotonic() - t) * 1000:.0f} ms after we waited")
    s.close()
    seen = watch_states(local, remote, 3, until={None})
    if seen[-1] is not None:
        fail(f"Linux did not finish: {seen}")
    ok(f"Linux closed: {seen}")


def k2_hold(port, grace):
    """Holds CLOSE-WAIT through fin's orderly shutdown: at the deadline fin
    must reset the connection (BEHAVIOR K2), which Linux reports as EPIPE."""
    s = client(port)
    s.sendall(b"hold\n")
    recv_exact(s, 5)
    log("established")
    local, remote = tuple_of(s)
    s.settimeout(10)
    if s.recv(100) != b"":
        fail("expected EOF (fin's FIN)")
    t = time.monotonic()
    log(f"kernel state after fin's FIN: {ss_state(local, remote)}; holding it")
    seen = watch_states(local, remote, grace + 3, until={None})
    took = time.monotonic() - t
    log(f"kernel states: {seen} (gone {took:.2f} s after fin's FIN)")
    if seen[-1] is not None or took < grace - 0.5:
        fail(f"want the connection reset at fin's deadline ({grace} s): {seen}, {took:.2f} s")
    ok("fin reset the connection at its shutdown deadline")
    expect_errno(lambda: s.send(b"x"), errno.EPIPE, "send after the RST in CLOSE-WAIT")


def bulk_send(port, size):
    """Sends size bytes, half-closes, waits for fin's close; prints our SHA-256."""
    s = client(port, timeout=90)
    data = payload(size, seed=7)
    t = time.monotonic()
    s.sendall(data)
    local, remote = tuple_of(s)
    s.shutdown(socket.SHUT_WR)
    rest = recv_until_eof(s)
    if rest:
        fail(f"{len(rest)} unexpected bytes from the sink")
    took = time.monotonic() - t
    s.close()
    log(f"sent {size} bytes in {took:.2f} s, fin closed gracefully")
    print(f"linux-sha256={hashlib.sha256(data).hexdigest()}", flush=True)
    seen = watch_states(local, remote, 5, until={"TIME-WAIT", None})
    log(f"kernel states after close: {seen}")
    if seen[-1] not in ("TIME-WAIT", None):
        fail(f"Linux ended in {seen[-1]}")
    ok(f"Linux ended in {seen[-1]}")


# ---- scenarios: fin is the client (`fin connect`) ----

def server_sink(port):
    """Accepts one connection, reads to EOF, closes; prints what came and its SHA-256."""
    s, _ = server(port)
    s.settimeout(90)
    h = hashlib.sha256()
    n = 0
    t = time.monotonic()
    while True:
        d = s.recv(1 << 20)
        if not d:
            break
        h.update(d)
        n += len(d)
    took = time.monotonic() - t
    s.close()
    log(f"received {n} bytes in {took:.3f} s")
    print(f"linux-received={n} seconds={took:.6f}", flush=True)
    print(f"linux-sha256={h.hexdigest()}", flush=True)


def server_fin_closes_first(port, expect):
    """fin closes first: Linux CLOSE-WAIT, then our close: LAST-ACK -> gone."""
    s, peer = server(port)
    s.sendall(b"LINUX")
    data = recv_exact(s, expect)
    ok(f"data both ways ({len(data)} bytes from fin)")
    if s.recv(100) != b"":
        fail("expected EOF from fin")
    local, remote = tuple_of(s)
    st = ss_state(local, remote)
    log(f"kernel state after fin's FIN: {st}")
    if st != "CLOSE-WAIT":
        fail(f"Linux in {st}, want CLOSE-WAIT")
    ok("Linux in CLOSE-WAIT")
    time.sleep(0.3)  # let fin sit in FIN-WAIT-2 a moment
    s.close()
    seen = watch_states(local, remote, 3, until={None})
    log(f"kernel states after close: {seen}")
    if seen[-1] is not None:
        fail(f"Linux did not finish LAST-ACK: {seen}")
    ok("Linux LAST-ACK acknowledged, connection gone")


def server_reply_close(port, expect, gap):
    """Reads `expect` bytes, answers in two parts `gap` seconds apart, then
    closes: a client must read until our EOF to get both."""
    s, peer = server(port)
    recv_exact(s, expect)
    s.sendall(b"first part\n")
    time.sleep(gap)
    s.sendall(b"second part\n")
    s.close()
    ok("answered in two parts and closed")


def server_hold(port, seconds):
    """Accepts and never closes (even after the client's FIN) for `seconds`."""
    s, peer = server(port)
    log("established")
    end = time.monotonic() + seconds
    s.settimeout(0.05)
    while time.monotonic() < end:
        try:
            if s.recv(100) == b"":
                log("eof")
                time.sleep(max(0, end - time.monotonic()))
                break
        except socket.timeout:
            pass
        except OSError as e:
            log(f"{errno.errorcode.get(e.errno, e.errno).lower()}")
            break
    s.close()


def server_simultaneous(port, expect, delay, hold):
    """Both ends close while each other's FIN is in flight (fin delays its
    output by `delay`): Linux FIN-WAIT-1 -> CLOSING -> TIME-WAIT."""
    s, peer = server(port)
    accepted = time.monotonic()
    s.sendall(b"L")
    data = recv_exact(s, expect)
    ok(f"data both ways ({len(data)} bytes from fin)")
    local, remote = tuple_of(s)
    # fin sends its FIN at (its all-sent time + hold), which is our accept time
    # + hold - delay; it reaches us `delay` later. Closing half a delay after
    # fin's FIN left puts both FINs on the wire at once.
    at = accepted + hold - delay / 2
    time.sleep(max(0.0, at - time.monotonic()))
    s.close()
    seen = watch_states(local, remote, 3 + 4 * delay, until={"TIME-WAIT"})
    log(f"kernel states after close: {seen}")
    if "CLOSING" not in seen or seen[-1] != "TIME-WAIT":
        fail(f"no simultaneous close on Linux's side: {seen}")
    ok("Linux FIN-WAIT-1 -> CLOSING -> TIME-WAIT")


def server_half_close_fin(port, expect, size):
    """fin half-closes; Linux sends size bytes after fin's FIN, then closes."""
    s, peer = server(port)
    data = recv_exact(s, expect)
    if s.recv(100) != b"":
        fail("expected EOF (fin's FIN)")
    local, remote = tuple_of(s)
    st = ss_state(local, remote)
    if st != "CLOSE-WAIT":
        fail(f"Linux in {st}, want CLOSE-WAIT")
    ok(f"{len(data)} bytes from fin then its FIN: Linux in CLOSE-WAIT")
    out = payload(size, seed=3)
    s.sendall(out)
    ok(f"sent {size} bytes after fin's FIN")
    print(f"linux-sha256={hashlib.sha256(out).hexdigest()}", flush=True)
    s.close()
    seen = watch_states(local, remote, 3, until={None})
    if seen[-1] is not None:
        fail(f"Linux did not finish: {seen}")
    ok(f"Linux states after close: {seen}")


def server_expect_reset(port, expect, what):
    """fin ends with RST (abort, or close with unread data): recv -> ECONNRESET."""
    s, (local, remote) = server(port)
    s.sendall(b"LINUX" * 200)
    data = recv_exact(s, expect)
    ok(f"data both ways ({len(data)} bytes from fin)")
    s.settimeout(5)
    expect_errno(lambda: s.recv(100), errno.ECONNRESET, f"recv after fin's {what}")
    if ss_state(local, remote) is not None:
        fail("Linux kept the connection after the RST")
    ok("connection gone from ss")


def many(port, n, dests=None):
    """n connections opened at once; each sends a line, reads the echo, closes.
    dests: (family, fin's address) pairs taken in turn (default: the row's)."""
    dests = dests or [(FAMILY, FIN_IP)]
    sel = selectors.DefaultSelector()
    conns = {}
    for i in range(n):
        family, addr = dests[i % len(dests)]
        s = socket.socket(family)
        s.setblocking(False)
        s.connect_ex((addr, port))
        msg = f"connection {i:04d} says hello\n".encode()
        conns[s] = {"msg": msg, "got": b"", "sent": False}
        sel.register(s, selectors.EVENT_WRITE)
    done, mine, end = 0, set(), time.monotonic() + 60
    while done < n and time.monotonic() < end:
        for key, ev in sel.select(timeout=1):
            s, c = key.fileobj, conns[key.fileobj]
            if not c["sent"]:
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    fail(f"connect: {errno.errorcode.get(err, err)}")
                s.send(c["msg"])
                c["sent"] = True
                sel.modify(s, selectors.EVENT_READ)
                continue
            c["got"] += s.recv(4096)
            if len(c["got"]) >= len(c["msg"]):
                if c["got"] != c["msg"]:
                    fail("echo mismatch")
                local, remote = tuple_of(s)
                mine.add((f"{ep(local[0])}:{local[1]}", f"{ep(remote[0])}:{remote[1]}"))
                sel.unregister(s)
                s.close()
                done += 1
    if done != n:
        fail(f"only {done} of {n} connections completed")
    ok(f"{n} concurrent connections echoed and closed")
    # Only these connections' states: others (a test's own) may share the port.
    end = time.monotonic() + 10
    while time.monotonic() < end:
        out = subprocess.run(["ss", "-tanH"], capture_output=True, text=True).stdout
        states = [f[0] for f in (l.split() for l in out.splitlines())
                  if len(f) >= 5 and (f[3], f[4]) in mine]
        if states.count("TIME-WAIT") == n:
            break
        time.sleep(0.1)
    summary = {st: states.count(st) for st in set(states)}
    log(f"kernel states: {summary}")
    if states.count("TIME-WAIT") != n:
        fail(f"want {n} in TIME-WAIT, kernel shows {summary}")
    ok(f"all {n} in TIME-WAIT on Linux (it closed first): "
       + ", ".join(f"{sum(1 for t in mine if t[1].startswith(ep(a) + ':'))} to {a}" for _, a in dests))


def dual_many(port, n):
    """many() with IPv4 and IPv6 connections in turn, all open at once."""
    many(port, n, [(socket.AF_INET, os.environ["FIN_IP4"]),
                   (socket.AF_INET6, os.environ["FIN_IP6"])])


def http_read_answer(s):
    """One HTTP answer: (status line, headers dict, body) by Content-Length."""
    head = b""
    while b"\r\n\r\n" not in head:
        d = s.recv(1)
        if not d:
            fail(f"EOF inside an answer's head: {head!r}")
        head += d
    lines = head.decode().split("\r\n")
    headers = {}
    for line in lines[1:]:
        if line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if "content-length" not in headers:
        fail(f"answer without Content-Length: {lines[0]}")
    return lines[0], headers, recv_exact(s, int(headers["content-length"]))


def http_expect_eof(s, what):
    s.settimeout(3)
    if s.recv(100) != b"":
        fail(f"{what}: fin did not close")
    ok(f"{what}: fin closed")


def http_persistence(port):
    """HTTP/1.0 and 1.1 persistence as clients rely on (RFC 9112 §9.3)."""
    s = client(port)
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    st, h, body = http_read_answer(s)
    if not st.endswith("200 OK") or h.get("connection", "").lower() != "close" or b"fin" not in body:
        fail(f"HTTP/1.0: {st} {h}")
    http_expect_eof(s, "HTTP/1.0 without keep-alive")
    s = client(port)
    for i in range(3):
        s.sendall(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
        st, h, body = http_read_answer(s)
        if h.get("connection", "").lower() != "keep-alive":
            fail(f"HTTP/1.0 keep-alive request {i}: answer says Connection: {h.get('connection')}")
    ok("HTTP/1.0 keep-alive: three answers on one connection, each with Connection: keep-alive")
    s.close()
    s = client(port)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 3 +
              b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" +
              b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" +
              b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n" +
              b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    want = ["200 OK"] * 3 + ["200 OK", "405 Method Not Allowed", "404 Not Found", "200 OK"]
    for i, w in enumerate(want):
        if i == 3:  # HEAD: the head only, with the length GET would send
            head = b""
            while b"\r\n\r\n" not in head:
                head += s.recv(1)
            if b"200 OK" not in head or b"Content-Length: " not in head:
                fail(f"HEAD: {head!r}")
            continue
        st, h, body = http_read_answer(s)
        if not st.endswith(w):
            fail(f"pipelined request {i}: {st}, want {w}")
        if "connection" in h and i < len(want) - 1:
            fail(f"HTTP/1.1 answer {i} has Connection: {h['connection']}")
    if h.get("connection", "").lower() != "close":
        fail("the answer to Connection: close does not say close")
    ok("HTTP/1.1: 7 pipelined requests (GET, HEAD, POST with a body, 404) answered in order")
    http_expect_eof(s, "HTTP/1.1 Connection: close")
    s = client(port)
    s.sendall(b"HELLO\r\n\r\n")
    st, h, body = http_read_answer(s)
    if "400" not in st:
        fail(f"garbage: {st}")
    http_expect_eof(s, "a malformed request: 400")


def hold(port, n, seconds, gofile):
    """n echo connections held open for `fin ss` / `fin kill`: prints
    "ready LPORT..." once all are established, "reset LPORT" for each one fin
    resets, and closes the rest once gofile exists (or after `seconds`)."""
    conns = {}
    for i in range(n):
        s = client(port)
        s.sendall(b"held\n")
        recv_exact(s, 5)
        s.setblocking(False)
        conns[s.getsockname()[1]] = s
    log("ready " + " ".join(str(p) for p in conns))
    end = time.monotonic() + seconds
    while conns and time.monotonic() < end and not os.path.exists(gofile):
        for lport, s in list(conns.items()):
            try:
                d = s.recv(100)
            except BlockingIOError:
                continue
            except OSError as e:
                log(f"{errno.errorcode.get(e.errno, e.errno).lower()} {lport}")
                del conns[lport]
                continue
            if d == b"":
                log(f"eof {lport}")
                del conns[lport]
        time.sleep(0.01)
    for s in conns.values():
        s.close()
    log(f"closed {len(conns)}")


# ---- capture ----

def pcap_packets(path):
    """The TCP datagrams of a LINKTYPE_RAW capture, IPv4 or IPv6, as dicts:
    t (from the first), src and dst (ss spelling), sport, dport, flags (the
    byte), seq, ack, len (payload) and ecn (the IP ECN field, RFC 3168 §5)."""
    with open(path, "rb") as f:
        data = f.read()
    off, t0 = 24, None
    while off + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack_from("<IIII", data, off)
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        t = sec + usec / 1e6
        t0 = t if t0 is None else t0
        if len(pkt) >= 40 and pkt[0] >> 4 == 4 and pkt[9] == 6:
            ihl = (pkt[0] & 15) * 4
            end = struct.unpack_from("!H", pkt, 2)[0]
            src, dst = socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(pkt[16:20])
            ecn = pkt[1] & 3
        elif len(pkt) >= 60 and pkt[0] >> 4 == 6 and pkt[6] == 6:  # no extension headers
            ihl = 40
            end = 40 + struct.unpack_from("!H", pkt, 4)[0]
            src = ep(socket.inet_ntop(socket.AF_INET6, pkt[8:24]))
            dst = ep(socket.inet_ntop(socket.AF_INET6, pkt[24:40]))
            ecn = pkt[1] >> 4 & 3
        else:
            continue
        sp, dp, seq, ack, offf, flags = struct.unpack_from("!HHIIBB", pkt, ihl)
        yield dict(t=t - t0, src=src, sport=sp, dst=dst, dport=dp, flags=flags, seq=seq,
                   ack=ack, len=end - ihl - (offf >> 4) * 4, ecn=ecn)


def pcap_lines(path):
    """One line per TCP datagram of a LINKTYPE_RAW capture, IPv4 or IPv6:
    time, tuple (ss spelling), flags, seq, ack, len."""
    out = []
    for p in pcap_packets(path):
        names = "".join(c for c, b in zip("FSRPAU", range(6)) if p["flags"] >> b & 1)
        out.append(f"{p['t']:9.6f} {p['src']}:{p['sport']} > {p['dst']}:{p['dport']} [{names}] "
                   f"seq={p['seq']} ack={p['ack']} len={p['len']}")
    return out


ECN_NAMES = ("not-ECT", "ECT(1)", "ECT(0)", "CE")
SYN, ACK, ECE, CWR = 0x02, 0x10, 0x40, 0x80


def pcap_ecn(path, client, fin):
    """RFC 3168 in a capture of one connection whose client is at `client`
    (fin at `fin`): the SYN asks (ECE and CWR, §6.1.1), the SYN-ACK agrees
    (ECE without CWR), neither is ECT; every data segment both ways is
    ECT(0) (no loss on the namespace's link, so none is a retransmission);
    no pure ACK of fin's is ECT (§6.1.4). Linux's pure ACKs are only
    reported: over IPv6 its TIME-WAIT ACK carries the socket's traffic
    class, ECT(0) included."""
    pkts = list(pcap_packets(path))
    client, fin = ep(client), ep(fin)
    syn = [p for p in pkts if p["flags"] & (SYN | ACK) == SYN and p["src"] == client]
    synack = [p for p in pkts if p["flags"] & (SYN | ACK) == SYN | ACK and p["dst"] == client]
    if not syn or not synack:
        fail(f"no SYN from {client} or no SYN-ACK to it in {path}")
    if syn[0]["flags"] & (ECE | CWR) != ECE | CWR or syn[0]["ecn"]:
        fail(f"the SYN is not an ECN-setup SYN: flags 0x{syn[0]['flags']:02x} "
             f"{ECN_NAMES[syn[0]['ecn']]}")
    ok("the client's SYN asks for ECN (ECE, CWR, not-ECT)")
    if synack[0]["flags"] & (ECE | CWR) != ECE or synack[0]["ecn"]:
        fail(f"the SYN-ACK is not an ECN-setup SYN-ACK: flags 0x{synack[0]['flags']:02x} "
             f"{ECN_NAMES[synack[0]['ecn']]}")
    ok("the server's SYN-ACK agrees (ECE without CWR, not-ECT)")
    for is_fin, name in ((True, "fin"), (False, "Linux")):
        mine = [p for p in pkts if (p["src"] == fin) == is_fin]
        data = [p for p in mine if p["len"] > 0]
        acks = [p for p in mine if p["len"] == 0 and not p["flags"] & (SYN | 0x05)]
        if not data:
            fail(f"{name} sent no data")
        bad = [p for p in data if p["ecn"] != 2]
        if bad:
            fail(f"{len(bad)} of {name}'s {len(data)} data segments are not ECT(0), "
                 f"e.g. seq={bad[0]['seq']} {ECN_NAMES[bad[0]['ecn']]}")
        ect_acks = sum(1 for p in acks if p["ecn"])
        if is_fin and ect_acks:
            fail(f"{ect_acks} of fin's pure ACKs are ECN-capable")
        ok(f"{name}'s {len(data)} data segments are ECT(0); {ect_acks} of its {len(acks)} "
           f"pure ACKs ECN-capable")


def expect_ecn_seen(s, what):
    """The kernel negotiated ECN on s and saw ECT from fin: TCP_INFO's
    tcpi_options (the sixth byte) has TCPI_OPT_ECN (8) and TCPI_OPT_ECN_SEEN
    (16). (ss -ti would print "ecn ecnseen", but not every ss prints the
    options of every kernel.)"""
    options = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)[5]
    if not options & 8:
        fail(f"{what}: tcpi_options 0x{options:02x} has no TCPI_OPT_ECN")
    if not options & 16:
        fail(f"{what}: tcpi_options 0x{options:02x} has no TCPI_OPT_ECN_SEEN (no ECT from fin)")
    ok(f"{what}: the kernel has ECN on and saw ECT from fin (tcpi_options 0x{options:02x})")


def ecn_client(port, size):
    """Linux connects (tcp_ecn=1 in the namespace), fin echoes `size` bytes."""
    s = client(port, timeout=30)
    data = payload(size)
    s.sendall(data)
    echoed = recv_exact(s, size)
    if echoed != data:
        fail(f"echo differs: {first_difference(data, echoed)}")
    ok(f"{size} bytes echoed")
    expect_ecn_seen(s, "Linux client")
    s.close()


def ecn_server(port, expect, size):
    """fin connects; Linux reads `expect` bytes, answers `size`, then closes."""
    s, peer = server(port)
    recv_exact(s, expect)
    expect_ecn_seen(s, "Linux server")
    s.sendall(payload(size, seed=3))
    s.close()
    ok(f"read {expect} bytes, answered {size}, closed")


def time_wait_seconds(path):
    """From fin's NDJSON events (docs/events.md): time from entering TIME-WAIT to CLOSED."""
    import json
    entered = closed = None
    for line in open(path):
        ev = json.loads(line)
        if ev["type"] == "state" and ev["to"] == "TIME-WAIT" and entered is None:
            entered = ev["t"]
        if ev["type"] == "close" and entered is not None:
            closed = ev["t"]
    if entered is None or closed is None:
        fail(f"no TIME-WAIT -> CLOSED in {path}")
    return closed - entered


def fastopen_server(port):
    """A Linux TFO listener (TCP_FASTOPEN 16): fin connects twice; the
    second SYN's data is taken with fin's cookie. Each message is echoed,
    then Linux closes."""
    ls = socket.socket(FAMILY)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 16)
    ls.bind((LINUX_IP, port))
    ls.listen(16)
    ls.settimeout(15)
    log("ready")
    for i in range(2):
        s, _ = ls.accept()
        s.settimeout(10)
        d = s.recv(65536)
        if not d:
            fail(f"connection {i}: EOF before data")
        s.sendall(d)
        if syn_data(s) != (i == 1):
            fail(f"connection {i}: SYN data taken is {syn_data(s)}, want {i == 1}")
        ok(f"connection {i}: {len(d)} bytes echoed, SYN data taken: {i == 1}")
        s.close()
    ls.close()


def main():
    cmd, args = sys.argv[1], sys.argv[2:]

    def number(a):
        for conv in (int, float):
            try:
                return conv(a)
            except ValueError:
                pass
        return a

    ints = [number(a) for a in args]
    if cmd == "pcap":
        print("\n".join(pcap_lines(args[0])))
        return
    if cmd == "pcap-ecn":
        pcap_ecn(args[0], args[1], args[2])
        return
    if cmd == "time-wait-seconds":
        print(f"{time_wait_seconds(args[0]):.3f}")
        return
    fn = {
        "linux-closes-first": linux_closes_first,
        "half-close-linux": half_close_linux,
        "linux-aborts": linux_aborts,
        "refused": refused,
        "tw-reuse": tw_reuse,
        "restart-hold": restart_hold,
        "bulk-send": bulk_send,
        "k2-client": k2_client,
        "k2-hold": k2_hold,
        "server-fin-closes-first": server_fin_closes_first,
        "server-simultaneous": server_simultaneous,
        "server-half-close-fin": server_half_close_fin,
        "server-sink": server_sink,
        "server-expect-reset": server_expect_reset,
        "many": many,
        "dual-many": dual_many,
        "hold": hold,
        "http-persistence": http_persistence,
        "server-reply-close": server_reply_close,
        "server-hold": server_hold,
        "ecn-client": ecn_client,
        "ecn-server": ecn_server,
        "fastopen-client": fastopen_client,
        "fastopen-server": fastopen_server,
    }[cmd]
    fn(*ints)


if __name__ == "__main__":
    main()
