/* testutil.h - common includes for the cmocka unit tests.
 * cmocka.h needs stdarg, stddef, setjmp and stdint before it. */
#ifndef AIREG_TESTUTIL_H
#define AIREG_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Table-driven tests name the failing row; cmocka's asserts cannot. */
#define CHECK(cond, ...) do { if (!(cond)) fail_msg(__VA_ARGS__); } while (0)

#endif
