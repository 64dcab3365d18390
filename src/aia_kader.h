/* aia_kader.h - requirements ("vereisten") and measures ("maatregelen") of the
 * Algoritmekader, and which of them apply to an algorithm.
 *
 * Data: rules/algoritmekader/index.json (the YAML front matter of the
 * Algoritmekader's Markdown files, as JSON) and rules/algoritmekader/pack.json
 * (aireg's pin: the source commit, the always-applicable flags of the
 * task-registry, the reviewed dangling links). Both are embedded; see
 * docs/algoritmekader.md for the semantics and rules/algoritmekader/SOURCE.md
 * for the sources.
 *
 * URNs are not stable across Algoritmekader versions (measures were renumbered),
 * so every requirement and measure carries the commit it was read from
 * (struct aia_kader.commit); store that commit next to any URN you keep.
 *
 * A requirement applies to a profile when
 *   (it is always applicable, or every non-empty facet filter of it shares a value
 *    with the profile)
 *   and none of its "uitzondering" expressions holds for the profile.
 * A facet the profile does not give ("unset") passes every filter, as on the
 * Algoritmekader's own site, but makes no exception label true.
 *
 * Connecting the AI Act engine (the assess output) to the facets; the parsers
 * below accept both spellings:
 *   type            "AI-systeem"                          -> ai-systeem
 *                   "AI-systeem voor algemene doeleinden"  -> ai-systeem-voor-algemene-doeleinden
 *                   "AI-model voor algemene doeleinden"    -> ai-model-voor-algemene-doeleinden
 *                   "impactvol algoritme", "niet-impactvol algoritme", "none", null
 *                                                          -> AIA_KADER_TYPE_ALGORITHM (not AI)
 *                   "geen algoritme"                       -> AIA_KADER_TYPE_NOT_ALGORITHM (nothing applies)
 *   risk_group      "verboden AI"                 -> verboden-ai
 *                   "hoog-risico AI"              -> hoog-risico-ai-systeem
 *                   "geen hoog-risico AI"         -> geen-hoog-risico-ai-systeem
 *                   "uitzondering van toepassing" -> uitzondering-van-toepassing
 *                   "niet van toepassing"         -> niet-van-toepassing
 *   transparency    "transparantieverplichting" / "geen transparantieverplichting" /
 *                   "niet van toepassing" (or true / false)
 *   systemic_risk   "systeemrisico" / "geen systeemrisico" / "niet van toepassing" (or true / false)
 *   open_source     "open-source" / "geen open-source" / "niet van toepassing" (or true / false)
 *   roles           ["aanbieder", "gebruiksverantwoordelijke", "importeur", "distributeur"]
 *
 * Everything here is immutable after loading and may be shared by threads. */
#ifndef AIREG_AIA_KADER_H
#define AIREG_AIA_KADER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jsonw.h"

/* The six AI Act facets of the front matter, in this order. */
enum aia_kader_facet {
	AIA_KADER_SOORT,    /* soort-toepassing */
	AIA_KADER_RISICO,   /* risicogroep */
	AIA_KADER_ROL,      /* rol-ai-act */
	AIA_KADER_TRANSP,   /* transparantieverplichting */
	AIA_KADER_SYSRISK,  /* systeemrisico */
	AIA_KADER_OPENSRC,  /* open-source */
	AIA_KADER_NFACETS
};

enum aia_kader_type {
	AIA_KADER_TYPE_UNSET = 0,      /* refused by aia_kader_derive */
	AIA_KADER_TYPE_AI_SYSTEM,      /* ai-systeem */
	AIA_KADER_TYPE_GPAI_SYSTEM,    /* ai-systeem-voor-algemene-doeleinden */
	AIA_KADER_TYPE_GPAI_MODEL,     /* ai-model-voor-algemene-doeleinden */
	AIA_KADER_TYPE_ALGORITHM,      /* an algorithm that is not AI */
	AIA_KADER_TYPE_NOT_ALGORITHM,  /* not an algorithm at all */
};

enum aia_kader_risk {
	AIA_KADER_RISK_UNSET = 0,
	AIA_KADER_RISK_PROHIBITED,     /* verboden-ai */
	AIA_KADER_RISK_HIGH,           /* hoog-risico-ai-systeem */
	AIA_KADER_RISK_NOT_HIGH,       /* geen-hoog-risico-ai-systeem */
	AIA_KADER_RISK_EXCEPTION,      /* uitzondering-van-toepassing (outside the AI Act) */
	AIA_KADER_RISK_NA,             /* niet-van-toepassing */
};

/* Roles: a bit set. */
#define AIA_KADER_ROLE_PROVIDER    0x1u  /* aanbieder */
#define AIA_KADER_ROLE_DEPLOYER    0x2u  /* gebruiksverantwoordelijke */
#define AIA_KADER_ROLE_IMPORTER    0x4u  /* importeur */
#define AIA_KADER_ROLE_DISTRIBUTOR 0x8u  /* distributeur */

/* transparency, systemic_risk and open_source. */
enum aia_kader_tri {
	AIA_KADER_UNSET = 0,
	AIA_KADER_YES,   /* transparantieverplichting / systeemrisico / open-source */
	AIA_KADER_NO,    /* geen-transparantieverplichting / geen-systeemrisico / geen-open-source */
	AIA_KADER_NA,    /* niet-van-toepassing */
};

/* The input of aia_kader_derive. Zero-initialised means "nothing given". */
struct aia_kader_facets {
	enum aia_kader_type type;
	enum aia_kader_risk risk_group;
	unsigned roles;                    /* AIA_KADER_ROLE_* */
	enum aia_kader_tri transparency;
	enum aia_kader_tri systemic_risk;
	enum aia_kader_tri open_source;
};

struct aia_kader_req;

struct aia_kader_measure {
	char *urn;                          /* urn:nl:ak:mtr:... */
	char *title;
	char *slug;                         /* file name without .md */
	const char *version;                /* = aia_kader.commit */
	size_t nreqs;                       /* the requirements it serves (its vereiste list, resolved) */
	const struct aia_kader_req **reqs;
};

struct aia_kader_req {
	char *urn;                          /* urn:nl:ak:ver:... */
	char *title;
	char *slug;                         /* file name without .md, what measures link to */
	const char *version;                /* = aia_kader.commit */
	uint8_t filter[AIA_KADER_NFACETS];  /* per facet a bit set of values (aia_kader_value); 0 = no filter */
	bool always;                        /* always applicable (pack.json) */
	size_t nexcept;                     /* uitzondering: validated expressions */
	char **except;
	size_t nmeasures;                   /* the measures that name it, in index order */
	const struct aia_kader_measure **measures;
};

struct aia_kader {
	char *repository;                   /* MinBZK/Algoritmekader */
	char *commit;                       /* the pinned commit: the version of every URN */
	char *content_commit;               /* last change of the vereisten/maatregelen */
	char *aa_repository, *aa_commit;    /* where the always-applicable flags come from */
	size_t nreqs;
	struct aia_kader_req *reqs;
	size_t nmeasures;
	struct aia_kader_measure *measures;
	size_t nlinks;                      /* resolved measure -> requirement links */
	size_t nwarnings;                   /* reviewed dangling links, duplicate links */
	char **warnings;
};

/* Loads and validates. name_index/name_pack name the texts in messages. On error
 * returns -1 with "NAME: where: cause" in err (a missing id or title, an unknown
 * facet value, an invalid uitzondering, a measure linking to a slug that names no
 * requirement - with the measure's URN - unless pack.json lists the link as
 * known, an always-applicable URN that is not in the index, ...). */
int aia_kader_load(const char *name_index, const char *index_json, size_t index_len, const char *name_pack,
		   const char *pack_json, size_t pack_len, struct aia_kader **out, char *err, size_t errlen);

/* Loads the embedded rules/algoritmekader/index.json and pack.json. */
int aia_kader_load_embedded(struct aia_kader **out, char *err, size_t errlen);

void aia_kader_free(struct aia_kader *k);

/* Lookups by URN; NULL when absent. */
const struct aia_kader_req *aia_kader_req_find(const struct aia_kader *k, const char *urn);
const struct aia_kader_measure *aia_kader_measure_find(const struct aia_kader *k, const char *urn);

/* The front-matter key of a facet ("risicogroep"), and the slug of value bit i of
 * it ("hoog-risico-ai-systeem"), or NULL past the last value. */
const char *aia_kader_facet_key(enum aia_kader_facet f);
const char *aia_kader_value(enum aia_kader_facet f, unsigned i);

/* Reads facets from a JSON object with the keys type (required), risk_group,
 * roles, transparency, systemic_risk, open_source (absent or null = not given),
 * in either spelling listed at the top. Returns 0, or -1 with "field: cause" in
 * err (unknown key or value, wrong JSON type). Checks no combinations: derive does. */
int aia_kader_facets_from_json(const json_t *obj, struct aia_kader_facets *out, char *err, size_t errlen);

/* Why one facet filter passed. */
struct aia_kader_why {
	uint8_t matched;   /* filter values the profile has (bits as in filter) */
	bool unset;        /* the profile does not give the facet: any value passes */
};

struct aia_kader_hit {
	const struct aia_kader_req *req;
	bool always;                              /* applies as always applicable */
	struct aia_kader_why why[AIA_KADER_NFACETS]; /* when !always */
};

/* A requirement whose filters passed but which one of its uitzondering
 * expressions excludes. */
struct aia_kader_excluded {
	const struct aia_kader_req *req;
	const char *expr;                         /* the expression that holds */
};

struct aia_kader_result {
	struct aia_kader_facets facets;           /* the input with the defaults filled in */
	size_t n;                                 /* applicable requirements, in index order */
	struct aia_kader_hit *hits;
	size_t nexcluded;
	struct aia_kader_excluded *excluded;
};

/* Derives the applicable requirements. Before matching it fills in what the type
 * decides: an AI system has no systemic risk (niet-van-toepassing); a GPAI model
 * has no risk group and no transparency obligation (niet-van-toepassing). Returns
 * 0, or -1 with "field: cause" in err and out empty for impossible profiles: no
 * type; an AI type without roles; an AI system without risk_group; a non-AI
 * algorithm with an AI-only value; a systemic risk for an AI system; a risk group
 * or transparency obligation for a GPAI model. The caller cleans up out. */
int aia_kader_derive(const struct aia_kader *k, const struct aia_kader_facets *f, struct aia_kader_result *out,
		     char *err, size_t errlen);

void aia_kader_result_cleanup(struct aia_kader_result *r);

/* Writes the result as one JSON object:
 *   {"source": {"repository", "commit", "content_commit"},
 *    "profile": {"type", "risk_group", "roles", "transparency", "systemic_risk", "open_source"},
 *    "requirements": [{"urn", "title", "version", "basis": "always_applicable" | "filters",
 *                      "matched": {facet key: [values] | null (not given)},   (basis "filters")
 *                      "measures": [{"urn", "title", "version"}]}],
 *    "excluded": [{"urn", "title", "version", "uitzondering"}]}
 * Slugs throughout; null for facets not given. */
void aia_kader_result_write(const struct aia_kader *k, const struct aia_kader_result *r, struct jsonw *w);

/* Evaluates one uitzondering expression for facets f (exposed for tests): bare or
 * quoted labels "<facet key>-<value>", !, &&, || and parentheses. Returns 1 or 0,
 * or -1 with the cause in err for a malformed expression or an unknown label. */
int aia_kader_expr_eval(const char *expr, const struct aia_kader_facets *f, char *err, size_t errlen);

#endif
