#!/usr/bin/env python3
"""Split Aegis/ExOS benchmark rows into kernel and ExOS (user) instructions.

For rows whose whole loop is timed, runs the ExOS benchmark program twice
(iteration counts N1 and N2, one repetition each, so each row runs a warm-up
and one timed repetition) under QEMU with -icount, one instruction per
translation block (-singlestep) and the execution log (-d exec) going into a
FIFO, and counts, between consecutive entries of the benchmark driver's
run_row, the instructions executed at kernel addresses (0x80000000 and up)
and at user addresses. A row's cost per operation is the difference between
the two runs over the difference of their operations (each run does the
warm-up and the repetition: twice the operations its BENCH line reports), so
set-up, boot and the driver cancel out.

Writes a CSV: row, kernel instructions per operation, user (ExOS and the
benchmark's own loop) instructions per operation, total. tools/bench_report.py
puts it in docs/results.md.

Usage: bench_split.py [--build B] [--out FILE] [--n1 N] [--n2 N] [ROW ...]
"""
import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_aegis import qemu_command  # noqa: E402  (the board exactly as the benchmark runs it)

# Rows of one environment whose loop is timed as a whole (the figure covers
# everything each operation does), so that the split adds up to the measured
# row. The rows with a partner environment (xfer, yield, ipc_*) are left out:
# their counted instructions per operation come out at about half of what
# Count measures, which is not understood yet.
ROWS = ["nullsys", "nullsys_slow", "exc_unalign", "exc_unalign_light", "exc_prot",
        "appel1", "appel2"]

BENCH_RE = re.compile(r"BENCH row=(\S+) rep=0 iters=(\d+) ticks=\d+")


def symbol(elf, name):
    out = subprocess.run(["mipsel-linux-gnu-nm", elf], check=True, stdout=subprocess.PIPE,
                         text=True).stdout
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and p[2] == name:
            return int(p[0], 16) & 0xffffffff
    sys.exit(f"bench_split.py: no symbol {name} in {elf}")


def count(fifo, marker, segs):
    """Read QEMU's exec log from fifo: per segment (a new one at each
    execution of marker, the user address of run_row), [kernel, user]
    instructions."""
    cur = None
    with open(fifo, "rb") as f:
        for line in f:
            if not line.startswith(b"Trace"):
                continue
            i = line.index(b"/") + 1
            pc = int(line[i:line.index(b"/", i)], 16)
            if pc == marker:
                cur = [0, 0]
                segs.append(cur)
            if cur is not None:
                cur[pc < 0x80000000] += 1


def run_once(build, rows, n, marker):
    """Boot the benchmark with rows at n iterations; per row: (ops of its
    timed repetition, kernel instructions, user instructions) of its whole
    segment (warm-up, repetition and set-up)."""
    tmp = tempfile.mkdtemp(prefix="bench-split-")
    fifo = os.path.join(tmp, "exec.log")
    os.mkfifo(fifo)
    segs = []
    reader = threading.Thread(target=count, args=(fifo, marker, segs))
    reader.start()
    cmd = qemu_command(build, rows + [f"--iters={n}", "--reps=1"], False) + [
        "-singlestep", "-d", "exec,nochain", "-D", fifo]
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             timeout=1800).stdout.decode(errors="replace")
    finally:
        reader.join()
        os.unlink(fifo)
        os.rmdir(tmp)
    ops = {m[1]: int(m[2]) for m in BENCH_RE.finditer(out)}
    if len(segs) != len(rows) or any(r not in ops for r in rows):
        sys.exit(f"bench_split.py: {len(segs)} segments for {len(rows)} rows, BENCH lines for "
                 f"{sorted(ops)}; console tail:\n{out[-2000:]}")
    return {r: (ops[r], s[0], s[1]) for r, s in zip(rows, segs)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.environ.get("BUILD", "build"))
    ap.add_argument("--out", default="bench/results/split.csv")
    ap.add_argument("--n1", type=int, default=200)
    ap.add_argument("--n2", type=int, default=600)
    ap.add_argument("rows", nargs="*")
    args = ap.parse_args()
    rows = args.rows or ROWS
    marker = symbol(os.path.join(args.build, "apps", "bench"), "run_row")
    a = run_once(args.build, rows, args.n1, marker)
    b = run_once(args.build, rows, args.n2, marker)
    with open(args.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["row", "kernel_instr_per_op", "user_instr_per_op", "total_instr_per_op"])
        for r in rows:
            dops = 2 * (b[r][0] - a[r][0])
            if dops <= 0:
                sys.exit(f"bench_split.py: {r}: no more operations at --n2 than at --n1")
            k = (b[r][1] - a[r][1]) / dops
            u = (b[r][2] - a[r][2]) / dops
            w.writerow([r, "%.1f" % k, "%.1f" % u, "%.1f" % (k + u)])
    print(f"bench_split.py: {len(rows)} rows -> {args.out}")


if __name__ == "__main__":
    main()
