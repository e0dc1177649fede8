#!/usr/bin/env python3
"""bench_report.py: tables, plots and docs/results.md from BENCH result files.

Usage: bench_report.py [--build DIR] [--system NAME=FILE]... [--results DIR]
                       [--docs FILE] [--template FILE] [--spread PCT] [--targets FILE]
                       [--update NAME=FILE]...

By default reads BUILD/bench/linux.txt and BUILD/bench/aegis.txt, whichever exist (at
least one must).  For each row and system it computes, over the repetitions, the median
and minimum Count ticks per operation (ticks/iters; per page for appel1/appel2, whose
iters count pages; per 100 pages for the _touch rows), instructions per operation (ticks
x 6.25 under -icount shift=0) and the spread (max-min)/median, flagged above --spread
percent (default 2).  Every table gives the median with the minimum beside it.  With
both systems present it adds the ratio Linux/Aegis of the medians (and of the minimums);
for the rows measured at two positions in their mapping (prot1/prot1_mid,
prot100/prot100_mid, unprot100/unprot100_mid) Linux's figure is the lower of its two
positions.  The Linux timer (clocksource) is quoted from the Linux file's header lines
when the run recorded it.
Copies each input to RESULTS/<system>.txt (the raw lines behind the tables) and
writes RESULTS/results.csv, RESULTS/results.md, RESULTS/ratios.svg and .png (gnuplot;
with one system only, the plot shows its instructions per operation instead), and
regenerates docs/results.md from bench/results.md.in.  --update NAME=FILE puts the rows
of FILE (a run of a few rows) in place of those rows of system NAME's file first (the
copy in RESULTS holds the merged lines, with header lines naming FILE).  The storage rows' results
(tools/bench_storage.py: BUILD/bench/storage-SYSTEM.txt, else the copy in RESULTS, or
--storage NAME=FILE) join their system's rows; their disk counters go to a table of
their own, RESULTS/storage.csv and the plot RESULTS/storage.svg/.png.  Standard library
only.
"""
import argparse
import csv
import io
import os
import re
import shutil
import statistics
import string
import subprocess
import sys

INSTR_PER_TICK = 6.25       # Count = 160 MHz, -icount shift=0 = 1 instruction per ns
MHZ = 160.0

NO_PAPER_TOUCH = ('no counterpart in the paper: added so that no work of prot100/unprot100 '
                  'can hide in a later, untimed access')

NO_PAPER_SCALE = ('no counterpart in the paper: shows how the cost grows with the number '
                  'of pages')

NO_PAPER_ENVS = ('no figure in the paper; a flat line means no per-environment table '
                 'grows with the environments ever made')

# Row order, table grouping, label and what the 1995 paper reports (from
# shared/reference/exokernel.md: ratios and qualitative claims only, no exact numbers).
GROUPS = [
    ('vm', 'Virtual-memory primitives (Appel and Li)'),
    ('ptinv', "The same on ExOS's inverted page table (bench/ptalt.c; compare with the rows above)"),
    ('cross', 'Procedure and system calls'),
    ('exc', 'Exception dispatch to a user-level handler'),
    ('ipc', 'Control transfer and IPC'),
    ('app', 'Application'),
    ('scale', 'How costs grow with N (bench/scale.c)'),
    ('envs', 'Environments as the work grows (bench/envs.c)'),
    ('net', 'Packet demultiplexing (bench/demux.c)'),
    ('udp', 'UDP round trips over a virtual wire (bench/udp.c)'),
    ('storage', 'Storage (bench/fs.c): a file system on the IDE disk, each phase from a cold '
     'cache and ending in a sync; per file, per MiB for seq (disk requests and bytes in the '
     'table after)'),
    ('other', 'Other rows'),
]
PAPER_DEMUX = ('the paper: DPF 1.5 us against 35 us for MPF, an interpreted filter '
               'system (per frame); issue 10: compiled >= 10x faster than interpreted at 100')
NO_PAPER_DEMUX = 'no figure in the paper: shows how the cost grows with the filters installed'
PAPER_UDP = ('no figure here (the paper\'s are not available): ASHs reply in the kernel '
             'on arrival; issue 10: ExOS >= 5x below Linux, the ASH below the upcall path')
PAPER_UDP_LOAD = ('the paper\'s extensibility section: ASH latency as processes are added '
                  '(flat with an ASH, growing without)')
PAPER_PTINV = ("the paper's extensibility section: the same VM work on an inverted page "
               "table, an application's choice; Linux has one structure (n/a)")
ROWS = [
    ('envs_10', 'envs', 'create, run and destroy 10 environments in turn (ExOS: exos_fork, '
     'exit, exos_wait; Linux: fork, _exit, waitpid), per environment', NO_PAPER_ENVS),
    ('envs_100', 'envs', 'the same, 100 environments, per environment', NO_PAPER_ENVS),
    ('envs_1000', 'envs', 'the same, 1000 environments, per environment', NO_PAPER_ENVS),
    ('dirty', 'vm', 'dirty', 'ExOS reads its own page table; Ultrix has no such call (n/a)'),
    ('prot1', 'vm', 'prot1 (page at the edge of its mapping)', 'ExOS faster than Ultrix'),
    ('prot1_mid', 'vm', 'prot1, page mid-mapping',
     'the same operation as prot1 (the paper has one prot1 row)'),
    ('prot100', 'vm', 'prot100 (pages at the edge of their mapping)',
     'the one kind of VM row ExOS did not win against Ultrix (with unprot100)'),
    ('prot100_mid', 'vm', 'prot100, pages mid-mapping',
     'the same operation as prot100 (the paper has one prot100 row)'),
    ('unprot100', 'vm', 'unprot100 (pages at the edge of their mapping)',
     'the one kind of VM row ExOS did not win against Ultrix (with prot100)'),
    ('unprot100_mid', 'vm', 'unprot100, pages mid-mapping',
     'the same operation as unprot100 (the paper has one unprot100 row)'),
    ('prot100_touch', 'vm',
     'prot100, then a store to each page (a fault each, the handler unprotects it), '
     'per 100 pages', NO_PAPER_TOUCH),
    ('unprot100_touch', 'vm', 'unprot100, then a read of each page, per 100 pages',
     NO_PAPER_TOUCH),
    ('trap', 'vm', 'trap', 'ExOS faster; application-level VM 5-40x faster than Ultrix'),
    ('appel1', 'vm', 'appel1 (per page)',
     'ExOS faster; application-level VM 5-40x faster than Ultrix'),
    ('appel2', 'vm', 'appel2 (per page)',
     'ExOS faster; application-level VM 5-40x faster than Ultrix'),
    ('dirty_inv', 'ptinv', 'dirty, inverted page table', PAPER_PTINV),
    ('prot1_inv', 'ptinv', 'prot1 (page at the edge of its mapping), inverted page table', PAPER_PTINV),
    ('prot100_inv', 'ptinv', 'prot100 (pages at the edge of their mapping), inverted page table', PAPER_PTINV),
    ('unprot100_inv', 'ptinv', 'unprot100 (pages at the edge of their mapping), inverted page table', PAPER_PTINV),
    ('trap_inv', 'ptinv', 'trap, inverted page table', PAPER_PTINV),
    ('appel1_inv', 'ptinv', 'appel1 (per page), inverted page table', PAPER_PTINV),
    ('appel2_inv', 'ptinv', 'appel2 (per page), inverted page table', PAPER_PTINV),
    ('nullproc', 'cross', 'null procedure call', 'reference row (no kernel involved)'),
    ('nullsys', 'cross', 'null system call',
     'kernel primitives 10-100x faster than Ultrix'),
    ('nullsys_slow', 'cross', 'null system call, general path (Aegis: null_slow, C on the '
     'kernel stack; Linux: the same getppid as nullsys, its only path)',
     'the paper gives both of Aegis\'s system-call paths; kernel primitives 10-100x faster '
     'than Ultrix'),
    ('exc_unalign', 'exc', 'unaligned access',
     'about 1.5 us on a 25 MHz DECstation, about 100x faster than Ultrix'),
    ('exc_overflow', 'exc', 'arithmetic overflow',
     'about 1.5 us on a 25 MHz DECstation, about 100x faster than Ultrix'),
    ('exc_coproc', 'exc', 'coprocessor unusable',
     'about 1.5 us on a 25 MHz DECstation, about 100x faster than Ultrix'),
    ('exc_prot', 'exc', 'protection fault',
     'about 1.5 us on a 25 MHz DECstation, about 100x faster than Ultrix'),
    ('exc_unalign_light', 'exc', 'unaligned access, to an application-specific handler '
     'that counts and steps over in assembly with no frame (ExOS: exos_set_exception_skip; '
     'Linux: n/a, its lightest is the signal of exc_unalign)',
     'about 1.5 us on a 25 MHz DECstation for the paper\'s minimal handler'),
    ('xfer', 'ipc', 'control transfer, one way (ExOS: protected control transfer; '
     'Linux: sched_yield, its cheapest hand-off)',
     'protected control transfer: kernel primitives 10-100x faster than Ultrix'),
    ('xfer_rt', 'ipc', 'control transfer, round trip (ExOS: protected control transfer; '
     'Linux: sched_yield, its cheapest hand-off)',
     'protected control transfer: kernel primitives 10-100x faster than Ultrix'),
    ('xfer_async', 'ipc', 'asynchronous control transfer and back, round trip (ExOS: acall '
     'there, the partner waits at its entry again with pct_idle; Linux: n/a)',
     'Aegis\'s Acall (donates the rest of the slice); no figure of its own in the paper: '
     'kernel primitives 10-100x faster than Ultrix'),
    ('yield', 'ipc', 'yield to another process, one way',
     'kernel primitives 10-100x faster than Ultrix'),
    ('ipc_pipe', 'ipc', 'pipe round trip', 'ExOS IPC 5-40x faster than Ultrix\'s'),
    ('ipc_pipe_inline', 'ipc', "pipe round trip, the pipe code inlined into the program "
     "(the paper's pipe'; Linux: n/a)",
     "faster than pipe (no library calls); ExOS IPC 5-40x faster than Ultrix's"),
    ('ipc_shm', 'ipc', 'shared memory + blocking wake-up round trip (Linux: futex)',
     'ExOS IPC 5-40x faster than Ultrix\'s'),
    ('ipc_shm_poll', 'ipc', 'shared memory round trip, the waiting side polling the word '
     'and yielding (ExOS: yield; Linux: sched_yield)',
     'no row of its own in the papers: the polling that Xok\'s wakeup predicates replace'),
    ('ipc_shm_load2', 'ipc', 'ipc_shm (ExOS: a wakeup predicate; Linux: futex) beside 2 '
     'compute-bound competitors',
     'Xok: a sleeping library OS costs nothing until its predicate holds'),
    ('ipc_shm_poll_load2', 'ipc', 'ipc_shm_poll (yield; Linux: sched_yield) beside 2 '
     'compute-bound competitors',
     'no row of its own in the papers: what polling costs under load'),
    ('ipc_rpc', 'ipc', 'RPC round trip (ExOS: LRPC)', 'ExOS IPC 5-40x faster than Ultrix\'s'),
    ('ipc_rpc_trusted', 'ipc', 'trusted RPC round trip (ExOS: trusted LRPC)',
     'faster than LRPC (skips saving callee-saved registers); '
     'ExOS IPC 5-40x faster than Ultrix\'s'),
    ('matmul', 'app', '150x150 matrix multiply',
     'no difference: application-level VM costs ordinary programs nothing'),
    ('tlbsweep_16', 'scale', 'read a word of each of 16 pages in turn, per access',
     NO_PAPER_SCALE),
    ('tlbsweep_64', 'scale', 'read a word of each of 64 pages in turn, per access',
     NO_PAPER_SCALE),
    ('tlbsweep_256', 'scale', 'read a word of each of 256 pages in turn, per access',
     NO_PAPER_SCALE),
    ('tlbsweep_1024', 'scale', 'read a word of each of 1024 pages in turn, per access',
     NO_PAPER_SCALE),
    ('tlbsweep_4096', 'scale', 'read a word of each of 4096 pages in turn, per access',
     NO_PAPER_SCALE),
    ('tlbsweep_16384', 'scale', 'read a word of each of 16384 pages in turn, per access',
     NO_PAPER_SCALE),
    ('tlbmiss', 'scale', 'read a word of every other page of 16384 (Aegis: an STLB miss each time), per access',
     'no figure in the paper; the design: STLB misses go to the library OS, which refills from its own page table'),
    ('protN_1', 'scale', 'read-protect 1 page (one call), per page', 'as prot1: ExOS faster than Ultrix'),
    ('protN_10', 'scale', 'read-protect 10 pages (one call), per page', NO_PAPER_SCALE),
    ('protN_100', 'scale', 'read-protect 100 pages (one call), per page', 'as prot100, per page'),
    ('protN_1000', 'scale', 'read-protect 1000 pages (one call), per page', NO_PAPER_SCALE),
    ('unprotN_touch_1', 'scale', 'unprotect 1 page (one call), then read it, per page',
     NO_PAPER_SCALE),
    ('unprotN_touch_10', 'scale', 'unprotect 10 pages (one call), then read each, per page',
     NO_PAPER_SCALE),
    ('unprotN_touch_100', 'scale', 'unprotect 100 pages (one call), then read each, per page',
     'as unprot100_touch, per page'),
    ('unprotN_touch_1000', 'scale', 'unprotect 1000 pages (one call), then read each, per page',
     NO_PAPER_SCALE),
    ('appel1_100', 'scale', 'prot1 + trap + unprot cycling over 100 pages, per page',
     'as appel1 (the paper uses 100 pages): ExOS faster'),
    ('appel1_1000', 'scale', 'prot1 + trap + unprot cycling over 1000 pages, per page',
     NO_PAPER_SCALE),
    ('demux_1', 'net', 'classify a frame, 1 UDP-port filter installed, compiled (ExOS: DPF\'s '
     'merged tree on Aegis, in the kernel, no NIC; Linux: classic BPF on a packet socket, JIT '
     'on, frames through the loopback device less the same path without the socket), per '
     'frame', NO_PAPER_DEMUX),
    ('demux_10', 'net', 'the same, 10 filters, compiled', NO_PAPER_DEMUX),
    ('demux_100', 'net', 'the same, 100 filters, compiled', PAPER_DEMUX),
    ('demux_500', 'net', 'the same, 500 filters, compiled', NO_PAPER_DEMUX),
    ('demux_1_interp', 'net', 'classify a frame, 1 filter, the same merged tree run by the '
     'dcode interpreter, per frame (Linux: n/a, no merged tree)', NO_PAPER_DEMUX),
    ('demux_10_interp', 'net', 'the same, 10 filters, tree interpreted', NO_PAPER_DEMUX),
    ('demux_100_interp', 'net', 'the same, 100 filters, tree interpreted', PAPER_DEMUX),
    ('demux_500_interp', 'net', 'the same, 500 filters, tree interpreted', NO_PAPER_DEMUX),
    ('demux_1_linear', 'net', 'classify a frame, 1 filter, the filters matched one by one '
     '(the frame is for the last; Linux: its BPF interpreter, JIT off), per frame',
     NO_PAPER_DEMUX),
    ('demux_10_linear', 'net', 'the same, 10 filters, one by one', NO_PAPER_DEMUX),
    ('demux_100_linear', 'net', 'the same, 100 filters, one by one', PAPER_DEMUX),
    ('demux_500_linear', 'net', 'the same, 500 filters, one by one', NO_PAPER_DEMUX),
    ('demux_100_reject', 'net', 'the same sockets as demux_100 with filters that reject '
     'every frame at once (Linux: one BPF instruction each, JIT on; demux_100 less this is '
     'what its 100 predicates cost; ExOS: n/a)', 'no counterpart: separates Linux\'s '
     'per-socket cost from its filters'),
    ('demux_base', 'net', 'the path the Linux demux rows subtract: a frame sent through the '
     'loopback device with no filter socket in its receive path, per frame (ExOS: n/a, '
     'nothing subtracted)', 'no counterpart: the measurement\'s own base'),
    ('udp_rtt', 'udp', 'UDP round trip, 32 bytes, to an echo partner over two NICs on one '
     'virtual wire (ExOS: user-level stacks, the reply from the partner environment; '
     'Linux: a process in a second network namespace)', PAPER_UDP),
    ('udp_rtt_ash', 'udp', 'the same, the partner\'s reply sent by an ASH in the kernel '
     '(Linux: n/a)', PAPER_UDP),
] + [('udp_rtt%s_load%d' % (a, n), 'udp', '%s beside %d compute-bound competitor%s' % (
    'udp_rtt' + a, n, '' if n == 1 else 's'), PAPER_UDP_LOAD)
     for a in ('', '_ash') for n in (0, 1, 2, 4, 8)] + [
    ('appel1_10000', 'scale', 'prot1 + trap + unprot cycling over 10000 pages, per page',
     NO_PAPER_SCALE),
]


def storage_rows():
    """ROWS entries of the storage rows (bench/fs.c): two sets (fs_: Linux ext2 against
    ExOS's file system; fsj_: Linux ext4), three workloads, three phases."""
    works = [('small', '1,000 files of 1 KiB', 'per file'),
             ('large', '100 files of 64 KiB', 'per file'),
             ('seq', 'one 16 MiB file, 64 KiB calls', 'per MiB')]
    phases = [('write', 'mkdir, create and write'), ('read', 'read back'),
              ('delete', 'unlink and rmdir')]
    sets = [('fs', 'Linux ext2; ExOS: its file system'), ('fsj', 'Linux ext4 (journal)')]
    return [('%s_%s_%s' % (p, w, ph), 'storage', '%s: %s, %s, sync (%s)' % (
        '%s_%s_%s' % (p, w, ph), pwhat, wwhat, unit) + ('' if p == 'fs' else ', ext4'),
        PAPER_STORAGE) for p, _ in sets for w, wwhat, unit in works for ph, pwhat in phases]


PAPER_STORAGE = 'no figure in the papers (issue 12: against ExOS\'s file system on XN)'
ROWS += storage_rows()
STORAGE_FIELDS = ['rd_reqs', 'rd_bytes', 'wr_reqs', 'wr_bytes', 'flushes', 'late_bytes']
ROW_INFO = {r[0]: r for r in ROWS}
DISPLAY = {'linux': 'Linux', 'aegis': 'Aegis/ExOS'}

# Rows measured at two positions in their mapping: the edge row (its range starts at the
# mapping's first page: Linux splits its mapping in two) and the _mid row (the range in
# the middle: Linux splits it in three).  Linux's cost depends on the position, so the
# ratio of either row divides Linux's lower figure of the two positions by the Aegis
# figure of that row: Aegis is compared with Linux's better position.
POSITION_PAIRS = [('prot1', 'prot1_mid'), ('prot100', 'prot100_mid'),
                  ('unprot100', 'unprot100_mid')]
POSITION_PARTNER = dict(POSITION_PAIRS + [(m, e) for e, m in POSITION_PAIRS])

LINE_RE = re.compile(r'^BENCH row=(\S+) (.*)$')
SWITCHED_RE = re.compile(r'Switched to clocksource (\S+)')


def die(msg):
    sys.stderr.write('bench_report.py: error: %s\n' % msg)
    sys.exit(1)


def parse_file(path):
    """Parse one result file.  Lines '# key: value' are header lines, BENCH lines are
    results (format in bench/README.md), anything else is ignored.  Return
    {'meta': {key: last value of that key}, 'comments': [(key, value), ...] (every header
    line in file order; a key may repeat, e.g. 'timer interrupts'), 'rows': {row:
    {'reps': [(iters, ticks), ...], 'na': reason or None, 'error': message or None,
    'extra': [{field: value} of each repetition's extra fields (key=value after ticks)]}},
    'order': row names in order of first appearance, 'done': 'BENCH done' seen}."""
    meta, comments, rows, done, order = {}, [], {}, False, []
    for raw in open(path, encoding='utf-8', errors='replace'):
        l = raw.strip()
        if l.startswith('#'):
            k, sep, v = l[1:].partition(':')
            if sep:
                meta[k.strip()] = v.strip()
                comments.append((k.strip(), v.strip()))
            continue
        if l.startswith('BENCH done'):
            done = True
            continue
        if l.startswith('BENCH start'):
            for kv in l.split()[2:]:
                k, _, v = kv.partition('=')
                meta['start ' + k] = v
            continue
        m = LINE_RE.match(l)
        if not m:
            continue
        name, rest = m.groups()
        r = rows.setdefault(name, {'reps': [], 'na': None, 'error': None})
        if name not in order:
            order.append(name)
        mm = re.match(r'na="(.*)"$', rest)
        if mm:
            r['na'] = mm.group(1)
            continue
        mm = re.match(r'error="(.*)"$', rest)
        if mm:
            r['error'] = mm.group(1)
            continue
        mm = re.match(r'rep=(\d+) iters=(\d+) ticks=(\d+)((?: \w+=\d+)*)$', rest)
        if mm and int(mm.group(2)) > 0:
            r['reps'].append((int(mm.group(2)), int(mm.group(3))))
            r.setdefault('extra', []).append(
                {k: int(v) for k, v in re.findall(r'(\w+)=(\d+)', mm.group(4))})
    return {'meta': meta, 'comments': comments, 'rows': rows, 'done': done, 'order': order}


def splice(base_path, update_path):
    """The text of result file base_path with the rows of update_path (a run of some
    rows, e.g. `make bench ROWS=...`) in place of its own lines for those rows, and
    header lines naming the update and its QEMU commands. For refreshing a few rows of
    the full results without running the whole suite."""
    base = open(base_path, encoding='utf-8', errors='replace').read().split('\n')
    upd = open(update_path, encoding='utf-8', errors='replace').read().split('\n')
    new = [l for l in upd if LINE_RE.match(l.strip())]
    names = {LINE_RE.match(l.strip()).group(1) for l in new}
    head = ['# rows from %s: %s' % (update_path, ','.join(sorted(names)))]
    head += ['# update %s' % l[2:] for l in upd
             if l.startswith(('# qemu:', '# kernel:', '# kernel package:'))]
    head += [l for l in upd if l.startswith('# qemu network rows:')]
    out, placed = [], False
    for l in base:
        m = LINE_RE.match(l.strip())
        if m and m.group(1) in names:
            continue
        if l.startswith('BENCH done') and not placed:
            out += new
            placed = True
        out.append(l)
    if not placed:
        out += new
    first = next((i for i, l in enumerate(out) if not l.startswith('#')), len(out))
    return '\n'.join(out[:first] + head + out[first:])


def stats(reps):
    """Statistics of a row's repetitions [(iters, ticks), ...] (at least one), in ticks
    per operation: n, iters (of the first repetition), median, min, max, and spread
    (max - min) / median in percent."""
    per = [t / i for i, t in reps]
    med = statistics.median(per)
    return {
        'n': len(per), 'iters': reps[0][0], 'median': med, 'min': min(per),
        'max': max(per), 'spread': (max(per) - min(per)) / med * 100 if med else 0.0,
    }


def fmt(x, nd=1):
    """A figure for the tables: thousands separators from 1000 up, no decimals from 100
    up, else nd decimals; '' for None."""
    if x is None:
        return ''
    if x >= 1000:
        return '{:,.0f}'.format(x)
    if x >= 100:
        return '%.0f' % x
    return ('%.' + str(nd) + 'f') % x


def row_status(r, spread_limit):
    """One system's state for one row, from parse_file's row record r (or None): a dict
    with 'status' 'ok' (plus the fields of stats() and 'flag': spread above the limit),
    'na' or 'error' (plus 'why'), or 'missing' (no line, or no valid repetition)."""
    if r is None:
        return {'status': 'missing'}
    if r['error']:
        return {'status': 'error', 'why': r['error']}
    if r['na'] is not None:
        return {'status': 'na', 'why': r['na']}
    if not r['reps']:
        return {'status': 'missing'}
    st = stats(r['reps'])
    st['status'] = 'ok'
    st['flag'] = st['spread'] > spread_limit
    return st


def linux_figures(entries, row):
    """Linux's side of the ratio of `row`, from entries {row: entry of compute()}: for
    most rows its own (median, min, row); for a row of POSITION_PAIRS the lower median
    and the lower minimum over both positions, with the row whose median is the lower
    (either position may be absent).  None when Linux has no figure for any of them."""
    cands = [row] + ([POSITION_PARTNER[row]] if row in POSITION_PARTNER else [])
    ok = [(entries[n]['sys']['linux'], n) for n in cands
          if n in entries and entries[n]['sys'].get('linux', {}).get('status') == 'ok']
    if not ok:
        return None
    med, med_row = min((st['median'], n) for st, n in ok)
    return med, min(st['min'] for st, _ in ok), med_row


def compute(systems, spread_limit):
    """The report's rows: a list of entries in ROWS order, then rows unknown to ROWS in
    the order the files print them; a row no system printed is left out.  Each entry is
    {'row', 'sys': {system: row_status()}, 'ratio': Linux median / Aegis median,
    'ratio_min': Linux minimum / Aegis minimum, 'linux_row': the Linux row behind
    'ratio'}; the ratios are None unless both systems have figures (see linux_figures
    for the rows measured at two positions)."""
    names = [r[0] for r in ROWS]
    for s in systems.values():
        for n in s['order']:
            if n not in names:
                names.append(n)
    entries = {}
    for n in names:
        e = {'row': n, 'sys': {sname: row_status(s['rows'].get(n), spread_limit)
                               for sname, s in systems.items()}}
        if any(v['status'] != 'missing' for v in e['sys'].values()):
            entries[n] = e
    table = [entries[n] for n in names if n in entries]
    for e in table:
        e['ratio'] = e['ratio_min'] = e['linux_row'] = None
        a = e['sys'].get('aegis', {'status': 'missing'})
        lin = linux_figures(entries, e['row']) if 'linux' in systems else None
        if lin and a['status'] == 'ok' and a['median'] > 0 and a['min'] > 0:
            e['ratio'], e['ratio_min'] = lin[0] / a['median'], lin[1] / a['min']
            e['linux_row'] = lin[2]
    return table


def med_min(med, mn, f=fmt):
    """'median (min)', the form of every figure in the tables."""
    return '%s (%s)' % (f(med), f(mn))


def ratio_text(e):
    """The ratio cell of entry e: 'medians (mins)', or '—' without a ratio."""
    if e['ratio'] is None:
        return '—'
    return med_min(e['ratio'], e['ratio_min'], lambda x: '%.2f' % x)


def cell(st):
    """Two Markdown cells of one system's row: ticks/op and instructions/op, each as
    'median (min)'; 'n/a', 'error' or '—' (not run) and an empty cell otherwise."""
    if st['status'] == 'ok':
        return '%s | %s' % (med_min(st['median'], st['min']),
                            med_min(st['median'] * INSTR_PER_TICK, st['min'] * INSTR_PER_TICK))
    if st['status'] == 'na':
        return 'n/a | '
    if st['status'] == 'error':
        return 'error | '
    return '— | '


def position_note(rows):
    """The note under a table holding rows measured at two positions (POSITION_PAIRS):
    how their ratio is formed, and at which position Linux was cheaper in this run.
    '' when the table has none of those rows."""
    names = {e['row']: e for e in rows}
    pairs = [(edge, mid) for edge, mid in POSITION_PAIRS if edge in names or mid in names]
    if not pairs:
        return ''
    out = ['Rows measured at two positions (%s): the range at the edge of its mapping (it '
           'starts at the mapping\'s first page), or in the middle (Linux must then split '
           'its mapping in three). The Linux/Aegis ratio of both rows of a pair divides '
           'Linux\'s lower median of the two positions by the Aegis/ExOS median of that row '
           '(in parentheses: Linux\'s lower minimum by the Aegis/ExOS minimum), so Aegis/ExOS '
           'is compared with Linux at its better position.'
           % ', '.join(e for e, _ in pairs)]
    found = []
    for edge, mid in pairs:
        st = {n: names[n]['sys'].get('linux', {}) for n in (edge, mid) if n in names}
        ok = {n: s for n, s in st.items() if s.get('status') == 'ok'}
        if len(ok) == 2:
            found.append('%s %s (%s at the edge, %s mid-mapping)' % (
                edge, 'at the edge' if ok[edge]['median'] <= ok[mid]['median']
                else 'mid-mapping', fmt(ok[edge]['median']), fmt(ok[mid]['median'])))
        elif len(ok) == 1:
            found.append('%s only %s (the other position was not measured)' % (
                edge, 'at the edge' if edge in ok else 'mid-mapping'))
    if found:
        out.append('In this run Linux\'s lower median (ticks/op) was: ' +
                   '; '.join(found) + '.')
    return ' '.join(out)


def markdown_tables(table, systems):
    """The main results: one Markdown table per group of GROUPS, in ROWS order; each
    system's ticks/op and instructions/op as 'median (min)', the ratio Linux/Aegis (with
    both systems) and the paper's claim.  Under each table its notes: how rows measured at
    two positions are compared, and the reason of every n/a or error."""
    order = [s for s in ('aegis', 'linux') if s in systems] + \
            [s for s in systems if s not in ('aegis', 'linux')]
    both = 'linux' in systems and 'aegis' in systems
    out = io.StringIO()
    head = '| Benchmark |'
    rule = '|---|'
    for s in order:
        d = DISPLAY.get(s, s)
        head += ' %s ticks/op, median (min) | %s instr/op, median (min) |' % (d, d)
        rule += '---:|---:|'
    head += ' Linux/Aegis, medians (mins) |' if both else ''
    rule += '---:|' if both else ''
    head += ' Paper (Aegis/ExOS vs Ultrix) |'
    rule += '---|'
    for gkey, gtitle in GROUPS:
        rows = [e for e in table if ROW_INFO.get(e['row'], (0, 'other'))[1] == gkey]
        if not rows:
            continue
        notes = []
        out.write('\n**%s**\n\n%s\n%s\n' % (gtitle, head, rule))
        for e in rows:
            info = ROW_INFO.get(e['row'], (e['row'], 'other', e['row'], ''))
            line = '| %s |' % info[2]
            for s in order:
                st = e['sys'].get(s, {'status': 'missing'})
                line += ' %s |' % cell(st)
                if st['status'] in ('na', 'error'):
                    notes.append('%s on %s: %s — %s' % (
                        info[2], DISPLAY.get(s, s),
                        'n/a' if st['status'] == 'na' else 'error', st['why']))
            if both:
                line += ' %s |' % ratio_text(e)
            line += ' %s |' % info[3]
            out.write(line + '\n')
        pos = position_note(rows) if both else ''
        if pos:
            notes.insert(0, pos)
        if notes:
            out.write('\n' + '\n'.join('- ' + n for n in notes) + '\n')
    return out.getvalue()


def detail_table(table, systems):
    """The repetition table: per row and system (ok rows only), repetitions, operations
    per repetition, median and minimum ticks/op, spread (flagged above the limit) and
    virtual µs/op as 'median (min)'."""
    out = io.StringIO()
    out.write('| Row | System | reps | iters/rep | median ticks/op | min ticks/op '
              '| spread (max-min)/median | virtual µs/op, median (min) |\n')
    out.write('|---|---|---:|---:|---:|---:|---:|---:|\n')
    for e in table:
        for s in systems:
            st = e['sys'].get(s)
            if not st or st['status'] != 'ok':
                continue
            out.write('| %s | %s | %d | %d | %s | %s | %.2f%%%s | %s |\n' % (
                e['row'], DISPLAY.get(s, s), st['n'], st['iters'], fmt(st['median']),
                fmt(st['min']), st['spread'], ' **(>limit)**' if st['flag'] else '',
                med_min(st['median'] / MHZ, st['min'] / MHZ, lambda x: fmt(x, 2))))
    return out.getvalue()


# The columns of results.csv.  Nothing in the repository reads the file; columns are only
# ever added at the end, so that a reader by position or by name keeps working.
CSV_COLUMNS = ['row', 'system', 'status', 'reps', 'iters_per_rep',
               'median_ticks_per_op', 'min_ticks_per_op', 'max_ticks_per_op',
               'instr_per_op', 'virtual_us_per_op', 'spread_pct', 'spread_flag',
               'ratio_linux_over_aegis', 'note',
               'min_instr_per_op', 'min_virtual_us_per_op',
               'ratio_linux_over_aegis_of_mins', 'ratio_linux_row']


def write_csv(path, table, systems):
    """results.csv: one line per row and system with the columns CSV_COLUMNS (figures
    empty unless the status is ok; 'note' holds the n/a or error reason).  instr_per_op
    and virtual_us_per_op are of the median; the ratio columns are the entry's (the same
    on both systems' lines) and ratio_linux_row names the Linux row whose median the
    ratio used (the other position's for some rows, see POSITION_PAIRS)."""
    with open(path, 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(CSV_COLUMNS)
        for e in table:
            ratio = '%.4f' % e['ratio'] if e['ratio'] is not None else ''
            ratio_min = '%.4f' % e['ratio_min'] if e['ratio_min'] is not None else ''
            for s in systems:
                st = e['sys'].get(s, {'status': 'missing'})
                if st['status'] == 'ok':
                    w.writerow([e['row'], s, 'ok', st['n'], st['iters'],
                                '%.2f' % st['median'], '%.2f' % st['min'],
                                '%.2f' % st['max'],
                                '%.1f' % (st['median'] * INSTR_PER_TICK),
                                '%.3f' % (st['median'] / MHZ), '%.2f' % st['spread'],
                                int(st['flag']), ratio, '',
                                '%.1f' % (st['min'] * INSTR_PER_TICK),
                                '%.3f' % (st['min'] / MHZ), ratio_min,
                                e['linux_row'] or ''])
                else:
                    w.writerow([e['row'], s, st['status'], '', '', '', '', '', '', '', '',
                                '', ratio, st.get('why', ''), '', '', ratio_min,
                                e['linux_row'] or ''])


def plot(table, systems, results_dir):
    """Write ratios.svg/.png; return a one-line description. Exits if gnuplot is missing."""
    gp = shutil.which('gnuplot')
    if not gp:
        die('gnuplot not found: it is in Debian package gnuplot-nox (tools/deps.sh bench)')
    both = 'linux' in systems and 'aegis' in systems
    data = io.StringIO()
    if both:
        pts = [(e['row'], e['ratio']) for e in table if e['ratio']]
        for n, r in pts:
            data.write('%s %.6f\n' % (n, r))
        title = 'Linux / Aegis-ExOS, median time per operation (QEMU malta, -icount)'
        ylabel = 'ratio (log scale; > 1: Aegis faster)'
        desc = 'ratio Linux/Aegis per row'
    else:
        s = next(iter(systems))
        pts = [(e['row'], e['sys'][s]['median'] * INSTR_PER_TICK) for e in table
               if e['sys'][s]['status'] == 'ok']
        for n, v in pts:
            data.write('%s %.3f\n' % (n, v))
        title = '%s only: instructions per operation (no second system yet, so no ratios)' \
            % DISPLAY.get(s, s)
        ylabel = 'instructions per operation (log scale)'
        desc = 'instructions per operation of %s (only system present)' % DISPLAY.get(s, s)
    if not pts:
        return None
    dat = os.path.join(results_dir, 'plot.dat')
    with open(dat, 'w') as f:
        f.write(data.getvalue())
    common = '''
set title "{title}"
set ylabel "{ylabel}"
set logscale y
set style fill solid 0.6 border -1
set boxwidth 0.7
set xtics rotate by -40 left nomirror
set grid ytics
set key off
set yrange [*:*]
{oneline}
set xrange [-0.6:{xmax}]
plot "{dat}" using 0:2:($0-0.35):($0+0.35):({base}):2:xtic(1) with boxxyerror lc rgb "#3b6ea8"
'''.format(title=title, ylabel=ylabel, dat=dat, xmax=len(pts) - 0.4,
           base=1 if both else 0.5,
           oneline='set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2'
           if both else '')
    gnuplot_svg_png(gp, common, os.path.join(results_dir, 'ratios'), 500)
    os.remove(dat)
    return desc


def gnuplot_svg_png(gp, body, out, height):
    """Draw the gnuplot script body (no terminal, no output) into out.svg and out.png,
    900 by height pixels; exits if gnuplot fails."""
    for term, ext in (('svg size 900,%d dynamic font "sans,11"' % height, 'svg'),
                      ('pngcairo size 900,%d font "sans,10"' % height, 'png')):
        script = 'set terminal %s noenhanced\nset output "%s.%s"\n%s' % (term, out, ext, body)
        p = subprocess.run([gp], input=script, text=True, capture_output=True)
        if p.returncode != 0:
            die('gnuplot failed: %s' % p.stderr.strip())


def scale_section(results, rows):
    """Links to the plots tools/scale_plot.py draws from the scale rows (make bench runs
    it after this script), or a note when no scale row was measured."""
    if not any(ROW_INFO.get(r, ('', ''))[1] == 'scale' for r in rows):
        return '(no scale rows in this run: make bench measures them and runs tools/scale_plot.py)'
    plots = [('scale_tlbsweep', 'reading one word of each of N pages, per access'),
             ('scale_prot', 'protecting N pages, and unprotecting them then reading each, per page'),
             ('scale_appel1', 'appel1 cycling over N pages, per page')]
    return '\n\n'.join('![%s](../%s/%s.svg)' % (what, results, name) for name, what in plots) + (
        '\n\nFigures: `%s/scale.csv`; median instructions per operation, log-log axes.' % results)


def sweeps_section(results, rows):
    """Links to tools/scale_plot.py's plots of issue 10's two sweeps (demux_N over
    the filters, udp_rtt over the competitors), for those measured in this run."""
    plots = [('scale_demux', 'demux_', 'classifying a frame among N filters, per frame'),
             ('scale_udp', 'udp_rtt', 'the UDP round trip beside N competitors')]
    shown = ['![%s](../%s/%s.svg)' % (what, results, name) for name, prefix, what in plots
             if any(r.startswith(prefix) for r in rows)]
    if not shown:
        return '(no demux or udp_rtt rows in this run)'
    return '\n\n'.join(shown) + ('\n\nMedian instructions per operation, log scale '
                                  '(figures: `%s/scale.csv`).' % results)


def http_section(results):
    """Markdown: tools/bench_http.py's requests per second (HOST time), per system,
    with the ratio of the medians when both served."""
    path = os.path.join(results, 'http.csv')
    if not os.path.exists(path):
        return '(no http run: `make bench-http`, or a full `make bench`, writes %s)' % path
    rows = list(csv.DictReader(open(path)))
    out = ['| System | requests/s, median (min, max) — **host time** | runs x requests | note |',
           '|---|---:|---|---|']
    med = {}
    for r in rows:
        d = DISPLAY.get(r['system'], r['system'])
        if r['status'] == 'ok':
            med[r['system']] = float(r['median_req_per_s'])
            out.append('| %s | %s (%s, %s) | %s x %s | |' % (
                d, r['median_req_per_s'], r['min_req_per_s'], r['max_req_per_s'],
                r['runs'], r['requests']))
        else:
            out.append('| %s | n/a | | %s |' % (d, r['note']))
    if len(med) == 2:
        out.append('\nAegis/ExOS / Linux, requests per second, ratio of the medians: %.2f '
                   '(host time, one run side by side).' % (med['aegis'] / med['linux']))
    return '\n'.join(out)


def stride_section(results):
    """The stride-scheduling plot and final shares (tools/stride_plot.py)."""
    txt = os.path.join(results, 'stride.txt')
    if not os.path.exists(txt):
        return '(no stride run: make bench runs tools/stride_plot.py)'
    shares = open(txt).read().strip()
    return ('![stride shares over time](../%s/stride.svg)\n\n'
            'Final shares, as fractions of each worker\'s ticket share (1.000 = exact): %s '
            '(data: `%s/stride.csv`).' % (results, shares, results))


def tsv_rows(path, ncols):
    """The rows of a tab-separated targets file, comments and blank lines
    skipped, each padded with '-' to ncols fields."""
    for line in open(path, encoding='utf-8'):
        if line.strip() and not line.startswith('#'):
            yield (line.rstrip('\n').split('\t') + ['-'] * ncols)[:ncols]


def targets_table(table, path):
    """Markdown: each target of bench/targets.tsv (row, min ratio, max ratio or '-', why
    if missed) against the measured ratio Linux/Aegis, as 'medians (mins)'.  Whether a
    target is met is judged on the medians; a row without a ratio says why."""
    if not os.path.exists(path):
        return '(no targets file)'
    entries = {e['row']: e for e in table}
    out = ['| Row | target (Linux/Aegis) | measured, medians (mins) | met | why not |',
           '|---|---|---:|---|---|']
    for row, lo, hi, why in tsv_rows(path, 4):
        lo = float(lo)
        hi = None if hi.strip() == '-' else float(hi)
        e = entries.get(row)
        want = ('%.2f to %.2f' % (lo, hi)) if hi is not None else ('>= %g' % lo)
        if e is None or e['ratio'] is None:
            words = {'na': 'n/a', 'error': 'error', 'missing': 'not run'}
            sts = e['sys'] if e else {}
            why_none = ', '.join(
                ['%s %s' % (DISPLAY[s], words[sts[s]['status']]) if s in sts
                 else 'no %s results' % DISPLAY[s] for s in ('linux', 'aegis')
                 if s not in sts or sts[s]['status'] != 'ok'])
            out.append('| %s | %s | — | not measured%s | |' % (
                row, want, ' (%s)' % why_none if why_none else ''))
            continue
        r = e['ratio']
        met = r >= lo and (hi is None or r <= hi)
        out.append('| %s | %s | %s | %s | %s |' % (
            row, want, ratio_text(e), 'yes' if met else '**no**',
            '' if met or why.strip() == '-' else why.strip()))
    return '\n'.join(out)


def instr_targets_table(table, path):
    """Markdown: each target of bench/instr_targets.tsv (row, most instructions per
    operation, why if missed) against Aegis/ExOS's measured median (and minimum); a missed
    target prints the file's floor and reason."""
    if not os.path.exists(path):
        return '(no instruction targets file)'
    entries = {e['row']: e for e in table}
    out = ['| Row | target (instructions) | Aegis/ExOS, median (min) | met | floor and why not |',
           '|---|---:|---:|---|---|']
    for row, most, why in tsv_rows(path, 3):
        st = entries.get(row, {}).get('sys', {}).get('aegis')
        if not st or st['status'] != 'ok':
            out.append('| %s | <= %s | — | not measured | |' % (row, most))
            continue
        med, mn = st['median'] * INSTR_PER_TICK, st['min'] * INSTR_PER_TICK
        met = med <= float(most)
        out.append('| %s | <= %s | %.1f (%.1f) | %s | %s |' % (
            row, most, med, mn, 'yes' if met else '**no**',
            '' if met or why.strip() == '-' else why.strip()))
    return '\n'.join(out)


def split_table(results, table):
    """Markdown: tools/bench_split.py's kernel / ExOS split of the rows (exact
    instruction counts of each row's timed region from QEMU's execution log),
    beside Count's figure for the same run and the row's median from the
    benchmark run."""
    path = os.path.join(results, 'split.csv')
    if not os.path.exists(path):
        return '(no split: make bench runs tools/bench_split.py)'
    entries = {e['row']: e for e in table}
    out = ['| Row | kernel | ExOS and the loop | total, counted | Count, same run | '
           'median of the benchmark run | kernel share |',
           '|---|---:|---:|---:|---:|---:|---:|']
    for r in csv.DictReader(open(path)):
        st = entries.get(r['row'], {}).get('sys', {}).get('aegis')
        meas = '%.1f' % (st['median'] * INSTR_PER_TICK) if st and st['status'] == 'ok' else '—'
        k, u, t = float(r['kernel_instr_per_op']), float(r['user_instr_per_op']), \
            float(r['total_instr_per_op'])
        out.append('| %s | %.1f | %.1f | %.1f | %s | %s | %.0f%% |' % (
            r['row'], k, u, t, r.get('count_instr_per_op') or '—', meas,
            100 * k / t if t else 0))
    return '\n'.join(out)


def storage_files(spec, build, results, systems):
    """{system: file} of the storage rows' results (tools/bench_storage.py) to merge into
    each system's: --storage NAME=FILE when given, else BUILD/bench/storage-NAME.txt, else
    the copy of the last run in RESULTS. None for a system whose own file is a storage
    file (a run of storage rows alone)."""
    files = {}
    for s in spec:
        name, sep, path = s.partition('=')
        if not sep:
            die('--storage wants NAME=FILE, got %r' % s)
        files[name] = path
    if spec:
        return files
    for name, path in systems.items():
        if os.path.basename(path).startswith('storage-'):
            continue
        for d in (os.path.join(build, 'bench'), results):
            p = os.path.join(d, 'storage-%s.txt' % name)
            if os.path.exists(p):
                files[name] = p
                break
    return files


def merge_storage(into, extra):
    """Add the rows of parse_file's record extra (a storage run) to into (the system's
    run), after its own; its header stays apart, as into['storage_meta']."""
    for n in extra['order']:
        if n not in into['rows']:
            into['order'].append(n)
        into['rows'][n] = extra['rows'][n]
    into['storage_meta'] = extra['meta']
    into['storage_comments'] = extra['comments']


def storage_figures(st_row):
    """The medians over the repetitions of each STORAGE_FIELDS field of parse_file's row
    record, or None when it has none."""
    ex = st_row.get('extra') or []
    if not ex or any(f not in ex[0] for f in STORAGE_FIELDS):
        return None
    return {f: statistics.median(e.get(f, 0) for e in ex) for f in STORAGE_FIELDS}


def storage_table(table, systems, results):
    """Markdown: per storage row and system that ran it, the disk's requests and bytes over
    the phase's timed region (medians over the repetitions), and the bytes an untimed sync
    after it still moved; also written as RESULTS/storage.csv. '' without storage rows."""
    out = ['| Row | System | instr/op, median | read requests | read KiB | write requests '
           '| write KiB | flushes | KiB a sync after the phase moved |',
           '|---|---|---:|---:|---:|---:|---:|---:|---:|']
    rows = []
    for e in table:
        if ROW_INFO.get(e['row'], (0, ''))[1] != 'storage':
            continue
        for s in systems:
            st = e['sys'].get(s, {})
            fig = storage_figures(systems[s]['rows'].get(e['row'], {}))
            if st.get('status') != 'ok' or fig is None:
                continue
            instr = st['median'] * INSTR_PER_TICK
            rows.append([e['row'], s, st['n'], '%.1f' % instr] +
                        ['%g' % fig[f] for f in STORAGE_FIELDS])
            whole = lambda x: '{:,.0f}'.format(x)  # noqa: E731 (counts and KiB)
            out.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
                e['row'], DISPLAY.get(s, s), fmt(instr), whole(fig['rd_reqs']),
                whole(fig['rd_bytes'] / 1024), whole(fig['wr_reqs']),
                whole(fig['wr_bytes'] / 1024), whole(fig['flushes']),
                whole(fig['late_bytes'] / 1024)))
    if not rows:
        return ''
    with open(os.path.join(results, 'storage.csv'), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['row', 'system', 'reps', 'median_instr_per_op'] + STORAGE_FIELDS)
        w.writerows(rows)
    return '\n'.join(out)


def storage_plot(table, systems, results):
    """RESULTS/storage.svg and .png (gnuplot): median instructions per operation of each
    storage phase, a bar per file system (Linux ext2, Linux ext4, ExOS) where measured.
    Returns the Markdown that shows it, or '' when there is nothing to plot."""
    gp = shutil.which('gnuplot')
    entries = {e['row']: e for e in table}
    series = [('fs', 'linux', 'Linux ext2'), ('fsj', 'linux', 'Linux ext4'),
              ('fs', 'aegis', 'ExOS')]

    def instr(prefix, s, phase):
        st = entries.get('%s_%s' % (prefix, phase), {}).get('sys', {}).get(s, {})
        return st['median'] * INSTR_PER_TICK if st.get('status') == 'ok' else None
    phases = ['%s_%s' % (w, p) for w in ('small', 'large', 'seq')
              for p in ('write', 'read', 'delete')]
    used = [x for x in series if any(instr(x[0], x[1], p) for p in phases)]
    if not gp or not used:
        return ''
    dat = os.path.join(results, 'storage.dat')
    with open(dat, 'w') as f:
        f.write('phase ' + ' '.join('"%s"' % x[2] for x in used) + '\n')
        for p in phases:
            f.write(p + ' ' + ' '.join('%.1f' % (instr(x[0], x[1], p) or 0) if
                                       instr(x[0], x[1], p) else '?' for x in used) + '\n')
    cols = ', '.join('"%s" using %d:xtic(1) title columnhead' % (dat, i + 2) if i == 0 else
                     '"" using %d title columnhead' % (i + 2) for i in range(len(used)))
    missing = [x[2] for x in series if x not in used and x[1] in systems]
    body = """
set title "Storage phases: instructions per file (per MiB for seq), median%s"
set ylabel "instructions per operation (log scale)"
set logscale y
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.7 border -1
set xtics rotate by -30 left nomirror
set grid ytics
set key top left
set datafile missing "?"
plot %s
""" % ('; not measured: ' + ', '.join(missing) if missing else '', cols)
    gnuplot_svg_png(gp, body, os.path.join(results, 'storage'), 450)
    os.remove(dat)
    return ('![storage phases, instructions per operation](../%s/storage.svg)\n\n'
            '(PNG: `%s/storage.png`; figures: `%s/storage.csv`)' % (results, results, results))


def storage_section(table, systems, results):
    """docs/results.md's storage section: how the rows were run (from the storage runs'
    headers), the disk table and the plot."""
    disk = storage_table(table, systems, results)
    if not disk:
        return '(no storage rows in this run: make bench-storage runs them)'
    lines = []
    for s in systems:
        meta = systems[s].get('storage_meta')
        if not meta:
            continue
        lines.append('- %s: `%s`' % (DISPLAY.get(s, s), meta.get('qemu', '(not recorded)')))
        for k, v in systems[s]['storage_comments']:
            if k.startswith(('boot', 'mkfs', 'features', 'disk image', 'disk mount',
                             'clockevent')):
                lines.append('  - %s: `%s`' % (k, v))
    return ('QEMU lines and file systems of the storage boots (one boot per set of rows, '
            'a fresh image each):\n\n%s\n\nDisk requests and bytes over each phase\'s '
            'timed region (medians over the repetitions; whole phase, not per operation):'
            '\n\n%s\n\n%s' % ('\n'.join(lines), disk, storage_plot(table, systems, results)))


def linux_timer(s):
    """The 'Linux timer' text of the report from parse_file's record s of the Linux run,
    never guessed: the clocksource from the '# clocksource:' header line (sysfs, after the
    run) or else the last 'Switched to clocksource X' of any header line (the kernel log
    copied by tools/baseline/init.sh), the clock-event device from '# clockevent:', and
    the timer-interrupt counts from '# timer interrupts:'.  Without a clocksource: 'not
    recorded in this run', followed by whatever of the rest was recorded."""
    if s is None:
        return 'no Linux results in this report'
    meta, comments = s['meta'], s.get('comments', [])
    name = meta.get('clocksource')
    if not name:
        switched = [m.group(1) for _, v in comments for m in [SWITCHED_RE.search(v)] if m]
        name = switched[-1] if switched else None
    extra = []
    if meta.get('clockevent'):
        extra.append('clock-event device %s' % meta['clockevent'])
    irqs = [v for k, v in comments if k == 'timer interrupts']
    if irqs:
        extra.append('timer interrupts since boot, read after the run: %s' % '; '.join(
            re.sub(r'\s+', ' ', v) for v in irqs))
    text = ('clocksource %s' % name) if name else 'not recorded in this run'
    return text + (' (%s)' % ', '.join(extra) if extra else '')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build', default=os.environ.get('BUILD', 'build'))
    ap.add_argument('--system', action='append', default=[], metavar='NAME=FILE')
    ap.add_argument('--results', default='bench/results')
    ap.add_argument('--docs', default='docs/results.md')
    ap.add_argument('--template', default='bench/results.md.in')
    ap.add_argument('--spread', type=float, default=2.0)
    ap.add_argument('--targets', default='bench/targets.tsv')
    ap.add_argument('--instr-targets', default='bench/instr_targets.tsv')
    ap.add_argument('--update', action='append', default=[], metavar='NAME=FILE',
                    help='replace the rows FILE has in system NAME\'s file by FILE\'s '
                    '(the copy in RESULTS then holds the merged lines)')
    ap.add_argument('--storage', action='append', default=[], metavar='NAME=FILE',
                    help='storage rows to add to system NAME (default: '
                    'BUILD/bench/storage-NAME.txt, else RESULTS/storage-NAME.txt)')
    args = ap.parse_args()

    files = {}
    if args.system:
        for spec in args.system:
            name, sep, path = spec.partition('=')
            if not sep:
                die('--system wants NAME=FILE, got %r' % spec)
            files[name] = path
    else:
        for name in ('linux', 'aegis'):
            p = os.path.join(args.build, 'bench', name + '.txt')
            if os.path.exists(p):
                files[name] = p
    if not files:
        die('no result files (expected %s/bench/linux.txt and/or aegis.txt; '
            'run make bench-linux)' % args.build)
    updated = {}
    for spec in args.update:
        name, sep, path = spec.partition('=')
        if not sep or name not in files or not os.path.exists(path):
            die('--update wants NAME=FILE for a system read, got %r' % spec)
        merged = os.path.join(args.results, name + '.txt')
        text = splice(files[name], path)
        os.makedirs(args.results, exist_ok=True)
        with open(merged + '.tmp', 'w') as f:
            f.write(text)
        os.replace(merged + '.tmp', merged)
        files[name] = merged
        updated.setdefault(name, []).append(path)
    systems = {}
    for name, path in files.items():
        if not os.path.exists(path):
            die('%s: no such file' % path)
        systems[name] = parse_file(path)
        if not systems[name]['done']:
            sys.stderr.write('bench_report.py: warning: %s has no "BENCH done" line '
                             '(incomplete run)\n' % path)

    extra = storage_files(args.storage, args.build, args.results, files)
    for name, path in extra.items():
        if name in systems and os.path.exists(path):
            merge_storage(systems[name], parse_file(path))
    table = compute(systems, args.spread)
    os.makedirs(args.results, exist_ok=True)
    for name, path in extra.items():
        dst = os.path.join(args.results, 'storage-%s.txt' % name)
        if name in systems and os.path.abspath(path) != os.path.abspath(dst):
            shutil.copyfile(path, dst)
    # Keep the raw BENCH lines next to the tables (build/ is not kept), as <system>.txt.
    for name, path in files.items():
        dst = os.path.join(args.results, name + '.txt')
        if os.path.abspath(path) != os.path.abspath(dst):
            shutil.copyfile(path, dst)
    write_csv(os.path.join(args.results, 'results.csv'), table, systems)
    main_md = markdown_tables(table, systems)
    detail = detail_table(table, systems)
    flagged = ['%s (%s, %.1f%%)' % (e['row'], DISPLAY.get(s, s), st['spread'])
               for e in table for s, st in e['sys'].items()
               if st['status'] == 'ok' and st['flag']]
    flags = ('Rows whose repetitions spread more than %.0f%% (max-min over median): %s.'
             % (args.spread, ', '.join(flagged)) if flagged else
             'Every row repeated within %.0f%% (max-min over median).' % args.spread)
    plot_desc = plot(table, systems, args.results)
    timer = linux_timer(systems.get('linux'))

    sources = '\n'.join('- %s: `%s` (copied to `%s`)%s%s' % (
        DISPLAY.get(n, n), files[n], os.path.join(args.results, n + '.txt'),
        '' if systems[n]['done'] else ' (incomplete: no `BENCH done`)',
        ', with the rows of %s put in by `--update` (named in its header lines)' % ', '.join(
            '`%s`' % u for u in updated[n]) if n in updated else '') for n in systems)
    md = ('# Benchmark results\n\nGenerated by `tools/bench_report.py` from:\n%s\n\n'
          'Linux timer: %s.\n\n'
          'Count ticks per operation (160 MHz virtual; 1 tick = 6.25 guest instructions '
          'under `-icount shift=0`) and instructions per operation, each as the median '
          '(in parentheses the minimum) over the repetitions.\n%s\n'
          '## Repetitions\n\n%s\n%s\n' % (sources, timer, main_md, detail, flags))
    with open(os.path.join(args.results, 'results.md'), 'w') as f:
        f.write(md)

    # docs/results.md from the template.
    lm = systems.get('linux', {}).get('meta', {})
    am = systems.get('aegis', {}).get('meta', {})
    qemu = lm.get('qemu') or am.get('qemu') or '(not recorded)'
    iters = io.StringIO()
    iters.write('| Row | System | repetitions | operations per repetition |\n'
                '|---|---|---:|---:|\n')
    for e in table:
        for s in systems:
            st = e['sys'].get(s)
            if st and st['status'] == 'ok':
                iters.write('| %s | %s | %d | %d |\n' % (e['row'], DISPLAY.get(s, s),
                                                        st['n'], st['iters']))
    subst = {
        'sources': sources,
        'qemu': qemu,
        'linux_kernel': lm.get('kernel package', '(no Linux results)'),
        'linux_uname': lm.get('uname', '(not recorded)'),
        'linux_clock': lm.get('kernel clock', '(not recorded)'),
        'linux_timer': timer,
        'aegis_info': am.get('kernel', am.get('system', '(no Aegis results yet)'))
        if am else '(no Aegis results yet)',
        'systems': ', '.join(DISPLAY.get(s, s) for s in systems),
        'iterations': iters.getvalue(),
        'tables': main_md,
        'targets': targets_table(table, args.targets),
        'instr_targets': instr_targets_table(table, args.instr_targets),
        'split': split_table(args.results, table),
        'stride': stride_section(args.results),
        'sweeps': sweeps_section(args.results, [e['row'] for e in table]),
        'http': http_section(args.results),
        'qemu_net': lm.get('qemu network rows') or am.get('qemu network rows') or
        '(no network rows in this run)',
        'storage': storage_section(table, systems, args.results),
        'scale': scale_section(args.results, [e['row'] for e in table]),
        'details': detail,
        'flags': flags,
        'plot': ('![%s](../%s/ratios.svg)\n\n(%s; PNG: `%s/ratios.png`)' % (
            plot_desc, args.results, plot_desc, args.results)
            if plot_desc else '(no plot: gnuplot missing)'),
    }
    tmpl = string.Template(open(args.template, encoding='utf-8').read())
    os.makedirs(os.path.dirname(args.docs) or '.', exist_ok=True)
    with open(args.docs, 'w') as f:
        f.write(tmpl.substitute(subst))
    print('bench_report.py: %s -> %s/results.{csv,md}%s, %s' % (
        ', '.join(files.values()), args.results,
        ', ratios.{svg,png}' if plot_desc else '', args.docs))
    if flagged:
        print('bench_report.py: spread above %.0f%%: %s' % (args.spread, ', '.join(flagged)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
