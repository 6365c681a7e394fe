"""Checks run against the compose stack from the outside, as a browser would (deploy/testing/test_stack.sh).

Everything goes through Caddy over TLS (its internal CA, trusted through --ca):
  proxy     /healthz and /readyz (every check "ok"), HSTS, HTTP -> HTTPS redirect
  static    the stylesheet a page links to has a hashed name and far-future cache headers
  messages  a patient and their therapist, on sockets served by different web replicas, exchange
            MESSAGES messages over wss:// (each side sends half, one at a time, resending on a
            rate-limit answer); when SIGKILL_AT messages are acknowledged, the web replica serving
            the patient's socket is killed with SIGKILL (from the host, so the engine's restart policy
            brings it back). Both sides reconnect, resume from the last sequence number they saw
            and resend what was not acknowledged. Then every side must have seen every message
            exactly once, in sequence order with no gap, and the killed replica must be serving
            again.
Prints one line per check; exits 1 on the first failure.
CONTAINER_ENGINE (docker, the default, or podman) is the command used to find, kill and read the
logs of a replica. Podman 4.3 runs health checks from systemd timers only, so under podman this
script runs the killed replica's check itself (`podman healthcheck run`) while it waits.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import itertools
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import urlsplit

ENGINES = ("docker", "podman")
ENGINE = os.environ.get("CONTAINER_ENGINE", "docker")
if ENGINE not in ENGINES:
    sys.exit(f"CONTAINER_ENGINE={ENGINE!r}: one of {', '.join(ENGINES)}")


def engine(*args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ENGINE, *args], check=check, capture_output=True, text=True)


def ws_connects(container: str, patient_id: int) -> int:
    """How many sockets of this conversation a web replica has accepted (Daphne's access log)."""
    logs = engine("logs", container)
    return (logs.stdout + logs.stderr).count(f'"WSCONNECT /ws/messages/{patient_id}/"')


def ok(message: str) -> None:
    print(f"ok   {message}", flush=True)


def fail(message: str) -> NoReturn:
    print(f"FAIL {message}", flush=True)
    sys.exit(1)


@dataclass
class Target:
    site: str  # https://name:port as the browser sees it
    connect_host: str  # where that name really is (127.0.0.1)
    ca: str

    @property
    def name(self) -> str:
        return urlsplit(self.site).hostname or ""

    @property
    def port(self) -> int:
        return urlsplit(self.site).port or 443

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca)

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
        target = self

        class Connection(http.client.HTTPSConnection):
            def connect(self) -> None:  # the site's name for TLS and Host, 127.0.0.1 for TCP
                raw = socket.create_connection((target.connect_host, target.port), self.timeout)
                self.sock = target.context().wrap_socket(raw, server_hostname=target.name)

        conn = Connection(self.name, self.port, timeout=10, context=self.context())
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()


# Proxy and static files -------------------------------------------------------------------------


def check_proxy(target: Target, http_port: int) -> None:
    status, headers, body = target.get("/healthz")
    if status != 200:
        fail(f"/healthz through the proxy: HTTP {status}")
    status, headers, body = target.get("/readyz")
    report = json.loads(body or b"{}")
    checks = report.get("checks", {})
    if status != 200 or not checks or any(v != "ok" for v in checks.values()):
        fail(f"/readyz through the proxy: HTTP {status} {report}")
    ok(f"/readyz through Caddy (TLS, {target.name}): " + ", ".join(f"{k} {v}" for k, v in checks.items()))
    hsts = headers.get_all("Strict-Transport-Security") or []
    if len(hsts) != 1 or "max-age=31536000" not in hsts[0]:
        fail(f"one HSTS header of a year expected, got {hsts}")
    ok(f"HSTS: {hsts[0]}")
    conn = http.client.HTTPConnection(target.connect_host, http_port, timeout=10)
    conn.request("GET", "/readyz", headers={"Host": target.name})
    response = conn.getresponse()
    location = response.headers.get("Location", "")
    conn.close()
    if response.status not in (301, 302, 307, 308) or not location.startswith("https://"):
        fail(f"plain HTTP is not redirected to HTTPS: {response.status} {location!r}")
    ok(f"HTTP -> HTTPS redirect ({response.status} to {location})")


def check_static(target: Target) -> None:
    status, _headers, body = target.get("/accounts/login/")
    if status != 200:
        fail(f"login page: HTTP {status}")
    match = re.search(rb'href="(/static/[^"]*paceway[^"]*\.css)"', body)
    if not match:
        fail("the login page links no paceway stylesheet")
    href = match.group(1).decode()
    if not re.search(r"\.[0-9a-f]{12}\.css$", href):
        fail(f"stylesheet {href} has no hashed name (STATIC files not collected with a manifest storage)")
    status, headers, body = target.get(href, {"Accept-Encoding": "gzip, br"})
    cache = headers.get("Cache-Control", "")
    max_age = int(m.group(1)) if (m := re.search(r"max-age=(\d+)", cache)) else 0
    if status != 200 or max_age < 365 * 86400:
        fail(f"{href}: HTTP {status}, Cache-Control {cache!r} (a year or more expected)")
    ok(f"{href}: 200, Cache-Control {cache!r}, Content-Encoding {headers.get('Content-Encoding', 'none')}")


# Messaging across replicas ----------------------------------------------------------------------


@dataclass
class Side:
    name: str
    cookie: str
    to_send: list[str]
    seen: list[tuple[int, str]] = field(default_factory=list)  # (seq, client_id) in arrival order
    last_seq: int = 0
    acked: set[str] = field(default_factory=set)
    redelivered: int = 0  # frames for a seq already seen (resume overlap), ignored by seq
    reconnects: int = 0
    upstream: str = ""
    next_index: int = 0
    ws: Any = None


class Exchange:
    def __init__(
        self,
        target: Target,
        patient_id: int,
        patient: Side,
        therapist: Side,
        total: int,
        kill_at: int,
        replicas: dict[str, str],
    ) -> None:
        self.target, self.patient_id = target, patient_id
        self.sides = [patient, therapist]
        self.total, self.kill_at, self.replicas = total, kill_at, replicas
        self.killed: str | None = None
        self.kill_done = asyncio.Event()

    async def connect(self, side: Side, avoid: str | None = None) -> None:
        """Open a socket for ``side`` (retrying while a replica is down); with ``avoid``, keep
        opening until Caddy puts it on another replica than that one."""
        from websockets.asyncio.client import connect
        from websockets.typing import Origin

        deadline = time.monotonic() + 60
        before = self.connect_counts() if avoid is not None else {}
        while True:
            try:
                ws = await connect(
                    f"wss://{self.target.name}:{self.target.port}/ws/messages/{self.patient_id}/",
                    ssl=self.target.context(),
                    host=self.target.connect_host,
                    port=self.target.port,
                    server_hostname=self.target.name,
                    origin=Origin(self.target.site),
                    additional_headers={"Cookie": side.cookie},
                    open_timeout=10,
                    compression=None,
                )
                ready = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if ready.get("type") != "ready":
                    raise RuntimeError(f"first frame {ready}")
                upstream = self.which_replica(before)
                if avoid and upstream == avoid:
                    await ws.close()
                    before = self.connect_counts()
                    continue
                side.ws, side.upstream = ws, upstream
                return
            except Exception as exc:  # noqa: BLE001 - retried until the deadline, then reported
                if time.monotonic() > deadline:
                    fail(f"{side.name}: no socket within 60 s ({exc!r})")
                await asyncio.sleep(0.5)

    def connect_counts(self) -> dict[str, int]:
        return {ip: ws_connects(container, self.patient_id) for ip, container in self.replicas.items()}

    def which_replica(self, before: dict[str, int]) -> str:
        """The replica whose access log shows one more socket for this conversation than before."""
        if not before:
            return ""
        for _ in range(30):
            grown = [ip for ip, count in self.connect_counts().items() if count > before.get(ip, 0)]
            if len(grown) == 1:
                return grown[0]
            time.sleep(0.1)
        return ""

    def receive(self, side: Side, message: dict[str, Any]) -> None:
        seq, client_id = int(message["seq"]), str(message["client_id"])
        if seq <= side.last_seq:
            side.redelivered += 1
            return
        side.seen.append((seq, client_id))
        side.last_seq = seq

    async def run_side(self, side: Side) -> None:
        """Send this side's messages one at a time (the next once the previous is acknowledged),
        read everything; on a lost socket reconnect, resume and resend."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 600
        while True:
            try:
                ws = side.ws
                await ws.send(json.dumps({"action": "resume", "after_seq": side.last_seq}))
                while len(side.seen) < self.total:
                    if loop.time() > deadline:
                        fail(f"{side.name}: {len(side.seen)}/{self.total} messages after 600 s")
                    waiting_for = side.to_send[side.next_index] if side.next_index < len(side.to_send) else None
                    if waiting_for is not None and waiting_for not in side.acked:
                        await ws.send(
                            json.dumps(
                                {
                                    "action": "send",
                                    "client_id": waiting_for,
                                    "body": f"{waiting_for}: stack test message from the {side.name}",
                                }
                            )
                        )
                    # Read until the ack of what was sent (or, with nothing left to send, anything).
                    while True:
                        frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
                        kind = frame.get("type")
                        if kind == "messages":
                            for message in frame["messages"]:
                                self.receive(side, message)
                            if frame.get("limited"):
                                await ws.send(json.dumps({"action": "resume", "after_seq": side.last_seq}))
                            if waiting_for is None:
                                break
                        elif kind == "ack":
                            if "message" in frame:
                                self.receive(side, frame["message"])
                            side.acked.add(frame["client_id"])
                            if frame["client_id"] == waiting_for:
                                side.next_index += 1
                                await self.maybe_kill()
                                break
                        elif kind == "error" and frame.get("code") == "rate_limited":
                            await asyncio.sleep(float(frame.get("retry_after", 1)))
                            break
                        elif kind == "error":
                            fail(f"{side.name}: error frame {frame}")
                return
            except Exception as exc:  # noqa: BLE001 - the socket died (or went silent for 30 s): reconnect
                side.reconnects += 1
                print(
                    f"     {side.name}: socket lost ({type(exc).__name__}) after {len(side.seen)} messages; "
                    "reconnecting and resuming",
                    flush=True,
                )
                await self.connect(side)

    async def maybe_kill(self) -> None:
        acked = sum(len(s.acked) for s in self.sides)
        if self.killed is not None or acked < self.kill_at:
            return
        victim_ip = self.sides[0].upstream
        container = self.replicas.get(victim_ip)
        if not container:
            fail(f"no web replica at {victim_ip} (replicas {self.replicas})")
        pid = engine("inspect", "-f", "{{.State.Pid}}", container, check=True).stdout.strip()
        subprocess.run(["kill", "-KILL", pid], check=True)
        self.killed = container
        print(f"     SIGKILL to web replica {container[:12]} ({victim_ip}, pid {pid}) after {acked} acks", flush=True)

    async def run(self) -> None:
        patient, therapist = self.sides
        await self.connect(patient, avoid="")
        await self.connect(therapist, avoid=patient.upstream)
        if not patient.upstream or patient.upstream == therapist.upstream:
            fail(f"sockets not on two replicas: {patient.upstream!r} / {therapist.upstream!r}")
        ok(f"patient socket on {patient.upstream}, therapist socket on {therapist.upstream} (two web replicas)")
        started = time.monotonic()
        await asyncio.gather(self.run_side(patient), self.run_side(therapist))
        seconds = time.monotonic() - started
        for side in self.sides:
            await side.ws.close()
        sent = [cid for s in self.sides for cid in s.to_send]
        for side in self.sides:
            seqs = [seq for seq, _ in side.seen]
            ids = [cid for _, cid in side.seen]
            lost = set(sent) - set(ids)
            duplicated = len(ids) - len(set(ids))
            out_of_order = sum(1 for a, b in itertools.pairwise(seqs) if b != a + 1) + (seqs[:1] != [1])
            per_sender_order = all([cid for cid in ids if cid in own] == own for own in (s.to_send for s in self.sides))
            summary = (
                f"{side.name}: {len(ids)} messages, {len(lost)} lost, {duplicated} duplicated, "
                f"{out_of_order} out of order, {side.reconnects} reconnects, "
                f"{side.redelivered} resume overlaps dropped by seq"
            )
            if lost or duplicated or out_of_order or not per_sender_order or len(ids) != len(sent):
                fail(summary + ("" if per_sender_order else ", a sender's order not kept"))
            ok(summary)
        if self.killed is None:
            fail("no replica was killed (fewer acks than --kill-at?)")
        ok(f"{len(sent)} messages exchanged across replicas in {seconds:.0f} s with one replica SIGKILLed mid-stream")


def wait_restarted(container: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ENGINE == "podman":
            engine("healthcheck", "run", container)
        state = engine("inspect", "-f", "{{.State.Health.Status}} {{.RestartCount}}", container).stdout.split()
        if state and state[0] == "healthy" and int(state[1]) >= 1:
            ok(f"killed replica {container[:12]} restarted by {ENGINE} and healthy again (restarts: {state[1]})")
            return
        time.sleep(1)
    fail(f"killed replica {container[:12]} is not healthy again after {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", required=True, help="https://name:port")
    parser.add_argument("--connect", default="127.0.0.1")
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--only", default="proxy,static,messages")
    parser.add_argument("--accounts", help="JSON from stack_setup.py")
    parser.add_argument("--replicas", help='JSON {"ip": "container id"} of the web replicas')
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--kill-at", type=int, default=200)
    args = parser.parse_args()
    target = Target(args.site, args.connect, args.ca)
    only = set(args.only.split(","))
    if "proxy" in only:
        check_proxy(target, args.http_port)
    if "static" in only:
        check_static(target)
    if "messages" in only:
        accounts = json.loads(args.accounts)
        half = args.messages // 2
        cookie_name = accounts["cookie_name"]
        patient = Side("patient", f"{cookie_name}={accounts['patient_session']}", [f"p{n}" for n in range(half)])
        therapist = Side(
            "therapist",
            f"{cookie_name}={accounts['therapist_session']}",
            [f"t{n}" for n in range(args.messages - half)],
        )
        exchange = Exchange(
            target, accounts["patient_id"], patient, therapist, args.messages, args.kill_at, json.loads(args.replicas)
        )
        asyncio.run(exchange.run())
        assert exchange.killed is not None
        wait_restarted(exchange.killed)


if __name__ == "__main__":
    main()
