/* hc_model_history.h - loading the history the columns of one or more configs need (layer: model).
 *
 * Every command that evaluates configs on a history (fit, validate,
 * backtest, report) loads it through hc_model_history_load, so that a
 * categorical metric's column is read as text, a roll-up's user rows are
 * rolled up to account rows, and trend columns are derived, the same way
 * in each of them.
 */
#ifndef HC_MODEL_HISTORY_H
#define HC_MODEL_HISTORY_H

#include <stddef.h>

#include "hc_error.h"
#include "hc_observations.h"
#include "hc_model.h"

/* Loads the history of `ho` (role columns, labels and paths already set by
 * the caller) with the union of the metric columns of models[0..n) in
 * config order: categorical metrics' columns read as text (besides the
 * caller's ho->columns.text_metrics), models[0]'s roll-up applied (every
 * model must roll up alike, else HC_EDATA naming the one that differs),
 * then every model's trend columns derived on the loaded table. `ho` is
 * left as it was given. HC_OK with `h` filled (release with
 * hc_history_release), else the error with `h` zeroed. */
hc_status hc_model_history_load(hc_model *const *models, size_t n,
                                hc_history_options *ho, hc_history *h,
                                hc_error *err);

#endif
