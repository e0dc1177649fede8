#!/usr/bin/env python3
"""Count the instructions on Aegis's and ExOS's hot paths, from the disassembly.

Each path is a list of straight-line segments: N instructions from a symbol,
or from a symbol through the first `eret` / first jump (with its delay slot).
Prints a Markdown table, or with --check fails (KTAP, exit 1) if a path is
over its budget (issue 3: refill with an STLB hit <= 20, exception dispatch to
the user handler <= 25, lowered to 24 in issue 11, fast null system call <= 15,
raised to 16 when every return to user mode began clearing k0/k1 (issue 9);
the scall, yield_to and ExOS budgets are this project's guards against
regressions: each is the figure when the path was last improved plus a little).
"""
import argparse
import os
import re
import subprocess
import sys

# Paths in ExOS's own code, counted in a program that links it (--exos-elf):
# the exception and TLB entries of exos/upcall.S, from the first instruction
# to the call of the C handler, and from the handler's return to the jump
# back into the program (the branches not taken: not nested, no delay slot).
EXOS_PATHS = [
    ("ExOS exception entry, frame to the C handler and back", 74,
     [("exos_exc_entry", "call"), ("exos_exc_entry_resume", "jr")],
     "exos/upcall.S FAST_ENTRY: caller-saved registers, handler table by ExcCode"),
    ("ExOS exception skip entry: count, step over, back to the program", 15,
     [("exos_exc_skip_entry", "jr")],
     "exos/upcall.S exos_exc_skip_entry (exos_set_exception_skip): no frame, at as scratch"),
    ("ExOS TLB entry, frame to exos_tlb_fault and back", 69,
     [("exos_tlb_entry", "call"), ("exos_tlb_entry_resume", "jr")],
     "exos/upcall.S FAST_ENTRY: caller-saved registers, exos_tlb_fault"),
]

PATHS = [
    ("TLB refill, STLB hit", 20, [("refill", "eret")],
     "vectors.S: index the STLB, load the pair, compare the tag, tlbwr, eret"),
    ("TLB refill, STLB miss forwarded to the TLB entry point", 55,
     [("refill", 14), ("refill_slow", "jr"), ("refill_miss", "eret")],
     "vectors.S up to the tag compare, upcall.S refill_miss: the pair filter and the kinfo page rule out "
     "the kernel's own mappings, then FORWARD"),
    ("null system call, fast path", 16, [("general", "jr"), ("fast_null", "eret")],
     "vectors.S general vector, then fastcall.S"),
    ("exception dispatch to the user handler", 24,
     [("general", 5), ("general_exc", "jr"), ("fwd_exc", "eret")],
      "vectors.S general vector, exc_table, upcall.S FORWARD"),
    ("TLB fault (Mod, invalid entry) dispatch to the user handler", 24,
     [("general", 5), ("general_exc", "jr"), ("fwd_tlb", "eret")],
     "as above, to the TLB entry point"),
    ("scall, fast path: caller saved, callee entered", 120,
     [("general", "jr"), ("fast_scall", "eret")],
     "fastcall.S: check the callee, save the caller's frame, switch, eret with the registers as they are"),
    ("tlbwr, fast path: root capability, pair in the STLB", 141,
     [("general", "jr"), ("fast_tlbwr", "eret")],
     "fastcall.S: check the capability and the pair filter, one STLB half and its page counts, tlbp and tlbwi/tlbwr; "
     "counted straight through, so a few instructions on branches not taken are included"),
    ("yield_to, fast path: context switch", 120,
     [("general", "jr"), ("fast_yield_to", "jr"), ("trap_return", "eret")],
     "fastcall.S then trapentry.S: save what a call keeps (s0..s7, gp, sp, fp, ra, PC, Status), switch, restore every register of the target"),
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
        elif until == "call" and op in ("jal", "jalr"):
            return n + 1
        a += 4


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--elf", default="build/aegis.elf")
    ap.add_argument("--exos-elf", help="a program linked with ExOS (default: apps/init "
                    "beside --elf)")
    ap.add_argument("--objdump", default="mipsel-linux-gnu-objdump")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--markdown", action="store_true", help="the whole docs/pathlengths.md")
    args = ap.parse_args()
    exos_elf = args.exos_elf or os.path.join(os.path.dirname(args.elf), "apps", "init")
    rows = []
    for elf, paths in ((args.elf, PATHS), (exos_elf, EXOS_PATHS)):
        syms, insns = disassemble(elf, args.objdump)
        for name, budget, segs, where in paths:
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
    if args.markdown:
        print("# Path lengths\n")
        print("Generated by `make docs` (tools/pathlen.py) from the disassembly of")
        print("`build/aegis.elf` and of an ExOS program (`build/apps/init`); `make test`")
        print("fails if a path exceeds its budget or if this file is out of date. Kernel")
        print("paths are counted from the vector's first instruction to the `eret` that")
        print("enters the user handler (or returns); ExOS paths from the entry point to")
        print("the call of the C handler plus from its return to the jump back into the")
        print("program, on the path shown.\n")
    print("| path | instructions | budget | where |")
    print("|---|---|---|---|")
    for name, n, budget, where in rows:
        print(f"| {name} | {n} | {budget} | {where} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
