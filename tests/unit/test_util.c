/* Unit tests for util.c. */
#include "testutil.h"

#include <limits.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* gcc and clang announce AddressSanitizer differently */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

struct int_case {
	const char *s;
	long long min, max;
	bool ok;
	long long want;
};

static const struct int_case int_cases[] = {
	{"0", 0, 10, true, 0},
	{"10", 0, 10, true, 10},
	{"7", 0, 10, true, 7},
	{"007", 0, 10, true, 7},
	{"11", 0, 10, false, 0},
	{"1", 2, 10, false, 0},
	{"-1", 0, 10, false, 0},
	{"-0", 0, 10, false, 0},        /* no sign at all when min >= 0 */
	{"-1", -5, 5, true, -1},
	{"-5", -5, 5, true, -5},
	{"-6", -5, 5, false, 0},
	{"-0", -5, 5, true, 0},
	{"", 0, 10, false, 0},
	{"-", -5, 5, false, 0},
	{"--1", -5, 5, false, 0},
	{"+1", 0, 10, false, 0},
	{" 1", 0, 10, false, 0},
	{"1 ", 0, 10, false, 0},
	{"\t1", 0, 10, false, 0},
	{"1\n", 0, 10, false, 0},
	{"1a", 0, 10, false, 0},
	{"a1", 0, 10, false, 0},
	{"0x10", 0, 100, false, 0},
	{"1.0", 0, 10, false, 0},
	{"1e2", 0, 1000, false, 0},
	{"9223372036854775807", LLONG_MIN, LLONG_MAX, true, LLONG_MAX},
	{"9223372036854775808", LLONG_MIN, LLONG_MAX, false, 0},
	{"99999999999999999999999", 0, LLONG_MAX, false, 0},
	{"-9223372036854775808", LLONG_MIN, LLONG_MAX, true, LLONG_MIN},
	{"-9223372036854775809", LLONG_MIN, LLONG_MAX, false, 0},
	{"100", 1, 100, true, 100},
	{"101", 1, 100, false, 0},
	{"5", 10, 1, false, 0},         /* empty range */
	{NULL, 0, 10, false, 0},
};

static void test_parse_int_table(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(int_cases); i++) {
		const struct int_case *c = &int_cases[i];
		long long out = 424242;
		int rc = util_parse_int(c->s, c->min, c->max, &out);
		CHECK(rc == (c->ok ? 0 : -1), "case %zu \"%s\": rc %d", i, c->s ? c->s : "(null)", rc);
		if (c->ok)
			CHECK(out == c->want, "case %zu \"%s\": got %lld want %lld", i, c->s, out, c->want);
		else
			CHECK(out == 424242, "case %zu: out written on failure", i);
	}
}

static void test_strdup(void **state)
{
	static const struct {
		const char *s;
		size_t n;
		const char *want;
	} cases[] = {
		{"hello", 3, "hel"},
		{"hello", 5, "hello"},
		{"hi", 10, "hi"},       /* n past the NUL must not read beyond it */
		{"", 4, ""},
		{"abc", 0, ""},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *d = xstrndup(cases[i].s, cases[i].n);
		CHECK(strcmp(d, cases[i].want) == 0, "case %zu: got \"%s\"", i, d);
		free(d);
	}
	const char *src = "Gemeente Noardeast-Frysl\xC3\xA2n";
	char *d = xstrdup(src);
	assert_string_equal(d, src);
	assert_ptr_not_equal(d, src);
	free(d);
}

static void test_alloc(void **state)
{
	void *p = xmalloc(0);
	assert_non_null(p);
	free(p);

	unsigned char *z = xcalloc(100, 3);
	for (size_t i = 0; i < 300; i++)
		assert_int_equal(z[i], 0);
	free(z);
	free(xcalloc(0, 8));

	char *r = xrealloc(NULL, 4);
	memcpy(r, "abc", 4);
	r = xrealloc(r, 100000);
	assert_string_equal(r, "abc");
	r = xrealloc(r, 0);
	assert_non_null(r);
	free(r);
}

/* Runs fn in a child and reports whether it died the way an out-of-memory abort
 * should: by SIGABRT, having written its message. Under ASan the allocator may
 * report the impossible request itself, so any failing exit counts there. */
static void expect_oom_abort(void (*fn)(void))
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		fn();
		_exit(0);
	}
	close(fds[1]);
	char msg[4096];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof msg - 1 && (n = read(fds[0], msg + len, sizeof msg - 1 - len)) > 0)
		len += (size_t)n;
	msg[len] = '\0';
	close(fds[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
#ifdef UNDER_ASAN
	assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
#else
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	assert_non_null(strstr(msg, "out of memory"));
#endif
}

static void huge_malloc(void)
{
	volatile size_t n = SIZE_MAX - 16;
	free(xmalloc(n));
}

static void huge_calloc(void)
{
	volatile size_t n = SIZE_MAX / 2;
	free(xcalloc(n, 4));
}

static void huge_realloc(void)
{
	volatile size_t n = SIZE_MAX - 16;
	free(xrealloc(xmalloc(8), n));
}

static void test_oom_aborts(void **state)
{
	expect_oom_abort(huge_malloc);
	expect_oom_abort(huge_calloc);
	expect_oom_abort(huge_realloc);
}

static bool is_iso(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	if (strlen(s) != 20)
		return false;
	for (size_t i = 0; i < 20; i++)
		if (pat[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pat[i])
			return false;
	return true;
}

static void test_now_iso(void **state)
{
	char before[32], after[32], got[21];
	struct tm tm;
	time_t t0 = time(NULL);
	memset(got, 'x', sizeof got);
	util_now_iso(got);
	time_t t1 = time(NULL);
	strftime(before, sizeof before, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t0, &tm));
	strftime(after, sizeof after, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t1, &tm));
	assert_int_equal(got[20], '\0');
	assert_true(is_iso(got));
	assert_true(strcmp(got, before) >= 0 && strcmp(got, after) <= 0);
	assert_false(is_iso("2024-01-01 00:00:00Z"));
}

static void test_mono(void **state)
{
	uint64_t a = util_mono_us();
	struct timespec ts = {0, 3 * 1000 * 1000};
	nanosleep(&ts, NULL);
	uint64_t b = util_mono_us();
	assert_true(b >= a + 3000);
	assert_true(b - a < 10ull * 1000 * 1000);
	for (int i = 0; i < 1000; i++) {
		uint64_t c = util_mono_us();
		assert_true(c >= b);
		b = c;
	}
}

static void test_array_len(void **state)
{
	int a[7];
	const char *b[] = {"x", "y"};
	assert_int_equal(ARRAY_LEN(a), 7);
	assert_int_equal(ARRAY_LEN(b), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_int_table),
		cmocka_unit_test(test_strdup),
		cmocka_unit_test(test_alloc),
		cmocka_unit_test(test_oom_aborts),
		cmocka_unit_test(test_now_iso),
		cmocka_unit_test(test_mono),
		cmocka_unit_test(test_array_len),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
