#!/usr/bin/env python3
"""scale_plot.py: how costs grow with N (bench/scale.c, and issue 10's sweeps), both systems.

Reads the BENCH result files (by default RESULTS/linux.txt and RESULTS/aegis.txt,
the copies tools/bench_report.py keeps; whichever exist, at least one) and
plots, for each family of rows, the median instructions per operation against
N on log-log axes, one line per system (and per operation where a family has
two): scale_tlbsweep (tlbsweep_N per access, with tlbmiss as a reference line,
and Aegis built with other STLB sizes where RESULTS/aegis-stlbN.txt exist),
scale_prot (protN_N and unprotN_touch_N per page) and scale_appel1 (appel1_N
per page), scale_demux (demux_N, the three ways, per frame) and scale_udp
(udp_rtt_loadN and udp_rtt_ash_loadN, per round trip; N on a linear axis), each as
.svg and .png, and the figures in scale.csv, all in RESULTS.
Needs gnuplot (Debian package gnuplot-nox); exits 1 with a message without it,
or when no file holds any of these rows.
Usage: scale_plot.py [--results DIR] [--linux FILE] [--aegis FILE]
"""
import argparse
import collections
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_report import INSTR_PER_TICK, parse_file, stats  # noqa: E402

SYSTEMS = [('aegis', 'Aegis/ExOS', '#3b6ea8'), ('linux', 'Linux', '#c0504d')]
# Aegis built with other STLB sizes (make bench runs the tlbsweep family on each:
# RESULTS/aegis-stlbN.txt); drawn in the tlbsweep plot only. The default build has 4096.
STLB_VARIANTS = [(1024, '#7fb2e5'), (16384, '#1f3f66')]

# One plot: ops are [(row name pattern, operation label)], ns the values of N,
# refs the rows drawn as horizontal reference lines [(row, label)]; logx: N on a
# log scale (else linear, for a sweep that starts at 0).
Family = collections.namedtuple('Family', 'name title xlabel ylabel ops ns refs logx',
                                defaults=[True])
FAMILIES = [
    Family('tlbsweep', 'Reading one word of each of N pages in turn',
           'pages swept (N)', 'instructions per access',
           [('tlbsweep_%d', 'tlbsweep')], [16, 64, 256, 1024, 4096, 16384],
           [('tlbmiss', 'tlbmiss (a TLB miss per access; Aegis: STLB too)')]),
    Family('prot', 'Protecting and unprotecting N pages with one call',
           'pages per call (N)', 'instructions per page',
           [('protN_%d', 'protect'), ('unprotN_touch_%d', 'unprotect + read each')],
           [1, 10, 100, 1000], []),
    Family('appel1', 'appel1 (prot1 + trap + unprot) over N pages',
           'pages in the cycle (N)', 'instructions per page',
           [('appel1_%d', 'appel1')], [100, 1000, 10000], []),
    # Issue 10's two sweeps (bench/demux.c, bench/udp.c).
    Family('demux', 'Classifying a frame among N packet filters (frame for the last)',
           'filters installed (N)', 'instructions per frame',
           [('demux_%d', 'compiled (Linux: JIT)'),
            ('demux_%d_interp', 'tree interpreted'),
            ('demux_%d_linear', 'one by one (Linux: no JIT)')],
           [1, 10, 100, 500], []),
    Family('udp', 'UDP round trip beside N compute-bound competitors',
           'competitors (N)', 'instructions per round trip',
           [('udp_rtt_load%d', 'reply from the partner process'),
            ('udp_rtt_ash_load%d', 'reply from an ASH')],
           [0, 1, 2, 4, 8], [], False),
]


def die(msg):
    sys.stderr.write('scale_plot.py: error: %s\n' % msg)
    sys.exit(1)


def median_instr(parsed, row):
    """Median instructions per operation of row in a parsed file, or None if absent."""
    r = parsed['rows'].get(row)
    if not r or r['error'] or r['na'] is not None or not r['reps']:
        return None
    return stats(r['reps'])['median'] * INSTR_PER_TICK


def family_series(family, systems):
    """[(label, colour, dash, [(N, value)])] for the family's rows present in systems
    (for tlbsweep also the other STLB sizes' runs present)."""
    series = []
    systems_shown = list(SYSTEMS)
    if family.name == 'tlbsweep':
        systems_shown += [('aegis-stlb%d' % n, 'Aegis/ExOS, STLB %d pairs' % n, c)
                          for n, c in STLB_VARIANTS]
    for sys_name, display, colour in systems_shown:
        if sys_name not in systems:
            continue
        for k, (pattern, op_label) in enumerate(family.ops):
            pts = [(n, median_instr(systems[sys_name], pattern % n)) for n in family.ns]
            pts = [(n, v) for n, v in pts if v is not None]
            if pts:
                label = display if len(family.ops) == 1 else '%s: %s' % (display, op_label)
                if sys_name == 'aegis' and len(systems_shown) > len(SYSTEMS):
                    label += ', STLB 4096 pairs'

                series.append((label, colour, 1 + 2 * k, pts))
    return series


def family_refs(family, systems):
    """[(label, colour, value)]: the family's reference rows, one per system present."""
    refs = []
    shown = list(SYSTEMS)
    if family.name == 'tlbsweep':
        shown += [('aegis-stlb%d' % n, 'Aegis/ExOS, STLB %d pairs' % n, c)
                  for n, c in STLB_VARIANTS]
    for row, label in family.refs:
        for sys_name, display, colour in shown:
            v = median_instr(systems[sys_name], row) if sys_name in systems else None
            if v is not None:
                refs.append(('%s, %s' % (display, label), colour, v))
    return refs


def gnuplot_script(family, series, refs, dat, out, term):
    """The gnuplot commands drawing one family into out with terminal term."""
    plots = ['"%s" index %d using 1:2 with linespoints lw 2 pt 7 lc rgb "%s" dt %d title "%s"'
             % (dat, i, colour, dash, label) for i, (label, colour, dash, _) in enumerate(series)]
    plots += ['%g with lines lw 2 dt 4 lc rgb "%s" title "%s"' % (v, colour, label)
              for label, colour, v in refs]
    values = [v for _, _, _, pts in series for _, v in pts] + [v for _, _, v in refs]
    return '\n'.join([
        'set terminal %s noenhanced' % term,
        'set output "%s"' % out,
        'set title "%s (QEMU malta, -icount)"' % family.title,
        'set xlabel "%s%s"' % (family.xlabel, ' (log scale)' if family.logx else ''),
        'set ylabel "%s (log scale)"' % family.ylabel,
        'set logscale %s' % ('xy' if family.logx else 'y'),
        'set grid xtics ytics mxtics mytics',
        'set key at screen 0.5, screen 0.02 center bottom maxcols 2 width 2',
        'set bmargin %d' % max(8, 5 + len(series) + len(refs)),
        'set xrange [%g:%g]' % ((min(family.ns) / 1.5, max(family.ns) * 1.5) if family.logx
                                else (min(family.ns) - 0.5, max(family.ns) + 0.5)),
        'set yrange [%g:%g]' % (min(values) / 3, max(values) * 3),
        'plot ' + ', \\\n     '.join(plots),
        ''])


def plot_family(gp, family, series, refs, results):
    """Write RESULTS/scale_<name>.svg and .png; exit with gnuplot's message if it fails."""
    dat = os.path.join(results, 'scale_%s.dat' % family.name)
    with open(dat, 'w') as f:
        # gnuplot's data sets (index i) are separated by two blank lines.
        f.write('\n\n\n'.join('\n'.join('%d %.3f' % p for p in pts)
                              for _, _, _, pts in series) + '\n')
    for term, ext in (('svg size 800,560 dynamic font "sans,11"', 'svg'),
                      ('pngcairo size 800,560 font "sans,10"', 'png')):
        out = os.path.join(results, 'scale_%s.%s' % (family.name, ext))
        p = subprocess.run([gp], input=gnuplot_script(family, series, refs, dat, out, term),
                           text=True, capture_output=True)
        if p.returncode != 0:
            die('gnuplot failed on %s: %s' % (out, p.stderr.strip()))
    os.remove(dat)


def write_csv(path, systems):
    """One line per row and system: the median ticks and instructions per operation."""
    with open(path, 'w') as f:
        f.write('family,row,n,system,median_ticks_per_op,instr_per_op\n')
        for family in FAMILIES:
            rows = [(p % n, n) for p, _ in family.ops for n in family.ns]
            rows += [(r, '') for r, _ in family.refs]
            for row, n in rows:
                names = [s for s, _, _ in SYSTEMS]
                if family.name == 'tlbsweep':
                    names += ['aegis-stlb%d' % n for n, _ in STLB_VARIANTS]
                for sys_name in names:
                    v = median_instr(systems[sys_name], row) if sys_name in systems else None
                    if v is not None:
                        f.write('%s,%s,%s,%s,%.2f,%.1f\n' % (family.name, row, n, sys_name,
                                                              v / INSTR_PER_TICK, v))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--results', default='bench/results')
    ap.add_argument('--linux')
    ap.add_argument('--aegis')
    args = ap.parse_args()
    gp = shutil.which('gnuplot')
    if not gp:
        die('gnuplot not found: it is in Debian package gnuplot-nox (tools/deps.sh bench)')
    files = {'linux': args.linux or os.path.join(args.results, 'linux.txt'),
             'aegis': args.aegis or os.path.join(args.results, 'aegis.txt')}
    systems = {s: parse_file(p) for s, p in files.items() if os.path.exists(p)}
    if not systems:
        die('no result files (%s); run make bench first' % ', '.join(files.values()))
    for n, _ in STLB_VARIANTS:
        p = os.path.join(args.results, 'aegis-stlb%d.txt' % n)
        if os.path.exists(p):
            files['aegis-stlb%d' % n] = p
            systems['aegis-stlb%d' % n] = parse_file(p)
    os.makedirs(args.results, exist_ok=True)
    done, skipped = [], []
    for family in FAMILIES:
        series = family_series(family, systems)
        if not series:
            skipped.append(family.name)
            continue
        plot_family(gp, family, series, family_refs(family, systems), args.results)
        done.append(family.name)
    if not done:
        die('none of the scale rows (tlbsweep_N, protN_N, unprotN_touch_N, appel1_N) in %s'
            % ', '.join(files[s] for s in systems))
    write_csv(os.path.join(args.results, 'scale.csv'), systems)
    print('scale_plot.py: %s -> %s/scale_{%s}.{svg,png}, scale.csv%s' % (
        ', '.join(files[s] for s in systems), args.results, ','.join(done),
        '; no rows for ' + ', '.join(skipped) if skipped else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
