#!/usr/bin/env python3
"""Format a disk image for XN (docs/storage.md, "XN on disk"): write an
empty XN area at its start (aegis/xn_disk.h): the superblock, no roots, no
templates, a free map with only XN's own blocks allocated, an empty taint
map. The rest of the image is left as it is (its blocks are free).

    python3 tools/xn_mkfs.py IMAGE [--size MIB]   (--size: create or resize)

Also a module: layout(nblocks) and the constants, for tests and the fsck's
tests (tests/test_xnfsck.py)."""
import argparse, os, struct, sys

BLOCK = 512
MAGIC = 0x314E5841
VERSION = 1
MAXDISK = 1 << 18
MAXROOTS = 8
MAXTYPES = 16
ROOTS_AT = 1
TYPES_AT = 2
TYPE_BLOCKS = 4
MAP_AT = TYPES_AT + MAXTYPES * TYPE_BLOCKS
MAP_BITS = BLOCK * 8


def layout(nblocks):
    """The superblock's fields for a disk of nblocks blocks: a dict."""
    n = min(nblocks, MAXDISK)
    mb = (n + MAP_BITS - 1) // MAP_BITS
    return dict(nblocks=n, map_at=MAP_AT, taint_at=MAP_AT + mb, map_blocks=mb,
                area=MAP_AT + 2 * mb)


def super_bytes(L):
    """The superblock of layout L, one block."""
    words = [MAGIC, VERSION, L["nblocks"], L["area"], L["map_at"], L["taint_at"], L["map_blocks"]]
    check = MAGIC
    for w in words:
        check ^= w
    return struct.pack("<8I", *words, check).ljust(BLOCK, b"\0")


def format_image(f, nblocks):
    """Write an empty XN area into the open image f (nblocks blocks)."""
    L = layout(nblocks)
    if L["area"] >= L["nblocks"]:
        raise ValueError(f"a disk of {nblocks} blocks is too small for XN")
    f.seek(0)
    f.write(super_bytes(L))
    f.write(bytes(BLOCK * (L["map_at"] - 1)))           # roots, templates
    fmap = bytearray(L["map_blocks"] * BLOCK)
    for b in range(L["area"]):
        fmap[b // 8] |= 1 << (b % 8)
    f.write(bytes(fmap))
    f.write(bytes(L["map_blocks"] * BLOCK))              # taint map
    return L


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("image")
    ap.add_argument("--size", type=int, help="make the image this many MiB first")
    a = ap.parse_args()
    mode = "r+b" if os.path.exists(a.image) else "w+b"
    with open(a.image, mode) as f:
        if a.size:
            f.truncate(a.size << 20)
        size = os.fstat(f.fileno()).st_size
        L = format_image(f, size // BLOCK)
    print(f"xn_mkfs: {a.image}: {L['nblocks']} blocks, XN's area blocks 0..{L['area'] - 1}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
