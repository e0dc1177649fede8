/*
 * exc.c: exceptions other than TLB faults, as ExOS receives them from
 * Aegis: a handler per exception code, branch emulation to step over an
 * instruction in a delay slot, and the default policy for the FPU (enable it
 * through Aegis on first use). The handler table sits in the upcall page,
 * where upcall.S's exception entry reads it with one load.
 */
#include "exos.h"

#define handlers ((exc_handler_fn *)XS_HANDLERS)

static const char *const exc_names[32] = {
	"Int", "Mod", "TLBL", "TLBS", "AdEL", "AdES", "IBE", "DBE", "Sys", "Bp", "RI",
	"CpU", "Ov", "Tr", "?", "FPE",
};

const char *exos_exc_name(u32 code)
{
	return code < 32 && exc_names[code] ? exc_names[code] : "?";
}

void exos_set_exception_handler(u32 code, exc_handler_fn fn)
{
	if (code < 32)
		handlers[code] = fn;
}

#define skip_on ((volatile u32 *)XS_SKIP_ON)
#define skips ((volatile u32 *)XS_SKIPS)

u32 exos_exc_entry_point(void)
{
	for (u32 code = 0; code < 32; code++)
		if (skip_on[code])
			return (u32)exos_exc_skip_entry;
	return (u32)exos_exc_entry;
}

int exos_set_exception_skip(u32 code, bool on)
{
	if (code >= 32)
		return -E_INVAL;
	skip_on[code] = on;
	skips[code] = 0;
	return sys_set_upcalls(exos_exc_entry_point(), (u32)exos_tlb_entry, UPCALL_SAVE_VA);
}

u32 exos_exception_skips(u32 code)
{
	return code < 32 ? skips[code] : 0;
}

void exos_fatal(const struct trapframe *f, const char *why)
{
	u32 code = (f->cause >> 2) & 31;
	printf("exos: env %x: %s: %s at pc %08x address %08x%s\n", exos_envid, why,
	       exos_exc_name(code), f->epc, f->badvaddr, (f->cause & 0x80000000u) ? " (delay slot)" : "");
	exit(EXIT_EXCEPTION((int)code));
}

static s32 sext16(u32 x) { return (s32)(s16)(x & 0xffff); }

u32 exos_next_pc(const struct trapframe *f)
{
	if (!(f->cause & 0x80000000u))
		return f->epc + 4;
	/* In a delay slot: f->epc is the branch; work out where it goes. */
	u32 br = *(const u32 *)f->epc, op = br >> 26, rs = (br >> 21) & 31, rt = (br >> 16) & 31;
	s32 vs = (s32)f->regs[rs], vt = (s32)f->regs[rt];
	u32 taken = f->epc + 4 + ((u32)sext16(br) << 2), fall = f->epc + 8;
	switch (op) {
	case 0:  /* SPECIAL: jr, jalr */
		return f->regs[rs];
	case 1:  /* REGIMM: bltz(al), bgez(al) and the likely forms */
		return ((rt & 1) ? vs >= 0 : vs < 0) ? taken : fall;
	case 2:
	case 3:  /* j, jal */
		return ((f->epc + 4) & 0xf0000000u) | ((br & 0x03ffffffu) << 2);
	case 4: case 20: return vs == vt ? taken : fall;   /* beq(l) */
	case 5: case 21: return vs != vt ? taken : fall;   /* bne(l) */
	case 6: case 22: return vs <= 0 ? taken : fall;    /* blez(l) */
	case 7: case 23: return vs > 0 ? taken : fall;     /* bgtz(l) */
	default:
		return fall;
	}
}

/* exos_skip's out-of-line half, for a fault in a delay slot. */
void exos_skip_branch(struct trapframe *f)
{
	f->epc = exos_next_pc(f);
}

/* CpU for coprocessor 1: enable the FPU through Aegis (FPUmod) and run the
 * instruction again. */
static int fpu_on_first_use(struct trapframe *f)
{
	if (((f->cause >> 28) & 3) != 1)
		return -1;
	return sys_fpu(1) == 0 ? 0 : -1;
}

/* The upcall page comes from Aegis zeroed: no handler but this one. */
void exos_exc_init(void)
{
	handlers[11] = fpu_on_first_use;
}

/* The exception entry's dispatch in plain C. upcall.S does the same with a
 * load from the table and calls this only when no handler is registered. */
void exos_exception(struct trapframe *f)
{
	u32 code = (f->cause >> 2) & 31;
	exc_handler_fn fn = handlers[code];
	if (!fn || fn(f) != 0)
		exos_exc_failed(f);
}

/* A handler returned nonzero (or there was none): end the program. */
void exos_exc_failed(struct trapframe *f)
{
	exos_fatal(f, "unhandled exception");
}
