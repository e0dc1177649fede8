"""qemu.py: the one QEMU command line of the project, and what to say when QEMU fails.

Every boot (tests, `make run`, both systems of `make bench`) starts from board(), so
Aegis and Linux always run on the same emulated machine with the same options.

The board asks only for what the kernels use (docs/boot.md, "QEMU options"):
  -vga none  no Cirrus VGA: neither kernel has a display driver, and the card's
             option ROM (vgabios-cirrus.bin) is in Debian's seabios package.
  -nic none  no network card until a kernel drives one. A NIC added later gets
             romfile= (empty): the PCnet's option ROM (efi-pcnet.rom, package
             ipxe-qemu) is x86 boot code that no MIPS firmware runs.
Standard library only.
"""
import re
import shutil

BINARY = "qemu-system-mipsel"
PACKAGE = "qemu-system-mips"
ICOUNT = ["-icount", "shift=0,align=off,sleep=on"]

# Files QEMU may look for, and the Debian package that has them.
ROM_PACKAGES = [
    (re.compile(r"^(efi-|pxe-)"), "ipxe-qemu"),
    (re.compile(r"^(vgabios|bios)"), "seabios"),
]


def board(icount=False):
    """The malta board with 256 MiB, serial console on stdio, no reboot, no VGA,
    no NIC; with icount, virtual time advances one ns per guest instruction."""
    cmd = [BINARY, "-M", "malta", "-m", "256", "-nographic", "-no-reboot",
           "-vga", "none", "-nic", "none"]
    return cmd + (ICOUNT if icount else [])


def nics(n):
    """Options for n PCnet NICs on one virtual wire (a QEMU hub: every frame one
    sends reaches all the others; nothing leaves the board). The first sits at
    00:0b.0, where malta's on-board PCnet is, with its MAC 52:54:00:12:34:56;
    the k-th has ...:56 + k. romfile= (empty): no option ROM (see above)."""
    opts = []
    for k in range(n):
        addr = ",addr=0b" if k == 0 else ""
        opts += ["-netdev", f"hubport,id=net{k},hubid=1",
                 "-device", f"pcnet,netdev=net{k},romfile=,mac=52:54:00:12:34:{0x56 + k:02x}{addr}"]
    return opts


def user_net(forwards):
    """Options for one PCnet NIC (at 00:0b.0, MAC 52:54:00:12:34:56) on QEMU's user
    networking: the guest is 10.0.2.15/24, the gateway 10.0.2.2. forwards: a list
    of (proto, host_port, guest_port), proto "udp" or "tcp": the host's
    127.0.0.1:host_port reaches the guest's port: only the host's loopback can
    reach the guest. (Not restrict=on: QEMU 7.2's user networking then drops the
    guest's replies to forwarded UDP datagrams. ExOS's stack opens nothing out.)"""
    fwd = "".join(f",hostfwd={p}:127.0.0.1:{h}-10.0.2.15:{g}" for p, h, g in forwards)
    return ["-netdev", f"user,id=unet,net=10.0.2.0/24{fwd}",
            "-device", "pcnet,netdev=unet,romfile=,mac=52:54:00:12:34:56,addr=0b"]


def disk(path):
    """Options for a raw disk image on the IDE primary master (the PIIX4's
    legacy ports 0x1f0-0x1f7, IRQ 14). Only the boots that test the disk
    have one; the image is the caller's (the test runner makes a scratch
    one in the build directory)."""
    return ["-drive", f"file={path},if=ide,index=0,format=raw"]


def missing_binary():
    """A message naming the package if qemu-system-mipsel is not installed, else None."""
    if shutil.which(BINARY):
        return None
    return f"{BINARY} not found: it is in Debian package {PACKAGE} (run tools/deps.sh)"


def explain_failure(output):
    """Given what QEMU printed before it failed, a line naming the cause (and the
    Debian package that provides a missing file), or None if nothing is recognised."""
    m = re.search(r'failed to find romfile "([^"]+)"', output)
    if m:
        rom = m.group(1)
        for pat, pkg in ROM_PACKAGES:
            if pat.search(rom):
                return (f"QEMU needs the ROM file {rom}, which is in Debian package {pkg}; "
                        f"the project's QEMU options (tools/qemu.py) should not ask for it")
        return f"QEMU needs the ROM file {rom}"
    m = re.search(r"qemu-system-mipsel: (.*)", output)
    if m:
        return "QEMU failed: " + m.group(1).strip()
    return None


def user_nic(host_port, guest_port=80):
    """Options for one PCnet NIC (at 00:0b.0, MAC 52:54:00:12:34:56, as in nics())
    on QEMU's user network (the guest is 10.0.2.15, the host 10.0.2.2), with the
    host's TCP port 127.0.0.1:host_port forwarded to the guest's guest_port: the
    only way in from the host (tools/bench_http.py)."""
    return ["-netdev", f"user,id=u0,hostfwd=tcp:127.0.0.1:{host_port}-10.0.2.15:{guest_port}",
            "-device", "pcnet,netdev=u0,romfile=,mac=52:54:00:12:34:56,addr=0b"]
