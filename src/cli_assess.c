/* cli_assess.c - aireg assess --profile FILE.json [--rules TIMELINE]
 *
 * Prints the AI Act assessment of a profile as one JSON object. Exit codes as in main.c:
 * 0 ok, 1 I/O or a broken rule pack, 2 usage (including an unknown timeline), 3 profile rejected.
 * Errors are one line on stderr. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "aia_assess.h"
#include "aia_rules.h"
#include "buf.h"
#include "cli.h"
#include "jsonw.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_REJECTED = 3 };

/* A profile is a few hundred bytes; the cap only keeps a wrong file from filling memory. */
#define PROFILE_MAX (1u << 20)
#define OUTPUT_MAX (16u << 20)

static const char usage[] = "usage: aireg assess --profile FILE.json [--rules TIMELINE]\n";

static int read_file(const char *path, struct buf *b)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char chunk[8192];
	size_t n;
	int rc = 0;
	if (!f) {
		fprintf(stderr, "aireg: %s: %s\n", path, strerror(errno));
		return EXIT_RUNTIME;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_append(b, chunk, n)) {
			fprintf(stderr, "aireg: %s: larger than %u bytes\n", path, PROFILE_MAX);
			rc = EXIT_REJECTED;
			break;
		}
	if (!rc && ferror(f)) {
		fprintf(stderr, "aireg: %s: %s\n", path, strerror(errno));
		rc = EXIT_RUNTIME;
	}
	if (f != stdin)
		fclose(f);
	return rc;
}

static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (!strcmp(argv[*i], name))
		return *i + 1 < argc ? argv[++*i] : NULL;
	return NULL;
}

static bool is_opt(const char *arg, const char *name)
{
	size_t n = strlen(name);
	return !strncmp(arg, name, n) && (arg[n] == 0 || arg[n] == '=');
}

int cli_assess(int argc, char **argv)
{
	const char *profile_path = NULL, *timeline = NULL;
	struct aia_rules *rules = NULL;
	struct aia_error e;
	struct buf in, out;
	struct jsonw w;
	json_t *profile = NULL;
	json_error_t je;
	char err[512];
	int rc = EXIT_OK;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return EXIT_OK;
		} else if (is_opt(argv[i], "--profile")) {
			if (!(profile_path = opt_value(argc, argv, &i, "--profile")) || !*profile_path) {
				fprintf(stderr, "aireg: --profile needs a file\n%s", usage);
				return EXIT_USAGE;
			}
		} else if (is_opt(argv[i], "--rules")) {
			if (!(timeline = opt_value(argc, argv, &i, "--rules")) || !*timeline) {
				fprintf(stderr, "aireg: --rules needs a timeline\n%s", usage);
				return EXIT_USAGE;
			}
		} else {
			fprintf(stderr, "aireg: assess: unexpected argument \"%s\"\n%s", argv[i], usage);
			return EXIT_USAGE;
		}
	}
	if (!profile_path) {
		fprintf(stderr, "aireg: assess needs --profile FILE.json\n%s", usage);
		return EXIT_USAGE;
	}

	/* The pack is checked before the profile so that a broken build fails the same way for every
	 * input, and the timeline before the file so that a usage error wins over a bad profile. */
	if (aia_rules_load_embedded(&rules, err, sizeof err)) {
		fprintf(stderr, "aireg: rule pack: %s\n", err);
		return EXIT_RUNTIME;
	}
	if (timeline && !aia_rules_timeline(rules, timeline)) {
		fprintf(stderr, "aireg: --rules: unknown timeline \"%s\" (", timeline);
		for (size_t i = 0; i < aia_rules_timeline_count(rules); i++)
			fprintf(stderr, "%s%s", i ? ", " : "", aia_rules_timeline_name(rules, i));
		fprintf(stderr, ")\n");
		aia_rules_free(rules);
		return EXIT_USAGE;
	}

	buf_init(&in, PROFILE_MAX);
	buf_init(&out, OUTPUT_MAX);
	if ((rc = read_file(profile_path, &in)))
		goto done;
	profile = json_loadb(in.data ? in.data : "", in.len, JSON_REJECT_DUPLICATES, &je);
	if (!profile) {
		fprintf(stderr, "aireg: %s:%d:%d: %s\n", profile_path, je.line, je.column, je.text);
		rc = EXIT_REJECTED;
		goto done;
	}
	jsonw_init(&w, &out);
	switch (aia_assess_write(rules, timeline, profile, &w, &e)) {
	case 0:
		buf_putc(&out, '\n');
		if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout)) {
			fprintf(stderr, "aireg: stdout: %s\n", strerror(errno));
			rc = EXIT_RUNTIME;
		}
		break;
	case AIA_EPROFILE:
		fprintf(stderr, "aireg: %s: %s%s%s\n", profile_path, e.field, *e.field ? ": " : "", e.reason);
		rc = EXIT_REJECTED;
		break;
	case AIA_ETIMELINE:
		fprintf(stderr, "aireg: --rules: %s\n", e.reason);
		rc = EXIT_USAGE;
		break;
	default:
		fprintf(stderr, "aireg: %s\n", e.reason);
		rc = EXIT_RUNTIME;
		break;
	}
done:
	json_decref(profile);
	buf_cleanup(&in);
	buf_cleanup(&out);
	aia_rules_free(rules);
	return rc;
}
