#!/usr/bin/env python3
"""bench_aegis.py: run the benchmark suite on Aegis/ExOS and collect its BENCH lines.

Usage: bench_aegis.py [--out FILE] [--timeout S] [--build DIR] [--host-rtc] [--] [ARG...]

The same QEMU line as the Linux baseline (tools/baseline/run.py: same machine,
memory, -icount and -rtc options), with Aegis as the kernel and the `bench`
program of the initrd as the first environment; ARGs reach it through
`bench.args=a,b,c` on the kernel command line, as on Linux. Writes the BENCH
lines, after '#' lines naming the kernel build and the QEMU command, to --out
(default BUILD/bench/aegis.txt) and the serial log next to it. Fails with the
cause on a time-out, a panic, or a run without `BENCH done`.
"""
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "baseline"))
import run as baseline  # noqa: E402  (the Linux runner: same options, same capture)


def qemu_command(build, bench_args, host_rtc):
    for f in ("aegis.elf", "initrd.cpio"):
        if not os.path.exists(os.path.join(build, f)):
            baseline.die(f"{build}/{f} is missing (make all builds it)")
    for a in bench_args:
        if not a or " " in a or '"' in a:
            baseline.die(f"benchmark argument {a!r} may not be empty or contain spaces or quotes")
    append = "init=bench"
    if bench_args:
        append += " bench.args=" + ",".join(bench_args)
    return baseline.qemu.board(icount=True) + ([] if host_rtc else baseline.RTC_VM) + \
        baseline.net_options(bench_args) + [
            "-kernel", os.path.join(build, "aegis.elf"),
            "-initrd", os.path.join(build, "initrd.cpio"), "-append", append]


SOURCES = ["aegis", "exos", "lib", "apps", "linker.ld", "Makefile", "bench/bench.mk",
           "bench/bench.h", "bench/backend_exos.c", "bench/backend_exos.h", "bench/udp_exos.c",
           "bench/pt_inv.c", "bench/fs_exos.c"] + sorted(
    set(re.findall(r"bench/\w+\.c", open(os.path.join(os.path.dirname(HERE), "bench", "bench.mk")).read())))


def kernel_version():
    """The commit the kernel and benchmark were built from, '+changes' if any
    of their sources differ from it (generated results do not count)."""
    root = os.path.dirname(HERE)
    try:
        rev = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
        changed = subprocess.run(["git", "-C", root, "status", "--porcelain", "--"] + SOURCES,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
    except OSError:
        rev, changed = "", ""
    return f"aegis (this repository, {rev or 'unknown revision'}{' +changes' if changed else ''})"


def main():
    args = baseline.parse_bench_args(baseline.arg_parser(__doc__, 600))
    bench_args = args.words
    out_path = args.out or os.path.join(args.build, "bench", "aegis.txt")
    log_path = out_path + ".log"
    os.makedirs(os.path.dirname(out_path) or ".", exist_ok=True)

    t0 = time.monotonic()
    lines, bench, cmds, reason = baseline.run_chunks(
        bench_args, lambda chunk: qemu_command(args.build, chunk, args.host_rtc),
        args.timeout, log_path)
    elapsed = time.monotonic() - t0
    if reason:
        tail = "\n".join(lines[-15:])
        baseline.die(f"{reason}\n--- last lines of the serial log ({log_path}) ---\n{tail}")
    header = ["# system: aegis",
              "# kernel: " + kernel_version(),
              ] + baseline.qemu_header(cmds) + [
              f"# host seconds: {elapsed:.1f}"]
    with open(out_path + ".tmp", "w") as f:
        f.write("\n".join(header + bench) + "\n")
    os.replace(out_path + ".tmp", out_path)
    errs = [l for l in bench if " error=" in l]
    print(f"bench_aegis.py: {len(bench)} BENCH lines -> {out_path} ({elapsed:.0f} s host)"
          + (f", {len(errs)} error rows" if errs else ""))
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
