/* cli_format.c - --format text|json|csv: a command's JSON document on stdout, or one table of it as CSV. */
#include "cli_format.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hc_csv.h"

int cli_format_option(cli_format *f, int c, const char *arg)
{
    switch (c) {
    case OPT_OUTPUT_FORMAT:
        if (strcmp(arg, "text") == 0)
            f->kind = CLI_FORMAT_TEXT;
        else if (strcmp(arg, "json") == 0)
            f->kind = CLI_FORMAT_JSON;
        else if (strcmp(arg, "csv") == 0)
            f->kind = CLI_FORMAT_CSV;
        else {
            cli_usage_error("option '--format': '%s' is not text, json or csv", arg);
            return 1;
        }
        return 0;
    case OPT_OUTPUT_TABLE:
        f->table = arg;
        return 0;
    default: return -1;
    }
}

int cli_format_check(const cli_format *f, const char *stdout_taken)
{
    if (f->table && f->kind != CLI_FORMAT_CSV)
        return cli_usage_error("option '--csv-table' goes with --format csv");
    if (f->kind != CLI_FORMAT_TEXT && stdout_taken)
        return cli_usage_error("--format %s writes to stdout, which %s already takes; "
                               "give that output a file",
                               f->kind == CLI_FORMAT_JSON ? "json" : "csv", stdout_taken);
    return 0;
}

FILE *cli_format_text(const cli_format *f)
{
    static FILE *sink;
    if (f->kind == CLI_FORMAT_TEXT)
        return stdout;
    if (!sink)
        sink = fopen("/dev/null", "w");
    /* Without /dev/null the text goes to stderr, where it harms nothing. */
    return sink ? sink : stderr;
}

/* ---- the tables of a document ---- */

static int is_table(const json_t *v)
{
    return json_is_array(v) && json_array_size(v) > 0 && json_is_object(json_array_get(v, 0));
}

/* The value at dotted `path` ("lead_time.red.before_churn"), or NULL. */
static json_t *lookup(json_t *doc, const char *path)
{
    char buf[256];
    if (strlen(path) >= sizeof buf)
        return NULL;
    strcpy(buf, path);
    json_t *v = doc;
    for (char *save = NULL, *key = strtok_r(buf, ".", &save); key && v;
         key = strtok_r(NULL, ".", &save))
        v = json_is_object(v) ? json_object_get(v, key) : NULL;
    return v;
}

/* Lists the tables under `v` (prefix `prefix`) on stderr. */
static void list_tables(const json_t *v, const char *prefix)
{
    const char *key;
    json_t *child;
    json_object_foreach((json_t *)v, key, child)
    {
        char path[256];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key);
        if (is_table(child))
            fprintf(stderr, "  %s (%zu rows)\n", path, json_array_size(child));
        else if (json_is_object(child))
            list_tables(child, path);
    }
}

/* ---- columns: the union of the rows' flattened keys, in first-seen order ---- */

typedef struct {
    char **names;
    size_t n, cap;
} columns;

static int columns_add(columns *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->names[i], name) == 0)
            return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        char **p = realloc(c->names, cap * sizeof *p);
        if (!p)
            return -1;
        c->names = p;
        c->cap = cap;
    }
    if (!(c->names[c->n] = strdup(name)))
        return -1;
    c->n++;
    return 0;
}

static void columns_free(columns *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->names[i]);
    free(c->names);
}

/* A row's cells are its scalars, the scalars of nested objects (dotted),
 * and arrays of text (joined); arrays of objects are other tables, and
 * arrays of numbers (curves) are left to the JSON form. */
static int is_cell(const json_t *v)
{
    if (!json_is_array(v))
        return !json_is_object(v);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) if (!json_is_string(e)) return 0;
    return 1;
}

static int collect(columns *c, const json_t *obj, const char *prefix)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        char path[256];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key);
        if (json_is_object(v)) {
            if (collect(c, v, path))
                return -1;
        } else if (is_cell(v) && columns_add(c, path)) {
            return -1;
        }
    }
    return 0;
}

/* ---- cells ---- */

static void write_scalar(FILE *out, const json_t *v)
{
    if (json_is_string(v))
        hc_csv_write_text(out, json_string_value(v));
    else if (json_is_integer(v))
        fprintf(out, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        hc_csv_write_num(out, json_real_value(v));
    else if (json_is_true(v))
        fputs("true", out);
    else if (json_is_false(v))
        fputs("false", out);
    /* null: an empty cell */
}

static void write_cell(FILE *out, const json_t *v)
{
    if (!v || json_is_null(v))
        return;
    if (!json_is_array(v)) {
        write_scalar(out, v);
        return;
    }
    /* An array of text: "a; b; c", as one cell. */
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return;
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) fprintf(mem, "%s%s", i ? "; " : "", json_string_value(e));
    fclose(mem);
    hc_csv_write_text(out, text);
    free(text);
}

static int write_rows(FILE *out, json_t *const *rows, size_t n)
{
    columns c = {0};
    for (size_t r = 0; r < n; r++)
        if (json_is_object(rows[r]) && collect(&c, rows[r], "")) {
            columns_free(&c);
            return 2;
        }
    for (size_t j = 0; j < c.n; j++) {
        if (j)
            putc(',', out);
        hc_csv_write_text(out, c.names[j]);
    }
    putc('\n', out);
    for (size_t r = 0; r < n; r++) {
        for (size_t j = 0; j < c.n; j++) {
            if (j)
                putc(',', out);
            write_cell(out, lookup(rows[r], c.names[j]));
        }
        putc('\n', out);
    }
    columns_free(&c);
    return 0;
}

int cli_format_emit(const cli_format *f, json_t *doc, const char *default_table)
{
    if (f->kind == CLI_FORMAT_TEXT) {
        json_decref(doc);
        return 0;
    }
    if (!doc) {
        fprintf(stderr, "healthcal: error: out of memory\n");
        return 2;
    }
    int rc = 0;
    if (f->kind == CLI_FORMAT_JSON) {
        if (json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) ||
            putc('\n', stdout) == EOF)
            rc = 4;
    } else {
        const char *name = f->table ? f->table : default_table;
        json_t *t = strcmp(name, "summary") == 0 ? doc : lookup(doc, name);
        if (t == doc || json_is_object(t)) {
            rc = write_rows(stdout, &t, 1);
        } else if (json_is_array(t) && (json_array_size(t) == 0 || is_table(t))) {
            size_t n = json_array_size(t);
            json_t **rows = malloc((n ? n : 1) * sizeof *rows);
            if (!rows) {
                rc = 2;
            } else {
                for (size_t i = 0; i < n; i++)
                    rows[i] = json_array_get(t, i);
                rc = write_rows(stdout, rows, n);
                free(rows);
            }
        } else {
            fprintf(stderr, "healthcal: error: option '--csv-table': no table '%s'; the tables are:\n"
                            "  summary (1 row: the scalars of the document)\n",
                    name);
            list_tables(doc, "");
            rc = 1;
        }
        if (rc == 2)
            fprintf(stderr, "healthcal: error: out of memory\n");
    }
    json_decref(doc);
    return rc;
}

/* Copies the file at `path` to stdout: 0, or 1 when it cannot be read, 4
 * for a write error. */
static int copy_file(const char *path)
{
    FILE *in = fopen(path, "rb");
    if (!in) {
        fprintf(stderr, "healthcal: error: %s: %s\n", path, strerror(errno));
        return 1;
    }
    char buf[65536];
    size_t got;
    int rc = 0;
    while (rc == 0 && (got = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, got, stdout) != got)
            rc = 4;
    if (rc == 0 && ferror(in)) {
        fprintf(stderr, "healthcal: error: %s: read error\n", path);
        rc = 1;
    }
    fclose(in);
    return rc;
}

static void list_csv_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".csv") == 0)
            fprintf(stderr, "  %.*s\n", (int)(len - 4), e->d_name);
    }
    closedir(d);
}

int cli_format_emit_files(const cli_format *f, const char *dir, const char *json_name,
                          const char *default_table)
{
    char path[4096];
    if (f->kind == CLI_FORMAT_TEXT)
        return 0;
    if (f->kind == CLI_FORMAT_JSON) {
        snprintf(path, sizeof path, "%s/%s", dir, json_name);
        return copy_file(path);
    }
    const char *name = f->table ? f->table : default_table;
    if (strchr(name, '/') || strcmp(name, "..") == 0 || !*name) {
        fprintf(stderr, "healthcal: error: option '--csv-table': '%s' is not a table name\n", name);
        return 1;
    }
    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "healthcal: error: option '--csv-table': no table '%s' in %s; the tables are:\n",
                name, dir);
        list_csv_files(dir);
        return 1;
    }
    return copy_file(path);
}
