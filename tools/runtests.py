#!/usr/bin/env python3
"""Run every test of the project and report in KTAP.

Suites: the host-side unit tests (pure logic, compiled natively; the set-up
scripts against stand-ins for apt and dpkg), the
path-length budgets, generated docs being current, boots of the real kernel
on QEMU malta (through U-Boot and directly, each running the kernel
self-tests and the user-level test program; a boot whose first program
faults on purpose; a kernel panic being caught), and a short smoke run of
the benchmark programs on Aegis and on the Linux baseline (values checked,
no timing). Every suite is a KTAP subtest; a missing
result, a panic, a time-out or a boot that does not halt is a failure. The
run ends with one line `N passed, N failed`; the exit status is 1 if any
test failed. Serial logs are kept in BUILD/test-logs/.
"""
import argparse
import os
import random
import re
import signal
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap  # noqa: E402
import xn_mkfs  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class Suite:
    def __init__(self, name):
        self.name = name
        self.results = []       # (name, ok, note)

    def add(self, name, ok, note=""):
        self.results.append((name, bool(ok), note))

    def add_report(self, rep):
        for leaf in rep.leaves:
            self.add(leaf.path, leaf.ok, leaf.directive)
        for p in rep.problems:
            self.add(f"ktap: {p}", False)


def run(cmd, timeout):
    try:
        p = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        return -1, (e.stdout or b"").decode(errors="replace") + f"\n(time-out after {timeout} s)"
    except OSError as e:
        return -1, f"cannot run {cmd[0]}: {e}"


def host_suite(name, cmd, timeout=600):
    s = Suite(name)
    rc, out = run(cmd, timeout)
    s.add_report(ktap.parse(out))
    if rc != 0:
        s.add(f"exit status {rc}", False, out.strip().splitlines()[-1] if out.strip() else "")
    if not s.results:
        s.add("produced results", False, "no KTAP output")
    return s


def docs_suite(build):
    """Generated documents must match what the scripts produce now."""
    s = Suite("docs")
    rc, out = run([sys.executable, os.path.join(HERE, "pathlen.py"), "--elf",
                   os.path.join(build, "aegis.elf"), "--markdown"], 60)
    have = open(os.path.join(ROOT, "docs", "pathlengths.md")).read() \
        if os.path.exists(os.path.join(ROOT, "docs", "pathlengths.md")) else ""
    s.add("docs/pathlengths.md is current (make docs)", rc == 0 and out == have)
    # Counts quoted in prose must be today's counts.
    counts = {}
    for line in out.splitlines():
        m = re.match(r"\| (.+?) \| (\d+) \| \d+ \|", line)
        if m:
            counts[m[1]] = m[2]
    quotes = [("architecture.md", "returns: %s instructions", "TLB refill, STLB hit"),
              ("architecture.md", "costs %s instructions", "null system call, fast path"),
              ("architecture.md", "user mode: %s instructions", "exception dispatch to the user handler"),
              ("exos.md", "(%s instructions from the vector", "exception dispatch to the user handler")]
    for doc, phrase, path in quotes:
        text = open(os.path.join(ROOT, "docs", doc)).read()
        want = phrase % counts.get(path, "?")
        s.add(f"docs/{doc} quotes the current count for '{path}'", want in text, want)
    # The README's list of installed packages is deps.sh's list.
    rc, out = run(["bash", os.path.join(HERE, "deps.sh"), "--list"], 30)
    readme = open(os.path.join(ROOT, "README.md")).read()
    pkgs = [l.split()[0] for l in out.splitlines() if l.strip()]
    absent = [p for p in pkgs if f"`{p}`" not in readme]
    s.add("README names every package tools/deps.sh installs", rc == 0 and pkgs and not absent,
          ("missing: " + " ".join(absent)) if absent else "")
    return s


def boot(build, path, append, logname, timeout=90, icount=False, nics=0, disk=None):
    """Boot once (with nics PCnet NICs on one QEMU hub, and the disk image
    disk on the IDE primary master); returns (exit status of boot.py,
    console text, command)."""
    log = os.path.join(build, "test-logs", logname)
    cmd = [sys.executable, os.path.join(HERE, "boot.py"), "--build", build, "--path", path,
           "--append", append, "--log", log, "--quiet", "--timeout", str(timeout)]
    if icount:
        cmd.append("--icount")
    if nics:
        cmd += ["--nics", str(nics)]
    if disk:
        cmd += ["--disk", disk]
    rc, out = run(cmd, timeout + 60)
    text = open(log, errors="replace").read() if os.path.exists(log) else ""
    return rc, text + out, cmd


def guest_ktest_suite(build, path):
    s = Suite(f"boot-{path}")
    # Under -icount the guest's clock advances with its own instructions, so
    # the tests that measure slices, deadlines and hand-offs on Count do not
    # depend on how loaded the host is (on host time they failed or ran past
    # the time-out on a busy machine).
    rc, text, cmd = boot(build, path, "ktest init=utest", f"{path}-ktest.log", icount=True)
    rep = ktap.parse(text)
    s.add_report(rep)
    s.add("kernel halted cleanly (no panic, no time-out)", rc == 0,
          "" if rc == 0 else "reproduce: " + " ".join(cmd[1:]))
    s.add("both suites reported", len(rep.leaves) > 0 and "utest" in text and "aegis" in text)
    if path == "uboot":
        # The log must show U-Boot's banner, then the kernel's, then the program's output.
        i = text.find("U-Boot 20")
        j = text.find("[aegis] Aegis exokernel", max(i, 0))
        k = text.find("# Subtest: utest", max(j, 0))
        s.add("log shows U-Boot, then Aegis, then the user program", 0 <= i < j < k)
        s.add("kernel saw the U-Boot boot path", "boot path: U-Boot bootm" in text)
    else:
        s.add("kernel saw the direct boot path", "boot path: direct" in text)
    return s


def program_suite(build, path, prog, name, logname, extra, nics=0, disk=None, args=""):
    """A test program (apps/PROG, printing KTAP) as the first environment,
    with the kernel's invariant checker available: its results, a clean halt,
    the checks extra(text) returns as (name, ok) pairs, and its exit status 0."""
    s = Suite(name)
    rc, text, cmd = boot(build, path, f"init={prog} kcheck{args}", logname, timeout=120,
                         nics=nics, disk=disk)
    rep = ktap.parse(text)
    s.add_report(rep)
    s.add("kernel halted cleanly (no panic, no time-out)", rc == 0,
          "" if rc == 0 else "reproduce: " + " ".join(cmd[1:]))
    s.add("the suite ran", f"# Subtest: {prog}" in text and len(rep.leaves) > 1)
    for label, ok in extra(text):
        s.add(label, ok)
    s.add("the suite's environment exited 0", f"({prog}) exited with status 0" in text)
    return s


def disk_suite(build, path, prog="disktest", kind="disk", pio=False):
    """The disk tests (apps/disktest; apps/xntest for XN: kind "xn"), with a
    fresh scratch image of zeros in the build directory on the IDE primary
    master: 4 MiB, or 64 MiB for XN (the storage benchmarks' disk). The
    kernel drives it with bus-master DMA, or with PIO if pio (the kernel's
    disk.pio switch: suite KIND-pio)."""
    name = f"{kind}-pio" if pio else f"{kind}-{path}"
    img = os.path.join(build, f"test-{name}.img")
    size = (64 if kind == "xn" else 4) << 20
    with open(img, "wb") as f:
        f.truncate(size)
    mode = "[aegis] disk: PIO" if pio else "[aegis] disk: bus-master DMA"
    return program_suite(build, path, prog, name, f"{path}-{name}.log", lambda text: [
        ("the kernel found the disk",
         re.search(r'\[aegis\] disk: IDE primary master "[^"]+", %d blocks' % (size // 512), text)
         is not None),
        ("the kernel drives it with " + ("PIO" if pio else "DMA"), mode in text)],
        disk=img, args=" disk.pio" if pio else "")


def xn_persist_suite(build, path="direct"):
    """XN on disk (docs/storage.md, "XN on disk"): a 64 MiB image formatted
    by tools/xn_mkfs.py; boot 1: xntest keeps a file system on it (its
    persist_* tests); the host fsck passes the image; boot 2: xntest
    re-attaches it, finds its files, changes them; the fsck passes again;
    then the image is damaged (the root block freed in the free map) and
    boot 3 must refuse the disk (xntest's refused test), the fsck fail."""
    s = Suite("xn-persist")
    img = os.path.join(build, "test-xn-persist.img")
    with open(img, "wb") as f:
        f.truncate(64 << 20)
    rc, out = run([sys.executable, os.path.join(HERE, "xn_mkfs.py"), img], 30)
    s.add("xn_mkfs formatted the image", rc == 0, out.strip()[-200:])
    fsck = os.path.join(build, "host", "xnfsck")
    for n, phase, marker in ((1, "keep", "persist_keep"), (2, "attach", "persist_attach"),
                             (3, "refused", "refused"), (4, "refused", "refused")):
        if n >= 3:
            L = xn_mkfs.layout(131072)
            with open(img, "r+b") as f:             # block 1000 (the root) free in the map, or back
                f.seek(L["map_at"] * 512 + 1000 // 8)
                b = f.read(1)[0]
                f.seek(L["map_at"] * 512 + 1000 // 8)
                f.write(bytes([b & ~(1 << (1000 % 8)) & 0xff if n == 3 else b | 1 << (1000 % 8)]))
                if n == 4:                          # a cycle: wide block 1100 -> file 1 (1041) -> 1100
                    f.seek(1000 * 512 + 12)
                    wide = f.read(4)                # the type of the root's first pointer
                    f.seek(1100 * 512)
                    f.write(struct.pack("<2I", 2, 0) + struct.pack("<I", 1101) + bytes(4) +
                            struct.pack("<I", 1041) + wide)
        rc, text, cmd = boot(build, path, "init=xntest kcheck", f"{path}-xn-persist-{n}.log",
                             timeout=120, disk=img)
        rep = ktap.parse(text)
        for leaf in rep.leaves:
            s.add(f"boot {n}: {leaf.path}", leaf.ok, leaf.directive)
        s.add(f"boot {n}: kernel halted cleanly", rc == 0,
              "" if rc == 0 else "reproduce: " + " ".join(cmd[1:]))
        s.add(f"boot {n}: xntest ran its {phase} tests",
              [leaf.path for leaf in rep.leaves] == [f"xntest/{marker}"])
        s.add(f"boot {n}: xntest exited 0", "(xntest) exited with status 0" in text)
        if n == 2:
            s.add("boot 2: the kernel rebuilt the kept file system",
                  re.search(r"\[aegis\] xn: area of 130 blocks; 1 kept file systems", text) is not None)
        if n == 3:
            s.add("boot 3: the kernel refused the disk",
                  "[aegis] xn: disk refused: root record 0 (block 1000" in text)
        if n == 4:
            s.add("boot 4: the kernel refused the disk (a cycle)",
                  "[aegis] xn: disk refused: block 1041 is in a cycle of metadata blocks" in text)
        rc, out = run([fsck, img], 60)
        if n < 3:
            moved = f"{2 - n} metadata blocks with two pointers"    # boot 1 leaves a move half done
            s.add(f"fsck after boot {n} passes", rc == 0 and re.search(r"\n8 passed, 0 failed", out)
                  and moved in out,
                  out.strip().splitlines()[-1] if out.strip() else "")
        else:
            s.add(f"fsck of the damaged image fails ({n})", rc == 1 and
                  ("not ok 6" in out if n == 3 else "not ok 5" in out and "in a cycle" in out))
        open(os.path.join(build, "test-logs", f"xn-persist-fsck-{n}.log"), "w").write(out)
    return s


def children(pid):
    """The process ids whose parent is pid, read from /proc (no procps on
    a bare machine)."""
    kids = []
    for d in os.listdir("/proc"):
        try:
            # Field 4 of /proc/PID/stat, after the name in parentheses.
            if d.isdigit() and int(open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(d))
        except (OSError, ValueError, IndexError):
            pass
    return kids


def crash_boot(build, path, img, logname, delay, prog="xntest", started=b"crash workload: step 0,"):
    """Boot prog on img and stop QEMU (killed) delay seconds after its
    crash workload has started (the line started in the log; at most 90 s
    of waiting for it): (console text, command)."""
    log = os.path.join(build, "test-logs", logname)
    if os.path.exists(log):
        os.remove(log)
    cmd = [sys.executable, os.path.join(HERE, "boot.py"), "--build", build, "--path", path,
           "--append", f"init={prog} kcheck", "--log", log, "--quiet", "--timeout", "150",
           "--disk", img]
    # SIGINT's default action restored for boot.py: a runner started in the
    # background inherits SIGINT ignored, and then boot.py would never see
    # it (killed after 30 s instead, it would leave QEMU running).
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        if os.path.exists(log) and started in open(log, "rb").read():
            break
        time.sleep(0.1)
    time.sleep(delay)
    # The stop: QEMU killed (boot.py's child), so that boot.py still logs
    # all the console said before it (what the guest printed, e.g. the
    # files it fsynced, is in the log) and then ends, the board not halted.
    # Without a child found, boot.py is interrupted (it kills QEMU).
    kids = children(proc.pid)
    for pid in kids:
        os.kill(pid, signal.SIGKILL)
    if not kids and proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        out = proc.communicate(timeout=30)[0]
    except subprocess.TimeoutExpired:
        proc.kill()
        out = proc.communicate()[0]
    text = open(log, errors="replace").read() if os.path.exists(log) else ""
    return text + out.decode(errors="replace"), cmd


def after_crash(s, n, text, steps, build, img, name):
    """The checks every crash suite makes of boot n (console text, the
    workload's step lines): the workload ran with no step failed, no kcheck
    finding and no panic; then the host fsck passes the image (its output
    kept as test-logs/NAME-fsck-N.log)."""
    s.add(f"boot {n}: the workload ran, no step failed, no kcheck finding",
          steps and "failed" not in text and "[aegis] kcheck:" not in text
          and "PANIC" not in text, f"{steps[-1] if steps else 0} steps")
    rc, out = run([os.path.join(build, "host", "xnfsck"), img], 60)
    s.add(f"fsck after crash {n}", rc == 0, out.strip().splitlines()[-1] if out.strip() else "")
    open(os.path.join(build, "test-logs", f"{name}-fsck-{n}.log"), "w").write(out)


def crash_image(build, name, more=None):
    """A 64 MiB image build/name formatted for XN (tools/xn_mkfs.py), then
    more(file, layout) if given: the image's path."""
    img = os.path.join(build, name)
    with open(img, "w+b") as f:
        f.truncate(64 << 20)
        L = xn_mkfs.format_image(f, (64 << 20) // 512)
        if more:
            more(f, L)
    return img


def xn_crash_suite(build, path="direct"):
    """XN across crashes (docs/storage.md, "XN on disk"): a formatted 64 MiB
    image with a kept file system "crash" made on the host; each boot,
    xntest re-attaches it, checks that every block a file points to holds
    what was written to it, then creates and deletes files until the board
    is stopped at a random moment (0.2 to 4 s after the workload started);
    the host fsck must pass the image, and the next boot's rebuild take it.
    XN_CRASHES crashes (3 in make test; make crashtest: 30)."""
    crashes = int(os.environ.get("XN_CRASHES", "3"))
    s = Suite("xn-crash")
    def kept(f, L):
        xn_mkfs.add_kept_root(f, L, 0, "crash", 1000, (0xC4A5C4A5, 1, 2, 3))
        # A template recorded for a root whose record never reached the
        # disk (a crash between them): the first boot must forget it.
        f.seek((xn_mkfs.TYPES_AT + 1 * xn_mkfs.TYPE_BLOCKS) * 512)
        f.write(xn_mkfs.type_record(0x102, 3))
    img = crash_image(build, "test-xn-crash.img", kept)
    rng = random.Random(20261202)
    for n in range(crashes + 1):
        text, cmd = crash_boot(build, path, img, f"{path}-xn-crash-{n}.log", rng.uniform(0.2, 4))
        m = re.search(r"# crash: (\d+) files, (\d+) data blocks", text)
        steps = re.findall(r"crash workload: step (\d+)", text)
        s.add(f"boot {n}: the kernel took the disk, xntest verified every file",
              re.search(r"\[aegis\] xn: area of \d+ blocks; 1 kept file systems", text) is not None
              and "ok 1 crash_verify" in text, m[0] if m else "reproduce: " + " ".join(cmd[1:]))
        after_crash(s, n, text, steps, build, img, "xn-crash")
    return s


def cffs_crash_suite(build, path="direct"):
    """cffs across crashes (docs/storage.md, "cffs across crashes"): a
    formatted 64 MiB image; the first boot of apps/cffscrash makes two kept
    cffs file systems, each later one attaches them and verifies the whole
    of "cffs" (every word of every file its own pattern); then its workload
    runs until the board is stopped at a random moment (0.2 to 4 s after it
    started). After each stop the host fsck must pass the image, the next
    boot's rebuild take it, and every file fsynced before the stop (and not
    announced as dropped since) be found with its size and generation.
    CFFS_CRASHES crashes (3 in make test; make crashtest: 30)."""
    crashes = int(os.environ.get("CFFS_CRASHES", "3"))
    s = Suite("cffs-crash")
    img = crash_image(build, "test-cffs-crash.img")
    rng = random.Random(20261203)
    durable = {}                # path: (id, generation, size), fsynced and not dropped since
    for n in range(crashes + 1):
        text, cmd = crash_boot(build, path, img, f"{path}-cffs-crash-{n}.log", rng.uniform(0.2, 4),
                               "cffscrash", b"cffs workload: step 0,")
        rep = ktap.parse(text.split("    # cffs workload: step 0,")[0])
        want = ["cffscrash/keep"] if n == 0 else ["cffscrash/attach", "cffscrash/verify"]
        s.add(f"boot {n}: the kernel took the disk; " + " and ".join(w.split("/")[1] for w in want) + " passed",
              "disk refused" not in text and (n == 0 or re.search(
                  r"\[aegis\] xn: area of \d+ blocks; 2 kept file systems", text))
              and [l.path for l in rep.leaves if l.ok] == want,
              (re.search(r"cffs verify: .*", text) or re.search(r"$", "reproduce: " + " ".join(cmd[1:])))[0])
        have = {m[1]: (int(m[2]), int(m[3]), int(m[4]), m[5] == "1")
                for m in re.finditer(r"# have (\S+) (\d+) (\d+) (\d+) ([01])", text)}
        lost = [p for p, (i, g, z) in durable.items() if have.get(p) != (i, g, z, True)]
        s.add(f"boot {n}: every file fsynced before is there, whole", not lost,
              f"{len(durable)} fsynced" + (": lost or changed " + " ".join(lost[:4]) if lost else ""))
        for m in re.finditer(r"# (fsynced|dropping) (\S+)(?: (\d+) (\d+) (\d+))? end\n", text):
            if m[1] == "fsynced":
                durable[m[2]] = (int(m[3]), int(m[4]), int(m[5]))
            else:
                durable.pop(m[2], None)
        after_crash(s, n, text, re.findall(r"cffs workload: step (\d+)", text), build, img,
                    "cffs-crash")
    return s


def hostile_suite(build, path):
    """The hostile suite (apps/hostile), on both boot paths, since the way
    back from EJTAG debug mode differs between them."""
    return program_suite(build, path, "hostile", f"hostile-{path}", f"{path}-hostile.log", lambda text: [
        ("sdbbp was taken back from debug mode twice",
         len(re.findall(r"\(child\): sdbbp \(EJTAG debug exception\) at epc", text)) == 2)])


def net_suite(build, path):
    """The network tests (apps/nettest), with two PCnet NICs joined by a QEMU
    hub; on both boot paths (U-Boot sets the NICs' BARs up, the direct path
    leaves them unassigned)."""
    return program_suite(build, path, "nettest", f"net-{path}", f"{path}-net.log", lambda text: [
        ("the kernel found both NICs",
         len(re.findall(r"\[aegis\] net: nic [01]: PCnet at 00:[0-9a-f]{2}\.0", text)) == 2)],
        nics=2)


def inet_suite(build, path):
    """The tests of ExOS's network stack (apps/inettest), two NICs on one hub."""
    return program_suite(build, path, "inettest", f"inet-{path}", f"{path}-inet.log",
                         lambda text: [], nics=2)


def ash_suite(build, path):
    """The ASH tests (apps/ashtest), with two PCnet NICs joined by a QEMU hub;
    on both boot paths, as the network tests."""
    return program_suite(build, path, "ashtest", f"ash-{path}", f"{path}-ash.log", lambda text: [
        ("the kernel found both NICs",
         len(re.findall(r"\[aegis\] net: nic [01]: PCnet at 00:[0-9a-f]{2}\.0", text)) == 2)],
        nics=2)


def fuzz_suite(build, seed=20261124, calls=40000, name="fuzz-short", extra=()):
    """A short run of the system-call fuzzer (`make fuzz` runs 10^6 calls):
    every round's invariant checks pass, and the run says so. extra: more
    arguments for fuzz.py."""
    s = Suite(name)
    rc, out = run([sys.executable, os.path.join(HERE, "fuzz.py"), "--build", build,
                   "--seed", str(seed), "--calls", str(calls), *extra], 600)
    log = os.path.join(build, "test-logs", f"fuzz-{seed}.log")
    text = open(log, errors="replace").read() if os.path.exists(log) else ""
    s.add_report(ktap.parse(text))
    m = re.search(r"fuzz: (\d+) system calls .* (\d+) violations", out)
    s.add(f"at least {calls} calls made", m is not None and int(m[1]) >= calls, m[0] if m else out[-200:])
    s.add("no violation found by kcheck", m is not None and int(m[2]) == 0)
    s.add("fuzz.py exit status 0", rc == 0, out.strip().splitlines()[-1] if out.strip() else "")
    return s


def guest_fault_suite(build):
    s = Suite("user-fault")
    rc, text, cmd = boot(build, "direct", "init=fault", "direct-fault.log")
    s.add("kernel halted cleanly after the fault", rc == 0)
    s.add("program ran up to the fault", "fault: storing to kernel address" in text)
    m = re.search(r"\[aegis\] env \w+ \(fault\): (.*): AdES at epc ([0-9a-f]{8}) "
                  r"badvaddr 80000000.*destroyed", text)
    s.add("kernel reported the fault (AdES, badvaddr 80000000)", m is not None)
    s.add("faulting program did not continue", "still running" not in text)
    return s


def stride_suite(build):
    """The application-level stride scheduler, on virtual time (-icount), where
    processor time is instructions and the shares are exact to measure."""
    s = Suite("stride")
    rc, text, _ = boot(build, "direct", "init=stride", "direct-stride.log", timeout=120, icount=True)
    m = re.search(r"stride: tickets 100:200:300, shares ([0-9.]+) ([0-9.]+) ([0-9.]+)", text)
    s.add("kernel halted cleanly", rc == 0)
    s.add("shares reported", m is not None)
    if m:
        for i, share in enumerate(m.groups()):
            s.add(f"worker {i} share within 5% of its tickets", abs(float(share) - 1) <= 0.05,
                  f"{share} of its ticket share")
    s.add("scheduler exited 0", "env 100 (stride) exited with status 0" in text)
    return s


def harness_suite(build):
    """The harness itself must fail loudly: a kernel that panics."""
    s = Suite("harness")
    rc, text, _ = boot(build, "direct", "init=no-such-program", "direct-panic.log", timeout=30)
    s.add("a kernel panic is reported as a failed boot", rc == 1, f"boot.py exit status {rc}")
    s.add("the panic names the missing program",
          "[aegis] PANIC: initrd has no program 'no-such-program'" in text)
    # A QEMU that cannot start is a failure that names the package.
    p = subprocess.run([sys.executable, os.path.join(HERE, "boot.py"), "--build", build,
                        "--path", "direct", "--quiet"], env={"PATH": "/nonexistent"},
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
    s.add("no QEMU: boot fails naming package qemu-system-mips",
          p.returncode != 0 and "qemu-system-mips " in p.stdout, p.stdout.strip()[-200:])
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--only", help="comma-separated suite names")
    args = ap.parse_args()
    b = args.build
    os.makedirs(os.path.join(b, "test-logs"), exist_ok=True)
    plan = [
        ("host-lib", lambda: host_suite("host-lib", [os.path.join(b, "host", "test_lib"),
                                                      os.path.join(b, "initrd.cpio")])),
        ("host-dcode", lambda: host_suite("host-dcode", [os.path.join(b, "host", "test_dcode")])),
        ("host-dpf", lambda: host_suite("host-dpf", [os.path.join(b, "host", "test_dpf")])),
        ("host-disk-sched", lambda: host_suite("host-disk-sched",
                                               [os.path.join(b, "host", "test_disk_sched")])),
        ("host-ktap", lambda: host_suite("host-ktap", [sys.executable, "tests/test_ktap.py"])),
        ("host-setup", lambda: host_suite("host-setup", [sys.executable, "tests/test_setup.py"])),
        ("path-lengths", lambda: host_suite("path-lengths", [sys.executable, "tools/pathlen.py",
                                                             "--elf", os.path.join(b, "aegis.elf"), "--check"])),
        ("docs", lambda: docs_suite(b)),
        ("boot-uboot", lambda: guest_ktest_suite(b, "uboot")),
        ("boot-direct", lambda: guest_ktest_suite(b, "direct")),
        ("hostile-direct", lambda: hostile_suite(b, "direct")),
        ("hostile-uboot", lambda: hostile_suite(b, "uboot")),
        ("net-direct", lambda: net_suite(b, "direct")),
        ("net-uboot", lambda: net_suite(b, "uboot")),
        ("inet-direct", lambda: inet_suite(b, "direct")),
        ("net-host", lambda: host_suite("net-host", [sys.executable, "tools/nethost.py",
                                                     "--build", b], timeout=600)),
        ("ash-direct", lambda: ash_suite(b, "direct")),
        ("ash-uboot", lambda: ash_suite(b, "uboot")),
        ("disk-direct", lambda: disk_suite(b, "direct")),
        ("disk-uboot", lambda: disk_suite(b, "uboot")),
        ("disk-pio", lambda: disk_suite(b, "direct", pio=True)),
        ("xn-direct", lambda: disk_suite(b, "direct", "xntest", "xn")),
        ("cffs-direct", lambda: disk_suite(b, "direct", "cffstest", "cffs")),
        ("xn-persist", lambda: xn_persist_suite(b)),
        ("xn-crash", lambda: xn_crash_suite(b)),
        ("cffs-crash", lambda: cffs_crash_suite(b)),
        ("host-xnfsck", lambda: host_suite("host-xnfsck", [sys.executable, "tests/test_xnfsck.py",
                                                           "--build", b])),
        ("fuzz-short", lambda: fuzz_suite(b)),
        # Under memory pressure: the children hold memory down to the
        # low-water mark, so the kernel asks them for pages (mempress.c).
        ("fuzz-lowmem", lambda: fuzz_suite(b, seed=20261202, calls=8000, name="fuzz-lowmem",
                                           extra=("--lowmem", "32768", "--percall", "2000"))),
        ("user-fault", lambda: guest_fault_suite(b)),
        ("harness", lambda: harness_suite(b)),
        ("stride", lambda: stride_suite(b)),
        ("bench-smoke-aegis", lambda: host_suite("bench-smoke-aegis", [
            "make", "--no-print-directory", f"BUILD={b}", "bench-smoke-aegis"])),
        ("bench-smoke-linux", lambda: host_suite("bench-smoke-linux", [
            "make", "--no-print-directory", f"BUILD={b}", "bench-smoke-linux"])),
        ("bench-smoke-storage", lambda: host_suite("bench-smoke-storage", [
            "make", "--no-print-directory", f"BUILD={b}", "bench-smoke-storage-linux"])),
        ("bench-smoke-storage-aegis", lambda: host_suite("bench-smoke-storage-aegis", [
            "make", "--no-print-directory", f"BUILD={b}", "bench-smoke-storage-aegis"])),
    ]
    if args.only:
        want = args.only.split(",")
        plan = [p for p in plan if p[0] in want]
    print("KTAP version 1")
    print(f"1..{len(plan)}")
    passed = failed = 0
    for i, (name, fn) in enumerate(plan, 1):
        suite = fn()
        print("    KTAP version 1")
        print(f"    # Subtest: {suite.name}")
        print(f"    1..{len(suite.results)}")
        for j, (tname, ok, note) in enumerate(suite.results, 1):
            print(f"    {'ok' if ok else 'not ok'} {j} {tname}" + (f" # {note}" if note else ""))
        sfail = sum(1 for r in suite.results if not r[1])
        passed += len(suite.results) - sfail
        failed += sfail
        print(f"{'not ok' if sfail else 'ok'} {i} {suite.name}", flush=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
