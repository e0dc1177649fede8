#!/usr/bin/env python3
"""fuzz.py: run the system-call fuzzer (apps/fuzzd) on the real kernel.

Boots Aegis directly under -icount (so that a run is replayed exactly by its
seed) with `init=fuzzd kcheck` and the fuzzer's parameters, and reports: the
number of system calls made by the hostile children, the rounds, the seed,
and the inconsistencies the kernel's invariant checker found (none, or the
run fails). `make fuzz` runs 10^6 calls; `make test` a short run.

Usage: fuzz.py [--build DIR] [--seed S] [--calls N] [--kids K] [--percall P] [--lowmem N]
Exit status 0 only if the run ended cleanly with no violation and every
round passed.
"""
import argparse
import os
import re
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--seed", type=int, default=None, help="default: from the clock (printed)")
    ap.add_argument("--calls", type=int, default=1000000)
    ap.add_argument("--kids", type=int, default=4)
    ap.add_argument("--percall", type=int, default=20000)
    ap.add_argument("--timeout", type=int, default=3600)
    ap.add_argument("--lowmem", type=int, default=0,
                    help="boot with lowmem=N: the children hold memory down to the kernel's "
                         "low-water mark, so it asks them for pages back (0: no)")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else int(time.time()) % 1000000 + 1
    log = os.path.join(args.build, "test-logs", f"fuzz-{seed}.log")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    append = (f"init=fuzzd kcheck fuzz.seed={seed} fuzz.calls={args.calls} "
              f"fuzz.kids={args.kids} fuzz.percall={args.percall}"
              + (f" lowmem={args.lowmem}" if args.lowmem else ""))
    replay = (f"make fuzz FUZZ_SEED={seed} FUZZ_CALLS={args.calls}"
              + (f" FUZZ_KIDS={args.kids}" if args.kids != 4 else "")
              + (f" FUZZ_LOWMEM={args.lowmem}" if args.lowmem else "")
              + (f" FUZZ_PERCALL={args.percall}" if args.percall != 20000 else ""))
    print(f"fuzz: seed {seed}, {args.calls} calls, {args.kids} children a round "
          f"(replay: {replay})", flush=True)
    t0 = time.monotonic()
    disk = os.path.join(args.build, "fuzz-disk.img")      # a fresh scratch disk of 4 MiB
    with open(disk, "wb") as f:
        f.truncate(4 << 20)
    rc = subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "boot.py"),
                         "--build", args.build, "--path", "direct", "--icount", "--quiet", "--nics", "2",
                         "--disk", disk,
                         "--append", append, "--log", log, "--timeout", str(args.timeout)]).returncode
    text = open(log, errors="replace").read() if os.path.exists(log) else ""
    m = re.search(r"FUZZ calls=(\d+) rounds=(\d+) kids=(\d+) seed=(\d+) violations=(\d+)", text)
    for line in text.splitlines():
        if re.match(r"\s*(not ok|# round|\[aegis\] kcheck:|\[aegis\] PANIC)", line):
            print(line)
    if not m:
        print(f"fuzz: FAILED: no summary (boot.py exit {rc}); log {log}; replay: {replay}")
        return 1
    calls, rounds, kids, s, bad = map(int, m.groups())
    failed_rounds = len(re.findall(r"^\s*not ok \d+ round", text, re.M))
    ok = rc == 0 and bad == 0 and failed_rounds == 0 and calls >= args.calls
    print(f"fuzz: {calls} system calls in {rounds} rounds of {kids} children, seed {s}, "
          f"{bad} violations, {failed_rounds} failed rounds, {time.monotonic() - t0:.0f} s "
          f"-> {'ok' if ok else 'FAILED'} (log {log})")
    if not ok:
        print(f"fuzz: replay: {replay}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
