/* aia.c - the rule pack as one loaded whole. */
#include <stdio.h>
#include <string.h>

#include "aia.h"
#include "util.h"

static struct aia_pack pack;
static bool loaded;

int aia_pack_load(char *err, size_t errlen)
{
	if (loaded)
		return 0;
	if (aia_tree_load_embedded(&pack.tree, err, errlen) || aia_rules_load_embedded(&pack.rules, err, errlen) ||
	    aia_screen_load_embedded(&pack.screen, err, errlen) || aia_kader_load_embedded(&pack.kader, err, errlen)) {
		aia_pack_free();
		return -1;
	}
	snprintf(pack.version, sizeof pack.version, "%s %s; beslishulp %s; screening %s", aia_rules_id(pack.rules),
		 aia_rules_version(pack.rules), pack.tree->version, aia_screen_version(pack.screen));
	loaded = true;
	return 0;
}

const struct aia_pack *aia_pack(void)
{
	return loaded ? &pack : NULL;
}

void aia_pack_free(void)
{
	aia_tree_free(pack.tree);
	aia_rules_free(pack.rules);
	aia_screen_free(pack.screen);
	aia_kader_free(pack.kader);
	memset(&pack, 0, sizeof pack);
	loaded = false;
}
