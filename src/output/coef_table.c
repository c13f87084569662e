/* coef_table.c - writing and printing logistic-regression coefficient tables. */
#include "hc_coef_table.h"
#include "hc_csv.h"

void hc_coef_table_write_csv(FILE *f, const hc_logreg_result *res,
                             const char *const *names)
{
    fputs("term,estimate,std_error,z,p_value,ci_low,ci_high", f);
    fputs(res->robust_se ? ",robust_se\n" : "\n", f);
    for (size_t j = 0; j <= res->p; j++) {
        hc_csv_write_text(f, j == 0 ? "(intercept)" : names[j - 1]);
        const double v[] = {res->coef[j], res->se[j], res->z[j], res->p_value[j],
                            res->ci_low[j], res->ci_high[j]};
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
            putc(',', f);
            hc_csv_write_num(f, v[i]);
        }
        if (res->robust_se) {
            putc(',', f);
            hc_csv_write_num(f, res->robust_se[j]);
        }
        putc('\n', f);
    }
}

void hc_coef_table_print(FILE *f, const hc_logreg_result *res,
                         const char *const *names)
{
    fprintf(f, "%-22s %12s %11s", "term", "estimate", "std.error");
    if (res->robust_se)
        fprintf(f, " %11s", "robust.se");
    fprintf(f, " %8s %10s %25s %11s\n", "z", "p", "95% interval", "odds.ratio");
    for (size_t j = 0; j <= res->p; j++) {
        fprintf(f, "%-22.22s %12.6g %11.4g", j == 0 ? "(intercept)" : names[j - 1],
                res->coef[j], res->se[j]);
        if (res->robust_se)
            fprintf(f, " %11.4g", res->robust_se[j]);
        char ci[64];
        snprintf(ci, sizeof ci, "[%.4g, %.4g]", res->ci_low[j], res->ci_high[j]);
        fprintf(f, " %8.3f %10.3g %25s %11.4g\n", res->z[j], res->p_value[j], ci,
                res->odds_ratio[j]);
    }
    fprintf(f, "n = %zu, events = %zu, deviance = %.6g (null %.6g), AIC = %.6g, "
               "iterations = %d",
            res->n, res->n_events, res->deviance, res->null_deviance, res->aic,
            res->iterations);
    if (res->robust_se)
        fprintf(f, ", clusters = %zu (robust SE: CR1)", res->n_clusters);
    fputc('\n', f);
}
