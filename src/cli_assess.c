/* Not implemented yet (issue 3): the command exists so that the CLI is wired; it fails honestly. */
#include <stdio.h>
#include "cli.h"
int cli_assess(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "aireg: assess is not built yet\n");
	return 1;
}
