/* cli_season.h - the text of validate's false red flags by calendar month (layer: cli). */
#ifndef HC_CLI_SEASON_H
#define HC_CLI_SEASON_H

#include <stdio.h>

#include "hc_calendar.h"

/* Prints the table of non-churning accounts flagged red per calendar month,
 * and August with December against the other months, to f. */
void cli_season_print_flags(FILE *f, const hc_calendar_flags *c);

#endif
