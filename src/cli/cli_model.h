/* cli_model.h - loading configs and the history they need, shared by validate and backtest (layer: cli).
 *
 * fit, validate and backtest load their history here (the loading itself
 * is hc_model_history_load, which the report shares), so that every config
 * evaluated on a history names the same role columns and horizon, and a
 * config whose metric column is absent is reported against that config
 * (file and key path) before the snapshots are loaded.
 */
#ifndef HC_CLI_MODEL_H
#define HC_CLI_MODEL_H

#include <stddef.h>

#include "cli_history.h"
#include "hc_backtest.h"
#include "hc_model.h"
#include "hc_observations.h"

/* Loads the config files `paths[0..n)` into models[0..n) (each protected
 * as an input). On error prints it, frees what was loaded, sets every
 * models[i] to NULL and returns the exit code; 0 on success. */
int cli_model_load_configs(const char *const *paths, size_t n, hc_model **models);

/* Fills the history options of `hist` from models[0] (role columns,
 * horizon and lead) unless the user set them with flags, checks the
 * snapshot header against every model's columns (HC_EDATA naming the
 * config and key, e.g. "another.json: components[1].metrics[0].column:
 * column 'csat' is not in snapshots.csv"), and loads the history with the
 * union of the metric columns. Returns HC_OK with `h` filled (release with
 * hc_history_release) or the error. The header check is skipped for
 * snapshots read from stdin ("-"); the loader then names the column. */
hc_status cli_model_load_history(cli_history *hist, hc_model *const *models,
                                 size_t n, hc_history *h, hc_error *err);

/* The backtest's in-sample guard (hc_provenance.h): for every model whose
 * provenance records its fit rows, compares them with the observations of
 * the backtest's test periods (the plan of `opt` on `h`). A config fitted
 * on rows of those periods is an error naming it unless `allow`, when it
 * is a warning and the backtest runs. Returns 0 to go on, else the exit
 * code (the message printed). */
int cli_model_check_in_sample(const hc_history *h, hc_model *const *models,
                              const char *const *paths, size_t n,
                              const hc_backtest_options *opt, int allow);

#endif
