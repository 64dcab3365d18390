/* log.h - structured log lines on stderr: "ts=... level=... key=value ...". */
#ifndef AIREG_LOG_H
#define AIREG_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void log_info(const char *component, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_error(const char *component, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One line per request: method, path, status, bytes, duration in microseconds. */
void log_request(const char *method, const char *path, int status, size_t bytes, uint64_t dur_us,
		 bool completed);
/* Silences info and request lines (errors still show). */
void log_set_quiet(bool quiet);

#endif
