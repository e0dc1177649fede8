/*
 * abi.h: what Aegis promises user code. Shared by the kernel and ExOS.
 *
 * System calls: v0 = number, a0..a3 = arguments, `syscall`. Every call
 * returns to the caller's $ra (not to the instruction after `syscall`), so a
 * stub is two instructions: `li v0, N; syscall`. The result is in v0: >= 0
 * on success, a negative E_* code on error. k0/k1 are the kernel's and are
 * clobbered by every exception; all other registers are preserved except v0.
 * Numbers and stubs are generated from aegis/syscalls.tbl.
 */
#ifndef AEGIS_ABI_H
#define AEGIS_ABI_H

/* Error codes, returned negated. */
#define E_INVAL   1   /* an argument is out of range or malformed */
#define E_NOSYS   2   /* no such system call */
#define E_FAULT   3   /* a user pointer does not name mapped user memory */
#define E_NOMEM   4   /* out of physical pages or kernel slots */
#define E_PERM    5   /* the caller lacks the right */
#define E_BADCAP  6   /* the capability presented is not valid for that object */
#define E_BUSY    7   /* the object is taken */
#define E_NOENT   8   /* no such object (environment, file in the initrd) */

/* User address space. */
#define USER_TOP     0x80000000u   /* first address user code may not map */
#define USER_TEXT    0x00400000u   /* where ExOS programs are linked */
#define USTACK_TOP   0x7fff0000u   /* the initial stack grows down from here */
#define USTACK_PAGES 8

#endif
