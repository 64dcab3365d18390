/* log.c - structured log lines. One fprintf per line, so lines of concurrent
 * threads never interleave (stdio locks the stream per call). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "jsonw.h"
#include "log.h"
#include "util.h"

static bool quiet;

void log_set_quiet(bool q)
{
	quiet = q;
}

static void vlog(const char *level, const char *component, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void vlog(const char *level, const char *component, const char *fmt, va_list ap)
{
	char ts[21], msg[512];
	struct buf b;
	util_now_iso(ts);
	vsnprintf(msg, sizeof msg, fmt, ap);
	buf_init(&b, 0);
	jsonw_escape(&b, msg, strlen(msg));
	fprintf(stderr, "ts=%s level=%s component=%s msg=\"%s\"\n", ts, level, component, buf_str(&b));
	buf_cleanup(&b);
}

void log_info(const char *component, const char *fmt, ...)
{
	va_list ap;
	if (quiet)
		return;
	va_start(ap, fmt);
	vlog("info", component, fmt, ap);
	va_end(ap);
}

void log_error(const char *component, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("error", component, fmt, ap);
	va_end(ap);
}

void log_request(const char *method, const char *path, int status, size_t bytes, uint64_t dur_us,
		 bool completed)
{
	char ts[21];
	struct buf b;
	if (quiet)
		return;
	util_now_iso(ts);
	buf_init(&b, 0);
	jsonw_escape(&b, path, strlen(path));
	fprintf(stderr, "ts=%s level=info method=%s path=\"%s\" status=%d bytes=%zu dur_us=%llu%s\n", ts,
		method, buf_str(&b), status, bytes, (unsigned long long)dur_us,
		completed ? "" : " aborted=1");
	buf_cleanup(&b);
}
