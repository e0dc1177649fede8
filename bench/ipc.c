/*
 * ipc.c: control transfer and communication rows (the exokernel paper's
 * protected control transfer and ExOS IPC tables). Each row starts a partner
 * through the back end, makes round trips (send w, expect w + 1), and checks
 * every answer. xfer and yield are reported per one-way switch (two per round
 * trip), the others per round trip.
 */
#include "bench.h"

static int run_ipc(enum bench_ipc kind, unsigned iters, unsigned per_trip,
		   uint64_t *ticks, uint64_t *ops, const char **why)
{
	unsigned i, bad = 0;
	uint32_t t0, t1;

	if (bench_ipc_setup(kind)) {
		*why = "bench_ipc_setup failed";
		return -1;
	}
	t0 = bench_count();
	for (i = 0; i < iters; i++)
		bad += bench_ipc_call(kind, i) != i + 1;
	t1 = bench_count();
	bench_ipc_teardown(kind);
	if (bad) {
		*why = "the partner answered wrongly";
		return -1;
	}
	*ticks = (uint32_t)(t1 - t0);
	*ops = (uint64_t)iters * per_trip;
	return 0;
}

#define IPC_ROW(fn, kind, per_trip)                                                \
	static const char *fn##_na(void) { return bench_ipc_na(kind); }            \
	static int fn(unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why) \
	{                                                                          \
		return run_ipc(kind, iters, per_trip, ticks, ops, why);             \
	}

IPC_ROW(run_xfer, BENCH_IPC_XFER, 2)
IPC_ROW(run_xfer_rt, BENCH_IPC_XFER, 1)
IPC_ROW(run_xfer_async, BENCH_IPC_XFER_ASYNC, 1)
IPC_ROW(run_yield, BENCH_IPC_YIELD, 2)
IPC_ROW(run_pipe, BENCH_IPC_PIPE, 1)
IPC_ROW(run_pipe_inline, BENCH_IPC_PIPE_INLINE, 1)
IPC_ROW(run_shm, BENCH_IPC_SHM, 1)
IPC_ROW(run_shm_poll, BENCH_IPC_SHM_POLL, 1)
IPC_ROW(run_shm_load, BENCH_IPC_SHM_LOAD, 1)
IPC_ROW(run_shm_poll_load, BENCH_IPC_SHM_POLL_LOAD, 1)
IPC_ROW(run_rpc, BENCH_IPC_RPC, 1)
IPC_ROW(run_rpc_trusted, BENCH_IPC_RPC_TRUSTED, 1)

const struct bench_row bench_rows_ipc[] = {
	{ "xfer", "control transfer to another domain, one way (ExOS: protected control "
	  "transfer; Linux: sched_yield, its cheapest hand-off)", 2000, 20, run_xfer_na, run_xfer },
	{ "xfer_rt", "control transfer to another domain and back, a round trip", 2000, 20,
	  run_xfer_rt_na, run_xfer_rt },
	{ "xfer_async", "asynchronous control transfer to another domain and back, a round "
	  "trip (ExOS: acall there, the partner's pct_idle back; Linux: n/a)", 2000, 20,
	  run_xfer_async_na, run_xfer_async },
	{ "yield", "give the processor to another domain, one way (ExOS: yield_to; Linux: "
	  "sched_yield)", 2000, 20, run_yield_na, run_yield },
	{ "ipc_pipe", "round trip of a word through pipes", 2000, 20, run_pipe_na, run_pipe },
	{ "ipc_pipe_inline", "round trip of a word through pipes whose code is inlined into "
	  "the program (the paper's pipe'; Linux: n/a)", 2000, 20, run_pipe_inline_na,
	  run_pipe_inline },
	{ "ipc_shm", "round trip through shared memory with a blocking wait and wake-up (Linux: futex)", 2000,
	  20, run_shm_na, run_shm },
	{ "ipc_shm_poll", "round trip through shared memory, the waiting side polling the "
	  "word and yielding between looks (ExOS: yield, not yield_to; Linux: sched_yield)",
	  2000, 20, run_shm_poll_na, run_shm_poll },
	/* With competitors a round trip can take several slices: fewer iterations. */
	{ "ipc_shm_load2", "ipc_shm beside 2 compute-bound competitors (a sleeper woken by a "
	  "predicate; Linux: futex)", 50, 3, run_shm_load_na, run_shm_load },
	{ "ipc_shm_poll_load2", "ipc_shm_poll beside 2 compute-bound competitors (polling "
	  "with yield; Linux: sched_yield)", 50, 3, run_shm_poll_load_na, run_shm_poll_load },
	{ "ipc_rpc", "RPC round trip (ExOS: LRPC; Linux: Unix-domain socket)", 2000, 20,
	  run_rpc_na, run_rpc },
	{ "ipc_rpc_trusted", "RPC round trip, trusted (ExOS: trusted LRPC; Linux: the same "
	  "socket RPC)", 2000, 20, run_rpc_trusted_na, run_rpc_trusted },
	{ 0, 0, 0, 0, 0, 0 }
};
