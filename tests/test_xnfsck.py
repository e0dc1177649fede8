#!/usr/bin/env python3
"""Host tests of the XN fsck (tools/xnfsck.c, built as build/host/xnfsck)
and of tools/xn_mkfs.py: images made here, with a file system of wide
blocks (a count and up to 32 (block, type) pairs, the owns program
apps/xntest's wide_tmpl uses), each broken in one way the fsck must find.
Prints KTAP.

    python3 tests/test_xnfsck.py [--build DIR]"""
import os, struct, subprocess, sys, tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import xn_mkfs as M

BUILD = sys.argv[sys.argv.index("--build") + 1] if "--build" in sys.argv else "build"
FSCK = os.path.join(BUILD, "host", "xnfsck")
NBLOCKS = 8192


WIDE_OWNS = M.WIDE_OWNS
insn = M.insn
TYPE = 0x101                          # gen 1, index 0


class Image:
    """An XN image in memory: a formatted area, templates, roots, blocks."""

    def __init__(self):
        f = tempfile.TemporaryFile()
        f.truncate(NBLOCKS * M.BLOCK)
        self.L = M.format_image(f, NBLOCKS)
        f.seek(0)
        self.data = bytearray(f.read())
        self.add_type(0, TYPE, 0)

    def blk(self, b):
        return b * M.BLOCK

    def add_type(self, index, tid, root, owns=WIDE_OWNS):
        at = self.blk(M.TYPES_AT + index * M.TYPE_BLOCKS)
        rec = M.type_record(tid, root, owns)
        self.data[at:at + len(rec)] = rec

    def add_root(self, r, name, block, tid=TYPE):
        at = self.blk(M.ROOTS_AT) + 64 * r
        self.data[at:at + 64] = M.root_record(name, block, tid, (0, 0, 0, 0))
        self.alloc(block)

    def wide(self, b, ptrs, count=None):
        """Block b: a wide block pointing to ptrs [(block, type)]."""
        body = struct.pack("<2I", len(ptrs) if count is None else count, 0)
        for p, t in ptrs:
            body += struct.pack("<2I", p, t)
        self.data[self.blk(b):self.blk(b) + M.BLOCK] = body.ljust(M.BLOCK, b"\0")
        self.alloc(b)

    def setbit(self, at, b, on=True):
        i = self.blk(at) + b // 8
        if on:
            self.data[i] |= 1 << (b % 8)
        else:
            self.data[i] &= ~(1 << (b % 8)) & 0xFF

    def alloc(self, b, on=True):
        self.setbit(self.L["map_at"], b, on)

    def taint(self, b):
        self.setbit(self.L["taint_at"], b)

    def fsck(self):
        with tempfile.NamedTemporaryFile(suffix=".img") as f:
            f.write(self.data)
            f.flush()
            r = subprocess.run([FSCK, f.name], capture_output=True, text=True)
        return r.returncode, r.stdout


def good():
    """Root 1000 -> data 1001, 1002 and wide 1003 -> data 1004."""
    im = Image()
    im.add_root(0, "fs", 1000)
    im.wide(1000, [(1001, 0), (1002, 0), (1003, TYPE)])
    im.wide(1003, [(1004, 0)])
    for b in (1001, 1002, 1004):
        im.alloc(b)
    return im


results = []


def case(name, im, rc, *needles, absent=()):
    got, out = im.fsck()
    ok = got == rc and all(n in out for n in needles) and not any(n in out for n in absent)
    if not ok:
        print("# " + out.replace("\n", "\n# "))
        print(f"# exit {got}, wanted {rc}; wanted {needles}, not {absent}")
    results.append((name, ok))


def main():
    if not os.path.exists(FSCK):
        print(f"1..1\nnot ok 1 {FSCK} built\n0 passed, 1 failed")
        return 1
    case("empty image from xn_mkfs", Image(), 0, "8 passed, 0 failed", "0 blocks reached from 0 roots")
    case("a good file system", good(), 0, "8 passed, 0 failed", "5 blocks reached from 1 roots",
         "0 leaked")
    im = good()
    im.alloc(1002, False)
    case("a pointer to a block free in the map", im, 1, "not ok 6", "block 1002 (data) reached but free")
    im = good()
    im.alloc(1003, False)
    case("a metadata block free in the map", im, 1, "not ok 6")
    im = good()
    im.taint(1004)
    case("a pointer to a tainted block", im, 1, "not ok 7", "block 1004 (data) pointed to but tainted")
    im = good()
    im.add_type(1, 0x102, 1)
    im.add_root(1, "thief", 2000, tid=0x102)
    im.wide(2000, [(1001, 0)])
    case("a block owned by two file systems", im, 1, "not ok 5", "block 1001 owned twice")
    im = good()
    im.wide(1003, [(1004, 0), (1001, 0)])
    case("a link inside one file system", im, 0, "8 passed", "1 data blocks with several pointers")
    im = good()
    im.wide(1003, [(1004, 0), (1003, TYPE)])
    case("a metadata block reached twice (a cycle)", im, 1, "not ok 5")
    im = good()
    im.wide(1000, [(1001, 0), (1002, 0), (1003, TYPE), (1005, TYPE)])
    im.wide(1005, [(1003, TYPE)])
    case("a metadata block moved: linked, not yet unlinked", im, 0, "8 passed",
         "6 blocks reached", "1 metadata blocks with two pointers")
    im.wide(1000, [(1001, 0), (1002, 0), (1003, TYPE), (1005, TYPE), (1006, TYPE)])
    im.wide(1006, [(1003, TYPE)])
    case("a metadata block with three pointers", im, 1, "not ok 5", "block 1003 owned twice")
    im = good()
    im.wide(1000, [(1001, 0), (1002, 0), (1003, TYPE), (1005, TYPE)])
    im.wide(1005, [(1003, TYPE)])
    im.wide(1003, [(1004, 0), (1005, TYPE)])
    case("a cycle through a moved metadata block", im, 1, "not ok 5", "in a cycle")
    im = good()
    im.wide(1000, [(1001, 0), (1002, 0), (1003, TYPE), (1003, 0)])
    case("a metadata block reached again as data", im, 1, "not ok 5", "block 1003 owned twice")
    im = good()
    im.add_type(1, 0x102, 0)                                 # a second template of the same root
    im.wide(1000, [(1001, 0), (1002, 0), (1003, TYPE), (1003, 0x102)])
    case("a metadata block reached again as another type", im, 1, "not ok 5", "block 1003 owned twice")
    im = good()
    im.wide(1003, [(1004, 0), (1000, TYPE)])
    case("a pointer to the root", im, 1, "not ok 5", "block 1000 owned twice")
    im = good()
    im.alloc(3000)
    case("a leak is reported, not an error", im, 0, "# leak: block 3000", "1 leaked", "8 passed")
    im = good()
    im.wide(1003, [(5, 0)])
    case("a pointer into XN's area", im, 1, "not ok 4", "block 1003 points to 5")
    im = good()
    im.wide(1003, [(NBLOCKS + 5, 0)])
    case("a pointer off the disk", im, 1, "not ok 4")
    im = good()
    im.wide(1003, [(1004, 0)], count=40)
    case("owns reporting too much", im, 1, "not ok 4", "owns of block 1003")
    im = good()
    im.wide(1003, [(1004, 0x999)])
    case("a pointer of an unknown type", im, 1, "not ok 4")
    im = good()
    im.add_type(1, 0x102, 1)                                 # the template of another root
    im.wide(1003, [(1004, 0x102)])
    case("a template of another file system", im, 1, "not ok 4")
    im = good()
    im.add_type(0, TYPE, 0, owns=insn(0x52, 1) + insn(0x81))  # stores into the block: dc_check
    case("a template dc_check refuses", im, 1, "not ok 2")
    im = good()
    im.data[0] ^= 1
    case("a bad superblock", im, 1, "not ok 1 superblock")
    im = good()
    im.alloc(3, False)
    case("XN's area free in the map", im, 1, "not ok 8")
    print("KTAP version 1")
    print(f"1..{len(results)}")
    for i, (name, ok) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} {name}")
    nfail = sum(not ok for _, ok in results)
    print(f"{len(results) - nfail} passed, {nfail} failed")
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
