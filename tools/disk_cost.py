#!/usr/bin/env python3
"""What a disk request costs the kernel, with bus-master DMA and with PIO
(docs/storage.md, "Bus-master DMA"): boots apps/disktest twice under -icount
(direct path, a fresh 4 MiB scratch image each time; the second with the
kernel's disk.pio switch) and prints, from its `cost` test, the kernel's
Count ticks and instructions per request of 8 blocks and the steps (drive
interrupts or polled steps) each took. Under -icount shift=0 a Count tick
is 6.25 guest instructions (bench/bench.h). Exits 1 if a boot fails or
prints no cost line.

  python3 tools/disk_cost.py [--build build]
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
INSN_PER_TICK = 6.25
LINE = re.compile(r"# cost (\w+): per request of 8 blocks: write (\d+) kticks (\d+) steps, "
                  r"read (\d+) kticks (\d+) steps")


def cost(build, pio):
    """One boot: (mode, write ticks, write steps, read ticks, read steps), or None."""
    name = "pio" if pio else "dma"
    img = os.path.join(build, f"cost-{name}.img")
    with open(img, "wb") as f:
        f.truncate(4 << 20)
    log = os.path.join(build, "test-logs", f"disk-cost-{name}.log")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    cmd = [sys.executable, os.path.join(HERE, "boot.py"), "--build", build, "--path", "direct",
           "--append", "init=disktest kcheck" + (" disk.pio" if pio else ""), "--log", log,
           "--quiet", "--timeout", "300", "--icount", "--disk", img]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=400)
    text = open(log, errors="replace").read() if os.path.exists(log) else ""
    m = LINE.search(text)
    return (m.group(1), *map(int, m.groups()[1:])) if m else None


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    rows = [cost(args.build, pio) for pio in (False, True)]
    if None in rows:
        print("disk_cost: a boot printed no cost line (see build/test-logs/disk-cost-*.log)")
        return 1
    print("| mode | op | kernel ticks per request | kernel instructions per request | steps per request |")
    print("|---|---|---|---|---|")
    for mode, wt, ws, rt, rs in rows:
        for op, t, s in (("write", wt, ws), ("read", rt, rs)):
            print(f"| {mode.upper()} | {op} 8 blocks | {t} | {round(t * INSN_PER_TICK)} | {s} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
