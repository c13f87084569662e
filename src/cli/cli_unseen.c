/* cli_unseen.c - the notes of a scored snapshot file: superseded rows, rolled-up users, categorical levels a config does not list. */
#include "cli_unseen.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

hc_status cli_snapshots_notes(hc_model *m, const hc_snapshots *s, int quiet, hc_error *err)
{
    if (s->superseded && !quiet)
        fprintf(stderr, "same-day snapshots superseded by a later timestamp: %zu\n",
                s->superseded);
    if (m->rollup && !quiet)
        fprintf(stderr, "user rows read:            %zu (%zu users), rolled up to %zu "
                        "account snapshots (column '%s')\n",
                s->rollup.user_rows, s->rollup.users, s->rollup.account_rows,
                m->rollup->user_column);
    return cli_warn_unseen(&m, 1, s->table, err);
}

/* Counts the rows whose categorical level a config does not know (hand-set
 * levels; learned ones are reported by the fit) and says so on stderr:
 * scored as missing, or as the transform's `other` score. */
hc_status cli_warn_unseen(hc_model *const *models, size_t n, const hc_table *t,
                          hc_error *err)
{
    for (size_t i = 0; i < n; i++) {
        hc_unseen_count *u;
        size_t nu;
        hc_status st = hc_model_count_unseen(models[i], t, NULL, t->n_rows, &u, &nu, err);
        if (st != HC_OK)
            return st;
        for (size_t q = 0; q < nu; q++)
            cli_warn("config '%s': column '%s': %zu snapshot row%s hold%s %zu level%s "
                     "the config does not list (e.g. '%s'): scored as %s "
                     "(components[%zu].metrics[%zu].transform.unseen)",
                     models[i]->name ? models[i]->name : models[i]->source, u[q].column,
                     u[q].rows, u[q].rows == 1 ? "" : "s", u[q].rows == 1 ? "s" : "",
                     u[q].levels, u[q].levels == 1 ? "" : "s", u[q].example,
                     u[q].as_other ? "the 'other' score" : "missing", u[q].component,
                     u[q].metric);
        free(u);
    }
    return HC_OK;
}
