/*
 * disk_dma.c: the PIIX4 IDE function's bus-master DMA engine for the
 * primary channel (docs/storage.md, "Bus-master DMA"), used by disk.c.
 *
 * The engine's registers are 8 bytes of PCI I/O space at BAR4 of 00:0a.1
 * (byte registers; the table's address also in 16-bit halves): +0 command
 * (bit 0 start, bit 3 the direction: set, the engine writes memory), +2
 * status (bit 0 active, bit 1 error and bit 2 interrupt, each cleared by
 * writing 1), +4 the physical address of the physical region descriptor
 * table (PRDT). Each descriptor is two little-endian words: a region's
 * physical address, and its byte count (bits 15:0; 0 means 64 KiB) with
 * bit 31 on the last one; a region may not cross a 64 KiB boundary, so
 * the buffers (disk.c's qbuf) are page-aligned and one region is enough.
 *
 * DMA only ever reaches the kernel's own request buffers (disk.c's struct
 * qbuf), never an environment's page: the caller passes a kseg0 buffer. A bus master on the GT-64120's PCI bus sees RAM at its physical
 * address (the NICs' rings, nic.c, are given PADDR too), so a descriptor
 * holds PADDR(buf). The caches are not coherent with the engine: a
 * buffer the drive reads is written back first; one it writes is written
 * back and invalidated before (no dirty line may be evicted over the
 * drive's data) and invalidated after (no stale line read). Buffers are
 * whole cache lines (DISK_BLOCK multiples, 32-byte aligned).
 */
#include "defs.h"

#define BM_CMD     0
#define BM_STATUS  2
#define BM_PRDT    4
#define BMC_START  0x01
#define BMC_TOMEM  0x08
#define BMS_ACTIVE 0x01
#define BMS_ERR    0x02
#define BMS_INT    0x04
#define BMS_CAPS   0x60             /* "drive 0/1 DMA capable": kept as they are */
#define PRD_LAST   0x80000000u

static u32 bm;                      /* the channel's register base, 0: no DMA */
static u32 prdt[2] __attribute__((aligned(8)));    /* one descriptor: address, count | last */

/* Is word w one of the command line's words? */
static bool cmdline_word(const char *w)
{
	const char *c = bootinfo.cmdline;
	size_t n = lib_strlen(w);
	while (*c) {
		while (*c == ' ')
			c++;
		size_t k = 0;
		while (c[k] && c[k] != ' ')
			k++;
		if (k == n && !lib_strncmp(c, w, n))
			return true;
		c += k;
	}
	return false;
}

bool bmide_init(void)
{
	bm = 0;
	if (cmdline_word("disk.pio"))
		return false;
	u32 bar = pci_cfg_read(10, 1, 0x20);
	if (!(bar & 1))                                 /* not an I/O BAR */
		return false;
	if (!(bar & 0xfff0u)) {                         /* unassigned: give it one */
		bar = pci_io_top() | 1;
		pci_cfg_write(10, 1, 0x20, bar);
		if ((pci_cfg_read(10, 1, 0x20) & 0xfff0u) != (bar & 0xfff0u))
			return false;
	}
	u32 cmd = pci_cfg_read(10, 1, 0x04) & 0xffff;
	pci_cfg_write(10, 1, 0x04, cmd | 0x0005);       /* I/O, bus master */
	if (!(pci_cfg_read(10, 1, 0x04) & 0x0004))      /* bus mastering refused */
		return false;
	u32 base = bar & 0xfff0u;
	io_out8(base + BM_CMD, 0);
	u8 s = io_in8(base + BM_STATUS);
	if (s == 0xff || (s & BMS_ACTIVE))              /* nothing there, or stuck */
		return false;
	io_out8(base + BM_STATUS, (u8)((s & BMS_CAPS) | BMS_ERR | BMS_INT));
	bm = base;
	return true;
}

u32 bmide_base(void) { return bm; }

void bmide_start(void *buf, u32 len, bool to_memory)
{
	prdt[0] = PADDR(buf);
	prdt[1] = len | PRD_LAST;                      /* len <= PAGE_SIZE < 64 KiB */
	dcache_wb(prdt, sizeof prdt);
	if (to_memory)
		dcache_wbinv(buf, len);
	else
		dcache_wb(buf, len);
	io_out8(bm + BM_CMD, 0);
	u32 t = PADDR(prdt);
	io_out16(bm + BM_PRDT, (u16)t);
	io_out16(bm + BM_PRDT + 2, (u16)(t >> 16));
	u8 s = io_in8(bm + BM_STATUS);
	io_out8(bm + BM_STATUS, (u8)((s & BMS_CAPS) | BMS_ERR | BMS_INT));
	io_out8(bm + BM_CMD, to_memory ? BMC_TOMEM : 0);
}

void bmide_go(bool to_memory)
{
	io_out8(bm + BM_CMD, (u8)((to_memory ? BMC_TOMEM : 0) | BMC_START));
}

int bmide_done(void)
{
	u8 s = io_in8(bm + BM_STATUS);
	if (!(s & (BMS_INT | BMS_ERR)))
		return 0;
	return s & BMS_ERR ? -1 : 1;
}

void bmide_stop(void *buf, u32 len, bool to_memory)
{
	io_out8(bm + BM_CMD, 0);                        /* stops (or cancels) the transfer */
	u8 s = io_in8(bm + BM_STATUS);
	io_out8(bm + BM_STATUS, (u8)((s & BMS_CAPS) | BMS_ERR | BMS_INT));
	if (to_memory)
		dcache_inv(buf, len);
}
