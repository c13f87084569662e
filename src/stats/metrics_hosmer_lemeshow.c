/* metrics_hosmer_lemeshow.c - the Hosmer-Lemeshow goodness-of-fit test over groups cut at quantiles of p, as ResourceSelection::hoslem.test. */
#include "hc_metrics.h"
#include "metrics_calibration.h"
#include "ranking.h"

#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

hc_status hc_metrics_hosmer_lemeshow(const double *y, const double *p,
                                     size_t n, size_t g, hc_metrics_hl *out,
                                     hc_error *err)
{
    return hc_metrics_hl_ranked(y, p, NULL, n, g, out, err);
}

hc_status hc_metrics_hl_ranked(const double *y, const double *p,
                               const hc_metrics_ranked *ranked, size_t n, size_t g,
                               hc_metrics_hl *out, hc_error *err)
{
    memset(out, 0, sizeof *out);
    if (g == 0)
        g = 10;
    if (g < 3 || g > 1000)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "Hosmer-Lemeshow needs 3 to 1000 groups, not %zu",
                            g);
    hc_status st = hc_metrics_check(y, p, n, 1, 0, "predicted probability",
                                    err);
    if (st)
        return st;
    double *s = malloc(n * sizeof *s);
    double *brk = malloc((g + 1) * sizeof *brk);
    double *acc = calloc(4 * g, sizeof *acc); /* O0, O1, E0, E1 per group */
    size_t *cnt = calloc(g, sizeof *cnt);
    if (!s || !brk || !acc || !cnt) {
        st = hc_error_nomem(err);
        goto done;
    }
    hc_ranking_values(p, ranked, n, s);
    /* breaks = unique(quantile(p, seq(0, 1, 1/g))); R's seq() gives
     * k * (1/g). */
    size_t nb = 0;
    for (size_t k = 0; k <= g; k++) {
        double q = hc_metrics_quantile_sorted(s, n, (double)k * (1.0 / (double)g));
        if (nb == 0 || q != brk[nb - 1])
            brk[nb++] = q;
    }
    if (nb < 2) {
        st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                          "Hosmer-Lemeshow: all %zu predictions equal %g, "
                          "so there are no groups to compare", n, p[0]);
        goto done;
    }
    /* cut(p, breaks, include.lowest = TRUE): (b_k, b_k+1], with p = b_0 in
     * the first group. */
    for (size_t i = 0; i < n; i++) {
        size_t lo = 0, hi = nb - 1; /* find the first break >= p */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (brk[mid] < p[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t k = lo == 0 ? 0 : lo - 1;
        cnt[k]++;
        acc[4 * k] += 1.0 - y[i];
        acc[4 * k + 1] += y[i];
        acc[4 * k + 2] += 1.0 - p[i];
        acc[4 * k + 3] += p[i];
    }
    double chi2 = 0.0;
    size_t groups = 0;
    for (size_t k = 0; k + 1 < nb; k++) {
        if (cnt[k] == 0) /* hoslem.test would give NaN; no rows, no term */
            continue;
        groups++;
        double *a = &acc[4 * k];
        if (!(a[2] > 0.0) || !(a[3] > 0.0)) {
            st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                              "Hosmer-Lemeshow is not estimable: group %zu of predictions "
                              "has an expected count of 0 (predictions all "
                              "0 or all 1)", k + 1);
            goto done;
        }
        chi2 += (a[0] - a[2]) * (a[0] - a[2]) / a[2] +
                (a[1] - a[3]) * (a[1] - a[3]) / a[3];
    }
    out->n_groups = groups;
    /* The degrees of freedom are those of the groups actually formed:
     * with tied predictions the quantile breaks merge and fewer than g
     * groups remain (hoslem.test keeps g - 2, which overstates the df and
     * so the p-value). Fewer than 3 groups leave no degree of freedom. */
    if (groups < 3) {
        st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                          "Hosmer-Lemeshow is not estimable: tied predictions "
                          "leave %zu group%s (it needs at least 3)", groups,
                          groups == 1 ? "" : "s");
        goto done;
    }
    out->chi2 = chi2;
    out->df = (int)groups - 2;
    out->p_value = gsl_cdf_chisq_Q(chi2, (double)out->df);
done:
    free(s);
    free(brk);
    free(acc);
    free(cnt);
    if (st) { /* only the group count survives an error (for the caller's words) */
        size_t groups_kept = out->n_groups;
        memset(out, 0, sizeof *out);
        out->n_groups = groups_kept;
    }
    return st;
}
