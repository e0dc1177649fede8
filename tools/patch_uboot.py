#!/usr/bin/env python3
"""patch_uboot.py: the firmware image QEMU runs, from Debian's maltael U-Boot.

Two changes to /usr/lib/u-boot/maltael/u-boot.bin (a little-endian image
linked at the reset vector 0xbfc00000, so file offset = address - 0xbfc00000):

1. The EJTAG debug vector, 0xbfc00480, is `b .` in U-Boot: a user program's
   `sdbbp` would leave the processor in debug mode there for ever, with
   interrupts blocked, and every environment lost. It becomes a jump to
   0x80000300, where Malta's own firmware (YAMON) sends debug exceptions and
   where Aegis keeps its debug entry (aegis/vectors.S, aegis/debug.S):
       lui k0, 0x8000 ; ori k0, k0, 0x300 ; jr k0 ; nop
   The words replaced must be the loop and the padding after it, else the
   script stops: a different U-Boot needs a new look, not a blind patch.
2. Every 32-bit word is byte-swapped: in little-endian mode QEMU swaps the
   words of the flash image (docs/boot.md).

Usage: patch_uboot.py IN OUT
"""
import struct
import sys

DEBUG_VECTOR = 0x480
EXPECT = [0x1000ffff, 0, 0, 0]              # b . ; nop ; padding
FORWARD = [0x3c1a8000, 0x375a0300, 0x03400008, 0]   # lui/ori k0 = 0x80000300; jr k0; nop


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1:]
    try:
        img = bytearray(open(src, "rb").read())
    except OSError as e:
        sys.exit(f"patch_uboot: cannot read {src}: {e} (Debian package u-boot-qemu; tools/deps.sh)")
    have = list(struct.unpack_from("<4I", img, DEBUG_VECTOR))
    if have != EXPECT:
        sys.exit(f"patch_uboot: {src}: the debug vector at +{DEBUG_VECTOR:#x} holds "
                 f"{' '.join('%08x' % w for w in have)}, not U-Boot's `b .` loop; "
                 "this U-Boot is not the one the patch was written for")
    struct.pack_into("<4I", img, DEBUG_VECTOR, *FORWARD)
    img += bytes(-len(img) % 4)
    words = struct.unpack(f"<{len(img) // 4}I", img)
    open(dst, "wb").write(struct.pack(f">{len(words)}I", *words))


if __name__ == "__main__":
    main()
