/* plots_report.h - the report's own figures (headline, lead time, trend): their drawing functions, for the runner in plots_report.c (private to src/output/plots_report*.c, plots_headline.c and plots_lead_time.c). */
#ifndef HC_PLOTS_REPORT_H
#define HC_PLOTS_REPORT_H

#include "plots_internal.h"

/* The Okabe & Ito (2008) colour-blind-safe palette. */
#define HC_PR_BLUE "#0072B2"
#define HC_PR_ORANGE "#E69F00"
#define HC_PR_SKY "#56B4E9"
#define HC_PR_GREEN "#009E73"
#define HC_PR_VERMILLION "#D55E00"
#define HC_PR_PURPLE "#CC79A7"
#define HC_PR_YELLOW "#F0E442"
#define HC_PR_BLACK "#000000"

/* The colour of a band of the report's figures from the Okabe-Ito palette:
 * band 0 (the riskiest) vermillion, the top band bluish green, those
 * between orange, sky blue, purple. */
const char *hc_pr_band_colour(size_t band, size_t n_bands);

/* plots_headline.c: band_rates.csv (headline) and trend.csv (trend). */
hc_status hc_pl_draw_headline(hc_pl_ctx *c, hc_error *err);
hc_status hc_pl_draw_trend(hc_pl_ctx *c, hc_error *err);

/* plots_lead_time.c: lead_time.csv. */
hc_status hc_pl_draw_lead_time(hc_pl_ctx *c, hc_error *err);

#endif
