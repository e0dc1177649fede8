/*
 * mips.h: MIPS32r2 CP0 registers, bits and exception codes, usable from C and
 * from assembly. Register numbers are those of the MIPS32 Privileged Resource
 * Architecture; QEMU malta's 24Kf implements all of them.
 */
#ifndef AEGIS_MIPS_H
#define AEGIS_MIPS_H

#ifdef __ASSEMBLER__
#include "regdef.h"
#endif

/* CP0 register numbers (select 0 unless noted). */
#define CP0_INDEX     $0
#define CP0_RANDOM    $1
#define CP0_ENTRYLO0  $2
#define CP0_ENTRYLO1  $3
#define CP0_CONTEXT   $4
#define CP0_PAGEMASK  $5
#define CP0_WIRED     $6
#define CP0_HWRENA    $7
#define CP0_BADVADDR  $8
#define CP0_COUNT     $9
#define CP0_ENTRYHI   $10
#define CP0_COMPARE   $11
#define CP0_STATUS    $12
#define CP0_CAUSE     $13
#define CP0_EPC       $14
#define CP0_PRID      $15   /* select 0 */
#define CP0_EBASE     $15   /* select 1 */
#define CP0_CONFIG    $16   /* select 0; select 1 = Config1 */
#define CP0_DEBUG     $23   /* EJTAG; readable in debug mode */
#define CP0_DEPC      $24
#define CP0_ERROREPC  $30

/* Status bits. */
#define ST_IE      0x00000001
#define ST_EXL     0x00000002
#define ST_ERL     0x00000004
#define ST_KSU_USER 0x00000010   /* KSU = 2: user mode */
#define ST_KSU_MASK 0x00000018
#define ST_IM_TIMER 0x00008000   /* IM7: CP0 Count/Compare timer */
#define ST_IM_IP2  0x00000400   /* IM2: the i8259s (malta's PCI and ISA interrupts) */
#define ST_IM_MASK 0x0000ff00   /* IM7..IM0 */
#define CAUSE_IP2  0x00000400
#define CAUSE_IP7  0x00008000   /* the Count/Compare timer */
#define ST_BEV     0x00400000
#define ST_CU0     0x10000000
#define ST_CU1     0x20000000

/* Debug (EJTAG) register bits. */
#define DEBUG_DBD  0x80000000   /* the debug exception was in a delay slot */
#define DEBUG_DM   0x40000000   /* in debug mode */

/* Cause bits. */
#define CAUSE_BD        0x80000000
#define CAUSE_TI        0x40000000
#define CAUSE_IV        0x00800000
#define CAUSE_EXC_MASK  0x0000007c   /* ExcCode << 2 */
#define CAUSE_EXC_SHIFT 2
#define CAUSE_CE_MASK   0x30000000   /* CpU: which coprocessor */
#define CAUSE_CE_CP1    0x10000000

/* ExcCode values. */
#define EXC_INT   0
#define EXC_MOD   1
#define EXC_TLBL  2
#define EXC_TLBS  3
#define EXC_ADEL  4
#define EXC_ADES  5
#define EXC_IBE   6
#define EXC_DBE   7
#define EXC_SYS   8
#define EXC_BP    9
#define EXC_RI    10
#define EXC_CPU   11
#define EXC_OV    12
#define EXC_TR    13
#define EXC_FPE   15
#define EXC_NCODES 32

/* EntryLo bits. */
#define ELO_G      0x01
#define ELO_V      0x02
#define ELO_D      0x04          /* write enable */
#define ELO_C_CACHED   (3 << 3)
#define ELO_C_UNCACHED (2 << 3)
#define ELO_PFN_SHIFT  6

/* EntryHi. */
#define EHI_ASID_MASK 0xff
#define EHI_VPN2_MASK 0xffffe000

/* Config. */
#define CFG_K0_MASK   0x7
#define CFG_K0_CACHED 3

#define NTLB 16                 /* 24Kf: 16 entries, each an even/odd pair */
#define PAGE_SIZE  4096
#define PAGE_SHIFT 12

/* Address segments. */
#define KUSEG_TOP 0x80000000u
#define KSEG0     0x80000000u
#define KSEG1     0xa0000000u
#define KSEG2     0xc0000000u

#ifndef __ASSEMBLER__
#include "types.h"

#define KADDR(pa)  ((void *)((u32)(pa) | KSEG0))        /* physical -> kseg0 */
#define PADDR(kva) ((u32)(kva) & 0x1fffffffu)             /* kseg0/1 -> physical */

#define CP0_STR_(x) #x
#define CP0_STR(x) CP0_STR_(x)
/* mfc0(C0_X, sel) reads a CP0 register; mtc0(C0_X, sel, v) writes one and
 * clears the execution hazard (ehb) so the next instruction sees it. */
#define mfc0(reg, sel) ({ u32 __v; \
	__asm__ volatile("mfc0 %0, $" CP0_STR(reg) ", " CP0_STR(sel) : "=r"(__v)); __v; })
#define mtc0(reg, sel, v) \
	__asm__ volatile("mtc0 %0, $" CP0_STR(reg) ", " CP0_STR(sel) "\n\tehb" \
			 :: "r"((u32)(v)) : "memory")

/* CP0 numbers for the C accessors above. */
#define C0_INDEX 0
#define C0_ENTRYLO0 2
#define C0_ENTRYLO1 3
#define C0_PAGEMASK 5
#define C0_WIRED 6
#define C0_HWRENA 7
#define C0_BADVADDR 8
#define C0_COUNT 9
#define C0_ENTRYHI 10
#define C0_COMPARE 11
#define C0_STATUS 12
#define C0_CAUSE 13
#define C0_EPC 14
#define C0_PRID 15
#define C0_EBASE 15
#define C0_CONFIG 16
#endif

#endif
