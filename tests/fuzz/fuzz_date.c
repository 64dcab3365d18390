/* fuzz_date.c - date parsing (src/date.h) against an independent reference.
 *
 * The input up to its first NUL is given to date_valid_month and date_valid_day;
 * the reference decides "YYYY-MM" / "YYYY-MM-DD" with years 1900..2999 from the
 * proleptic Gregorian calendar written out differently (day count of a month as
 * the difference of day numbers). The answers must agree. */
#include "date.h"
#include "fuzz.h"

static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!memchr("0123456789", s[i], 10) || !s[i])
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* Days from 0000-03-01 to y-m-01 (Gregorian), the civil-from-days method. */
static long day_number(long y, long m)
{
	if (m <= 2)
		y--, m += 12;
	return 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5;
}

static bool ref_month(const char *s, int *y, int *m)
{
	return digits(s, 4, y) && s[4] == '-' && digits(s + 5, 2, m) && *y >= 1900 && *y <= 2999 && *m >= 1 &&
	       *m <= 12;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	size_t n = strlen(s);
	int y, m, d;
	bool month = n == 7 && ref_month(s, &y, &m);
	bool day = n == 10 && ref_month(s, &y, &m) && s[7] == '-' && digits(s + 8, 2, &d) && d >= 1 &&
		   d <= day_number(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1) - day_number(y, m);
	if (date_valid_month(s) != month || date_valid_day(s) != day) {
		fuzz_dump("date", s, n);
		FUZZ_CHECK(0, "month %d (reference %d), day %d (reference %d)", date_valid_month(s), month,
			   date_valid_day(s), day);
	}
	free(s);
	return 0;
}
