/* report_md_season.h - summary.md's seasons section (private to src/output/report_md*.c). */
#ifndef HC_REPORT_MD_SEASON_H
#define HC_REPORT_MD_SEASON_H

#include <stdio.h>

#include "hc_report_render.h"

/* Writes `s` as Markdown-inert text (report_md.c): Markdown's specials
 * backslashed, < > & as entities, control characters as spaces. */
void hc_rmd_text(FILE *f, const char *s);

/* Writes the seasons section (O/E and false red flags by calendar month)
 * when the document shows it. */
void hc_report_md_seasons(FILE *f, const hc_report_result *res);

#endif
