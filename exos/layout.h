/*
 * layout.h: ExOS's use of the user address space (below 0x80000000).
 *
 *   0x00007000  upcall page (guaranteed): Aegis's save area at 0x7000, ExOS's
 *               scratch words and exception handler table after it; all
 *               within 32 KiB of address 0, so the upcall code reaches them
 *               as offsets from $zero
 *   0x00400000  the program: text, data, bss (guaranteed mappings)
 *   0x10000000  heap (malloc), mapped on demand through the page table
 *   0x6e000000  the network stack's pages (exos/eth.c): the notification
 *               page, then 64 KiB for each interface opened
 *   0x6ff00000  scratch page used while loading a child program
 *   0x7f000000  page-table pages (guaranteed): the directory, then the
 *               second-level pages
 *   0x7fe00000  exception stack, 4 pages (guaranteed)
 *   0x7ffe8000  program stack, 8 pages below 0x7fff0000 (guaranteed)
 *   0x7fff0000  the kernel's public page (KINFO_VA), read-only, mapped by Aegis
 */
#ifndef EXOS_LAYOUT_H
#define EXOS_LAYOUT_H

#define UPCALL_PAGE     0x00007000
#define UPCALL_SAVE_VA  0x00007000   /* struct upcall_save, written by Aegis */
#define XS_AT           0x00007014   /* scratch: the program's $at, on resume */
#define XS_PC           0x00007018   /* scratch: the resume PC */
#define XS_HANDLERS     0x00007080   /* exc_handler_fn[32], by ExcCode (exc.c) */
#define XS_SKIP_ON      0x00007100   /* u32[32], by ExcCode: skip it (exos_set_exception_skip) */
#define XS_SKIPS        0x00007180   /* u32[32], by ExcCode: how many were skipped */

#define HEAP_BASE       0x10000000
#define HEAP_LIMIT      0x20000000
#define NET_VA          0x6e000000
#define SCRATCH_VA      0x6ff00000
#define COW_SCRATCH_VA  0x6fe00000
#define FORK_SCRATCH_VA 0x6fd00000
#define PT_BASE         0x7f000000
#define PT_PAGES_MAX    64
#define XSTACK_BASE     0x7fe00000
#define XSTACK_SIZE     0x4000
#define XSTACK_TOP      (XSTACK_BASE + XSTACK_SIZE)

#endif
