/* hc_provenance.h - which rows a tuned config was fitted on, and whether rows being evaluated overlap them (layer: workflows).
 *
 * A config fitted on a history and then validated on the same rows looks
 * better than it will do on new ones: its weights were chosen to fit those
 * outcomes. So `fit` and `report` record, in the tuned config's provenance,
 * a fingerprint of the observation rows the fit used ("fit_rows"), and
 * `validate` and `backtest` compare the rows they evaluate with it: a
 * validation on overlapping rows is labelled in-sample, and a backtest
 * whose test periods overlap them is refused unless --allow-in-sample.
 *
 * The fingerprint. A row's key is a 64-bit hash (FNV-1a, then the
 * splitmix64 finaliser) of its account id, its snapshot date and the bits
 * of the values of the config's first HC_PROVENANCE_KEY_METRICS metric
 * columns in that row, so two histories that share account ids and dates
 * but not values (two simulations, say) do not match (two columns, not
 * all: the key costs a fit on ten million rows about 0.05 s, not 0.2). The config keeps the observation rows' first and last dates, their
 * count, and the HC_PROVENANCE_SKETCH smallest keys (a bottom-k sketch;
 * Broder 1997): every key when there are fewer rows. The share of
 * evaluated rows that were fitted is estimated from the evaluated rows
 * whose key is at most the sketch's largest key (each row fitted or not
 * falls there with the same chance): the share of those found in the
 * sketch, exact when the sketch holds every fitted key.
 *
 * The rule. The evaluated observation rows dated inside the fit's date
 * range are compared; the evaluation is in-sample when the estimated
 * fitted rows are at least HC_PROVENANCE_MIN_SHARE of all evaluated rows
 * (so a later export that repeats a few old weeks is not flagged, one that
 * is mostly the fit's own rows is). When none of the evaluated rows'
 * keys falls at or below the sketch's largest key (a small evaluation
 * against a very large fit), they are not taken as fitted: with 3 or more
 * such keys expected were they fitted, seeing none says they were not
 * (share_estimated, share 0); with fewer, there is too little to tell, and
 * a refusal needs evidence (share_estimated 0).
 */
#ifndef HC_PROVENANCE_H
#define HC_PROVENANCE_H

#include <stddef.h>
#include <stdint.h>

#include "hc_error.h"
#include "hc_model.h"
#include "hc_observations.h"

#define HC_PROVENANCE_SKETCH 256
#define HC_PROVENANCE_MIN_SHARE 0.10
#define HC_PROVENANCE_KEY_METRICS 2

struct json_t;

/* The "fit_rows" object of the observation rows of `h` under the
 * metric columns of `m`: {"first_date", "last_date", "rows", "sketch":
 * [16-hex-digit keys, ascending], "method"}. NULL when out of memory or
 * when `h` has no observation. */
struct json_t *hc_provenance_fit_rows(const hc_model *m, const hc_history *h);

typedef struct {
    int known;               /* the config records its fit rows */
    int in_sample;           /* the rule above holds */
    int share_estimated;     /* share below is an estimate (else unknown) */
    int32_t fit_first, fit_last;  /* the fit's observation dates */
    size_t fit_rows;
    size_t evaluated_rows;   /* observations dated from..to */
    size_t overlap_rows;     /* of those, dated inside fit_first..fit_last */
    int32_t overlap_first, overlap_last;
    size_t compared;         /* of those, rows at or below the sketch's largest key */
    double share;            /* share of the compared rows that were fitted */
    double fitted_share;     /* estimated share of the evaluated rows fitted:
                                share x overlap_rows / evaluated_rows */
    char text[600];          /* the finding in words ("" when not in-sample) */
} hc_provenance_overlap;

/* Compares the observation rows of `h` dated from..to (HC_DATE_MISSING:
 * open) with the fit rows recorded in m's provenance. A config without
 * them gives known = 0 and HC_OK; a malformed fit_rows object is HC_EDATA
 * naming the key. `what` names the evaluation in the text ("these rows",
 * "the test periods"). */
hc_status hc_provenance_check(const hc_model *m, const hc_history *h, int32_t from,
                              int32_t to, const char *what,
                              hc_provenance_overlap *out, hc_error *err);

#endif
