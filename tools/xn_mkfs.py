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


def insn(op, dst=0, src=0, off=0, imm=0):
    """A dcode instruction (aegis/dcode.h struct dc_insn), 8 bytes."""
    return struct.pack("<BBHI", op, dst | src << 4, off, imm & 0xFFFFFFFF)


# The wide template (apps/xntest/udfs.c wide_tmpl): word 0 a count n <= 32,
# word 1 spare, then n pairs (block, type); owns copies them out.
WIDE_OWNS = b"".join([insn(0x32, 1), insn(0x74, 1, 0, 6, 32), insn(0x09, 2, 1), insn(0x16, 2, 0, 0, 3),
                      insn(0x19, 3, 0, 0, 8), insn(0x19, 4), insn(0x90, 5, 2, 0x10, 0x43),
                      insn(0x80, 0, 1), insn(0x81, 0, 0, 0, 33)])
WIDE_ACL = insn(0x81, imm=1)
WIDE_SIZE = insn(0x81, imm=8 + 8 * 32)


def type_record(tid, root, owns=WIDE_OWNS, acl=WIDE_ACL, size=WIDE_SIZE):
    """A kept template's record (TYPE_BLOCKS blocks)."""
    head = struct.pack("<6I", 1, tid, root, len(owns) // 8, len(acl) // 8, len(size) // 8)
    progs = owns.ljust(64 * 8, b"\0") + acl.ljust(64 * 8, b"\0") + size.ljust(64 * 8, b"\0")
    return (head + progs).ljust(TYPE_BLOCKS * BLOCK, b"\0")


def secret_hash(name, secret):
    """aegis/xn_disk.h xn_secret_hash: two 32-bit FNV-1a sums."""
    data = name.encode().ljust(16, b"\0") + struct.pack("<4I", *secret)
    out = []
    for h in (0x811C9DC5, 0x050C5D1F):
        for byte in data:
            h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
        out.append(h)
    return out


def root_record(name, block, tid, secret):
    """A kept root's record (64 bytes)."""
    return name.encode().ljust(16, b"\0") + struct.pack("<5I", 1, block, tid, *secret_hash(name, secret)) \
        + bytes(28)


def add_kept_root(f, L, r, name, block, secret, tid=0x101, tindex=0):
    """Write into image f (formatted, layout L) a kept file system r: the
    wide template at index tindex with id tid, a root record, an empty
    root block allocated in the free map."""
    f.seek((TYPES_AT + tindex * TYPE_BLOCKS) * BLOCK)
    f.write(type_record(tid, r))
    f.seek(ROOTS_AT * BLOCK + 64 * r)
    f.write(root_record(name, block, tid, secret))
    f.seek(block * BLOCK)
    f.write(bytes(BLOCK))
    f.seek(L["map_at"] * BLOCK + block // 8)
    b = f.read(1)[0]
    f.seek(L["map_at"] * BLOCK + block // 8)
    f.write(bytes([b | 1 << (block % 8)]))


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
