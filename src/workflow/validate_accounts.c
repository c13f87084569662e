/* validate_accounts.c - the band table in accounts: each account's churned ARR and first churn day from its churn events, the account tallies and lead times of a validation. */
#include "hc_validate.h"

#include <math.h>
#include <stdlib.h>

hc_status hc_validate_churn_amounts(const hc_history *h, double **out, hc_error *err)
{
    *out = NULL;
    if (!h->has_events)
        return HC_OK;
    const hc_events *e = &h->events;
    size_t k = h->snapshots.n_accounts;
    double *a = malloc((k ? k : 1) * sizeof *a);
    if (!a)
        return hc_error_nomem(err);
    for (size_t i = 0; i < k; i++) {
        a[i] = NAN;
        if (i >= e->n_accounts)
            continue;
        /* Events are sorted by account, then date and line: the first
         * churn is the one hc_labels_build labels the rows with (later
         * ones are repeat churn events, which label nothing). */
        for (uint32_t j = e->account_start[i]; j < e->account_start[i + 1]; j++)
            if (e->type[j] == HC_EVENT_CHURN) {
                a[i] = e->amount[j];
                break;
            }
    }
    *out = a;
    return HC_OK;
}

hc_status hc_validate_churn_days(const hc_history *h, int32_t **out, hc_error *err)
{
    *out = NULL;
    if (!h->has_events)
        return HC_OK;
    const hc_events *e = &h->events;
    size_t k = h->snapshots.n_accounts;
    int32_t *d = malloc((k ? k : 1) * sizeof *d);
    if (!d)
        return hc_error_nomem(err);
    for (size_t i = 0; i < k; i++) {
        d[i] = HC_LEAD_TIME_NONE;
        for (uint32_t j = i < e->n_accounts ? e->account_start[i] : 0;
             i < e->n_accounts && j < e->account_start[i + 1]; j++)
            if (e->type[j] == HC_EVENT_CHURN) {
                d[i] = e->date[j];
                break;
            }
    }
    *out = d;
    return HC_OK;
}

hc_status hc_validate_band_accounts(const hc_validate_input *in, hc_validate_result *res,
                                    hc_error *err)
{
    hc_metrics_bands_accounts_release(&res->band_accounts);
    res->has_band_accounts = 0;
    if (!in->band || !in->n_bands || !in->account)
        return HC_OK;
    hc_status st = hc_metrics_bands_accounts(in->band, in->y, in->account, in->date, in->arr,
                                             in->churned_amount, in->n_accounts, in->n,
                                             in->n_bands, &res->band_accounts, err);
    if (st != HC_OK)
        return st;
    res->has_band_accounts = 1;
    res->has_lead_time = 0;
    if (in->date && in->churn_day && in->n_bands >= 2 && in->n_accounts) {
        if ((st = hc_lead_time_compute(in->band, in->date, in->account, in->n, in->churn_day,
                                       in->n_accounts, in->n_bands, &res->lead_time, err)) !=
            HC_OK)
            return st;
        res->has_lead_time = 1;
    }
    return HC_OK;
}
