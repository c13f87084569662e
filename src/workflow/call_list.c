/* call_list.c - this week's call list from a predict result: red or fallen living accounts by expected ARR at risk, the reasons and drivers in words, and its CSV. */
#include "hc_call_list.h"
#include "hc_csv.h"
#include "hc_date.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

hc_status hc_call_list_build(const hc_predict_result *p, hc_call_list *out, hc_error *err)
{
    memset(out, 0, sizeof *out);
    out->rows = malloc((p->n ? p->n : 1) * sizeof *out->rows);
    if (!out->rows)
        return hc_error_nomem(err);
    for (size_t i = 0; i < p->n; i++) {
        const hc_prediction *r = &p->rows[i];
        if (r->status != HC_PREDICT_CURRENT || r->band < 0)
            continue;
        int red = r->band == 0;
        if (!red && !r->fell)
            continue;
        out->rows[out->n++] = i;
        out->red += red;
        out->fell += r->fell != 0;
        if (isfinite(r->arr))
            out->arr += r->arr;
        if (isfinite(r->at_risk))
            out->at_risk += r->at_risk;
    }
    return HC_OK;
}

void hc_call_list_release(hc_call_list *cl)
{
    if (!cl)
        return;
    free(cl->rows);
    memset(cl, 0, sizeof *cl);
}

void hc_call_list_reason(const hc_predict_result *p, size_t i, char *buf, size_t size)
{
    const hc_prediction *r = &p->rows[i];
    const hc_model *m = p->model;
    buf[0] = '\0';
    if (r->band < 0)
        return;
    int red = r->band == 0;
    if (r->fell && r->previous_band >= 0)
        snprintf(buf, size, "%s%sfell %s->%s", red ? m->bands[0].name : "", red ? ", " : "",
                 m->bands[r->previous_band].name, m->bands[r->band].name);
    else
        snprintf(buf, size, "%s", m->bands[r->band].name);
}

void hc_call_list_drivers(const hc_predict_result *p, size_t i, char *buf, size_t size)
{
    const hc_prediction *r = &p->rows[i];
    const hc_model *m = p->model;
    size_t len = 0;
    buf[0] = '\0';
    for (int j = 0; j < HC_PREDICT_DRIVERS && len + 1 < size; j++) {
        int32_t k = r->driver[j];
        if (k < 0)
            continue;
        int w = snprintf(buf + len, size - len, "%s%s %.1f", len ? ", " : "",
                         m->components[k].name, r->driver_points[j]);
        if (w < 0)
            break;
        len += (size_t)w < size - len ? (size_t)w : size - len - 1;
    }
    if (!len)
        snprintf(buf, size, "no driver stands out");
    else if (len + 1 < size)
        snprintf(buf + len, size - len, " points below healthy accounts");
}

static void fixed(FILE *f, double v, int decimals)
{
    if (isfinite(v))
        fprintf(f, "%.*f", decimals, v);
}

void hc_call_list_write_csv(FILE *f, const hc_predict_result *p, const hc_call_list *cl)
{
    const hc_snapshots *s = p->snapshots;
    const hc_table *t = s->table;
    fprintf(f, "rank,account_id,segment,band,reason,health,health_change,p_churn_%dd,arr,"
               "expected_arr_at_risk,drivers,snapshot_date\n", p->horizon_days);
    char buf[1024];
    for (size_t k = 0; k < cl->n; k++) {
        size_t i = cl->rows[k];
        const hc_prediction *r = &p->rows[i];
        fprintf(f, "%zu,", k + 1);
        hc_csv_write_text(f, hc_table_text(t, s->id_col, r->row));
        putc(',', f);
        if (s->segment_col >= 0)
            hc_csv_write_text(f, hc_table_text(t, s->segment_col, r->row));
        putc(',', f);
        hc_csv_write_text(f, p->model->bands[r->band].name);
        putc(',', f);
        hc_call_list_reason(p, i, buf, sizeof buf);
        hc_csv_write_text(f, buf);
        putc(',', f);
        fixed(f, r->health, 1);
        putc(',', f);
        fixed(f, r->health_change, 1);
        putc(',', f);
        hc_csv_write_num_prec(f, r->p_churn, 4);
        putc(',', f);
        hc_csv_write_num(f, r->arr);
        putc(',', f);
        fixed(f, r->at_risk, 2);
        putc(',', f);
        hc_call_list_drivers(p, i, buf, sizeof buf);
        hc_csv_write_text(f, buf);
        char d[11];
        hc_date_format(r->date, d);
        fprintf(f, ",%s\n", d);
    }
}
