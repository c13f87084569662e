/* hc_coef_table.h - coefficient tables as CSV and as aligned text (layer: output). */
#ifndef HC_COEF_TABLE_H
#define HC_COEF_TABLE_H

#include <stdio.h>

#include "hc_fit.h"
#include "hc_logreg.h"

/* Writes `term,estimate,std_error,z,p_value,ci_low,ci_high[,robust_se],se_used`
 * with the first term "(intercept)" and then `names` (res->p of them).
 * z, p_value and the interval use the SE that `se_used` names
 * (res->se_label: the cluster-robust one when the fit had clusters).
 * Numbers round-trip exactly; names are CSV-escaped and neutralised. */
void hc_coef_table_write_csv(FILE *f, const hc_logreg_result *res,
                             const char *const *names);

/* The churn table of a history fit as hc_coef_table_write_csv writes it,
 * with a last column `status`: "kept" for the terms of the fitted model,
 * then one row per component dropped for the wrong sign, with its
 * estimate and inference in the fit it was dropped from
 * (hc_fit_result.dropped_fit), so the interval shows how wrong the sign
 * was. */
void hc_coef_table_write_fit_csv(FILE *f, const hc_fit_result *r);

/* Prints the table aligned for a terminal or a slide: a line naming the SE
 * that z, p and the interval use, then estimate, standard error, robust
 * standard error when present, z, p, 95% interval, odds ratio; and a line
 * with n, events, deviance, AIC, iterations. */
void hc_coef_table_print(FILE *f, const hc_logreg_result *res,
                         const char *const *names);

struct json_t;

/* The table as a JSON document (src/output/coef_table_json.c): the fit's
 * "se_used", "n", "events", "deviance", "null_deviance", "aic",
 * "iterations" (and "clusters"), and "coefficients", one object per term
 * with the members of the CSV above plus "odds_ratio". A number that is
 * not finite is null. A new reference, or NULL when out of memory. */
struct json_t *hc_coef_table_to_json(const hc_logreg_result *res, const char *const *names);

/* A history fit as hc_coef_table_to_json gives its churn model (each term
 * with "status": "kept"), plus "weights" (per component: old and new
 * weight with the 95% interval, beta with its SE and interval, "status"
 * kept or dropped, a dropped one with its estimate before the drop and
 * null weight interval), "segments" (per segment of a --segments fit:
 * rows, events, churned_accounts, credibility, intercept, slope, note),
 * and the churn map, fit rows and in-sample AUC. */
struct json_t *hc_coef_table_fit_to_json(const hc_fit_result *r);

#endif
