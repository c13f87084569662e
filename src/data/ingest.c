/* ingest.c - the reading options of exported files: the event vocabulary map and the process default. */
#include "hc_ingest.h"
#include "hc_history.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static hc_ingest_options initial; /* zero: ISO dates in UTC, no map */
static const hc_ingest_options *current = &initial;

void hc_ingest_init(hc_ingest_options *o)
{
    memset(o, 0, sizeof *o);
}

void hc_ingest_release(hc_ingest_options *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n_event_map; i++)
        free(o->event_map[i].from);
    free(o->event_map);
    o->event_map = NULL;
    o->n_event_map = 0;
}

const hc_ingest_options *hc_ingest_default(void)
{
    return current;
}

void hc_ingest_set_default(const hc_ingest_options *o)
{
    current = o ? o : &initial;
}

/* The bytes of s without surrounding spaces and tabs. */
static void trimmed(const char *s, size_t len, const char **out, size_t *n)
{
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    *out = s;
    *n = len;
}

static int builtin_type(const char *s, size_t n)
{
    if (n == 5 && strncasecmp(s, "churn", 5) == 0)
        return HC_EVENT_CHURN;
    if (n == 9 && strncasecmp(s, "expansion", 9) == 0)
        return HC_EVENT_EXPANSION;
    if (n == 11 && strncasecmp(s, "contraction", 11) == 0)
        return HC_EVENT_CONTRACTION;
    return -1;
}

hc_status hc_ingest_add_event_alias(hc_ingest_options *o, const char *from, const char *to,
                                    hc_error *err)
{
    const char *f, *t;
    size_t nf, nt;
    trimmed(from, strlen(from), &f, &nf);
    trimmed(to, strlen(to), &t, &nt);
    int target = builtin_type(t, nt);
    if (target < 0 && nt == 6 && strncasecmp(t, "ignore", 6) == 0)
        target = HC_EVENT_MAP_IGNORE;
    if (nf == 0 || target == -1)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "event map: '%s=%s' must map a type to churn, expansion, "
                            "contraction or ignore",
                            from, to);
    hc_event_alias *m = realloc(o->event_map, (o->n_event_map + 1) * sizeof *m);
    if (!m)
        return hc_error_nomem(err);
    o->event_map = m;
    char *key = malloc(nf + 1);
    if (!key)
        return hc_error_nomem(err);
    for (size_t i = 0; i < nf; i++)
        key[i] = (char)(f[i] >= 'A' && f[i] <= 'Z' ? f[i] + 32 : f[i]);
    key[nf] = '\0';
    m[o->n_event_map++] = (hc_event_alias){key, target};
    return HC_OK;
}

hc_status hc_ingest_add_event_map(hc_ingest_options *o, const char *spec, hc_error *err)
{
    const char *p = spec;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char pair[512];
        if (n >= sizeof pair)
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0, "event map: a pair is too long");
        memcpy(pair, p, n);
        pair[n] = '\0';
        char *eq = strchr(pair, '=');
        if (!eq)
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                "event map: '%s' is not TYPE=churn|expansion|contraction|"
                                "ignore",
                                pair);
        *eq = '\0';
        hc_status st = hc_ingest_add_event_alias(o, pair, eq + 1, err);
        if (st != HC_OK)
            return st;
        if (!end)
            break;
        p = end + 1;
    }
    return HC_OK;
}

int hc_ingest_event_type(const hc_ingest_options *o, const char *s)
{
    if (!s)
        return -1;
    const char *t;
    size_t n;
    trimmed(s, strlen(s), &t, &n);
    for (size_t i = o ? o->n_event_map : 0; i-- > 0;) {
        const char *k = o->event_map[i].from;
        if (strlen(k) == n && strncasecmp(k, t, n) == 0)
            return o->event_map[i].to;
    }
    return builtin_type(t, n);
}
