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
