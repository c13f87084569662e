/* calendar.c - calibration by calendar month (observed and predicted churn, O/E with intervals clustered by account), and false red flags by month in accounts. */
#include "hc_calendar.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hc_date.h"
#include "hc_metrics.h"

/* The calendar month (0..11) of every row, by a table over the rows' day
 * range (snapshot dates are few: one civil conversion per distinct day). */
static unsigned char *row_months(const int32_t *date, size_t n, hc_error *err)
{
    int32_t lo = date[0], hi = date[0];
    for (size_t i = 1; i < n; i++) {
        if (date[i] < lo)
            lo = date[i];
        if (date[i] > hi)
            hi = date[i];
    }
    size_t span = (size_t)((int64_t)hi - lo) + 1;
    unsigned char *by_day = malloc(span);
    unsigned char *m = malloc(n);
    if (!by_day || !m) {
        free(by_day);
        free(m);
        hc_error_nomem(err);
        return NULL;
    }
    /* Walk the range once, a month at a time. */
    for (size_t d = 0; d < span;) {
        int y, mo, dom;
        hc_date_to_civil(lo + (int32_t)d, &y, &mo, &dom);
        int32_t next = mo == 12 ? hc_date_from_civil(y + 1, 1, 1) : hc_date_from_civil(y, mo + 1, 1);
        size_t end = (size_t)((int64_t)next - lo);
        if (end > span)
            end = span;
        memset(by_day + d, mo - 1, end - d);
        d = end;
    }
    for (size_t i = 0; i < n; i++)
        m[i] = by_day[date[i] - lo];
    free(by_day);
    return m;
}

hc_status hc_calendar_calibration(const double *y, const double *p, const int32_t *date,
                                  const int32_t *cluster, size_t n, double level,
                                  hc_calendar_result *out, hc_error *err)
{
    memset(out, 0, sizeof *out);
    out->level = level;
    for (int k = 0; k < 12; k++)
        out->month[k].month = k + 1;
    if (n == 0)
        return HC_OK;
    for (size_t i = 0; i < n; i++)
        if (!(p[i] >= 0.0 && p[i] <= 1.0) || (y[i] != 0.0 && y[i] != 1.0))
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                "row %zu: outcome %g or probability %g is not valid", i, y[i],
                                p[i]);
    long k_clusters = hc_metrics_cluster_count(cluster, n, err);
    if (k_clusters < 0)
        return HC_EUSAGE;
    unsigned char *month = row_months(date, n, err);
    if (!month)
        return HC_ENOMEM;
    size_t k = (size_t)k_clusters;
    hc_metrics_ratio_sums *rate = malloc((k ? k : 1) * sizeof *rate);
    hc_metrics_ratio_sums *oe = malloc((k ? k : 1) * sizeof *oe);
    if (!rate || !oe) {
        free(month);
        free(rate);
        free(oe);
        return hc_error_nomem(err);
    }
    hc_status st = HC_OK;
    for (int mo = 0; mo < 12 && st == HC_OK; mo++) {
        hc_calendar_month *t = &out->month[mo];
        /* Domain estimates: every account is a cluster, those without a
         * snapshot in the month with zero totals (survey's subset()). */
        memset(rate, 0, k * sizeof *rate);
        memset(oe, 0, k * sizeof *oe);
        double sum_p = 0.0;
        for (size_t i = 0; i < n; i++) {
            if (month[i] != mo)
                continue;
            hc_metrics_ratio_sums *r = &rate[cluster[i]], *q = &oe[cluster[i]];
            t->accounts += r->n == 0;
            t->rows++;
            t->churner_rows += y[i] == 1.0;
            sum_p += p[i];
            r->a += y[i];
            r->b += 1.0;
            r->aa += y[i];
            r->ab += y[i];
            r->bb += 1.0;
            r->n++;
            q->a += y[i];
            q->b += p[i];
            q->aa += y[i];
            q->ab += y[i] * p[i];
            q->bb += p[i] * p[i];
            q->n += p[i] != 0.0;
        }
        if (t->rows == 0)
            continue;
        out->months_with_rows++;
        t->predicted = sum_p / (double)t->rows;
        t->observed = (double)t->churner_rows / (double)t->rows;
        if (t->accounts < 2 || !(sum_p > 0.0))
            continue;
        hc_metrics_ratio r;
        if ((st = hc_metrics_ratio_from_sums(rate, k, level, HC_METRICS_RATIO_PROPORTION, &r,
                                             err)) != HC_OK)
            break;
        t->observed_ci_low = r.ci_low;
        t->observed_ci_high = r.ci_high;
        if ((st = hc_metrics_ratio_from_sums(oe, k, level, HC_METRICS_RATIO_POSITIVE, &r,
                                             err)) != HC_OK)
            break;
        t->oe = r.estimate;
        t->oe_ci_low = r.ci_low;
        t->oe_ci_high = r.ci_high;
        t->estimable = 1;
        /* O = 0 has no log-scale interval: it differs only when the upper
         * limit of the observed rate is below the prediction. */
        if (t->churner_rows == 0) {
            t->oe_ci_low = 0.0;
            t->oe_ci_high = t->observed_ci_high / t->predicted;
        }
        t->differs = t->oe_ci_low > 1.0 || t->oe_ci_high < 1.0;
        out->months_differ += t->differs;
    }
    free(month);
    free(rate);
    free(oe);
    return st;
}

static void flag_share(hc_calendar_flag_share *s, size_t accounts, size_t flagged,
                       double level)
{
    s->accounts = accounts;
    s->flagged = flagged;
    s->share = accounts ? (double)flagged / (double)accounts : 0.0;
    hc_metrics_wilson(flagged, accounts, level, &s->ci_low, &s->ci_high);
}

/* Bits of an (account, month) cell. */
enum { SEEN = 1, CHURN = 2, RED = 4 };

/* Adds an (account, month) cell to the counts: a non-churning account of
 * the month when seen without churn, flagged when one snapshot is red. */
static void cell_count(unsigned char c, size_t *accounts, size_t *flagged)
{
    if ((c & SEEN) && !(c & CHURN)) {
        (*accounts)++;
        *flagged += (c & RED) != 0;
    }
}

hc_status hc_calendar_false_flags(const double *y, const int32_t *band, const int32_t *date,
                                  const int32_t *cluster, size_t n, double level,
                                  hc_calendar_flags *out, hc_error *err)
{
    memset(out, 0, sizeof *out);
    out->level = level;
    for (size_t i = 0; i < n; i++)
        if ((y[i] != 0.0 && y[i] != 1.0) || cluster[i] < 0)
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                "row %zu: outcome %g or account code %d is not valid", i,
                                y[i], (int)cluster[i]);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if ((size_t)cluster[i] + 1 > k)
            k = (size_t)cluster[i] + 1;
    unsigned char *month = n ? row_months(date, n, err) : NULL;
    unsigned char *cell = calloc((k ? k : 1) * 12, 1);
    if ((n && !month) || !cell) {
        free(month);
        free(cell);
        return hc_error_nomem(err);
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char *c = &cell[(size_t)cluster[i] * 12 + month[i]];
        *c |= SEEN;
        if (y[i] == 1.0)
            *c |= CHURN;
        if (band[i] == 0)
            *c |= RED;
    }
    size_t acc[12] = {0}, fl[12] = {0}, sa = 0, sf = 0, ra = 0, rf = 0;
    for (size_t a = 0; a < k; a++)
        for (int m = 0; m < 12; m++)
            cell_count(cell[a * 12 + m], &acc[m], &fl[m]);
    for (int m = 0; m < 12; m++) {
        flag_share(&out->month[m], acc[m], fl[m], level);
        int season = m == 7 || m == 11; /* August, December */
        *(season ? &sa : &ra) += acc[m];
        *(season ? &sf : &rf) += fl[m];
    }
    flag_share(&out->season, sa, sf, level);
    flag_share(&out->rest, ra, rf, level);
    free(month);
    free(cell);
    return HC_OK;
}
