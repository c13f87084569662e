/* coef_table.c - writing and printing logistic-regression coefficient tables. */
#include "hc_coef_table.h"
#include "hc_csv.h"

static void csv_header(FILE *f, const hc_logreg_result *res, int status)
{
    fputs("term,estimate,std_error,z,p_value,ci_low,ci_high", f);
    fputs(res->robust_se ? ",robust_se,se_used" : ",se_used", f);
    fputs(status ? ",status\n" : "\n", f);
}

/* One row: the numbers, then the label of the SE that z, p and the
 * interval use, then the status when given. */
static void csv_row(FILE *f, const char *term, const double *v, int robust,
                    double robust_se, const char *se_used, const char *status)
{
    hc_csv_write_text(f, term);
    for (size_t i = 0; i < 6; i++) {
        putc(',', f);
        hc_csv_write_num(f, v[i]);
    }
    if (robust) {
        putc(',', f);
        hc_csv_write_num(f, robust_se);
    }
    putc(',', f);
    hc_csv_write_text(f, se_used);
    if (status) {
        putc(',', f);
        hc_csv_write_text(f, status);
    }
    putc('\n', f);
}

static void csv_terms(FILE *f, const hc_logreg_result *res,
                      const char *const *names, const char *status)
{
    for (size_t j = 0; j <= res->p; j++) {
        const double v[] = {res->coef[j], res->se[j], res->z[j], res->p_value[j],
                            res->ci_low[j], res->ci_high[j]};
        csv_row(f, j == 0 ? "(intercept)" : names[j - 1], v, res->robust_se != NULL,
                res->robust_se ? res->robust_se[j] : 0, res->se_label, status);
    }
}

void hc_coef_table_write_csv(FILE *f, const hc_logreg_result *res,
                             const char *const *names)
{
    csv_header(f, res, 0);
    csv_terms(f, res, names, NULL);
}

void hc_coef_table_write_fit_csv(FILE *f, const hc_fit_result *r)
{
    const hc_logreg_result *res = &r->churn;
    const char *names[256];
    for (size_t j = 0; j < r->n_kept && j < 256; j++)
        names[j] = r->tuned->components[r->kept[j]].name;
    csv_header(f, res, 1);
    csv_terms(f, res, names, "kept");
    for (size_t c = 0; c < r->n_components; c++) {
        if (!r->dropped[c])
            continue;
        const hc_fit_dropped *d = &r->dropped_fit[c];
        const double v[] = {d->estimate, d->std_error, d->z, d->p_value, d->ci_low,
                            d->ci_high};
        char status[80];
        snprintf(status, sizeof status,
                 "dropped: wrong sign (refit step %zu; estimate before the drop)",
                 d->step);
        csv_row(f, r->tuned->components[c].name, v, res->robust_se != NULL,
                d->robust_se, res->se_label, status);
    }
}

void hc_coef_table_print(FILE *f, const hc_logreg_result *res,
                         const char *const *names)
{
    fprintf(f, "se: %s; z, p and the 95%% interval use it\n", res->se_label);
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
