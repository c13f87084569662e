/* hc_drift.h - score drift between two date periods: PSI of health and sub-scores, band shares, churn rate (layer: workflows).
 *
 * A period is a closed date range FROM:TO; its rows are the snapshots dated
 * within it (every snapshot of every account, scored with the config
 * through hc_model_score_rows). For the health score and each component
 * sub-score, the population stability index of the current period against
 * the baseline is hc_metrics_psi with 10 bins cut at the baseline's deciles
 * (R type-7 quantiles; tied deciles merge; shares floored at 1e-4 so empty
 * bins give a large but finite term), over the rows where that score is
 * present. The flags follow the usual credit-scoring rule of thumb
 * (Siddiqi 2006; Yurdakul 2018): PSI < 0.1 stable, 0.1 <= PSI < 0.25
 * watch, PSI >= 0.25 recalibrate. The verdict is the worst flag over health
 * and every component (a drifting input is worth a look even while the
 * health distribution still holds), naming the score that set it.
 *
 * Band shares are the shares of each period's scored rows (rows with a
 * health score) in each band, and the shift is current minus baseline, in
 * percentage points. With labels (events given), each period's churn base
 * rate is the share of its observations (snapshots whose outcome window is
 * known: hc_labels status HC_ROW_OBSERVATION) with a churn in the horizon;
 * censored snapshots are counted, not used.
 */
#ifndef HC_DRIFT_H
#define HC_DRIFT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hc_error.h"
#include "hc_history.h"
#include "hc_labels.h"
#include "hc_metrics.h"
#include "hc_model.h"

struct json_t;

#define HC_DRIFT_WATCH 0.1
#define HC_DRIFT_RECALIBRATE 0.25

typedef enum {
    HC_DRIFT_STABLE = 0,
    HC_DRIFT_FLAG_WATCH = 1,
    HC_DRIFT_FLAG_RECALIBRATE = 2,
    HC_DRIFT_UNKNOWN = 3      /* no PSI could be computed */
} hc_drift_flag;

/* "stable", "watch", "recalibrate" or "unknown". */
const char *hc_drift_flag_name(hc_drift_flag flag);

/* The flag of a PSI value (HC_DRIFT_UNKNOWN for NaN). */
hc_drift_flag hc_drift_flag_of(double psi);

/* A closed range of dates (day numbers), from <= to. */
typedef struct {
    int32_t from;
    int32_t to;
} hc_drift_period;

/* Parses "YYYY-MM-DD:YYYY-MM-DD" (both ends included, FROM <= TO). A bad
 * value is HC_EUSAGE with a message naming `option` (e.g. "--baseline"). */
hc_status hc_drift_parse_period(const char *text, const char *option,
                                hc_drift_period *out, hc_error *err);

typedef struct {
    const hc_model *model;         /* borrowed, validated */
    const hc_snapshots *snapshots; /* borrowed; loaded with the model's columns
                                      (hc_predict_load_snapshots) */
    const hc_labels *labels;       /* borrowed labels of these snapshots, or
                                      NULL: no churn base rates */
    hc_drift_period baseline;
    hc_drift_period current;
    size_t bins;                   /* 0 means 10 */
} hc_drift_options;

/* Zeroes the options (bins 10). */
void hc_drift_options_init(hc_drift_options *opt);

/* PSI of one score (health or a component sub-score). */
typedef struct {
    const char *name;        /* "health" or the component name (borrowed) */
    size_t n_baseline;       /* rows where the score is present */
    size_t n_current;
    double psi;              /* NaN when not computable (see note) */
    hc_drift_flag flag;
    hc_metrics_psi_result detail; /* bins and shares when psi is not NaN */
    char note[256];          /* why the PSI is missing, else "" */
} hc_drift_score;

/* What one period holds. */
typedef struct {
    hc_drift_period period;
    size_t rows;             /* snapshots dated in the period */
    size_t accounts;         /* distinct accounts among them */
    size_t scored;           /* rows with a health score */
    size_t *band_rows;       /* n_bands */
    double *band_share;      /* n_bands; band_rows / scored (0 if none) */
    /* With labels: */
    size_t observations;     /* rows with a known outcome */
    size_t churners;
    size_t censored;         /* window ends after the as-of date */
    size_t excluded;         /* on or after churn, or churn in the lead gap */
    double churn_rate;       /* churners / observations; NaN when none */
} hc_drift_period_stats;

typedef struct {
    const hc_model *model;   /* borrowed from the options */
    size_t bins;
    size_t n_scores;         /* 1 + n_components: health first */
    hc_drift_score *scores;
    size_t n_bands;
    hc_drift_period_stats baseline;
    hc_drift_period_stats current;
    int has_labels;
    int horizon;             /* of the labels, days */
    hc_drift_flag verdict;   /* worst flag over the scores */
    int verdict_score;       /* index of the score that set it, -1 */
} hc_drift_result;

/* Computes the drift between the two periods (see the top of this file).
 * A period holding no snapshot is HC_EDATA naming it and the data's date
 * range; scoring errors are hc_model_score_rows'. A score that cannot be
 * compared (absent in a period) gets psi NaN and a note, not an error. On
 * success release `res` with hc_drift_result_release; on error it holds
 * nothing. */
hc_status hc_drift_run(const hc_drift_options *opt, hc_drift_result *res,
                       hc_error *err);

/* Frees the arrays of a result (the struct is the caller's) and zeroes
 * it. NULL is a no-op. */
void hc_drift_result_release(hc_drift_result *res);

/* Writes the drift report as plain text: the periods, one PSI line per
 * score with its flag, band shares and shifts, churn base rates, and the
 * verdict. */
void hc_drift_write_text(FILE *f, const hc_drift_result *res);

/* The result as a JSON object (schema "healthcal-drift/1"): a new
 * reference the caller json_decref's, or NULL when out of memory. Missing
 * numbers (a NaN PSI or churn rate, the open upper edge of the last bin)
 * are null. */
struct json_t *hc_drift_to_json(const hc_drift_result *res);

#endif
