#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks NDJSON event files against the one schema fin sim, fin serve and
fin connect share (docs/events.md): every field named and typed as the
document says, nothing else. Usage:
    check_events.py FILE [--types T1,T2,...]   (those types must all occur)
Prints one line per file and exits 1 naming the first bad line."""
import json
import sys

COMMON = {"t": (int, float), "host": str, "conn": int, "type": str}
ENDS = {"local": str, "remote": str}
SEG = {"peer": str, "flags": str, "seq": int, "ack": int, "len": int, "win": int,
       "rseq": int, "rack": int}
TYPES = {
    "state": ({"from": str, "to": str}, {}),
    "close": ({"reason": str, "errno": str}, {}),
    "timer": ({"timer": str}, {}),
    "rst": ({"reason": str}, {}),
    "drop": ({"where": str, "reason": str}, SEG),
    "send": (dict(SEG, fate=str, dup=bool), {"arrive": (int, float)}),
    "recv": (SEG, {}),
    "app": ({"call": str, "result": int, "errno": str}, {}),
}
STATES = {"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
          "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"}


def bad(path, n, line, why):
    print(f"FAIL: {path}:{n}: {why}: {line.strip()[:200]}")
    sys.exit(1)


def check_line(path, n, line):
    try:
        ev = json.loads(line)
    except ValueError as e:
        bad(path, n, line, f"not JSON ({e})")
    for k, ty in COMMON.items():
        if not isinstance(ev.get(k), ty) or isinstance(ev.get(k), bool):
            bad(path, n, line, f"field {k} missing or not {ty}")
    if ev["type"] not in TYPES:
        bad(path, n, line, f"unknown type {ev['type']!r}")
    need, optional = TYPES[ev["type"]]
    allowed = dict(COMMON, **ENDS, **need, **optional)
    for k in ev:
        if k not in allowed:
            bad(path, n, line, f"field {k!r} is not in the schema of {ev['type']}")
    for k, ty in need.items():
        if k not in ev or not isinstance(ev[k], ty):
            bad(path, n, line, f"field {k} missing or not {ty}")
    if ("local" in ev) != ("remote" in ev):
        bad(path, n, line, "local without remote or the reverse")
    if ev["type"] == "state" and not {ev["from"], ev["to"]} <= STATES:
        bad(path, n, line, "unknown state name")
    if ev["type"] in ("rst", "drop", "state", "close") and "local" not in ev:
        bad(path, n, line, "no local/remote on a connection event")
    return ev


def main():
    path = sys.argv[1]
    want = set(sys.argv[3].split(",")) if len(sys.argv) > 3 and sys.argv[2] == "--types" else set()
    seen, count, last_t = set(), 0, None
    with open(path) as f:
        for n, line in enumerate(f, 1):
            ev = check_line(path, n, line)
            seen.add(ev["type"])
            count += 1
            if last_t is not None and ev["t"] < last_t:
                bad(path, n, line, "time went backwards")
            last_t = ev["t"]
    if not want <= seen:
        print(f"FAIL: {path}: no events of type {sorted(want - seen)} (saw {sorted(seen)})")
        sys.exit(1)
    print(f"ok: {path}: {count} events, types {sorted(seen)}")


if __name__ == "__main__":
    main()
