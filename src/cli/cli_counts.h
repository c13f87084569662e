/* cli_counts.h - the counts of a loaded history (what `label` prints) as JSON. */
#ifndef HEALTHCAL_CLI_COUNTS_H
#define HEALTHCAL_CLI_COUNTS_H

#include <jansson.h>

#include "hc_observations.h"

/* The counts hc_history_write_counts prints (keep the two lists alike),
 * each name saying its unit: `snapshot_rows`, `accounts`, `observations`
 * (snapshot rows with a label), `censored`, `churn_labels` (observations
 * labelled 1), the event rows and how many were matched to accounts. A
 * new reference, or NULL when out of memory. */
json_t *cli_history_counts_json(const hc_history *h);

#endif
