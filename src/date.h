/* date.h - calendar dates as the register writes them. */
#ifndef AIREG_DATE_H
#define AIREG_DATE_H

#include <stdbool.h>

/* True for "YYYY-MM" with 1900 <= YYYY <= 2999 and 01 <= MM <= 12. */
bool date_valid_month(const char *s);
/* True for "YYYY-MM-DD", a real calendar date (leap years), year 1900..2999. */
bool date_valid_day(const char *s);

#endif
