/* metrics_bands_accounts.c - per-band tallies in accounts rather than snapshots: accounts visited and as of their latest row, churned accounts, ARR once per account, churned ARR from the churn amounts. */
#include "hc_metrics.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NONE SIZE_MAX

void hc_metrics_bands_accounts_release(hc_metrics_bands_accounts_result *res)
{
    if (!res)
        return;
    free(res->bands);
    res->bands = NULL;
    res->n_bands = 0;
}

static hc_status check_rows(const int32_t *band, const double *y, const int32_t *account,
                            const double *arr, size_t n, size_t n_bands, size_t *k,
                            hc_error *err)
{
    size_t max_code = 0;
    for (size_t i = 0; i < n; i++) {
        if (band[i] < 0 || (size_t)band[i] >= n_bands)
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "row %zu has band %d, outside 0..%zu", i, band[i],
                                n_bands - 1);
        if (y[i] != 0.0 && y[i] != 1.0)
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "outcome of row %zu is %g, not 0 or 1", i, y[i]);
        if (account[i] < 0 || (*k && (size_t)account[i] >= *k))
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "row %zu has account code %d, outside 0..%zu", i,
                                account[i], *k ? *k - 1 : (size_t)INT32_MAX);
        if ((size_t)account[i] > max_code)
            max_code = (size_t)account[i];
        if (arr && !(isfinite(arr[i]) && arr[i] >= 0.0))
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "ARR of row %zu is %g: it must be a finite amount >= 0", i,
                                arr[i]);
    }
    if (!*k)
        *k = n ? max_code + 1 : 0;
    return HC_OK;
}

/* Row i is a later snapshot of its account than row j (j < i, or NONE). */
static int later(const int32_t *date, size_t i, size_t j)
{
    return j == NONE || !date || date[i] >= date[j];
}

hc_status hc_metrics_bands_accounts(const int32_t *band, const double *y,
                                    const int32_t *account, const int32_t *date,
                                    const double *arr, const double *churned_amount,
                                    size_t n_accounts, size_t n, size_t n_bands,
                                    hc_metrics_bands_accounts_result *out, hc_error *err)
{
    memset(out, 0, sizeof *out);
    if (n_bands == 0)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0, "at least one band is needed");
    if (churned_amount && n_accounts == 0)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "churned amounts need the number of accounts");
    if (n == 0 || !band || !y || !account)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0, "no rows to tally by band");
    size_t k = n_accounts;
    hc_status st = check_rows(band, y, account, arr, n, n_bands, &k, err);
    if (st != HC_OK)
        return st;
    for (size_t a = 0; churned_amount && a < k; a++)
        if (!isnan(churned_amount[a]) && !(isfinite(churned_amount[a]) &&
                                           churned_amount[a] >= 0.0))
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "churned amount of account %zu is %g: it must be a finite "
                                "amount >= 0 (or unknown)", a, churned_amount[a]);
    /* Per account: its latest row, its latest churner row, and its latest
     * row in each band (row indexes, NONE for none). */
    size_t *last = malloc((k ? k : 1) * (n_bands + 2) * sizeof *last);
    hc_metrics_band_accounts *b = calloc(n_bands, sizeof *b);
    if (!last || !b) {
        free(last);
        free(b);
        return hc_error_nomem(err);
    }
    size_t *last_churn = last + k, *last_band = last + 2 * k;
    for (size_t j = 0; j < k * (n_bands + 2); j++)
        last[j] = NONE;
    for (size_t i = 0; i < n; i++) {
        size_t a = (size_t)account[i];
        size_t *lb = &last_band[a * n_bands + (size_t)band[i]];
        if (later(date, i, last[a]))
            last[a] = i;
        if (later(date, i, *lb))
            *lb = i;
        if (y[i] == 1.0 && later(date, i, last_churn[a]))
            last_churn[a] = i;
    }
    /* Sums in account order, so the result does not depend on threads or
     * on how the rows were ordered. */
    for (size_t a = 0; a < k; a++) {
        if (last[a] == NONE)
            continue;
        out->accounts++;
        hc_metrics_band_accounts *t = &b[band[last[a]]];
        double v = arr ? arr[last[a]] : 0.0;
        t->accounts_latest++;
        t->arr_latest += v;
        out->arr_latest += v;
        for (size_t q = 0; q < n_bands; q++) {
            size_t r = last_band[a * n_bands + q];
            if (r == NONE)
                continue;
            b[q].accounts++;
            b[q].arr += arr ? arr[r] : 0.0;
        }
        size_t r = last_churn[a];
        if (r == NONE)
            continue;
        t = &b[band[r]];
        double c = churned_amount ? churned_amount[a] : NAN;
        if (isnan(c)) {
            c = arr ? arr[r] : 0.0;
            t->churned_from_arr++;
            out->churned_from_arr++;
        } else {
            t->churned_with_amount++;
            out->churned_with_amount++;
        }
        t->churned_accounts++;
        t->churned_arr += c;
        out->churned_accounts++;
        out->churned_arr += c;
    }
    free(last);
    out->n_bands = n_bands;
    out->bands = b;
    out->n = n;
    out->has_arr = arr != NULL;
    out->has_amounts = churned_amount != NULL;
    return HC_OK;
}
