#!/usr/bin/env python3
"""bench_storage.py: run the storage rows (bench/fs.c) on one system, each set of rows
in boots of its own with a fresh disk image on the IDE primary master.

Usage: bench_storage.py --system linux|aegis [--build DIR] [--out FILE] [--timeout S]
                        [--host-rtc] [--] [ARG...]

ARGs are benchmark options and row names as for make bench (no row: every storage
row). The rows come in sets, each on its own file system (SETS): `fs_` on Linux's ext2,
`fsj_` on ext4. For each set, each boot (one, unless the rows do not fit one kernel
command line) gets a new IMAGE_MB MiB image, made on the host: Linux's with mke2fs
(e2fsprogs; no root needed) with fixed options (MKE2FS), Aegis's all zeros (ExOS's bench
makes cffs on it from the board: bench/fs_exos.c). The QEMU line is the benchmark runners' own
(tools/baseline/run.py, tools/bench_aegis.py: the same board, -icount and -rtc options)
plus tools/qemu.py disk(image) with cache=unsafe (DISK_CACHE), the same on both systems. On Linux, `bench.disk=TYPE` on
the kernel command line, and the initramfs gets the storage modules appended
(tools/baseline/modules.sh; Linux unpacks concatenated archives in turn) and /init
mounts the disk on /mnt (tools/baseline/init.sh).

Writes a result file (default BUILD/bench/storage-SYSTEM.txt: '#' header lines naming
the kernel and the QEMU command, then for each boot (`# boot N: ...`) its image and file
system and what /init printed about the disk and the timer, then every boot's BENCH lines
and one final `BENCH done`), the serial logs next to it (.log, .log.1, ...) and the
image of the last boot (.img). Fails
with the cause on a time-out, a panic, or a boot without `BENCH done`.
"""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "baseline"))
sys.path.insert(0, HERE)
import run as baseline  # noqa: E402  (the Linux runner: board, capture, chunks)
import bench_aegis  # noqa: E402

IMAGE_MB = 64
# Appended to tools/qemu.py disk()'s -drive option, on both systems: QEMU then does not
# pass the guest's cache flushes on to the host file (an fdatasync each, whose host time
# would become virtual time while the guest waits under -icount sleep=on). The image is
# thrown away after the boot, so nothing needs to reach the host's disk.
DISK_CACHE = ",cache=unsafe"
# (row prefix, Linux file system). ExOS's cffs serves the first set.
SETS = [("fs", "ext2"), ("fsj", "ext4")]
WORKS = ["small", "large", "seq"]
PHASES = ["write", "read", "delete"]
# mke2fs with everything fixed that could differ between hosts or runs: 4 KiB blocks
# (the page size), the UUID and directory-hash seed, and the inode tables and journal
# written now (lazy_*_init=0) so that no kernel thread initialises them during the rows.
MKE2FS = ["mke2fs", "-F", "-q", "-b", "4096", "-U", "6e3a5b1c-0000-4000-8000-000000000012",
          "-E", "hash_seed=6e3a5b1c-0000-4000-8000-000000000012,"
          "lazy_itable_init=0,lazy_journal_init=0,nodiscard"]


def set_rows(prefix):
    """The rows of one set, in bench/fs.c's order."""
    return ["%s_%s_%s" % (prefix, w, p) for w in WORKS for p in PHASES]


def make_image(path, system, fstype):
    """A fresh image of IMAGE_MB MiB at path: Linux's with fstype made by mke2fs, Aegis's
    zeros. Returns the header lines describing it."""
    if os.path.exists(path):
        os.remove(path)
    with open(path, "wb") as f:
        f.truncate(IMAGE_MB << 20)
    if system != "linux":
        return ["# disk image: %d MiB of zeros (ExOS makes cffs on it from the board: "
                "bench/fs_exos.c)" % IMAGE_MB]
    cmd = MKE2FS + ["-t", fstype, path]
    env = dict(os.environ, E2FSPROGS_FAKE_TIME="1700000000")
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    except OSError:
        baseline.die("mke2fs not found: it is in Debian package e2fsprogs (tools/deps.sh bench)")
    if p.returncode:
        baseline.die("%s failed: %s" % (" ".join(cmd), p.stderr.strip()))
    feats = subprocess.run(["dumpe2fs", "-h", path], capture_output=True, text=True).stdout
    feats = [l.split(":", 1)[1].strip() for l in feats.splitlines()
             if l.startswith("Filesystem features:")]
    return ["# disk image: %d MiB, %s" % (IMAGE_MB, fstype),
            "# mkfs %s: %s IMAGE" % (fstype, " ".join(cmd[:-1])),
            "# features %s: %s" % (fstype, feats[0] if feats else "(dumpe2fs failed)")]


def storage_initrd(build):
    """The Linux initramfs of the storage boots: the benchmark's, then a second archive
    with the modules of tools/baseline/modules.sh and their load order."""
    base = os.path.join(build, "baseline", "initramfs.cpio.gz")
    mods = os.path.join(build, "baseline", "modules")
    lst = os.path.join(mods, "storage.list")
    for f in (base, lst):
        if not os.path.exists(f):
            baseline.die("%s is missing (make bench-storage builds it)" % f)
    extra = os.path.join(build, "baseline", "storage-modules.cpio.gz")
    specs = ["dir:lib", "dir:lib/modules", "file:lib/modules/storage.list=%s:0644" % lst]
    specs += ["file:lib/modules/%s=%s:0644" % (m, os.path.join(mods, m))
              for m in open(lst).read().split()]
    subprocess.run([sys.executable, os.path.join(HERE, "baseline", "mkcpio.py"), extra] + specs,
                   check=True)
    out = os.path.join(build, "baseline", "initramfs-storage.cpio.gz")
    with open(out, "wb") as f:
        f.write(open(base, "rb").read() + open(extra, "rb").read())
    return out


def qemu_command(system, build, chunk, host_rtc, fstype, image, initrd):
    """The runner's QEMU line for system with the disk image; on Linux, the storage
    initramfs and bench.disk=fstype (the file system /init mounts)."""
    if system == "linux":
        cmd = baseline.qemu_command(build, chunk, host_rtc)
        cmd[cmd.index("-initrd") + 1] = initrd
        cmd[cmd.index("-append") + 1] += " bench.disk=" + fstype
    else:
        cmd = bench_aegis.qemu_command(build, chunk, host_rtc)
    disk = baseline.qemu.disk(image)
    disk[-1] += DISK_CACHE
    return cmd + disk


# Lines /init prints that the result file keeps (Linux).
KEEP = ("# uname:", "# kernel clock:", "# clocksource:", "# clockevent:", "# disk mount:",
        "# disk log:")


def main():
    ap = baseline.arg_parser(__doc__, 900)
    ap.add_argument("--system", required=True, choices=["linux", "aegis"])
    args = baseline.parse_bench_args(ap)
    words = args.words
    opts = [a for a in words if a.startswith("--")]
    rows = [a for a in words if not a.startswith("--")] or \
        [r for p, _ in SETS for r in set_rows(p)]
    out_path = args.out or os.path.join(args.build, "bench", "storage-%s.txt" % args.system)
    os.makedirs(os.path.dirname(out_path) or ".", exist_ok=True)
    initrd = storage_initrd(args.build) if args.system == "linux" else None

    t0 = time.monotonic()
    header, bench, cmds, errors, boot = [], [], [], 0, 0
    for prefix, fstype in SETS:
        mine = [r for r in rows if r.split("_")[0] == prefix or
                (prefix == SETS[0][0] and r.split("_")[0] not in dict(SETS))]
        if not mine:
            continue
        for chunk in baseline.chunk_args(opts + mine):
            image = out_path + ".img"
            header += ["# boot %d: %s_ rows, %s" % (boot + 1, prefix, fstype)]
            header += make_image(image, args.system, fstype)
            cmd = qemu_command(args.system, args.build, chunk, args.host_rtc, fstype, image,
                               initrd)
            cmds.append(cmd)
            log = out_path + ".log" + (".%d" % boot if boot else "")
            boot += 1
            serial, reason = baseline.run(cmd, args.timeout, log)
            if reason is None and "[aegis] PANIC" in serial:
                reason = "kernel panic"
            lines = [l.strip() for l in serial.split("\n")]
            done = [l for l in lines if l.startswith("BENCH done")]
            if reason is None and not done:
                reason = '"BENCH done" never appeared (the benchmark failed)'
            if reason:
                tail = "\n".join(lines[-15:])
                baseline.die("%s\n--- last lines of the serial log (%s) ---\n%s" % (
                    reason, log, tail))
            errors += int(done[-1].split("errors=")[-1] or 0)
            header += [l for l in lines if l.startswith(KEEP)]
            bench += [l for l in lines if l.startswith("BENCH ") and l not in done and
                      not (l.startswith("BENCH start") and bench)]
    elapsed = time.monotonic() - t0
    if args.system == "linux":
        try:
            kver = open(os.path.join(args.build, "baseline", "kernel-version.txt")).read().strip()
        except OSError:
            kver = "unknown"
        first = ["# system: linux", "# kernel package: " + kver]
    else:
        first = ["# system: aegis", "# kernel: " + bench_aegis.kernel_version()]
    show = " ".join(c if " " not in c else '"%s"' % c for c in cmds[0])
    first += ["# qemu: " + show, "# storage boots: %d, a fresh image each" % len(cmds)]
    with open(out_path + ".tmp", "w") as f:
        f.write("\n".join(first + header + ["# host seconds: %.1f" % elapsed] + bench +
                          ["BENCH done errors=%d" % errors]) + "\n")
    os.replace(out_path + ".tmp", out_path)
    print("bench_storage.py: %d BENCH lines from %d boot(s) -> %s (%.0f s host)%s" % (
        len(bench) + 1, len(cmds), out_path, elapsed,
        ", %d error rows" % errors if errors else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
