#!/usr/bin/env python3
"""smoke_check.py: turn a smoke run's BENCH lines into a KTAP report.

Usage: smoke_check.py FILE [SYSTEM]
FILE holds the BENCH lines written by tools/baseline/run.py (it may be missing when the
boot failed).  Test 1 is the boot itself (`BENCH start`, `BENCH plan` and `BENCH done`
all seen); then one test per row named in the plan: ok when every repetition line of the
row parses with iters > 0 and ticks > 0 (and, for the storage rows, sane disk counters:
disk_fault), `ok ... # SKIP` when the row is n/a on this system, `not ok` when it
printed an error or nothing.  No timing is asserted.
Ends with the plain line `N passed, N failed, N skipped`; exits 1 if anything failed.
"""
import re
import sys

LINE_RE = re.compile(r'^BENCH row=(\S+) (.*)$')


def parse(lines):
    plan, started, done = None, False, False
    rows = {}
    for l in lines:
        l = l.strip()
        if l.startswith('BENCH start'):
            started = True
        elif l.startswith('BENCH plan rows='):
            # A run may be several boots (the network rows boot apart): every plan counts.
            plan = (plan or []) + [r for r in l[len('BENCH plan rows='):].split(',') if r]
        elif l.startswith('BENCH done'):
            done = True
        else:
            m = LINE_RE.match(l)
            if m:
                rows.setdefault(m.group(1), []).append(m.group(2))
    return plan, started, done, rows


def disk_fault(row, rep):
    """What is wrong with the disk counters of a storage row (bench/fs.c: fields
    late_bytes, rd_bytes, wr_bytes) in one repetition's fields rep, or None (also for
    rows without them): no phase may leave bytes for a sync after its timed region (its
    sync is inside), a read phase must have read from the disk (its caches were dropped
    before), and a write phase must have written to it (before its region ended)."""
    f = dict((k, int(v)) for k, v in re.findall(r'(\w+)=(\d+)', rep))
    if 'late_bytes' not in f:
        return None
    if f['late_bytes']:
        return 'a sync after the timed region still moved %d bytes' % f['late_bytes']
    if row.endswith('_read') and not f.get('rd_bytes'):
        return 'the read phase read nothing from the disk'
    if row.endswith('_write') and not f.get('wr_bytes'):
        return 'the write phase wrote nothing to the disk'
    return None


def judge(entries, row=''):
    """Return (status, comment) for row's lines: status 'ok', 'skip' or 'fail'."""
    if not entries:
        return 'fail', 'no output for this row'
    for e in entries:
        m = re.match(r'na="(.*)"$', e)
        if m:
            return 'skip', 'n/a: ' + m.group(1)
        m = re.match(r'error="(.*)"$', e)
        if m:
            return 'fail', m.group(1)
    reps = 0
    for e in entries:
        m = re.match(r'rep=(\d+) iters=(\d+) ticks=(\d+)(?: \w+=\d+)*$', e)
        if not m:
            return 'fail', 'malformed line: ' + e
        if int(m.group(2)) <= 0 or int(m.group(3)) <= 0:
            return 'fail', 'non-positive iters or ticks: ' + e
        bad = disk_fault(row, e)
        if bad:
            return 'fail', bad + ': ' + e
        reps += 1
    per_op = int(m.group(3)) / int(m.group(2))
    return 'ok', '%d rep(s), %.1f ticks/op' % (reps, per_op)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    system = argv[2] if len(argv) > 2 else 'linux'
    try:
        lines = open(argv[1], encoding='utf-8', errors='replace').read().split('\n')
    except OSError as e:
        lines = []
        missing = str(e)
    else:
        missing = None
    plan, started, done, rows = parse(lines)
    names = list(plan or [])
    for r in rows:            # rows printed but not in the plan (e.g. "no such row")
        if r not in names and r != '-':
            names.append(r)
    print('KTAP version 1')
    print('# smoke run of the %s baseline: %s' % (system, argv[1]))
    print('1..%d' % (1 + len(names)))
    passed = failed = skipped = 0
    if started and done and plan is not None:
        print('ok 1 %s-boot' % system)
        passed += 1
    else:
        why = missing or ('no BENCH start' if not started else
                          'no BENCH plan' if plan is None else 'no BENCH done')
        print('not ok 1 %s-boot # %s' % (system, why))
        failed += 1
    for i, name in enumerate(names, start=2):
        status, comment = judge(rows.get(name, []), name)
        if status == 'ok':
            print('ok %d %s # %s' % (i, name, comment))
            passed += 1
        elif status == 'skip':
            print('ok %d %s # SKIP %s' % (i, name, comment))
            skipped += 1
        else:
            print('not ok %d %s # %s' % (i, name, comment))
            failed += 1
    print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
