/*
 * httpd: an HTTP/1.0 server on ExOS's TCP (exos/inet.h). GET only: GET /NAME
 * sends the initrd's file www/NAME (GET / sends www/index.html) with its
 * Content-Length; a name with no such file gets 404, another method 501.
 * One request per connection; the server closes it after the reply.
 *
 * NIC 0 as 10.0.2.15/24 behind QEMU's user networking (gateway 10.0.2.2),
 * port 80. It ends after `requests=` connections (kernel command line; 0,
 * the default: no limit) or after `idle=` seconds (default 120) without one.
 */
#include "inet.h"

#define HTTP_PORT 80
#define REQ_MAX   2048
#define IO_WAIT   (5 * INET_SECOND)     /* for a request to come, a reply to go */

static char req[REQ_MAX];

/* Read the request head (up to the blank line) into req: its length, or -1. */
static int read_head(struct tcp_conn *c)
{
	u32 n = 0, start = read_count();
	while (n < REQ_MAX - 1 && read_count() - start < IO_WAIT) {
		int r = tcp_read(c, req + n, REQ_MAX - 1 - n, IO_WAIT - (read_count() - start));
		if (r <= 0)
			break;
		n += (u32)r;
		req[n] = '\0';
		for (u32 i = 0; i + 1 < n; i++)
			if (req[i] == '\n' && (req[i + 1] == '\n' || (req[i + 1] == '\r' && i + 2 < n &&
								      req[i + 2] == '\n')))
				return (int)n;
	}
	return -1;
}

static void reply(struct tcp_conn *c, const char *status, const char *type, const u8 *body, u32 len)
{
	static char head[256];
	int n = lib_snprintf(head, sizeof head, "HTTP/1.0 %s\r\nServer: ExOS httpd\r\n"
			     "Content-Type: %s\r\nContent-Length: %u\r\n\r\n", status, type, len);
	if (tcp_write(c, head, (u32)n, IO_WAIT) == n && len)
		tcp_write(c, body, len, IO_WAIT);
}

/* Answer one request; the HTTP status sent (0 if the request never came). */
static int serve(struct tcp_conn *c)
{
	static const char not_found[] = "<html><body><h1>404 Not Found</h1></body></html>\n";
	static const char not_impl[] = "<html><body><h1>501 Not Implemented</h1></body></html>\n";
	static char name[128];
	if (read_head(c) < 0)
		return 0;
	if (lib_strncmp(req, "GET /", 5) != 0) {
		reply(c, "501 Not Implemented", "text/html", (const u8 *)not_impl, sizeof not_impl - 1);
		return 501;
	}
	const char *path = req + 5;
	u32 len = 0;
	while (path[len] && path[len] != ' ' && path[len] != '\r' && path[len] != '\n')
		len++;
	const u8 *data;
	u32 size;
	bool ok = len < sizeof name - 16;
	for (u32 i = 0; ok && i + 1 < len; i++)     /* no way out of www/ */
		ok = !(path[i] == '.' && path[i + 1] == '.');
	if (ok) {
		if (len == 0) {
			path = "index.html";
			len = 10;
		}
		lib_snprintf(name, sizeof name, "www/");
		for (u32 i = 0; i < len; i++)
			name[4 + i] = path[i];
		name[4 + len] = '\0';
		ok = exos_initrd_file(name, &data, &size) == 0;
	}
	if (!ok) {
		reply(c, "404 Not Found", "text/html", (const u8 *)not_found, sizeof not_found - 1);
		return 404;
	}
	u32 nl = (u32)lib_strlen(name);
	bool html = nl > 5 && lib_strcmp(name + nl - 5, ".html") == 0;
	reply(c, "200 OK", html ? "text/html" : "application/octet-stream", data, size);
	return 200;
}

int main(void)
{
	u32 ip = INET_ADDR(10, 0, 2, 15);
	u32 max = exos_param("requests", 0), idle = exos_param("idle", 120);
	int err = 0;
	struct netif *nif = netif_open(0, ip, 0xffffff00u, INET_ADDR(10, 0, 2, 2), &err);
	struct tcp_listener *l = nif ? tcp_listen(nif, HTTP_PORT, &err) : NULL;
	if (!l) {
		printf("httpd: cannot listen on port %u: error %d\n", HTTP_PORT, err);
		return 1;
	}
	printf("httpd: ready on 10.0.2.15 port %u\n", HTTP_PORT);
	u32 served = 0, idle_s = 0;
	while ((max == 0 || served < max) && idle_s < idle) {
		struct tcp_conn *c = tcp_accept(l, INET_SECOND);
		if (!c) {
			idle_s++;
			continue;
		}
		idle_s = 0;
		int status = serve(c);
		tcp_close(c, 2 * INET_SECOND);
		served++;
		printf("httpd: request %u: %d\n", served, status);
	}
	printf("httpd: served %u; frames %u, dropped %u, RSTs %u\n", served, nif->st.frames,
	       nif->st.bad, nif->st.rsts);
	netif_close(nif);
	return 0;
}
