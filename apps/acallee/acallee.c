/*
 * acallee: a target of asynchronous protected control transfers (acall),
 * for utest's pcttests.c. It waits at its protected entry; each acall runs
 * on_acall, which records what the call brought in the page shared with
 * the parent (acallee.h), and then waits at the entry again (pct_idle).
 */
#include "exos.h"
#include "syscall_nums.h"
#include "acallee.h"

static volatile u32 entry_self;      /* a0 at the latest entry */
void on_acall(u32 caller, u32 a1, u32 a2, u32 a3);

/* The C half of the entry: called with the caller's id (v0 at entry) and
 * the call's a1..a3; records them (Count first) and, for ACALLEE_SPIN,
 * keeps the processor until this slice ends (ExOS's epilogue runs). */
void on_acall(u32 caller, u32 a1, u32 a2, u32 a3)
{
	u32 t = read_count();
	volatile struct acallee_box *box = (volatile struct acallee_box *)ACALLEE_BOX;
	box->t_entry = t;
	box->caller = caller;
	box->self = entry_self;
	box->a1 = a1;
	box->a2 = a2;
	box->a3 = a3;
	box->caller_status = (u32)sys_env_status(caller);
	if (a3 == ACALLEE_SPIN) {
		u32 e0 = exos_epilogues, last;
		do
			last = read_count();
		while (exos_epilogues == e0);
		box->ran = last - t;
	}
	box->calls++;
}

/* The protected entry: every register is the caller's (sp and ra too), so
 * take a stack of our own, call on_acall(v0, a1, a2, a3), then wait at the
 * entry again. acallee_idle is also where main starts waiting. */
#define STR_(x) #x
#define STR(x) STR_(x)
void acallee_entry(void);
void acallee_idle(void) __attribute__((noreturn));
static u32 stack[1024] __attribute__((aligned(8), used));
__asm__(".text\n.globl acallee_entry\n.globl acallee_idle\n"
	".set push\n.set noreorder\n"
	"acallee_entry:\n"
	"\tla $8, entry_self\n\tsw $4, 0($8)\n"
	"\tla $29, stack + 4096 - 16\n"
	"\tjal on_acall\n\tmove $4, $2\n"
	"acallee_idle:\n"
	"\tla $31, acallee_idle\n\tli $2, " STR(SYS_pct_idle) "\n\tsyscall\n"
	"\tb acallee_idle\n\tnop\n"
	".set pop\n");

int main(void)
{
	sys_pct_entry((u32)acallee_entry);
	acallee_idle();
}
