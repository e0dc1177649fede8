/*
 * main.c: the benchmark driver.  Parses options and row names, runs each row (one
 * untimed warm-up, then several timed repetitions) and prints one BENCH line per
 * repetition.  The line format is documented in bench/README.md; tools/bench_report.py
 * and tools/baseline/smoke_check.py parse it.
 *
 * Usage: bench [--smoke] [--reps=N] [--iters=N] [--list] [--no-net|--net-only]
 *              [ROW[,ROW...]]...
 *   no row names  run every row
 *   --smoke       each row's small iteration count, one repetition
 *   --reps=N      repetitions per row (default 5; 1 with --smoke)
 *   --iters=N     iterations per repetition for every row (overrides the table)
 *   --list        print the rows and what each times, run nothing
 *   --no-net, --net-only  with no row names: every row but the network rows
 *                 (bench_rows_udp, which need a boot with two NICs), or only them
 * The rows of named_tables (the storage rows, which need a disk) run only when named.
 *
 * Output goes through bench_write() only, formatted here without printf so that a back
 * end needs no C library.
 */
#include "bench.h"

#define DEFAULT_REPS 5

static const struct bench_row *const tables[] = {
	bench_rows_envs,	/* first: it forks the program while it is small */
	bench_rows_appel_li,
	bench_rows_crossings,
	bench_rows_matmul,
	bench_rows_ipc,
	bench_rows_scale,
	bench_rows_demux,
	bench_rows_udp,		/* the network rows: see --no-net, --net-only */
	bench_rows_ptalt,	/* last: each of its runs starts a second program */
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

/* Rows run only when named: they need a boot with a disk (tools/bench_storage.py). */
static const struct bench_row *const named_tables[] = {
	bench_rows_fs,
};
#define NNAMED (sizeof(named_tables) / sizeof(named_tables[0]))

/* ------------------------------------------------------------ output ---- */

static char line[1024];
static unsigned len;

static void
put(const char *s)
{
	while (*s && len < sizeof(line) - 2)
		line[len++] = *s++;
}

/* Append v in decimal, without 64-bit division (no libgcc helpers needed). */
static void
putu(uint64_t v)
{
	static const uint64_t pow10[] = {
		10000000000000000000ull, 1000000000000000000ull, 100000000000000000ull,
		10000000000000000ull, 1000000000000000ull, 100000000000000ull,
		10000000000000ull, 1000000000000ull, 100000000000ull, 10000000000ull,
		1000000000ull, 100000000ull, 10000000ull, 1000000ull, 100000ull, 10000ull,
		1000ull, 100ull, 10ull, 1ull
	};
	char buf[2] = { 0, 0 };
	unsigned i, started = 0;

	for (i = 0; i < sizeof(pow10) / sizeof(pow10[0]); i++) {
		char d = '0';
		while (v >= pow10[i]) {
			v -= pow10[i];
			d++;
		}
		if (d != '0' || started || pow10[i] == 1) {
			started = 1;
			buf[0] = d;
			put(buf);
		}
	}
}

static void
endline(void)
{
	line[len++] = '\n';
	bench_write(line, len);
	len = 0;
}

static int
streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static int
prefix(const char *s, const char *p)
{
	while (*p && *s == *p)
		s++, p++;
	return *p == 0;
}

/* Parse a decimal number; return -1 if s is not one. */
static long
parse_num(const char *s)
{
	long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

static const struct bench_row *
find_row(const char *name, unsigned n)
{
	unsigned t;
	const struct bench_row *r;

	for (t = 0; t < NTABLES + NNAMED; t++)
		for (r = t < NTABLES ? tables[t] : named_tables[t - NTABLES]; r->name; r++) {
			unsigned i;
			for (i = 0; i < n && r->name[i] == name[i]; i++)
				;
			if (i == n && r->name[n] == 0)
				return r;
		}
	return 0;
}

/* ------------------------------------------------------------ rows ---- */

static unsigned reps = DEFAULT_REPS;
static long iters_override = -1;
static int smoke;
static int errors;
static enum { NET_ALL, NET_NONE, NET_ONLY } net_rows = NET_ALL;

/* Whether a run of every row includes table t (--no-net, --net-only). */
static int
table_wanted(unsigned t)
{
	return net_rows == NET_ALL || (tables[t] == bench_rows_udp) == (net_rows == NET_ONLY);
}

/* bench_note's fields for the repetition being run, printed after its ticks. */
#define MAX_NOTES 8
static struct {
	const char *key;
	uint64_t v;
} notes[MAX_NOTES];
static unsigned nnotes;

void
bench_note(const char *key, uint64_t v)
{
	unsigned i;

	for (i = 0; i < nnotes && !streq(notes[i].key, key); i++)
		;
	if (i == MAX_NOTES)
		return;
	notes[i].key = key;
	notes[i].v = v;
	if (i == nnotes)
		nnotes++;
}

static void
error_line(const char *row, const char *why)
{
	put("BENCH row=");
	put(row);
	put(" error=\"");
	put(why);
	put("\"");
	endline();
	errors++;
}

static void
run_row(const struct bench_row *r)
{
	const char *na = r->na ? r->na() : 0;
	const char *why = "";
	unsigned iters, k, i;
	uint64_t ticks, ops;

	if (na) {
		put("BENCH row=");
		put(r->name);
		put(" na=\"");
		put(na);
		put("\"");
		endline();
		return;
	}
	iters = smoke ? r->smoke_iters : r->iters;
	if (iters_override > 0)
		iters = (unsigned)iters_override;
	/* Warm-up, same size as a repetition: faults in code, data and page tables and
	 * lets the kernel settle after the previous row; not reported. */
	if (r->run(iters, &ticks, &ops, &why)) {
		error_line(r->name, why);
		return;
	}
	for (k = 0; k < reps; k++) {
		nnotes = 0;
		if (r->run(iters, &ticks, &ops, &why)) {
			error_line(r->name, why);
			return;
		}
		put("BENCH row=");
		put(r->name);
		put(" rep=");
		putu(k);
		put(" iters=");
		putu(ops);
		put(" ticks=");
		putu(ticks);
		for (i = 0; i < nnotes; i++) {
			put(" ");
			put(notes[i].key);
			put("=");
			putu(notes[i].v);
		}
		endline();
	}
}

/* Run the rows named in s (comma-separated, n characters). */
static void
run_named(const char *s)
{
	while (*s) {
		unsigned n = 0;
		const struct bench_row *r;

		while (s[n] && s[n] != ',')
			n++;
		if (n) {
			r = find_row(s, n);
			if (r) {
				run_row(r);
			} else {
				char name[64];
				unsigned i;
				for (i = 0; i < n && i < sizeof(name) - 1; i++)
					name[i] = s[i];
				name[i] = 0;
				error_line(name, "no such row");
			}
		}
		s += n;
		if (*s == ',')
			s++;
	}
}

int
bench_main(int argc, char **argv)
{
	int i, named = 0, list = 0;
	unsigned t;
	const struct bench_row *r;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (streq(a, "--smoke")) {
			smoke = 1;
			reps = 1;
		} else if (streq(a, "--list")) {
			list = 1;
		} else if (streq(a, "--no-net")) {
			net_rows = NET_NONE;
		} else if (streq(a, "--net-only")) {
			net_rows = NET_ONLY;
		} else if (prefix(a, "--reps=")) {
			long v = parse_num(a + 7);
			if (v < 1) {
				error_line("-", "bad --reps");
				return 1;
			}
			reps = (unsigned)v;
		} else if (prefix(a, "--iters=")) {
			iters_override = parse_num(a + 8);
			if (iters_override < 1) {
				error_line("-", "bad --iters");
				return 1;
			}
		} else if (a[0] == '-') {
			error_line("-", "unknown option");
			return 1;
		} else {
			named = 1;
		}
	}
	if (list) {
		for (t = 0; t < NTABLES + NNAMED; t++)
			for (r = t < NTABLES ? tables[t] : named_tables[t - NTABLES]; r->name; r++) {
				put(r->name);
				put("\t");
				put(r->what);
				endline();
			}
		return 0;
	}
	if (bench_init()) {
		error_line("-", "bench_init failed");
		put("BENCH done errors=1");
		endline();
		return 1;
	}
	put("BENCH start system=");
	put(bench_system());
	put(" reps=");
	putu(reps);
	put(smoke ? " mode=smoke" : " mode=full");
	endline();
	/* The plan: every row that will be attempted, so that a checker can tell a
	 * missing row from one that was never asked for. */
	put("BENCH plan rows=");
	if (named) {
		for (i = 1; i < argc; i++)
			if (argv[i][0] != '-') {
				put(argv[i]);
				put(",");
			}
	} else {
		for (t = 0; t < NTABLES; t++)
			for (r = tables[t]; table_wanted(t) && r->name; r++) {
				put(r->name);
				put(",");
			}
	}
	if (line[len - 1] == ',')
		len--;
	endline();
	if (named) {
		for (i = 1; i < argc; i++)
			if (argv[i][0] != '-')
				run_named(argv[i]);
	} else {
		for (t = 0; t < NTABLES; t++)
			for (r = tables[t]; table_wanted(t) && r->name; r++)
				run_row(r);
	}
	put("BENCH done errors=");
	putu((unsigned)errors);
	endline();
	return errors ? 1 : 0;
}
