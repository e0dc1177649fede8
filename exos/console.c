/* console.c: printf for ExOS programs, line-buffered through sys_cputs. */
#include "exos.h"

static char buf[256];
static u32 len;

void console_flush(void)
{
	if (len)
		sys_cputs(buf, len);
	len = 0;
}

static void putc_buffered(int c, void *arg)
{
	(void)arg;
	buf[len++] = (char)c;
	if (c == '\n' || len == sizeof(buf))
		console_flush();
}

int vprintf(const char *fmt, va_list ap)
{
	return vformat(putc_buffered, NULL, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
