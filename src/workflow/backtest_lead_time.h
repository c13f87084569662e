/* backtest_lead_time.h - the backtest's lead times side by side: each config's warning lead over the churned accounts of the out-of-time test periods, for summary.json (layer: workflows). */
#ifndef HC_BACKTEST_LEAD_TIME_H
#define HC_BACKTEST_LEAD_TIME_H

#include <jansson.h>

#include "hc_backtest.h"

/* The "lead_time" object of summary.json: for every config with pooled
 * lead times (configs[c].pooled.has_lead_time; hc_lead_time.h over the
 * pooled test rows, each row in the band its fold's cut points gave), the
 * churned accounts, the red and below-green shares 30, 60 and 90 days
 * before churn with their Wilson intervals over accounts, and the median
 * and mean days from first entering the band to churn; and the change of
 * each share from config 0 (the same accounts and rows: only the bands
 * differ). NULL when out of memory. */
json_t *hc_bt_lead_time_json(const hc_backtest_result *res);

#endif
