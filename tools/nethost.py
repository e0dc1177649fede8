#!/usr/bin/env python3
"""nethost.py: the host's own clients against ExOS's servers (suite net-host of make test).

Each test boots the board directly (tools/boot.py's command) with NIC 0 on QEMU's user
networking (tools/qemu.py user_net): the guest is 10.0.2.15, and a host port on 127.0.0.1,
picked free at run time, is forwarded to the server's port. Then:

  udp   init=udpecho: a Python UDP socket sends --datagrams datagrams of 4..1472 bytes
        (a sequence number and random bytes) and checks that each comes back unchanged;
        then "quit", answered "bye", and the server exits.
  http  init=httpd: curl fetches / and /index.html (compared byte for byte with the
        file the initrd holds, BUILD/initrd/www/index.html, and its Content-Length), a
        missing path gets 404, a POST 501, --fetches more fetches are each intact, and
        the server exits after the requests it was told to serve.

Every wait is bounded in time and every loop in count. Prints KTAP (one subtest per test).
Standard library only, and curl.
"""
import argparse
import os
import random
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boot  # noqa: E402
import qemu  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port(kind):
    """A port of 127.0.0.1 free now (kind: socket.SOCK_DGRAM or SOCK_STREAM)."""
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Board:
    """QEMU running init=prog with user networking; its console kept in log."""

    def __init__(self, build, prog, forwards, log, append=""):
        args = argparse.Namespace(build=build, path="direct", icount=False, nics=0, disk=None,
                                  qemu_log=None, gdb=None, append=f"init={prog} kcheck {append}".strip())
        self.cmd = boot.qemu_command(args) + qemu.user_net(forwards)
        os.makedirs(os.path.dirname(log), exist_ok=True)
        self.log = open(log, "wb")
        self.log.write(("# " + " ".join(self.cmd) + "\n").encode())
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.con = boot.Console(self.proc, self.log, echo=False)

    def wait_for(self, token, timeout):
        return self.con.wait_for(token.encode(), timeout) >= 0

    def finish(self, timeout):
        """Wait for the kernel to halt (QEMU exits); True if it did, cleanly."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.con.pump(0.5):
            pass
        try:
            self.proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        return self.proc.poll() is not None and b"[aegis] halt" in self.con.seen \
            and b"PANIC" not in self.con.seen

    def text(self):
        return self.con.seen.decode(errors="replace")

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()


class Results:
    def __init__(self):
        self.items = []

    def add(self, name, ok, note=""):
        self.items.append((name, bool(ok), note))


def echo_once(sock, target, payload, tries, timeout):
    """Send payload until its echo comes back (at most tries sends, timeout s each);
    replies to earlier sends (their sequence number differs) are skipped. The echo,
    or None."""
    for _ in range(tries):
        sock.sendto(payload, target)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data, _ = sock.recvfrom(2048)
            except socket.timeout:
                break
            if data[:4] == payload[:4]:
                return data
    return None


def udp_test(build, count, r):
    port = free_port(socket.SOCK_DGRAM)
    b = Board(build, "udpecho", [("udp", port, 7)], os.path.join(build, "test-logs", "net-host-udp.log"))
    try:
        r.add("udp: the server came up", b.wait_for("udpecho: ready", 60))
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        target = ("127.0.0.1", port)
        rng = random.Random(20261202)
        # The first exchange also lets QEMU's side learn the guest's address (ARP).
        first = echo_once(sock, target, b"\0\0\0\0hello", 20, 1.0)
        r.add("udp: first datagram echoed", first == b"\0\0\0\0hello")
        good = bad = 0
        for seq in range(1, count + 1):
            n = rng.randint(0, 1468)
            payload = seq.to_bytes(4, "big") + bytes(rng.getrandbits(8) for _ in range(n))
            echo = echo_once(sock, target, payload, 3, 2.0)
            if echo == payload:
                good += 1
            else:
                bad += 1
                if bad > 10:
                    break
        r.add(f"udp: {count} datagrams of 4..1472 bytes echoed intact", good == count,
              f"{good} good, {bad} bad")
        bye = None
        sock.sendto(b"quit", target)
        sock.settimeout(5.0)
        try:
            bye, _ = sock.recvfrom(2048)
        except socket.timeout:
            pass
        r.add("udp: quit answered", bye == b"bye")
        halted = b.finish(60)
        r.add("udp: kernel halted cleanly", halted)
        r.add("udp: udpecho exited 0", "(udpecho) exited with status 0" in b.text())
    finally:
        b.close()


def curl(url, timeout=20):
    """curl url: (exit status, HTTP status, headers, body)."""
    try:
        p = subprocess.run(["curl", "-s", "-S", "--max-time", str(timeout), "-D", "-", "-o", "-",
                            "-H", "Connection: close", url],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout + 10)
    except (OSError, subprocess.TimeoutExpired) as e:
        return -1, 0, {}, str(e).encode()
    head, _, body = p.stdout.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")
    status = int(lines[0].split()[1]) if lines[0].startswith("HTTP/") else 0
    headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
    return p.returncode, status, headers, body


def raw_request(port, data, timeout=20):
    """Send data on a new connection and read until the server closes: the reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        reply = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(reply) < 1 << 20:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
        return reply


def http_test(build, repeats, r):
    port = free_port(socket.SOCK_STREAM)
    page = open(os.path.join(build, "initrd", "www", "index.html"), "rb").read()
    nreq = 4 + repeats
    b = Board(build, "httpd", [("tcp", port, 80)], os.path.join(build, "test-logs", "net-host-http.log"),
              f"requests={nreq}")
    try:
        r.add("http: the server came up", b.wait_for("httpd: ready", 60))
        url = f"http://127.0.0.1:{port}"
        rc, status, headers, body = curl(url + "/")
        r.add("http: curl / gets 200 and index.html, byte for byte", rc == 0 and status == 200 and body == page,
              f"curl {rc}, status {status}, {len(body)} bytes of {len(page)}")
        rc, status, headers, body = curl(url + "/index.html")
        r.add("http: curl /index.html: 200, Content-Length and the bytes agree",
              rc == 0 and status == 200 and headers.get("content-length") == str(len(page)) and body == page,
              f"curl {rc}, status {status}, Content-Length {headers.get('content-length')}")
        rc, status, headers, body = curl(url + "/no-such-file.html")
        r.add("http: curl of a missing path gets 404", rc == 0 and status == 404,
              f"curl {rc}, status {status}")
        reply = raw_request(port, b"POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n")
        r.add("http: POST gets 501", reply.startswith(b"HTTP/1.0 501"), repr(reply[:40]))
        good = 0
        for _ in range(repeats):
            rc, status, headers, body = curl(url + "/index.html")
            good += rc == 0 and status == 200 and body == page
        r.add(f"http: {repeats} more fetches, each intact", good == repeats, f"{good} good")
        r.add("http: kernel halted cleanly", b.finish(60))
        r.add("http: httpd exited 0", "(httpd) exited with status 0" in b.text())
    finally:
        b.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--datagrams", type=int, default=200)
    ap.add_argument("--fetches", type=int, default=8)
    ap.add_argument("--only", help="udp or http")
    args = ap.parse_args()
    r = Results()
    if args.only in (None, "udp"):
        udp_test(args.build, args.datagrams, r)
    if args.only in (None, "http"):
        http_test(args.build, args.fetches, r)
    print("KTAP version 1")
    print(f"1..{len(r.items)}")
    for i, (name, ok, note) in enumerate(r.items, 1):
        print(f"{'ok' if ok else 'not ok'} {i} {name}" + (f" # {note}" if note and not ok else ""))
    return 0 if all(ok for _, ok, _ in r.items) else 1


if __name__ == "__main__":
    sys.exit(main())
