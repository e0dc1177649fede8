#!/usr/bin/env python3
"""Count the instructions on Aegis's hot paths, from the kernel's disassembly.

Each path is a list of straight-line segments: N instructions from a symbol,
or from a symbol through the first `eret` / first jump (with its delay slot).
Prints a Markdown table, or with --check fails (KTAP, exit 1) if a path is
over its budget (issue 3: refill with an STLB hit <= 20, exception dispatch to
the user handler <= 25, fast null system call <= 15).
"""
import argparse
import re
import subprocess
import sys

PATHS = [
    ("TLB refill, STLB hit", 20, [("refill", "eret")],
     "vectors.S: index the STLB, load the pair, compare the tag, tlbwr, eret"),
    ("null system call, fast path", 15, [("general", "jr"), ("fast_null", "eret")],
     "vectors.S general vector, then fastcall.S"),
    ("exception dispatch to the user handler", 25,
     [("general", 5), ("general_exc", "jr"), ("fwd_exc", "eret")],
     "vectors.S general vector, exc_table, upcall.S FORWARD"),
    ("TLB fault (Mod, invalid entry) dispatch to the user handler", 25,
     [("general", 5), ("general_exc", "jr"), ("fwd_tlb", "eret")],
     "as above, to the TLB entry point"),
]


def disassemble(elf, objdump):
    out = subprocess.run([objdump, "-d", elf], check=True, stdout=subprocess.PIPE,
                         text=True).stdout
    syms, insns, order = {}, {}, []
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]{8}) <([^>]+)>:", line)
        if m:
            syms[m[2]] = int(m[1], 16)
            continue
        m = re.match(r"^\s*([0-9a-f]+):\s+[0-9a-f]{8}\s+(\S+)", line)
        if m:
            a = int(m[1], 16)
            insns[a] = m[2]
            order.append(a)
    return syms, insns


def count(syms, insns, sym, until):
    if sym not in syms:
        raise SystemExit(f"pathlen: symbol {sym} not found")
    a, n = syms[sym], 0
    while True:
        op = insns.get(a)
        if op is None:
            raise SystemExit(f"pathlen: ran off the code after {sym}")
        n += 1
        if isinstance(until, int):
            if n == until:
                return n
        elif until == "eret" and op == "eret":
            return n
        elif until == "jr" and op in ("jr", "j", "jr.hb"):
            return n + 1            # and its delay slot
        a += 4


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--elf", default="build/aegis.elf")
    ap.add_argument("--objdump", default="mipsel-linux-gnu-objdump")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    syms, insns = disassemble(args.elf, args.objdump)
    rows = []
    for name, budget, segs, where in PATHS:
        n = sum(count(syms, insns, s, u) for s, u in segs)
        rows.append((name, n, budget, where))
    if args.check:
        print("KTAP version 1")
        print(f"1..{len(rows)}")
        bad = 0
        for i, (name, n, budget, _) in enumerate(rows, 1):
            ok = n <= budget
            bad += not ok
            print(f"{'ok' if ok else 'not ok'} {i} {name}: {n} instructions (budget {budget})")
        return 1 if bad else 0
    print("| path | instructions | budget | where |")
    print("|---|---|---|---|")
    for name, n, budget, where in rows:
        print(f"| {name} | {n} | {budget} | {where} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
