#!/usr/bin/env python3
"""Split Aegis/ExOS benchmark rows into kernel and ExOS (user) instructions.

Runs the ExOS benchmark program once (the given rows, one repetition each,
so each row runs a warm-up and one timed repetition) under QEMU with -icount,
one instruction per translation block (-singlestep) and the execution log
(-d exec,nochain) going into a FIFO, and counts exactly the instructions the
row's timed region executes: between a row's own reads of Count (the rdhwr
instructions of the benchmark's row functions, paired as the row pairs them:
start, end, start, end ...), the instructions executed at kernel addresses
(0x80000000 and up) and at user addresses, whichever environment runs them
(a partner's or competitor's instructions inside the region are the row's).
The warm-up's pairs come first and are dropped; the repetition's pairs are
divided by its operations. Each row's count is checked against Count's own
figure for the repetition (under -icount one tick is 6.25 instructions).

Writes a CSV: row, kernel instructions per operation, user (ExOS and the
benchmark's own loop) instructions per operation, total, and Count's figure
for the same repetition. tools/bench_report.py puts it in docs/results.md.

With --functions K it writes no CSV but prints, per row, the K functions
(kernel and user) where the timed repetition's instructions went, per
operation: where to look when a row is slower than it should be.

Usage: bench_split.py [--build B] [--out FILE] [--iters N] [--functions K] [ROW ...]
"""
import argparse
import bisect
import collections
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

# Rows of the main benchmark program (not the bench_inv rows, which run in a
# second program) whose timed region is bracketed by their own Count reads.
ROWS = ["nullsys", "nullsys_slow", "trap", "exc_unalign", "exc_unalign_light", "exc_prot",
        "prot1", "prot100", "unprot100", "appel1", "appel2", "xfer", "yield", "ipc_pipe", "ipc_shm",
        "ipc_shm_load2",
        "tlbmiss"]

INSTR_PER_TICK = 6.25
BENCH_RE = re.compile(r"BENCH row=(\S+) rep=0 iters=(\d+) ticks=(\d+)")
FUNC_RE = re.compile(r"^([0-9a-f]+) <([^>]+)>:$")


def elf_symbols(elf):
    """(address of run_row, set of addresses of the rdhwr instructions of the
    rows themselves: those whose source line is in bench/, other than the
    ExOS back end's files, whose waits read Count too, as ExOS's do)."""
    out = subprocess.run(["mipsel-linux-gnu-objdump", "-d", elf], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    marker, reads = None, []
    for line in out.splitlines():
        m = FUNC_RE.match(line)
        if m and m.group(2) == "run_row":
            marker = int(m.group(1), 16)
        elif "\trdhwr\t" in line:
            reads.append(int(line.split(":")[0], 16))
    # -a -i: each address, then its inlining chain; its last line is the
    # function the read was inlined into (bench_count is inline).
    out = subprocess.run(["mipsel-linux-gnu-addr2line", "-a", "-i", "-e", elf] +
                         ["%x" % a for a in reads],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    where = {}
    for line in out.splitlines():
        if line.startswith("0x"):
            cur = int(line, 16)
        else:
            where[cur] = line
    rows = {a for a, src in where.items()
            if "/bench/" in src and not re.search(r"/bench/(backend_\w+|\w+_exos)\.c:", src)}
    if marker is None or not rows:
        sys.exit(f"bench_split.py: no run_row or no Count reads of rows in {elf}")
    return marker, rows


def count(fifo, marker, reads, segs, by_pc):
    """Read QEMU's exec log from fifo. Per segment (a new one at each
    execution of marker, the user address of run_row): a list of
    [kernel, user] instruction counts, one per interval between two
    consecutive Count reads of the benchmark; the first interval starts at
    the first read. With by_pc, each interval also has a third element:
    a Counter of the addresses it executed."""
    cur = None
    with open(fifo, "rb") as f:
        for line in f:
            if not line.startswith(b"Trace"):
                continue
            i = line.index(b"/") + 1
            pc = int(line[i:line.index(b"/", i)], 16)
            if pc == marker:
                cur = []
                segs.append(cur)
            if cur is None:
                continue
            if pc in reads:
                cur.append([0, 0, collections.Counter()] if by_pc else [0, 0])
            if cur:
                cur[-1][pc < 0x80000000] += 1
                if by_pc:
                    cur[-1][2][pc] += 1


def run(build, rows, iters, marker, reads, by_pc=False):
    """Boot the benchmark with rows at iters iterations, one repetition; per
    row: (ops of its timed repetition, its Count ticks, kernel instructions,
    user instructions in the repetition's timed intervals, and with by_pc a
    Counter of the addresses they executed) or a string saying why it
    cannot be split."""
    tmp = tempfile.mkdtemp(prefix="bench-split-")
    fifo = os.path.join(tmp, "exec.log")
    os.mkfifo(fifo)
    segs = []
    reader = threading.Thread(target=count, args=(fifo, marker, reads, segs, by_pc))
    reader.start()
    cmd = qemu_command(build, rows + [f"--iters={iters}", "--reps=1"], False) + [
        "-singlestep", "-d", "exec,nochain", "-D", fifo]
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             timeout=3600).stdout.decode(errors="replace")
    finally:
        reader.join()
        os.unlink(fifo)
        os.rmdir(tmp)
    bench = {m[1]: (int(m[2]), int(m[3])) for m in BENCH_RE.finditer(out)}
    if len(segs) != len(rows) or any(r not in bench for r in rows):
        sys.exit(f"bench_split.py: {len(segs)} segments for {len(rows)} rows, BENCH lines for "
                 f"{sorted(bench)}; console tail:\n{out[-2000:]}")
    res = {}
    for r, seg in zip(rows, segs):
        # One interval per read: they alternate timed (from a start read to its end
        # read) and untimed (from an end read to the next start, or to the next row).
        if len(seg) % 4:
            res[r] = f"{len(seg)} Count reads: not pairs for a warm-up and a repetition"
            continue
        timed = seg[0::2]
        rep = timed[len(timed) // 2:]
        ops, ticks = bench[r]
        res[r] = (ops, ticks, sum(i[0] for i in rep), sum(i[1] for i in rep),
                  sum((i[2] for i in rep), collections.Counter()) if by_pc else None)
    return res


def functions(elf):
    """Sorted (start addresses, names) of elf's text symbols (the kernel's
    ELF is 64-bit: its addresses are cut to 32 bits)."""
    out = subprocess.run(["mipsel-linux-gnu-nm", "-n", elf], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    syms = [(int(a, 16) & 0xffffffff, n) for a, t, n in (l.split() for l in out.splitlines()
                                             if len(l.split()) == 3) if t in "tTwW"]
    return [a for a, _ in syms], [n for _, n in syms]


def print_functions(build, rows, res, top):
    """Per row, the functions its timed repetition ran, by instructions per
    operation: the kernel's (aegis.elf, kseg0) marked [k], the benchmark
    program's [u] (a partner program's instructions at user addresses are
    named from the benchmark program too, so they may be misnamed)."""
    tables = [functions(os.path.join(build, "aegis.elf")),
              functions(os.path.join(build, "apps", "bench"))]
    for r in rows:
        if isinstance(res[r], str):
            print(f"# {r}: {res[r]}")
            continue
        ops, ticks, k, u, pcs = res[r]
        fn = collections.Counter()
        for pc, n in pcs.items():
            starts, names = tables[pc < 0x80000000]
            i = bisect.bisect_right(starts, pc) - 1
            fn[(names[i] if i >= 0 else "?") + (" [u]" if pc < 0x80000000 else " [k]")] += n
        print(f"# {r}: {(k + u) / ops:.1f} instructions per operation (kernel {k / ops:.1f}, "
              f"user {u / ops:.1f}; Count: {ticks * INSTR_PER_TICK / ops:.1f})")
        for name, n in fn.most_common(top):
            print(f"{name:44} {n / ops:10.1f} {100 * n / (k + u):6.1f}%")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.environ.get("BUILD", "build"))
    ap.add_argument("--out", default="bench/results/split.csv")
    ap.add_argument("--iters", type=int, default=200)
    ap.add_argument("--functions", type=int, metavar="K", default=0,
                    help="print each row's K costliest functions instead of writing the CSV")
    ap.add_argument("rows", nargs="*")
    args = ap.parse_args()
    rows = args.rows or ROWS
    marker, reads = elf_symbols(os.path.join(args.build, "apps", "bench"))
    res = run(args.build, rows, args.iters, marker, reads, args.functions > 0)
    if args.functions:
        print_functions(args.build, rows, res, args.functions)
        return 1 if any(isinstance(v, str) for v in res.values()) else 0
    bad = 0
    with open(args.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["row", "kernel_instr_per_op", "user_instr_per_op", "total_instr_per_op",
                    "count_instr_per_op"])
        for r in rows:
            if isinstance(res[r], str):
                print(f"bench_split.py: {r}: {res[r]}", file=sys.stderr)
                bad += 1
                continue
            ops, ticks, k, u, _ = res[r]
            w.writerow([r, "%.1f" % (k / ops), "%.1f" % (u / ops), "%.1f" % ((k + u) / ops),
                        "%.1f" % (ticks * INSTR_PER_TICK / ops)])
    print(f"bench_split.py: {len(rows) - bad} rows -> {args.out}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
