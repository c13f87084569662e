/* score_row.c - a program outside the tree that scores one row with the installed library (built through pkg-config by tests/e2e/install.sh).
 *
 *   cc $(pkg-config --cflags healthcal) score_row.c $(pkg-config --libs healthcal)
 *
 * The config is in memory; each metric goes through its transform
 * (hc_transform_apply) and the component sub-scores through the model
 * (hc_model_score_subs): health, band and P(churn).
 */
#include <hc_model.h>

#include <stdio.h>

static const char config[] =
    "{\"schema\": \"healthcal-model/1\", \"name\": \"example\","
    " \"components\": ["
    "  {\"name\": \"usage\", \"weight\": 0.6, \"metrics\": [{\"column\": \"logins_per_week\","
    "   \"transform\": {\"type\": \"linear\", \"low\": 0, \"high\": 20, \"higher_is_healthier\": true}}]},"
    "  {\"name\": \"support\", \"weight\": 0.4, \"metrics\": [{\"column\": \"open_tickets\","
    "   \"transform\": {\"type\": \"linear\", \"low\": 0, \"high\": 10, \"higher_is_healthier\": false}}]}],"
    " \"bands\": [{\"name\": \"red\", \"min\": 0}, {\"name\": \"yellow\", \"min\": 40},"
    "            {\"name\": \"green\", \"min\": 70}],"
    " \"churn_model\": {\"intercept\": 2, \"slope\": -0.05}}";

int main(void)
{
    hc_error err;
    hc_error_clear(&err);
    hc_model *m;
    if (hc_model_load_string(config, "example", &m, &err) != HC_OK) {
        fprintf(stderr, "score_row: %s\n", err.message);
        return 2;
    }
    /* One row: 10 logins a week, 2 open tickets. */
    const double row[2] = {10, 2};
    double sub[2], health, p;
    int32_t band;
    for (size_t k = 0; k < 2; k++)
        sub[k] = hc_transform_apply(&m->components[k].metrics[0].transform, row[k]);
    hc_score_out out = {0};
    out.health = &health;
    out.band = &band;
    out.p_churn = &p;
    if (hc_model_score_subs(m, sub, 1, 1, &out, &err) != HC_OK) {
        fprintf(stderr, "score_row: %s\n", err.message);
        hc_model_free(m);
        return 3;
    }
    printf("usage %.6f support %.6f health %.6f band %s p_churn %.6f\n", sub[0], sub[1],
           health, band >= 0 ? m->bands[band].name : "", p);
    hc_model_free(m);
    return 0;
}
