#!/usr/bin/env python3
"""stride_plot.py: the application-level stride scheduler's shares over time.

Boots Aegis with init=stride under the benchmark's QEMU options (virtual time:
-icount), reads the STRIDE lines the scheduler prints (cumulative processor
time of each worker, in thousands of Count ticks), and writes
bench/results/stride.csv and stride.svg/.png (gnuplot): each worker's share of
the time so far, against its ticket share (1/6, 2/6, 3/6).
Usage: stride_plot.py [--build DIR] [--results DIR]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "baseline"))
import run as baseline  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--results", default="bench/results")
    args = ap.parse_args()
    cmd = baseline.qemu.board(icount=True) + ["-kernel", os.path.join(args.build, "aegis.elf"),
           "-initrd", os.path.join(args.build, "initrd.cpio"), "-append", "init=stride"]
    log = os.path.join(args.build, "bench", "stride.log")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    serial, reason = baseline.run(cmd, 300, log)
    if reason:
        baseline.die(f"stride run failed: {reason}")
    rows = [tuple(int(x) for x in m.groups()) for m in
            re.finditer(r"STRIDE t=(\d+) w0=(\d+) w1=(\d+) w2=(\d+)", serial)]
    final = re.search(r"stride: tickets 100:200:300, shares (.*) of their", serial)
    if not rows or not final:
        baseline.die("no STRIDE lines or no final shares in the serial log " + log)
    os.makedirs(args.results, exist_ok=True)
    csv = os.path.join(args.results, "stride.csv")
    with open(csv, "w") as f:
        f.write("ticks_k,share_w0,share_w1,share_w2\n")
        for t, *w in rows:
            total = sum(w) or 1
            f.write("%d,%.4f,%.4f,%.4f\n" % (t, *(x / total for x in w)))
    gp = shutil.which("gnuplot")
    if not gp:
        baseline.die("gnuplot not found: it is in Debian package gnuplot-nox (tools/deps.sh bench)")
    if gp:
        for term, ext in (("svg size 720,360", "svg"), ("pngcairo size 720,360", "png")):
            script = f"""
set terminal {term}
set output '{os.path.join(args.results, 'stride.' + ext)}'
set datafile separator ','
set key outside right
set xlabel 'virtual time (millions of Count ticks)'
set ylabel 'share of the processor so far'
set yrange [0:0.7]
set title 'Stride scheduling at user level: shares for tickets 100:200:300'
plot '{csv}' using ($1/1000):2 with lines lw 2 title 'worker 0 (100)', \\
     '{csv}' using ($1/1000):3 with lines lw 2 title 'worker 1 (200)', \\
     '{csv}' using ($1/1000):4 with lines lw 2 title 'worker 2 (300)', \\
     1/6. dt 2 lc rgb 'gray' title 'ticket shares', 2/6. dt 2 lc rgb 'gray' notitle, \\
     3/6. dt 2 lc rgb 'gray' notitle
"""
            subprocess.run([gp], input=script, text=True, check=True)
    print(f"stride_plot.py: {len(rows)} points -> {csv}{', stride.svg/png' if gp else ''}; "
          f"final shares (of ticket share): {final.group(1)}")
    with open(os.path.join(args.results, "stride.txt"), "w") as f:
        f.write(final.group(1) + "\n")


if __name__ == "__main__":
    main()
