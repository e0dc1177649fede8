/* printfmt.c: a small printf engine shared by kernel, library OS and tests. */
#include "lib.h"

struct fmtspec { int width; bool left, zero; };

static int emit_str(putc_fn out, void *arg, const char *s, int len, struct fmtspec *sp)
{
	int n = 0, pad = sp->width > len ? sp->width - len : 0;
	if (!sp->left)
		for (; pad > 0; pad--, n++)
			out(' ', arg);
	for (int i = 0; i < len; i++, n++)
		out(s[i], arg);
	for (; pad > 0; pad--, n++)
		out(' ', arg);
	return n;
}

static int emit_num(putc_fn out, void *arg, u32 v, unsigned base, bool neg,
		    bool upper, struct fmtspec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[12];
	int len = 0, n = 0;
	do {
		buf[len++] = digits[v % base];
		v /= base;
	} while (v);
	int total = len + (neg ? 1 : 0);
	int pad = sp->width > total ? sp->width - total : 0;
	if (!sp->left && !sp->zero)
		for (; pad > 0; pad--, n++)
			out(' ', arg);
	if (neg) {
		out('-', arg);
		n++;
	}
	if (!sp->left && sp->zero)
		for (; pad > 0; pad--, n++)
			out('0', arg);
	while (len > 0) {
		out(buf[--len], arg);
		n++;
	}
	for (; pad > 0; pad--, n++)
		out(' ', arg);
	return n;
}

int vformat(putc_fn out, void *arg, const char *fmt, va_list ap)
{
	int n = 0;
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			out(*fmt, arg);
			n++;
			continue;
		}
		struct fmtspec sp = { 0, false, false };
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '0')
				sp.zero = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			sp.width = sp.width * 10 + (*fmt++ - '0');
		while (*fmt == 'l')
			fmt++;
		switch (*fmt) {
		case 'd':
		case 'i': {
			int v = va_arg(ap, int);
			n += emit_num(out, arg, v < 0 ? -(u32)v : (u32)v, 10, v < 0, false, &sp);
			break;
		}
		case 'u':
			n += emit_num(out, arg, va_arg(ap, u32), 10, false, false, &sp);
			break;
		case 'x':
		case 'X':
			n += emit_num(out, arg, va_arg(ap, u32), 16, false, *fmt == 'X', &sp);
			break;
		case 'o':
			n += emit_num(out, arg, va_arg(ap, u32), 8, false, false, &sp);
			break;
		case 'p':
			n += emit_str(out, arg, "0x", 2, &(struct fmtspec){ 0, false, false });
			sp.width = 8;
			sp.zero = true;
			n += emit_num(out, arg, (u32)(uintptr_t)va_arg(ap, void *), 16, false, false, &sp);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			n += emit_str(out, arg, s, (int)lib_strlen(s), &sp);
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			n += emit_str(out, arg, &c, 1, &sp);
			break;
		}
		case '%':
			out('%', arg);
			n++;
			break;
		case '\0':
			return n;
		default:	/* unknown conversion: print it as it stands */
			out('%', arg);
			out(*fmt, arg);
			n += 2;
			break;
		}
	}
	return n;
}

struct sbuf { char *buf; size_t n, len; };

static void sbuf_putc(int c, void *arg)
{
	struct sbuf *b = arg;
	if (b->len + 1 < b->n)
		b->buf[b->len] = (char)c;
	b->len++;
}

int lib_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct sbuf b = { buf, n, 0 };
	int len = vformat(sbuf_putc, &b, fmt, ap);
	if (n > 0)
		buf[b.len < n ? b.len : n - 1] = '\0';
	return len;
}

int lib_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int len = lib_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return len;
}
