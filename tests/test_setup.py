#!/usr/bin/env python3
"""Host tests of the set-up path (KTAP): tools/deps.sh, tools/qemu.py and how the
benchmark runners split their boots (tools/baseline/run.py).

deps.sh runs against stand-ins for dpkg-query, apt-get and id placed first on
a PATH that holds nothing else but the few tools the script calls, so every
case (all present, a package missing, apt failing, no root) is tried without
touching the machine's packages. Each failure must name the package and why.
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))
import qemu  # noqa: E402

results = []


def check(name, ok, note=""):
    results.append((name, bool(ok), note))


def stub(d, name, body):
    p = os.path.join(d, name)
    with open(p, "w") as f:
        f.write("#!/bin/bash\n" + body + "\n")
    os.chmod(p, 0o755)


def run_deps(installed, apt_update=0, apt_install=0, uid=0, installs=True, args=()):
    """Run deps.sh with stand-ins; returns (exit status, stderr, apt-get calls)."""
    with tempfile.TemporaryDirectory() as d:
        state = os.path.join(d, "installed")
        calls = os.path.join(d, "calls")
        with open(state, "w") as f:
            f.write("\n".join(installed) + "\n")
        open(calls, "w").close()
        stub(d, "dpkg-query", f'''p="${{@: -1}}"; grep -qx "$p" {state} && printf 'install ok installed' || exit 1''')
        record = f'for a in "$@"; do echo "$a" >> {state}; done' if installs else ":"
        stub(d, "apt-get", f'''echo "$*" >> {calls}
case "$1" in
update) exit {apt_update} ;;
install) [ {apt_install} -ne 0 ] && {{ echo "E: Unable to locate package"; exit {apt_install}; }}
  {record}; exit 0 ;;
esac''')
        stub(d, "id", f"echo {uid}")
        for tool in ("bash", "awk", "tail", "mktemp", "rm", "cat", "grep", "printf"):
            for bindir in ("/usr/bin", "/bin"):
                if os.path.exists(os.path.join(bindir, tool)):
                    os.symlink(os.path.join(bindir, tool), os.path.join(d, tool))
                    break
        p = subprocess.run(["bash", os.path.join(ROOT, "tools", "deps.sh"), *args],
                           env={"PATH": d}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=30)
        return p.returncode, p.stdout + p.stderr, open(calls).read()


def all_packages(groups=("base",)):
    out = subprocess.run(["bash", os.path.join(ROOT, "tools", "deps.sh"), "--list"],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    return [l.split()[0] for l in out.splitlines() if l.split()[1] in groups]


def main():
    base = all_packages()
    check("deps.sh --list names the cross C library headers",
          "libc6-dev-mipsel-cross" in base, " ".join(base))

    rc, out, calls = run_deps(base)
    check("all present: exit 0, silent, apt not called", rc == 0 and out == "" and calls == "",
          f"rc={rc} out={out!r} calls={calls!r}")

    rc, out, calls = run_deps([p for p in base if p != "libc6-dev-mipsel-cross"])
    check("one missing: installed by name", rc == 0 and "install" in calls
          and "libc6-dev-mipsel-cross" in calls and "deps: installed libc6-dev-mipsel-cross" in out,
          f"rc={rc} calls={calls!r}")

    rc, out, _ = run_deps([p for p in base if p != "qemu-system-mips"], apt_install=100)
    check("apt-get install fails: exit 1 naming the package and why",
          rc == 1 and "qemu-system-mips: qemu-system-mipsel, the malta board" in out
          and "apt-get install qemu-system-mips failed" in out, out)

    rc, out, _ = run_deps([p for p in base if p != "u-boot-qemu"], apt_update=100)
    check("apt-get update fails: exit 1 naming the package",
          rc == 1 and "apt-get update failed" in out and "u-boot-qemu:" in out, out)

    rc, out, _ = run_deps([p for p in base if p != "cpio"], installs=False)
    check("apt succeeds but the package is still absent: exit 1 naming it",
          rc == 1 and "still not installed after apt-get install: cpio" in out, out)

    rc, out, calls = run_deps([p for p in base if p != "u-boot-tools"], uid=1000)
    check("not root and no sudo: exit 1 naming the package, apt not called",
          rc == 1 and "u-boot-tools" in out and "needs root" in out and calls == "", out)

    rc, out, calls = run_deps(base, args=("bench",))
    check("group bench adds gnuplot-nox", rc == 0 and "gnuplot-nox" in calls, calls)

    rc, out, _ = run_deps(base, args=("nosuch",))
    check("an unknown group is an error", rc == 1 and "unknown group" in out, out)

    why = qemu.explain_failure('qemu-system-mipsel: failed to find romfile "efi-pcnet.rom"\n')
    check("QEMU missing efi-pcnet.rom names ipxe-qemu", why and "ipxe-qemu" in why, why)
    why = qemu.explain_failure('qemu-system-mipsel: failed to find romfile "vgabios-cirrus.bin"\n')
    check("QEMU missing vgabios-cirrus.bin names seabios", why and "seabios" in why, why)
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = "/nonexistent"
    try:
        msg = qemu.missing_binary()
    finally:
        os.environ["PATH"] = old
    check("no qemu-system-mipsel: the message names qemu-system-mips",
          msg and "qemu-system-mips " in msg, msg)
    cmd = qemu.board()
    check("the board asks for no VGA and no NIC (no option ROMs)",
          "-vga" in cmd and cmd[cmd.index("-vga") + 1] == "none"
          and "-nic" in cmd and cmd[cmd.index("-nic") + 1] == "none", " ".join(cmd))
    # The benchmark runners: the network rows boot on their own, with two NICs.
    sys.path.insert(0, os.path.join(ROOT, "tools", "baseline"))
    import run as baseline  # noqa: E402
    chunks = baseline.chunk_args(["--reps=3", "prot1", "udp_rtt", "trap", "udp_rtt_load2"])
    check("named network rows get a boot of their own, after the others",
          chunks == [["--reps=3", "prot1", "trap"], ["--reps=3", "udp_rtt", "udp_rtt_load2"]]
          and baseline.net_options(chunks[0]) == []
          and baseline.net_options(chunks[1]) == qemu.nics(2), chunks)
    chunks = baseline.chunk_args(["--smoke"])
    check("every row: a boot without the network rows, then one with them and two NICs",
          chunks == [["--smoke", "--no-net"], ["--smoke", "--net-only"]]
          and baseline.net_options(chunks[1]) == qemu.nics(2), chunks)
    opts = qemu.user_nic(5555)
    check("the http boot forwards the host port to the guest's port 80 on NIC 0",
          "user,id=u0,hostfwd=tcp:127.0.0.1:5555-10.0.2.15:80" in opts
          and any("addr=0b" in o for o in opts), opts)

    print("KTAP version 1")
    print(f"1..{len(results)}")
    for i, (name, ok, note) in enumerate(results, 1):
        line = f"{'ok' if ok else 'not ok'} {i} {name}"
        if not ok and note:
            line += " # " + " ".join(str(note).split())[:300]
        print(line)
    failed = sum(1 for r in results if not r[1])
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
