/* hc_coef_table.h - coefficient tables as CSV and as aligned text (layer: output). */
#ifndef HC_COEF_TABLE_H
#define HC_COEF_TABLE_H

#include <stdio.h>

#include "hc_logreg.h"

/* Writes `term,estimate,std_error,z,p_value,ci_low,ci_high[,robust_se]`
 * with the first term "(intercept)" and then `names` (res->p of them).
 * Numbers round-trip exactly; names are CSV-escaped and neutralised. */
void hc_coef_table_write_csv(FILE *f, const hc_logreg_result *res,
                             const char *const *names);

/* Prints the table aligned for a terminal or a slide: estimate, standard
 * error, robust standard error when present, z, p, 95% interval, odds
 * ratio; and a line with n, events, deviance, AIC, iterations. */
void hc_coef_table_print(FILE *f, const hc_logreg_result *res,
                         const char *const *names);

#endif
