/* cli_alerts.h - `healthcal predict --alerts`: finding, writing and reporting the alerts of a predict run (layer: cli). */
#ifndef HC_CLI_ALERTS_H
#define HC_CLI_ALERTS_H

#include "hc_predict.h"

/* Finds the alerts of `r` (hc_alerts.h) with P(churn) level `p_level`
 * (NaN: none) and the alerts already sent in `previous` (may be NULL),
 * writes them to `path` and, unless `quiet`, says on stderr how many were
 * written and left out as already sent. Returns 0 or the exit code after
 * printing the error. */
int cli_alerts_run(const hc_predict_result *r, const char *path, double p_level,
                   const char *previous, int quiet);

#endif
