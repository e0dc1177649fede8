#!/usr/bin/env python3
"""bench_report.py: tables, plots and docs/results.md from BENCH result files.

Usage: bench_report.py [--build DIR] [--system NAME=FILE]... [--results DIR]
                       [--docs FILE] [--template FILE] [--spread PCT]

By default reads BUILD/bench/linux.txt and BUILD/bench/aegis.txt, whichever exist (at
least one must).  For each row and system it computes, over the repetitions, the median
and minimum Count ticks per operation (ticks/iters; per page for appel1/appel2, whose
iters count pages), instructions per operation (ticks x 6.25 under -icount shift=0) and
the spread (max-min)/median, flagged above --spread percent (default 2).  With both
systems present it adds the ratio Linux/Aegis of the medians.
Copies each input to RESULTS/<system>.txt (the raw lines behind the tables) and
writes RESULTS/results.csv, RESULTS/results.md, RESULTS/ratios.svg and .png (gnuplot;
with one system only, the plot shows its instructions per operation instead), and
regenerates docs/results.md from bench/results.md.in.  Standard library only.
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

# Row order, table grouping, label and what the 1995 paper reports (from
# shared/reference/exokernel.md: ratios and qualitative claims only, no exact numbers).
GROUPS = [
    ('vm', 'Virtual-memory primitives (Appel and Li)'),
    ('cross', 'Procedure and system calls'),
    ('exc', 'Exception dispatch to a user-level handler'),
    ('ipc', 'Control transfer and IPC'),
    ('app', 'Application'),
    ('other', 'Other rows'),
]
ROWS = [
    ('dirty', 'vm', 'dirty', 'ExOS reads its own page table; Ultrix has no such call (n/a)'),
    ('prot1', 'vm', 'prot1', 'ExOS faster than Ultrix'),
    ('prot100', 'vm', 'prot100',
     'the one kind of VM row ExOS did not win against Ultrix (with unprot100)'),
    ('unprot100', 'vm', 'unprot100',
     'the one kind of VM row ExOS did not win against Ultrix (with prot100)'),
    ('trap', 'vm', 'trap', 'ExOS faster; application-level VM 5-40x faster than Ultrix'),
    ('appel1', 'vm', 'appel1 (per page)',
     'ExOS faster; application-level VM 5-40x faster than Ultrix'),
    ('appel2', 'vm', 'appel2 (per page)',
     'ExOS faster; application-level VM 5-40x faster than Ultrix'),
    ('nullproc', 'cross', 'null procedure call', 'reference row (no kernel involved)'),
    ('nullsys', 'cross', 'null system call',
     'kernel primitives 10-100x faster than Ultrix'),
    ('exc_unalign', 'exc', 'unaligned access',
     'about 1.5 us on a 25 MHz DECstation, about 100x faster than Ultrix'),
    ('exc_overflow', 'exc', 'arithmetic overflow',
     'about 1.5 us on a 25 MHz DECstation, about 100x faster than Ultrix'),
    ('exc_coproc', 'exc', 'coprocessor unusable',
     'about 1.5 us on a 25 MHz DECstation, about 100x faster than Ultrix'),
    ('exc_prot', 'exc', 'protection fault',
     'about 1.5 us on a 25 MHz DECstation, about 100x faster than Ultrix'),
    ('xfer', 'ipc', 'control transfer, one way (Linux: pipe)',
     'protected control transfer: kernel primitives 10-100x faster than Ultrix'),
    ('xfer_rt', 'ipc', 'control transfer, round trip (Linux: pipe)',
     'protected control transfer: kernel primitives 10-100x faster than Ultrix'),
    ('yield', 'ipc', 'yield to another process, one way',
     'kernel primitives 10-100x faster than Ultrix'),
    ('ipc_pipe', 'ipc', 'pipe round trip', 'ExOS IPC 5-40x faster than Ultrix\'s'),
    ('ipc_shm', 'ipc', 'shared memory + wake-up round trip',
     'ExOS IPC 5-40x faster than Ultrix\'s'),
    ('ipc_rpc', 'ipc', 'RPC round trip (ExOS: LRPC)', 'ExOS IPC 5-40x faster than Ultrix\'s'),
    ('ipc_rpc_trusted', 'ipc', 'trusted RPC round trip (ExOS: trusted LRPC)',
     'faster than LRPC (skips saving callee-saved registers); '
     'ExOS IPC 5-40x faster than Ultrix\'s'),
    ('matmul', 'app', '150x150 matrix multiply',
     'no difference: application-level VM costs ordinary programs nothing'),
]
ROW_INFO = {r[0]: r for r in ROWS}
DISPLAY = {'linux': 'Linux', 'aegis': 'Aegis/ExOS'}

LINE_RE = re.compile(r'^BENCH row=(\S+) (.*)$')


def die(msg):
    sys.stderr.write('bench_report.py: error: %s\n' % msg)
    sys.exit(1)


def parse_file(path):
    """Return {'meta': {key: value}, 'rows': {row: {...}}, 'done': bool}."""
    meta, rows, done, order = {}, {}, False, []
    for raw in open(path, encoding='utf-8', errors='replace'):
        l = raw.strip()
        if l.startswith('#'):
            k, sep, v = l[1:].partition(':')
            if sep:
                meta[k.strip()] = v.strip()
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
        mm = re.match(r'rep=(\d+) iters=(\d+) ticks=(\d+)$', rest)
        if mm and int(mm.group(2)) > 0:
            r['reps'].append((int(mm.group(2)), int(mm.group(3))))
    return {'meta': meta, 'rows': rows, 'done': done, 'order': order}


def stats(reps):
    per = [t / i for i, t in reps]
    med = statistics.median(per)
    return {
        'n': len(per), 'iters': reps[0][0], 'median': med, 'min': min(per),
        'max': max(per), 'spread': (max(per) - min(per)) / med * 100 if med else 0.0,
    }


def fmt(x, nd=1):
    if x is None:
        return ''
    if x >= 1000:
        return '{:,.0f}'.format(x)
    if x >= 100:
        return '%.0f' % x
    return ('%.' + str(nd) + 'f') % x


def compute(systems, spread_limit):
    names = [r[0] for r in ROWS]
    for s in systems.values():
        for n in s['order']:
            if n not in names:
                names.append(n)
    table = []
    for n in names:
        entry = {'row': n, 'sys': {}}
        for sname, s in systems.items():
            r = s['rows'].get(n)
            if r is None:
                entry['sys'][sname] = {'status': 'missing'}
            elif r['error']:
                entry['sys'][sname] = {'status': 'error', 'why': r['error']}
            elif r['na'] is not None:
                entry['sys'][sname] = {'status': 'na', 'why': r['na']}
            elif r['reps']:
                st = stats(r['reps'])
                st['status'] = 'ok'
                st['flag'] = st['spread'] > spread_limit
                entry['sys'][sname] = st
            else:
                entry['sys'][sname] = {'status': 'missing'}
        if all(v['status'] == 'missing' for v in entry['sys'].values()):
            continue
        l, a = entry['sys'].get('linux'), entry['sys'].get('aegis')
        entry['ratio'] = (l['median'] / a['median']
                          if l and a and l['status'] == 'ok' and a['status'] == 'ok'
                          and a['median'] > 0 else None)
        table.append(entry)
    return table


def cell(st):
    """Median ticks/op and instructions/op of one system, for the Markdown tables."""
    if st['status'] == 'ok':
        return '%s | %s' % (fmt(st['median']), fmt(st['median'] * INSTR_PER_TICK))
    if st['status'] == 'na':
        return 'n/a | '
    if st['status'] == 'error':
        return 'error | '
    return '— | '


def markdown_tables(table, systems):
    order = [s for s in ('aegis', 'linux') if s in systems] + \
            [s for s in systems if s not in ('aegis', 'linux')]
    both = 'linux' in systems and 'aegis' in systems
    out = io.StringIO()
    head = '| Benchmark |'
    rule = '|---|'
    for s in order:
        d = DISPLAY.get(s, s)
        head += ' %s ticks/op | %s instr/op |' % (d, d)
        rule += '---:|---:|'
    head += ' Linux/Aegis |' if both else ''
    rule += '---:|' if both else ''
    head += ' Paper (Aegis/ExOS vs Ultrix) |'
    rule += '---|'
    notes = []
    for gkey, gtitle in GROUPS:
        rows = [e for e in table if ROW_INFO.get(e['row'], (0, 'other'))[1] == gkey]
        if not rows:
            continue
        out.write('\n**%s**\n\n%s\n%s\n' % (gtitle, head, rule))
        for e in rows:
            info = ROW_INFO.get(e['row'], (e['row'], 'other', e['row'], ''))
            line = '| %s |' % info[2]
            for s in order:
                st = e['sys'].get(s, {'status': 'missing'})
                line += ' %s |' % cell(st)
                if st['status'] in ('na', 'error'):
                    notes.append('%s on %s: %s — %s' % (
                        info[2], DISPLAY.get(s, s), st['status'], st['why']))
            if both:
                line += ' %s |' % ('%.2f' % e['ratio'] if e['ratio'] else '—')
            line += ' %s |' % info[3]
            out.write(line + '\n')
    if notes:
        out.write('\n' + '\n'.join('- ' + n for n in notes) + '\n')
    return out.getvalue()


def detail_table(table, systems):
    out = io.StringIO()
    out.write('| Row | System | reps | iters/rep | median ticks/op | min ticks/op '
              '| spread (max-min)/median | virtual µs/op |\n')
    out.write('|---|---|---:|---:|---:|---:|---:|---:|\n')
    for e in table:
        for s in systems:
            st = e['sys'].get(s)
            if not st or st['status'] != 'ok':
                continue
            out.write('| %s | %s | %d | %d | %s | %s | %.2f%%%s | %s |\n' % (
                e['row'], DISPLAY.get(s, s), st['n'], st['iters'], fmt(st['median']),
                fmt(st['min']), st['spread'], ' **(>limit)**' if st['flag'] else '',
                fmt(st['median'] / MHZ, 2)))
    return out.getvalue()


def write_csv(path, table, systems):
    with open(path, 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['row', 'system', 'status', 'reps', 'iters_per_rep',
                    'median_ticks_per_op', 'min_ticks_per_op', 'max_ticks_per_op',
                    'instr_per_op', 'virtual_us_per_op', 'spread_pct', 'spread_flag',
                    'ratio_linux_over_aegis', 'note'])
        for e in table:
            for s in systems:
                st = e['sys'].get(s, {'status': 'missing'})
                ratio = '%.4f' % e['ratio'] if e['ratio'] else ''
                if st['status'] == 'ok':
                    w.writerow([e['row'], s, 'ok', st['n'], st['iters'],
                                '%.2f' % st['median'], '%.2f' % st['min'],
                                '%.2f' % st['max'],
                                '%.1f' % (st['median'] * INSTR_PER_TICK),
                                '%.3f' % (st['median'] / MHZ), '%.2f' % st['spread'],
                                int(st['flag']), ratio, ''])
                else:
                    w.writerow([e['row'], s, st['status'], '', '', '', '', '', '', '', '',
                                '', ratio, st.get('why', '')])


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
    for term, ext in (('svg size 900,500 dynamic font "sans,11"', 'svg'),
                      ('pngcairo size 900,500 font "sans,10"', 'png')):
        script = 'set terminal %s noenhanced\nset output "%s"\n%s' % (
            term, os.path.join(results_dir, 'ratios.' + ext), common)
        p = subprocess.run([gp], input=script, text=True, capture_output=True)
        if p.returncode != 0:
            die('gnuplot failed: %s' % p.stderr.strip())
    os.remove(dat)
    return desc


def stride_section(results):
    """The stride-scheduling plot and final shares (tools/stride_plot.py)."""
    txt = os.path.join(results, 'stride.txt')
    if not os.path.exists(txt):
        return '(no stride run: make bench runs tools/stride_plot.py)'
    shares = open(txt).read().strip()
    return ('![stride shares over time](../%s/stride.svg)\n\n'
            'Final shares, as fractions of each worker\'s ticket share (1.000 = exact): %s '
            '(data: `%s/stride.csv`).' % (results, shares, results))


def targets_table(table, path):
    """Markdown: each target of bench/targets.tsv against the measured ratio."""
    if not os.path.exists(path):
        return '(no targets file)'
    ratios = {e['row']: e.get('ratio') for e in table}
    out = ['| Row | target (Linux/Aegis) | measured | met | why not |', '|---|---|---:|---|---|']
    for line in open(path, encoding='utf-8'):
        if not line.strip() or line.startswith('#'):
            continue
        row, lo, hi, why = (line.rstrip('\n').split('\t') + ['-', '-', '-'])[:4]
        lo = float(lo)
        hi = None if hi.strip() == '-' else float(hi)
        r = ratios.get(row)
        want = ('%.2f to %.2f' % (lo, hi)) if hi is not None else ('>= %g' % lo)
        if r is None:
            out.append('| %s | %s | — | not measured | |' % (row, want))
            continue
        met = r >= lo and (hi is None or r <= hi)
        out.append('| %s | %s | %.2f | %s | %s |' % (
            row, want, r, 'yes' if met else '**no**', '' if met or why.strip() == '-' else why.strip()))
    return '\n'.join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build', default=os.environ.get('BUILD', 'build'))
    ap.add_argument('--system', action='append', default=[], metavar='NAME=FILE')
    ap.add_argument('--results', default='bench/results')
    ap.add_argument('--docs', default='docs/results.md')
    ap.add_argument('--template', default='bench/results.md.in')
    ap.add_argument('--spread', type=float, default=2.0)
    ap.add_argument('--targets', default='bench/targets.tsv')
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
    systems = {}
    for name, path in files.items():
        if not os.path.exists(path):
            die('%s: no such file' % path)
        systems[name] = parse_file(path)
        if not systems[name]['done']:
            sys.stderr.write('bench_report.py: warning: %s has no "BENCH done" line '
                             '(incomplete run)\n' % path)

    table = compute(systems, args.spread)
    os.makedirs(args.results, exist_ok=True)
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

    sources = '\n'.join('- %s: `%s` (copied to `%s`)%s' % (
        DISPLAY.get(n, n), files[n], os.path.join(args.results, n + '.txt'),
        '' if systems[n]['done'] else ' (incomplete: no `BENCH done`)') for n in systems)
    md = ('# Benchmark results\n\nGenerated by `tools/bench_report.py` from:\n%s\n\n'
          'Median Count ticks per operation (160 MHz virtual; 1 tick = 6.25 guest '
          'instructions under `-icount shift=0`) and instructions per operation.\n%s\n'
          '## Repetitions\n\n%s\n%s\n' % (sources, main_md, detail, flags))
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
        'aegis_info': am.get('kernel', am.get('system', '(no Aegis results yet)'))
        if am else '(no Aegis results yet)',
        'systems': ', '.join(DISPLAY.get(s, s) for s in systems),
        'iterations': iters.getvalue(),
        'tables': main_md,
        'targets': targets_table(table, args.targets),
        'stride': stride_section(args.results),
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
