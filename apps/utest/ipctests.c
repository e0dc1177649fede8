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

const struct utest ipc_tests[] = {
	{ "ipc_pipe_echo", test_pipe_echo },
	{ "ipc_pipe_writer_asleep", test_pipe_writer_asleep },
};
const int n_ipc_tests = ARRAY_SIZE(ipc_tests);
