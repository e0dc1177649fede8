/* console.c: the 16550 UART of malta's SuperIO, and the kernel's printf. */
#include "defs.h"

#define UART_THR 0
#define UART_LSR 5
#define LSR_THRE 0x20

static volatile u8 *const uart = (volatile u8 *)UART_BASE;

/* Write one character, turning "\n" into "\r\n"; waits for the transmitter. */
void console_putc(int c)
{
	if (c == '\n')
		console_putc('\r');
	while (!(uart[UART_LSR] & LSR_THRE))
		;
	uart[UART_THR] = (u8)c;
}

static void kputc(int c, void *arg)
{
	(void)arg;
	console_putc(c);
}

void kvprintf(const char *fmt, va_list ap)
{
	vformat(kputc, NULL, fmt, ap);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}
