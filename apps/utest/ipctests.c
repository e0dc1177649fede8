/* ipctests.c: ExOS pipes between two environments. */
#include "utest.h"

/* 64 KiB through a pipe to an echoing environment and back, in chunks of
 * varying size (so both pipes fill, wrap around and drain), with preemption
 * going on: every byte comes back, in order. */
static void test_pipe_echo(void)
{
	const u32 share_va = 0x30e00000;
	u64 r = sys_page_alloc(PAGE_ANY);
	u32 ppn = (u32)r, check = (u32)(r >> 32);
	CHECK(vm_map_page(share_va, ppn, check, VM_RW) == 0);
	struct exos_pipe *out = (struct exos_pipe *)share_va, *in = out + 1;
	pipe_init(out);
	pipe_init(in);
	struct exos_share share = { 0x6000, ppn, check };
	int echo = exos_spawn_with("spin", 6 | exos_envid << 8, &share, 1);
	CHECK(echo > 0);
	static u8 sent[1500], got[1500];
	u32 total = 0, bad = 0, rng = 12345;
	while (total < 65536) {
		u32 n = 1 + xorshift32(&rng) % 1500;
		for (u32 i = 0; i < n; i++)
			sent[i] = (u8)((total + i) * 7 + (total + i) / 251);
		CHECK(pipe_write(out, sent, n, (u32)echo) == (int)n);
		CHECK(pipe_read(in, got, n, (u32)echo) == (int)n);
		for (u32 i = 0; i < n; i++)
			bad += got[i] != sent[i];
		total += n;
	}
	CHECK(bad == 0);
	sys_env_destroy((u32)echo);
	int st;
	exos_wait((u32)echo, &st);
	vm_unmap(share_va, 1, true);
}

/* A writer that is asleep (on a wakeup predicate) is not gone: the reader
 * waits for it instead of taking its silence for the end of the pipe. */
static void test_pipe_writer_asleep(void)
{
	const u32 share_va = 0x30e02000;
	struct exos_share share = utest_new_shared_page(share_va, 0x6000);
	struct exos_pipe *p = (struct exos_pipe *)share_va;
	pipe_init(p);
	int child = exos_spawn_with("spin", 11 | exos_envid << 8, &share, 1);
	CHECK(child > 0);
	char buf[2] = { 0, 0 };
	CHECK(pipe_read(p, buf, 2, (u32)child) == 2 && buf[0] == 'o' && buf[1] == 'k');
	int st = -1;
	CHECK(exos_wait((u32)child, &st) == 0 && st == 0);
	vm_unmap(share_va, 1, true);
}

/* A reader blocked on an empty pipe sleeps (env_status 4) while a
 * compute-bound third environment (spin mode 4) has the processor, instead of
 * polling: the writer (spin mode 15) waits to see it asleep before writing
 * nwrite bytes, and again before it ends. The reader asks for nread bytes;
 * returns what pipe_read returned, after checking the bytes and the writer's
 * exit status. *seen: the statuses the writer saw before writing and before
 * ending. */
static int read_from_sleeping(u32 share_va, u32 nwrite, u32 nread, u32 seen[2])
{
	struct exos_share share = utest_new_shared_page(share_va, 0x6000);
	struct exos_pipe *p = (struct exos_pipe *)share_va;
	volatile u32 *box = (volatile u32 *)(share_va + 0xc00);
	pipe_init(p);
	CHECK(p->cap_name != 0);        /* it can be slept on */
	box[0] = box[2] = 0;
	box[1] = nwrite;
	int hog = exos_spawn("spin", 4);
	int writer = exos_spawn_with("spin", 15 | exos_envid << 8, &share, 1);
	CHECK(hog > 0 && writer > 0);
	u8 buf[16] = { 0 };
	int got = pipe_read(p, buf, nread, (u32)writer);
	for (int i = 0; i < got && i < (int)sizeof buf; i++)
		CHECK(buf[i] == 'a' + i);
	int st = -1;
	CHECK(exos_wait((u32)writer, &st) == 0 && st == 0);
	seen[0] = box[0];
	seen[1] = box[2];
	sys_env_destroy((u32)hog);
	exos_wait((u32)hog, &st);
	vm_unmap(share_va, 1, true);
	return got;
}

/* The reader sleeps while the hog computes, and wakes when the data comes. */
static void test_pipe_reader_sleeps(void)
{
	u32 seen[2];
	CHECK(read_from_sleeping(0x30e04000, 5, 5, seen) == 5);
	CHECK(seen[0] == 4);            /* asleep in pipe_read, not polling */
}

/* The writer writes 3 of the 8 bytes asked for and ends while the reader
 * sleeps for the rest: the reader wakes (its predicate watches the writer's
 * slot of the public page) and returns the 3. */
static void test_pipe_writer_ends(void)
{
	u32 seen[2];
	CHECK(read_from_sleeping(0x30e06000, 3, 8, seen) == 3);
	CHECK(seen[0] == 4 && seen[1] == 4);
}

const struct utest ipc_tests[] = {
	{ "ipc_pipe_echo", test_pipe_echo },
	{ "ipc_pipe_writer_asleep", test_pipe_writer_asleep },
	{ "ipc_pipe_reader_sleeps", test_pipe_reader_sleeps },
	{ "ipc_pipe_writer_ends", test_pipe_writer_ends },
};
const int n_ipc_tests = ARRAY_SIZE(ipc_tests);
