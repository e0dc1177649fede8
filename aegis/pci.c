/*
 * pci.c: what the NIC and disk drivers need of malta's buses. PCI configuration space
 * through the GT-64120 host bridge (address register, then data register);
 * PCI/ISA I/O space, which the bridge maps at physical 0x18000000 (reached
 * uncached through kseg1); the PIIX4's routing of the PCI interrupt lines
 * PIRQA..D to an ISA interrupt; and the two cascaded i8259s, whose output is
 * the CPU's interrupt line IP2. Nothing here is reachable from user mode.
 */
#include "defs.h"

#define GT_CFGADDR ((volatile u32 *)0xbbe00cf8u)
#define GT_CFGDATA ((volatile u32 *)0xbbe00cfcu)
#define ISA_IO     0xb8000000u            /* kseg1 alias of physical 0x18000000 */

#define PIIX4_DEV  10                     /* 00:0a.0, the PCI-ISA bridge */
#define PIIX4_PIRQ 0x60                   /* PIRQRC[A..D], one byte each */
#define PIC1       0x20                   /* master i8259: command, data = +1 */
#define PIC2       0xa0                   /* slave, on the master's input 2 */
#define ELCR1      0x4d0                  /* edge/level per input */
#define ELCR2      0x4d1

static u32 cfg_addr(u32 dev, u32 fn, u32 reg)
{
	return 0x80000000u | dev << 11 | fn << 8 | (reg & 0xfc);
}

u32 pci_cfg_read(u32 dev, u32 fn, u32 reg)
{
	*GT_CFGADDR = cfg_addr(dev, fn, reg);
	return *GT_CFGDATA;
}

void pci_cfg_write(u32 dev, u32 fn, u32 reg, u32 v)
{
	*GT_CFGADDR = cfg_addr(dev, fn, reg);
	*GT_CFGDATA = v;
}

u8 io_in8(u32 port)   { return *(volatile u8 *)(ISA_IO + port); }
u16 io_in16(u32 port) { return *(volatile u16 *)(ISA_IO + port); }
u32 io_in32(u32 port) { return *(volatile u32 *)(ISA_IO + port); }
void io_out8(u32 port, u8 v)   { *(volatile u8 *)(ISA_IO + port) = v; }
void io_out16(u32 port, u16 v) { *(volatile u16 *)(ISA_IO + port) = v; }

/* The end of the highest I/O range any function on bus 0 decodes, so that
 * the NICs' unassigned BARs can be put above whatever the firmware set up. */
u32 pci_io_top(void)
{
	u32 top = 0x1000;                      /* below: legacy ISA devices */
	for (u32 dev = 0; dev < 32; dev++) {
		if ((pci_cfg_read(dev, 0, 0) & 0xffff) == 0xffff)
			continue;
		u32 nfn = pci_cfg_read(dev, 0, 0x0c) & 0x00800000u ? 8 : 1;
		for (u32 fn = 0; fn < nfn; fn++) {
			if ((pci_cfg_read(dev, fn, 0) & 0xffff) == 0xffff)
				continue;
			if ((pci_cfg_read(dev, fn, 0x0c) >> 16 & 0x7f) != 0)
				continue;              /* only ordinary headers have 6 BARs */
			for (u32 bar = 0; bar < 6; bar++) {
				u32 v = pci_cfg_read(dev, fn, 0x10 + 4 * bar);
				if ((v & 1) && (v & ~3u)) {
					u32 end = (v & 0xfffcu) + 0x100;
					if (end > top)
						top = end;
				}
			}
		}
	}
	return (top + 0xff) & ~0xffu;
}

/* The i8259s: initialised the first time an interrupt is enabled, with
 * everything masked, in auto-EOI mode: acknowledging an interrupt (pic_ack)
 * is a poll command, and no end-of-interrupt is needed. Then irq (and the
 * cascade, input 2 of the master) is unmasked, and marked level- or
 * edge-triggered in the ELCR. */
void pic_enable(u32 irq, bool level)
{
	static u16 masked;                       /* 0: not initialised yet */
	if (!masked) {
		static const u16 base[2] = { PIC1, PIC2 };
		for (int i = 0; i < 2; i++) {
			io_out8(base[i], 0x11);                  /* ICW1: init, cascade, ICW4 follows */
			io_out8(base[i] + 1, i ? 0x28 : 0x20);   /* ICW2: vector base (unused here) */
			io_out8(base[i] + 1, i ? 0x02 : 0x04);   /* ICW3: the slave on input 2 */
			io_out8(base[i] + 1, 0x03);              /* ICW4: 8086 mode, auto EOI */
		}
		masked = 0xffff;
	}
	masked &= (u16)~(1u << 2 | 1u << irq);
	io_out8(PIC1 + 1, (u8)masked);
	io_out8(PIC2 + 1, (u8)(masked >> 8));
	u32 port = irq < 8 ? ELCR1 : ELCR2, bit = 1u << (irq & 7);
	io_out8(port, (u8)(level ? io_in8(port) | bit : io_in8(port) & ~bit));
}

/* Every PCI interrupt line (PIRQA..D) to ISA interrupt irq, level-triggered. */
void pci_irq_route(u32 irq)
{
	pci_cfg_write(PIIX4_DEV, 0, PIIX4_PIRQ, irq | irq << 8 | irq << 16 | irq << 24);
	pic_enable(irq, true);
}

/* Acknowledge the i8259s' pending interrupt (a poll command to the master,
 * and to the slave if the master's answer is the cascade): the master's
 * cascade input is edge-triggered and stays latched until acknowledged.
 * Returns the ISA interrupt number, or -1 if none was pending. */
int pic_ack(void)
{
	io_out8(PIC1, 0x0c);                    /* OCW3: poll */
	u8 m = io_in8(PIC1);
	if (!(m & 0x80))
		return -1;
	if ((m & 7) != 2)
		return m & 7;
	io_out8(PIC2, 0x0c);
	u8 s = io_in8(PIC2);
	return s & 0x80 ? 8 + (s & 7) : -1;
}
