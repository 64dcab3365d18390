/* aia_assess.h - the AI Act assessment of a profile, evaluated from a rule pack.
 *
 * A profile is a JSON object of the fields defined by the pack (rules/obligations.yaml,
 * section "profile"); fields left out take their documented defaults. The assessment derives the
 * risk group, publication category, FRIA, registration route and high-risk date, lists the
 * obligations per role with the date each applies from, and traces every conclusion to the
 * profile fields and articles that led to it. All legal content comes from the pack; this module
 * is the generic evaluator. Output (written with the streaming JSON writer):
 *
 *   {"rules": {"pack", "version", "timeline", "timeline_title_nl", "timeline_title_en",
 *              "timeline_source"},
 *    "risk_group", "publication_category", "transparency": [DUTY], "fria_required",
 *    "eu_registration", "high_risk_applies_from": "YYYY-MM-DD" | null,
 *    "obligations": [DUTY], "profile": {the profile with defaults},
 *    "trace": [{"conclusion", "value", "fields": [...], "articles": [...], "because_en",
 *               "because_nl"}]}
 *   DUTY = {"id", "article", "role", "applies_from", "applies_from_source", "title_nl",
 *           "title_en", "source"}
 *
 * Thread-safe: a const pack may be shared; every call uses its own state. */
#ifndef AIREG_AIA_ASSESS_H
#define AIREG_AIA_ASSESS_H

#include <jansson.h>
#include <stddef.h>

#include "aia_rules.h"
#include "jsonw.h"

enum {
	AIA_EPROFILE = 1,   /* the profile is rejected (HTTP 422, CLI exit 3) */
	AIA_ETIMELINE = 2,  /* unknown timeline (HTTP 400, CLI exit 2) */
	AIA_EOUTPUT = 3,    /* the JSON writer failed (buffer cap) */
};

/* Why a call failed: the profile field (or "timeline") and the reason, in English. */
struct aia_error {
	char field[64];
	char reason[256];
};

/* Validates a profile under a timeline (NULL = the pack's default): shape, vocabulary and the
 * pack's constraints. Returns 0, or AIA_EPROFILE / AIA_ETIMELINE with e filled. */
int aia_profile_check(const struct aia_rules *r, const char *timeline, const json_t *profile, struct aia_error *e);

/* Assesses a valid profile and writes the assessment object to out. Returns 0, or an AIA_E*
 * status with e filled (nothing useful has been written then). */
int aia_assess_write(const struct aia_rules *r, const char *timeline, const json_t *profile, struct jsonw *out,
		     struct aia_error *e);

/* The same with the error as one line "field: reason" in err. */
int aia_assess(const struct aia_rules *r, const char *timeline, const json_t *profile, struct jsonw *out,
	       char *err, size_t errlen);

#endif
