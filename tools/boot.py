#!/usr/bin/env python3
"""Boot Aegis on QEMU malta, through U-Boot (the board's firmware) or directly.

U-Boot path: QEMU runs Debian's maltael U-Boot from the (word-swapped) flash
image; QEMU's loader device places the kernel uImage at physical 0x01000000 and
the initrd uImage at 0x02000000; this script waits for the `maltael # ` prompt
before typing each line (setenv bootargs, bootm). Direct path: -kernel/-initrd.

Non-interactive (default): the serial output is echoed, kept in --log, and the
exit status says how the boot ended: 0 when the kernel halted cleanly, 1 on a
panic, 2 when U-Boot or the kernel did not come up in time, or QEMU failed.
Interactive (--interactive): after boot the terminal is connected to the
serial console (Ctrl-A X quits QEMU) until QEMU exits.
"""
import argparse
import os
import select
import subprocess
import sys
import time
import termios
import tty

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

PROMPT = b"maltael # "
KERNEL_ADDR = 0x01000000   # physical; U-Boot sees it as 0x81000000
INITRD_ADDR = 0x02000000


def qemu_command(args):
    b = args.build
    cmd = qemu.board(icount=args.icount)
    if args.path == "uboot":
        cmd += ["-bios", os.path.join(b, "u-boot-swap.bin"),
                "-device", f"loader,file={os.path.join(b, 'aegis.uimg')},addr={KERNEL_ADDR:#x},force-raw=on",
                "-device", f"loader,file={os.path.join(b, 'initrd.uimg')},addr={INITRD_ADDR:#x},force-raw=on"]
    else:
        cmd += ["-kernel", os.path.join(b, "aegis.elf"),
                "-initrd", os.path.join(b, "initrd.cpio"),
                "-append", args.append]
    if args.nics:
        cmd += qemu.nics(args.nics)
    if args.disk:
        cmd += qemu.disk(args.disk)
    if args.qemu_log:
        cmd += ["-d", "int,guest_errors", "-D", args.qemu_log]
    if args.gdb:
        cmd += ["-gdb", f"tcp::{args.gdb}", "-S"]
    return cmd


class Console:
    """QEMU's serial console over pipes: everything read is echoed and logged."""

    def __init__(self, proc, log, echo):
        self.proc, self.log, self.echo = proc, log, echo
        self.seen = b""

    def pump(self, timeout):
        """Read what is available within timeout; False once QEMU has exited."""
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not r:
            return self.proc.poll() is None
        data = os.read(self.proc.stdout.fileno(), 65536)
        if not data:
            return False
        self.seen += data
        self.log.write(data)
        self.log.flush()
        if self.echo:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        return True

    def wait_for(self, token, timeout, start=0):
        """Wait until token appears after offset start; returns its end offset."""
        deadline = time.monotonic() + timeout
        while True:
            i = self.seen.find(token, start)
            if i >= 0:
                return i + len(token)
            left = deadline - time.monotonic()
            if left <= 0 or not self.pump(min(left, 0.5)):
                i = self.seen.find(token, start)
                return i + len(token) if i >= 0 else -1

    def send(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()


def drive_uboot(con, append, timeout):
    """Type the boot commands at U-Boot's prompt; False if it never appears."""
    pos = con.wait_for(PROMPT, timeout)
    if pos < 0:
        return False
    for line in (f"setenv bootargs {append}".rstrip(),
                 f"bootm {KERNEL_ADDR | 0x80000000:#x} {INITRD_ADDR | 0x80000000:#x}"):
        con.send(line)
        # Wait for the echo of the line before going on.
        pos = con.wait_for(line.encode(), timeout, pos)
        if pos < 0:
            return False
        if line.startswith("setenv"):
            pos = con.wait_for(PROMPT, timeout, pos)
            if pos < 0:
                return False
    return True


def interact(con):
    """Connect the terminal to the serial console until QEMU exits."""
    fd = sys.stdin.fileno()
    is_tty = os.isatty(fd)
    old = termios.tcgetattr(fd) if is_tty else None
    try:
        if is_tty:
            tty.setraw(fd)
        while con.proc.poll() is None:
            r, _, _ = select.select([con.proc.stdout, sys.stdin], [], [], 0.5)
            if con.proc.stdout in r and not con.pump(0):
                break
            if sys.stdin in r:
                data = os.read(fd, 1024)
                if not data:
                    break
                con.proc.stdin.write(data)
                con.proc.stdin.flush()
        while con.pump(0.2):
            pass
    finally:
        if old is not None:
            termios.tcsetattr(fd, termios.TCSADRAIN, old)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--path", choices=("uboot", "direct"), default="uboot")
    ap.add_argument("--append", default="", help="kernel command line")
    ap.add_argument("--build", default="build")
    ap.add_argument("--timeout", type=float, default=60, help="seconds for the whole boot to finish")
    ap.add_argument("--log", help="file to keep the serial output in")
    ap.add_argument("--qemu-log", help="QEMU -d int,guest_errors log file")
    ap.add_argument("--icount", action="store_true", help="-icount shift=0,align=off,sleep=on")
    ap.add_argument("--nics", type=int, default=0,
                    help="add this many PCnet NICs joined by a QEMU hub (tools/qemu.py)")
    ap.add_argument("--disk", help="a raw disk image for the IDE primary master (tools/qemu.py)")
    ap.add_argument("--interactive", action="store_true")
    ap.add_argument("--gdb", type=int, help="wait for gdb on this TCP port")
    ap.add_argument("--quiet", action="store_true", help="do not echo the console")
    args = ap.parse_args()

    if qemu.missing_binary():
        sys.exit("boot: " + qemu.missing_binary())
    for f in (["u-boot-swap.bin", "aegis.uimg", "initrd.uimg"] if args.path == "uboot"
              else ["aegis.elf", "initrd.cpio"]):
        if not os.path.exists(os.path.join(args.build, f)):
            sys.exit(f"boot: {args.build}/{f} is missing: run `make all`")

    cmd = qemu_command(args)
    log = open(args.log, "wb") if args.log else open(os.devnull, "wb")
    log.write(("# " + " ".join(cmd) + "\n").encode())
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
    except OSError as e:
        sys.exit(f"boot: cannot start QEMU: {e}")
    con = Console(proc, log, echo=not args.quiet)
    status = 0
    try:
        if args.path == "uboot" and not drive_uboot(con, args.append, 30):
            why = qemu.explain_failure(con.seen.decode(errors="replace")) if proc.poll() is not None else None
            print("\nboot: FAILED: U-Boot did not reach its prompt or take the commands"
                  + (f": {why}" if why else ""), file=sys.stderr)
            return 2
        if args.interactive:
            interact(con)
            return proc.wait()
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline and con.pump(0.5):
            pass
        try:    # EOF on the console comes just before QEMU exits
            proc.wait(timeout=max(2.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        if proc.poll() is None:
            print(f"\nboot: FAILED: no halt within {args.timeout:.0f} s", file=sys.stderr)
            status = 2
        elif b"[aegis] PANIC" in con.seen:
            print("\nboot: FAILED: kernel panic", file=sys.stderr)
            status = 1
        elif b"[aegis] halt" not in con.seen:
            why = qemu.explain_failure(con.seen.decode(errors="replace"))
            print(f"\nboot: FAILED: QEMU exited ({proc.returncode}) before the kernel halted"
                  + (f": {why}" if why else ""), file=sys.stderr)
            status = 2
        return status
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        log.close()


if __name__ == "__main__":
    sys.exit(main())
