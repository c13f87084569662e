/* validate_season.h - the JSON form of validate's false red flags by calendar month (private to src/workflow). */
#ifndef HC_VALIDATE_SEASON_H
#define HC_VALIDATE_SEASON_H

#include <jansson.h>

#include "hc_calendar.h"

/* {"unit": "accounts", "months": [...], "august_december": {...},
 * "other_months": {...}, "method": "..."} (a new reference), or NULL when
 * out of memory. Months without a non-churning account are left out. */
json_t *hc_validate_flags_json(const hc_calendar_flags *f);

#endif
