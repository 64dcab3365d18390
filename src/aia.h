/* aia.h - the loaded rule pack: the decision tree, the assessment rules, the
 * screening indicators and the Algoritmekader. Loaded once at start (a broken
 * pack stops start-up with file, line and cause), immutable afterwards, shared
 * by every thread. */
#ifndef AIREG_AIA_H
#define AIREG_AIA_H

#include <stddef.h>

#include "aia_assess.h"
#include "aia_kader.h"
#include "aia_rules.h"
#include "aia_screen.h"
#include "aia_tree.h"

struct aia_pack {
	struct aia_tree *tree;
	struct aia_rules *rules;
	struct aia_screen *screen;
	struct aia_kader *kader;
	char version[160];  /* names every part's version: stored with each classification */
};

int aia_pack_load(char *err, size_t errlen);
/* The pack loaded by aia_pack_load, or NULL. */
const struct aia_pack *aia_pack(void);
void aia_pack_free(void);

#endif
