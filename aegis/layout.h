/*
 * layout.h: the physical memory map Aegis uses on QEMU malta (256 MiB).
 *
 *   0x00000000 +-------------------------------+  kseg0 0x80000000 = EBase
 *              | exception vectors (copied)    |  refill +0x000, general +0x180,
 *   0x00000400 +-------------------------------+  interrupt +0x200
 *              | reserved: QEMU's boot argument|  read before anything is
 *              | block lives at 0x2000         |  allocated, then unused
 *   0x00100000 +-------------------------------+  KERNEL_BASE
 *              | Aegis text, data, bss         |  (STLB, page array, stack)
 *        _end  +-------------------------------+
 *              | free pages ...                |
 *              | initrd (where the boot path   |  reserved for the kernel's life
 *              |  put it)                      |
 *              | free pages ...                |
 *   memsize    +-------------------------------+
 *
 * Devices are reached through kseg1 (uncached): the 16550 UART at
 * 0xb80003f8, the malta FPGA's software reset register at 0xbf000500.
 */
#ifndef AEGIS_LAYOUT_H
#define AEGIS_LAYOUT_H

#define EBASE          0x80000000
#define KERNEL_BASE    0x80100000
#define RESERVED_LOW   0x00100000   /* physical pages below this are never free */
#define MAX_MEMSIZE    0x10000000   /* malta's low RAM: 256 MiB, all in kseg0 */
#define KSTACK_SIZE    16384

#define UART_BASE      0xb80003f8
#define MALTA_SOFTRES  0xbf000500   /* write 0x42: board reset (QEMU exits with -no-reboot) */
#define MALTA_GORESET  0x42

#endif
