/* cli_unseen.h - warning about categorical levels a config does not list (layer: cli). */
#ifndef HC_CLI_UNSEEN_H
#define HC_CLI_UNSEEN_H

#include <stddef.h>

#include "hc_history.h"
#include "hc_model.h"

/* Counts the rows of `t` whose categorical level a config does not list
 * (hand-set levels; learned ones are reported by the fit) and warns on
 * stderr, per metric, how they are scored (missing, or the transform's
 * `other` score). HC_EDATA as hc_model_count_unseen; HC_ENOMEM. */
hc_status cli_warn_unseen(hc_model *const *models, size_t n, const hc_table *t,
                          hc_error *err);

/* The notes of a snapshot file loaded for scoring (predict, drift), on
 * stderr: same-day rows superseded and user rows rolled up (unless
 * `quiet`), then the unseen levels (always; cli_warn_unseen). */
hc_status cli_snapshots_notes(hc_model *m, const hc_snapshots *s, int quiet, hc_error *err);

#endif
