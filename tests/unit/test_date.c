/* Unit tests for date.c. */
#include "testutil.h"

#include <time.h>

#include "date.h"

struct date_case {
	const char *s;
	bool valid;
};

static const struct date_case month_cases[] = {
	{"2024-01", true},
	{"2024-12", true},
	{"1900-01", true},
	{"2999-12", true},
	{"1899-12", false},
	{"3000-01", false},
	{"0000-01", false},
	{"2024-00", false},
	{"2024-13", false},
	{"2024-99", false},
	{"2024-1", false},
	{"2024-011", false},
	{"2024/01", false},
	{"2024 01", false},
	{"202a-01", false},
	{"2024-0a", false},
	{"+024-01", false},
	{"-024-01", false},
	{" 2024-01", false},
	{"2024-01 ", false},
	{"2024-01-01", false},
	{"24-01", false},
	{"", false},
	{"-", false},
	{NULL, false},
};

static const struct date_case day_cases[] = {
	{"2024-01-01", true},
	{"2024-12-31", true},
	{"1900-01-01", true},
	{"2999-12-31", true},
	{"2024-02-29", true},   /* divisible by 4 */
	{"2023-02-29", false},
	{"2023-02-28", true},
	{"1900-02-29", false},  /* century, not a leap year */
	{"2000-02-29", true},   /* divisible by 400 */
	{"2100-02-29", false},
	{"2024-04-30", true},
	{"2024-04-31", false},
	{"2024-06-31", false},
	{"2024-09-31", false},
	{"2024-11-31", false},
	{"2024-07-31", true},
	{"2024-08-31", true},
	{"2024-01-00", false},
	{"2024-01-32", false},
	{"2024-00-10", false},
	{"2024-13-10", false},
	{"1899-12-31", false},
	{"3000-01-01", false},
	{"2024-1-01", false},
	{"2024-01-1", false},
	{"2024-01-011", false},
	{"2024-01-01T00:00:00Z", false},
	{"2024-01-01 ", false},
	{" 2024-01-01", false},
	{"2024_01-01", false},
	{"2024-01_01", false},
	{"2024-01-0a", false},
	{"2024-01", false},
	{"20240101", false},
	{"", false},
	{NULL, false},
};

static void test_month_table(void **state)
{
	for (size_t i = 0; i < sizeof month_cases / sizeof month_cases[0]; i++) {
		const struct date_case *c = &month_cases[i];
		CHECK(date_valid_month(c->s) == c->valid, "month case %zu \"%s\": want %d", i,
		      c->s ? c->s : "(null)", c->valid);
	}
}

static void test_day_table(void **state)
{
	for (size_t i = 0; i < sizeof day_cases / sizeof day_cases[0]; i++) {
		const struct date_case *c = &day_cases[i];
		CHECK(date_valid_day(c->s) == c->valid, "day case %zu \"%s\": want %d", i,
		      c->s ? c->s : "(null)", c->valid);
	}
}

/* Every candidate day of the whole range against the C library's calendar:
 * a date is real exactly when timegm() does not have to normalise it. */
static void test_day_against_libc(void **state)
{
	char s[64];
	for (int y = 1899; y <= 3000; y++) {
		for (int m = 0; m <= 13; m++) {
			for (int d = 0; d <= 32; d++) {
				snprintf(s, sizeof s, "%04d-%02d-%02d", y, m, d);
				struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
				time_t t = timegm(&tm);
				struct tm back;
				bool real = gmtime_r(&t, &back) && back.tm_year == y - 1900 &&
					    back.tm_mon == m - 1 && back.tm_mday == d;
				bool want = real && y >= 1900 && y <= 2999;
				CHECK(date_valid_day(s) == want, "%s: want %d", s, want);
			}
			snprintf(s, sizeof s, "%04d-%02d", y, m);
			bool want = y >= 1900 && y <= 2999 && m >= 1 && m <= 12;
			CHECK(date_valid_month(s) == want, "%s: want %d", s, want);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_month_table),
		cmocka_unit_test(test_day_table),
		cmocka_unit_test(test_day_against_libc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
