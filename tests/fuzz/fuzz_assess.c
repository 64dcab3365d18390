/* fuzz_assess.c - profile validation and the AI Act assessment (aia_profile_check,
 * aia_assess) of the embedded rule pack, with the profile from json_loadb as the
 * API and the CLI read it.
 *
 * The first byte picks the timeline (the pack's default, each named timeline, or
 * an unknown name); the rest is the profile's JSON. Properties: aia_profile_check
 * and aia_assess agree on acceptance and on the error kind; an accepted profile
 * gives a JSON object (strict) with the documented top-level keys, and assessing it
 * twice gives the same bytes; a refusal names a field and a reason. */
#include <jansson.h>

#include "aia.h"
#include "fuzz.h"

static const char *const keys[] = {"rules", "risk_group", "publication_category", "transparency", "fria_required",
				   "eu_registration", "high_risk_applies_from", "obligations", "profile", "trace"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct aia_rules *rules;
	char err[512];
	if (!rules) {
		if (aia_pack_load(err, sizeof err)) {
			fprintf(stderr, "aia_pack_load: %s\n", err);
			abort();
		}
		rules = aia_pack()->rules;
	}
	if (size < 1)
		return 0;
	size_t ntl = aia_rules_timeline_count(rules), pick = data[0] % (ntl + 2);
	const char *timeline = pick == 0 ? NULL : pick <= ntl ? aia_rules_timeline_name(rules, pick - 1) : "no-such-timeline";
	json_error_t je;
	json_t *profile = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (!profile)
		return 0;

	struct aia_error e1 = {{0}, {0}};
	int check = aia_profile_check(rules, timeline, profile, &e1);
	struct buf b, b2;
	struct jsonw w;
	buf_init(&b, 0);
	jsonw_init(&w, &b);
	err[0] = '\0';
	int rc = aia_assess(rules, timeline, profile, &w, err, sizeof err);
	FUZZ_CHECK(rc == check, "aia_assess %d, aia_profile_check %d (%s)", rc, check, err);
	if (rc) {
		FUZZ_CHECK(rc == AIA_EPROFILE || rc == AIA_ETIMELINE, "status %d", rc);
		FUZZ_CHECK(*e1.reason && *err, "a refusal without a reason");
		FUZZ_CHECK(rc != AIA_ETIMELINE || pick > ntl, "a known timeline refused: %s", err);
		goto out;
	}
	FUZZ_CHECK(pick <= ntl, "an unknown timeline accepted");
	FUZZ_CHECK(!jsonw_error(&w), "writer error");
	json_t *doc = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(doc)) {
		fuzz_dump("assessment", b.data, b.len);
		FUZZ_CHECK(0, "the assessment is not a JSON object: %s", doc ? "" : je.text);
	}
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		FUZZ_CHECK(json_object_get(doc, keys[i]), "no \"%s\" in the assessment", keys[i]);
	json_decref(doc);
	buf_init(&b2, 0);
	jsonw_init(&w, &b2);
	FUZZ_CHECK(aia_assess(rules, timeline, profile, &w, err, sizeof err) == 0, "second assessment refused");
	FUZZ_CHECK(b.len == b2.len && !memcmp(b.data, b2.data, b.len), "two assessments of one profile differ");
	buf_cleanup(&b2);
out:
	buf_cleanup(&b);
	json_decref(profile);
	return 0;
}
