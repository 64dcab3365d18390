/* date.c - calendar dates as the register writes them. */
#include "date.h"

#include <string.h>

/* Value of the n decimal digits at s, or -1 if any is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static bool year_month(const char *s, int *year, int *month)
{
	*year = digits(s, 4);
	*month = digits(s + 5, 2);
	return s[4] == '-' && *year >= 1900 && *year <= 2999 && *month >= 1 && *month <= 12;
}

bool date_valid_month(const char *s)
{
	int y, m;
	return s && strlen(s) == 7 && year_month(s, &y, &m);
}

bool date_valid_day(const char *s)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m;
	if (!s || strlen(s) != 10 || !year_month(s, &y, &m) || s[7] != '-')
		return false;
	int d = digits(s + 8, 2);
	bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
	int last = days[m - 1] + (m == 2 && leap);
	return d >= 1 && d <= last;
}
