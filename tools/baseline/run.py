#!/usr/bin/env python3
"""run.py: boot the Linux baseline under QEMU malta and collect its BENCH lines.

Usage: run.py [--out FILE] [--timeout SECONDS] [--log FILE] [--build DIR] [--host-rtc]
              [--] [BENCH_ARG...]

BENCH_ARGs are passed to the benchmark binary (through bench.args=a,b,c on the kernel
command line; see tools/baseline/init.sh), e.g. `run.py --smoke prot1 trap`.
Writes the BENCH lines, preceded by '#' comment lines naming the kernel package and the
QEMU command and those /init printed about the kernel (uname, clock estimate, timer
interrupts, clocksource and clock-event device), to --out (default
BUILD/bench/linux.txt), and the whole serial log to --log (default: the out file with
.log appended).  Exits non-zero, with a message naming the
cause, on a time-out, a kernel panic, QEMU failing, or when `BENCH done` never appears.
Standard library only.
"""
import argparse
import os
import re
import select
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import qemu  # noqa: E402  (tools/qemu.py: the board both systems run on)

APPEND_BASE = 'console=ttyS0 nokaslr norandmaps quiet'
PANIC_RE = re.compile(r'Kernel panic|Attempted to kill init|Oops\b|BUG:')


def die(msg):
    sys.stderr.write('run.py: error: %s\n' % msg)
    sys.exit(1)


# Malta's Linux estimates the CPU clock at boot by counting CP0 Count between two RTC
# update edges.  QEMU's RTC follows host time by default, so under -icount the estimate
# depends on host speed (10-13 MHz instead of 320 MHz here): the kernel's idea of time,
# and so its timer-interrupt rate, vary from boot to boot, and runs land in one of two
# modes (CP0 timer or PIT as clock event) whose figures differ by 3% (pure user code) to
# 15% (mprotect rows).  -rtc clock=vm makes the RTC follow virtual time: the estimate is
# 333 MHz at every boot and rows repeat across boots.  The price is host time: the
# kernel's busy-wait on the RTC then takes about 45 s of host time under -icount.
# --host-rtc leaves the option out (quick boot, for smoke runs that assert no timing).
RTC_VM = ['-rtc', 'clock=vm']


def qemu_command(build, bench_args, host_rtc=False):
    kernel = os.path.join(build, 'baseline', 'vmlinuz')
    initrd = os.path.join(build, 'baseline', 'initramfs.cpio.gz')
    for f in (kernel, initrd):
        if not os.path.exists(f):
            die('%s is missing (make bench-linux builds it)' % f)
    for a in bench_args:
        if not a or ' ' in a or '"' in a:
            die('benchmark argument %r may not be empty or contain spaces or quotes' % a)
    append = APPEND_BASE
    if bench_args:
        append += ' bench.args=' + ','.join(bench_args)
    return qemu.board(icount=True) + ([] if host_rtc else RTC_VM) + net_options(bench_args) + [
            '-kernel', kernel, '-initrd', initrd, '-append', append]


def progress(seen, upto):
    """Print a progress line (stderr) for each BENCH row line completed after
    offset upto of the serial output seen so far."""
    start = seen.rfind(b'\n', 0, upto) + 1
    for raw in bytes(seen[start:]).split(b'\n')[:-1]:
        l = raw.decode('utf-8', 'replace').strip()
        m = re.match(r'BENCH row=(\S+) (rep=(\d+)|na=|error=)', l)
        if m and (m.group(3) in (None, '0')):
            sys.stderr.write('  %s ...\n' % (m.group(1) if m.group(3) else l[6:]))
            sys.stderr.flush()


# The longest bench.args= list one boot is given: Linux's boot chain cuts
# the kernel command line (about 240 characters of it reach /init) and the
# ExOS bench program reads it into 256 bytes.
ARGS_PER_BOOT = 150


# The network rows (bench/udp.c) boot on their own, on both systems, with the two NICs
# of tools/qemu.py nics(2); every other row keeps the board without NICs.
NET_ROW_PREFIX = 'udp_rtt'


def net_row(arg):
    """Whether a benchmark argument names a network row."""
    return arg.startswith(NET_ROW_PREFIX)


def net_options(chunk):
    """The QEMU options a boot running chunk (a list of chunk_args) adds to the
    board: the two NICs on one hub when it runs network rows, else none."""
    if '--net-only' in chunk or any(net_row(a) for a in chunk):
        return qemu.nics(2)
    return []


def chunk_args(bench_args, limit=ARGS_PER_BOOT):
    """Split bench_args into lists whose comma-joined rows fit in limit
    characters, one list per boot, the network rows (net_row) in boots of
    their own after the others; options (words starting with '--') go into
    every list. No rows: two boots, every row but the network rows
    (--no-net), then only them (--net-only)."""
    opts = [a for a in bench_args if a.startswith('--')]
    rows = [a for a in bench_args if not a.startswith('--')]
    if not rows:
        return [opts + ['--no-net'], opts + ['--net-only']]
    chunks = []
    for group in ([r for r in rows if not net_row(r)], [r for r in rows if net_row(r)]):
        cur = []
        for r in group:
            if cur and len(','.join(opts + cur + [r])) > limit:
                chunks.append(cur)
                cur = []
            cur.append(r)
        if cur:
            chunks.append(cur)
    return [opts + c for c in chunks]


def run_chunks(bench_args, make_cmd, timeout, log_path):
    """Boot once per chunk of bench_args (chunk_args), make_cmd(chunk) giving
    the QEMU command. Returns (serial lines of all boots, BENCH lines with
    one final 'BENCH done', the commands run, error reason or None). The
    first boot logs to log_path, the next ones to log_path.1, .2, ..."""
    chunks = chunk_args(bench_args)
    lines, bench, cmds = [], [], []
    for i, chunk in enumerate(chunks):
        cmd = make_cmd(chunk)
        cmds.append(cmd)
        serial, reason = run(cmd, timeout, log_path if i == 0 else '%s.%d' % (log_path, i))
        if reason is None and '[aegis] PANIC' in serial:
            reason = 'kernel panic'
        got = [l.strip() for l in serial.split('\n')]
        if reason is None and not any(l.startswith('BENCH done') for l in got):
            reason = '"BENCH done" never appeared (the benchmark failed)'
        if reason:
            return lines + got, bench, cmds, reason
        lines += got
        bench += [l for l in got if l.startswith('BENCH ') and not l.startswith('BENCH done')]
    done = [l for l in lines if l.startswith('BENCH done')]
    return lines, bench + done[-1:], cmds, None


def qemu_header(cmds):
    """The result file's lines naming the QEMU commands run: '# qemu: ' for the
    first boot of the rows without NICs (the one the report quotes; the first
    boot of all when every row was a network row), '# qemu network rows: ' for
    the first boot with the network rows' NICs."""
    def show(cmd):
        return ' '.join(c if ' ' not in c else '"%s"' % c for c in cmd)
    plain = [c for c in cmds if '-netdev' not in c]
    net = [c for c in cmds if '-netdev' in c]
    return ['# qemu: ' + show((plain or cmds)[0])] + \
        (['# qemu network rows: ' + show(net[0])] if net else [])


def run(cmd, timeout, log_path):
    """Run QEMU, return (serial output, failure reason or None)."""
    start = time.monotonic()
    out = bytearray()
    reason = None
    if qemu.missing_binary():
        die(qemu.missing_binary())
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        while True:
            left = timeout - (time.monotonic() - start)
            if left <= 0:
                reason = 'time-out after %d s (no power-off)' % timeout
                break
            ready, _, _ = select.select([proc.stdout], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break           # QEMU exited (power-off with -no-reboot)
                out += chunk
                progress(out, len(out) - len(chunk))
                text = out.decode('utf-8', 'replace')
                m = PANIC_RE.search(text)
                if m:
                    # Let the panic message finish printing, then stop.
                    time.sleep(1.0)
                    try:
                        while select.select([proc.stdout], [], [], 0.2)[0]:
                            more = os.read(proc.stdout.fileno(), 65536)
                            if not more:
                                break
                            out += more
                    except OSError:
                        pass
                    reason = 'kernel failure: %r' % m.group(0)
                    break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        with open(log_path, 'wb') as f:
            f.write(out)
    if reason is None and proc.returncode != 0:
        why = qemu.explain_failure(out.decode('utf-8', 'replace'))
        reason = 'QEMU exited with status %d%s' % (proc.returncode, ': ' + why if why else '')
    return out.decode('utf-8', 'replace').replace('\r', ''), reason


def arg_parser(doc, timeout):
    """The command line all three benchmark runners share (this one,
    tools/bench_aegis.py, tools/bench_storage.py): --build, --out,
    --timeout (seconds a boot may take, default timeout), --host-rtc and the
    rows. Callers add their own options and then call parse_bench_args."""
    ap = argparse.ArgumentParser(description=doc.split('\n')[0])
    ap.add_argument('--build', default=os.environ.get('BUILD', 'build'))
    ap.add_argument('--out')
    ap.add_argument('--timeout', type=int, default=timeout)
    ap.add_argument('--host-rtc', action='store_true',
                    help='omit -rtc clock=vm: quick boot, but the kernel clock then '
                    'depends on host speed (not for measurements)')
    ap.add_argument('bench_args', nargs='*')
    return ap


def parse_bench_args(ap):
    """Parse ap's command line: the arguments, with .words the rows and
    options to hand the benchmark. Rows come as one comma-separated word or
    several (make bench ROWS=a,b); options such as --smoke come through too."""
    args, extra = ap.parse_known_args()
    args.words = [a for arg in args.bench_args + extra for a in arg.split(',') if a]
    return args


def main():
    ap = arg_parser(__doc__, 600)
    ap.add_argument('--log')
    args = parse_bench_args(ap)
    bench_args = args.words
    out_path = args.out or os.path.join(args.build, 'bench', 'linux.txt')
    log_path = args.log or out_path + '.log'
    os.makedirs(os.path.dirname(out_path) or '.', exist_ok=True)

    t0 = time.monotonic()
    lines, bench, cmds, reason = run_chunks(
        bench_args, lambda chunk: qemu_command(args.build, chunk, args.host_rtc),
        args.timeout, log_path)
    elapsed = time.monotonic() - t0
    if reason:
        tail = '\n'.join(l for l in lines[-15:])
        die('%s\n--- last lines of the serial log (%s) ---\n%s' % (reason, log_path, tail))

    try:
        kver = open(os.path.join(args.build, 'baseline', 'kernel-version.txt')).read().strip()
    except OSError:
        kver = 'unknown'
    header = ['# system: linux',
              '# kernel package: ' + kver]
    header += ['# ' + l[2:].strip() for l in lines
               if l.startswith(('# uname:', '# kernel clock:', '# timer interrupts:',
                                '# clocksource:', '# clockevent:', '# clocksource log:',
                               '# nic packets:'))]
    header += qemu_header(cmds) + [
               '# host seconds: %.1f' % elapsed]
    with open(out_path + '.tmp', 'w') as f:
        f.write('\n'.join(header + bench) + '\n')
    os.replace(out_path + '.tmp', out_path)
    errs = [l for l in bench if ' error=' in l]
    print('run.py: %d BENCH lines -> %s (%.0f s host)%s' % (
        len(bench), out_path, elapsed,
        ', %d error rows' % len(errs) if errs else ''))
    return 1 if errs else 0


if __name__ == '__main__':
    sys.exit(main())
