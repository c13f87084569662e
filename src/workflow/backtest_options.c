/* backtest_options.c - the backtest's default options and the threshold objective as the CLI writes it. */
#include "hc_backtest.h"
#include "hc_date.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void hc_backtest_options_init(hc_backtest_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->step_days = HC_BACKTEST_DEFAULT_STEP_DAYS;
    opt->window_days = HC_BACKTEST_DEFAULT_WINDOW_DAYS;
    opt->first_test = HC_DATE_MISSING;
    hc_fit_options_init(&opt->fit);
    opt->fit.expansion = 0;
    opt->fit.skip_auc = 1;
    hc_threshold_options_init(&opt->threshold);
    opt->min_train_churners = 10;
}

/* Parses a number at s that ends the text or a comma; returns the bytes
 * used, or -1. */
static int parse_number(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return errno == 0 && end != s && (*end == '\0' || *end == ',') && isfinite(*v)
               ? (int)(end - s)
               : -1;
}

hc_status hc_backtest_parse_objective(const char *text, hc_threshold_options *t,
                                      hc_error *err)
{
    static const struct {
        const char *prefix;
        hc_threshold_objective obj;
    } simple[] = {{"recall=", HC_THRESHOLD_RECALL},
                  {"arr-recall=", HC_THRESHOLD_ARR_RECALL},
                  {"precision=", HC_THRESHOLD_PRECISION}};
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        size_t len = strlen(simple[i].prefix);
        if (strncmp(text, simple[i].prefix, len) != 0)
            continue;
        double v;
        int used = parse_number(text + len, &v);
        if (used < 0 || text[len + (size_t)used] != '\0' || !(v > 0 && v <= 1))
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                "objective '%s': the target after '=' must be a "
                                "number in (0, 1]", text);
        t->objective = simple[i].obj;
        t->target = v;
        return HC_OK;
    }
    if (strncmp(text, "capacity=", 9) == 0) {
        /* capacity=N accounts per scoring date, or capacity=P% of them */
        const char *num = text + 9;
        char *end;
        errno = 0;
        double v = strtod(num, &end);
        int share = *end == '%';
        if (errno || end == num || !isfinite(v) || (share ? end[1] != '\0' : *end != '\0'))
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                "objective '%s': cannot read '%s' after 'capacity=': "
                                "expected a number of accounts (capacity=50) or a "
                                "percentage of the accounts scored on each date "
                                "(capacity=10%%)", text, num);
        if (share && !(v > 0 && v <= 100))
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                "objective '%s': the percentage '%s' must be above 0 "
                                "and at most 100", text, num);
        if (!share && !(v >= 1 && v == floor(v)))
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                "objective '%s': the capacity '%s' must be a whole "
                                "number of accounts, at least 1 (or a percentage: "
                                "capacity=10%%)", text, num);
        t->objective = HC_THRESHOLD_CAPACITY;
        t->capacity = share ? v / 100.0 : v;
        t->capacity_share = share;
        t->target = 0;
        return HC_OK;
    }
    if (strncmp(text, "value:", 6) == 0) {
        const char *s = text + 6;
        int have_cost = 0, have_rate = 0;
        double cost = 0, rate = 0;
        while (*s) {
            double v;
            int used;
            if (strncmp(s, "cost=", 5) == 0 && (used = parse_number(s + 5, &v)) >= 0 &&
                v >= 0) {
                cost = v;
                have_cost = 1;
                s += 5 + used;
            } else if (strncmp(s, "save-rate=", 10) == 0 &&
                       (used = parse_number(s + 10, &v)) >= 0 && v >= 0 && v <= 1) {
                rate = v;
                have_rate = 1;
                s += 10 + used;
            } else {
                return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                    "objective '%s': expected value:cost=C,save-rate=R "
                                    "with C >= 0 (ARR per intervention) and R in "
                                    "[0, 1]; cannot read '%s'", text, s);
            }
            if (*s == ',')
                s++;
        }
        if (!have_cost || !have_rate)
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                "objective '%s': both cost= and save-rate= are needed",
                                text);
        t->objective = HC_THRESHOLD_VALUE;
        t->cost = cost;
        t->save_rate = rate;
        t->target = 0;
        return HC_OK;
    }
    return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                        "unknown objective '%s' (use recall=0.7, arr-recall=0.7, "
                        "precision=0.3, value:cost=C,save-rate=R, capacity=N or "
                        "capacity=P%%)", text);
}
