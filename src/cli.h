/* cli.h - CLI commands of the AI Act engine. Each takes the arguments after the
 * command name and returns an exit code (see main.c). */
#ifndef AIREG_CLI_H
#define AIREG_CLI_H

int cli_classify(int argc, char **argv);
int cli_assess(int argc, char **argv);
int cli_screen(int argc, char **argv);

#endif
