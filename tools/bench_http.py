#!/usr/bin/env python3
"""bench_http.py: HTTP requests per second from a host client to a server on the board.

Usage: bench_http.py [--system linux|aegis]... [--build DIR] [--requests N] [--runs K]
                     [--path /bench.html] [--out FILE] [--timeout S]

HOST TIME. Unlike the BENCH rows (virtual time under -icount), this measures wall-clock
time on the host: the client is this script (Python's socket module), the server runs in
QEMU, and the figure depends on the host's speed and load. Only the two systems' figures
taken side by side in one run are comparable: every system named is booted at once, each
with its own forwarded port, and the runs alternate between them, so that a change in the
host's load falls on both.

Each system boots on the benchmark board (tools/qemu.py board(icount=True), -rtc clock=vm,
as tools/baseline/run.py) with one PCnet on QEMU's user network (qemu.user_nic: the guest
is 10.0.2.15, its port 80 forwarded from 127.0.0.1 on a free host port):
  linux  Debian's kernel and the baseline initramfs with bench.http=1: /init configures
         eth0 and runs `busybox httpd -p 80 -h /www` (tools/baseline/init.sh).
  aegis  Aegis with init=httpd idle=3600 (apps/httpd, ExOS's server, serving the
         initrd's files; idle=: it would end after 120 s without a request otherwise).
The script waits until a GET of --path answers with the file (bench/www/index.html,
1024 bytes, which both systems serve as /bench.html: ExOS's initrd also has its own
www/index.html, which the net-host test fetches), then makes --runs runs of --requests sequential HTTP/1.0 GETs, each on a new
connection, each answer checked (status 200, the file's bytes). Figures: requests per
second of each run; the median (and minimum, maximum) over the runs.

Writes --out (default bench/results/http.csv: system,status,runs,requests,
median_req_per_s,min_req_per_s,max_req_per_s,note) and prints a summary with the ratio
Aegis/Linux of the medians. Exits 0 when every system ran or was n/a. Standard library
only.
"""
import argparse
import os
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, 'baseline'))
import qemu  # noqa: E402
import run as baseline  # noqa: E402  (its RTC option and kernel command line)

FILE = os.path.join(ROOT, 'bench', 'www', 'index.html')


def free_port():
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def boot_files(system, build):
    """(kernel, initrd, append) for system, or (None, reason) when it cannot run."""
    if system == 'linux':
        k = os.path.join(build, 'baseline', 'vmlinuz')
        i = os.path.join(build, 'baseline', 'initramfs.cpio.gz')
        if not (os.path.exists(k) and os.path.exists(i)):
            return None, 'no Linux baseline built (make bench-linux-initramfs)'
        return (k, i, baseline.APPEND_BASE + ' bench.http=1'), None
    k = os.path.join(build, 'aegis.elf')
    i = os.path.join(build, 'initrd.cpio')
    if not os.path.exists(os.path.join(build, 'initrd', 'httpd')):
        return None, 'no ExOS httpd (apps/httpd) in this build'
    # idle=: httpd ends after that many seconds (of the board's clock) without a
    # connection; its kernel waits for interrupts when idle, so those seconds pass
    # in host time while the other system boots: make it wait longer than any boot.
    return (k, i, 'init=httpd idle=3600'), None


def get(port, path, timeout=30.0):
    """One HTTP/1.0 GET on a new connection; the whole answer (bytes)."""
    with socket.create_connection(('127.0.0.1', port), timeout=timeout) as s:
        s.sendall(b'GET %s HTTP/1.0\r\nHost: 10.0.2.15\r\n\r\n' % path.encode())
        out = bytearray()
        while True:
            b = s.recv(65536)
            if not b:
                return bytes(out)
            out += b


def answer_ok(answer, body):
    """Whether answer is a 200 response carrying exactly body."""
    head, sep, rest = answer.partition(b'\r\n\r\n')
    return bool(sep) and head.split(b' ', 2)[1:2] == [b'200'] and rest == body


class Server:
    """One system booted with its port forwarded; .why says why it is n/a."""

    def __init__(self, system, build, log_dir):
        self.system, self.proc, self.port, self.why = system, None, None, None
        files, self.why = boot_files(system, build)
        if files:
            self.port = free_port()
            kernel, initrd, append = files
            cmd = qemu.board(icount=True) + baseline.RTC_VM + qemu.user_nic(self.port) + [
                '-kernel', kernel, '-initrd', initrd, '-append', append]
            self.cmd = cmd
            self.log = open(os.path.join(log_dir, 'http-%s.log' % system), 'wb')
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log,
                                         stderr=subprocess.STDOUT)

    def wait_ready(self, path, body, deadline):
        """Poll with GETs until the file comes back; False (and .why) on failure."""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.why = 'QEMU exited (status %d) before serving' % self.proc.returncode
                return False
            try:
                if answer_ok(get(self.port, path, timeout=5), body):
                    return True
            except OSError:
                pass
            time.sleep(1)
        self.why = 'no answer with the file within the time-out'
        return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc:
            self.log.close()


def one_run(port, path, body, n):
    """n sequential GETs; requests per second (host time), or raise on a bad answer."""
    t0 = time.monotonic()
    for _ in range(n):
        if not answer_ok(get(port, path), body):
            raise OSError('a wrong answer')
    return n / (time.monotonic() - t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--system', action='append', choices=['linux', 'aegis'])
    ap.add_argument('--build', default=os.environ.get('BUILD', 'build'))
    ap.add_argument('--requests', type=int, default=200)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--path', default='/bench.html')
    ap.add_argument('--out', default=os.path.join('bench', 'results', 'http.csv'))
    ap.add_argument('--timeout', type=int, default=300, help='seconds to wait for a server')
    args = ap.parse_args()
    systems = args.system or ['linux', 'aegis']
    body = open(FILE, 'rb').read()
    if qemu.missing_binary():
        sys.exit('bench_http.py: ' + qemu.missing_binary())
    os.makedirs(os.path.join(args.build, 'bench'), exist_ok=True)
    servers = [Server(s, args.build, os.path.join(args.build, 'bench')) for s in systems]
    rates = {s.system: [] for s in servers}
    try:
        deadline = time.monotonic() + args.timeout
        live = [s for s in servers if s.proc and s.wait_ready(args.path, body, deadline)]
        for _ in range(args.runs):          # alternate: host load falls on every system
            for s in list(live):
                try:
                    rates[s.system].append(one_run(s.port, args.path, body, args.requests))
                except OSError as e:
                    s.why = 'a run failed: %s' % e
                    live.remove(s)
                    rates[s.system] = []
    finally:
        for s in servers:
            s.stop()
    os.makedirs(os.path.dirname(args.out) or '.', exist_ok=True)
    lines = ['system,status,runs,requests,median_req_per_s,min_req_per_s,max_req_per_s,note']
    med = {}
    for s in servers:
        r = rates[s.system]
        if r:
            med[s.system] = statistics.median(r)
            lines.append('%s,ok,%d,%d,%.1f,%.1f,%.1f,host time' % (
                s.system, len(r), args.requests, med[s.system], min(r), max(r)))
            print('bench_http.py: %s: %.1f requests/s (host time), median of %d runs of %d '
                  '(min %.1f, max %.1f)' % (s.system, med[s.system], len(r), args.requests,
                                            min(r), max(r)))
        else:
            lines.append('%s,n/a,,,,,,%s' % (s.system, (s.why or '').replace(',', ';')))
            print('bench_http.py: %s: n/a: %s' % (s.system, s.why))
    with open(args.out, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    if len(med) == 2:
        print('bench_http.py: Aegis/ExOS / Linux, medians: %.2f' % (med['aegis'] / med['linux']))
    # A system that booted but did not serve is a failure; one not built is n/a.
    return 1 if any(s.proc and s.system not in med for s in servers) else 0


if __name__ == '__main__':
    sys.exit(main())
