/* cli_alerts.c - `healthcal predict --alerts`: the alerts of a predict run, written and reported. */
#include "cli.h"
#include "cli_alerts.h"
#include "hc_alerts.h"

#include <math.h>
#include <stdio.h>

int cli_alerts_run(const hc_predict_result *r, const char *path, double p_level,
                   const char *previous, int quiet)
{
    hc_error err;
    hc_error_clear(&err);
    hc_alert_options o;
    hc_alert_options_init(&o);
    o.p_level = p_level;
    o.previous = previous;
    hc_alert_list l;
    if (hc_alerts_find(r, &o, &l, &err) != HC_OK)
        return cli_fail(&err);
    int rc = 0;
    if (hc_alerts_write(r, &o, &l, path, &err) != HC_OK)
        rc = cli_fail(&err);
    else if (!quiet) {
        fprintf(stderr, "alerts: %zu written to %s (band worse than at the previous "
                        "snapshot", l.n, path);
        if (!isnan(p_level))
            fprintf(stderr, ", or P(churn) reaching %g", p_level);
        fputc(')', stderr);
        if (previous)
            fprintf(stderr, "; %zu left out as already sent (%zu read from %s)",
                    l.suppressed, l.previous_read, previous);
        fputc('\n', stderr);
    }
    hc_alert_list_release(&l);
    return rc;
}
