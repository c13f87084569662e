/* cli.c - option parsing from a declarative table, messages, value converters. */
#include "cli.h"
#include "hc_date.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_OPTIONS 64

void cli_print_help(const cli_parser *p)
{
    printf("usage: healthcal %s %s\n\n%s\n\noptions:\n", p->command, p->usage,
           p->description);
    for (const cli_option *o = p->options; o && o->name; o++) {
        char left[64];
        if (o->id > 0 && o->id < 256)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->id, o->name,
                     o->has_arg ? " " : "", o->has_arg ? o->metavar : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->name,
                     o->has_arg ? " " : "", o->has_arg ? o->metavar : "");
        printf("  %-28s %s\n", left, o->help);
    }
    printf("  %-28s %s\n", "-h, --help", "show this help and exit");
}

int cli_next(cli_parser *p, const char **arg)
{
    struct option longopts[MAX_OPTIONS + 2];
    char shortopts[3 * MAX_OPTIONS + 4];
    size_t n = 0, s = 0;
    shortopts[s++] = ':'; /* report a missing argument as ':' */
    for (const cli_option *o = p->options; o && o->name && n < MAX_OPTIONS; o++) {
        longopts[n].name = o->name;
        longopts[n].has_arg = o->has_arg ? required_argument : no_argument;
        longopts[n].flag = NULL;
        longopts[n].val = o->id;
        n++;
        if (o->id > 0 && o->id < 256) {
            shortopts[s++] = (char)o->id;
            if (o->has_arg)
                shortopts[s++] = ':';
        }
    }
    longopts[n].name = "help";
    longopts[n].has_arg = no_argument;
    longopts[n].flag = NULL;
    longopts[n].val = 'h';
    n++;
    memset(&longopts[n], 0, sizeof longopts[n]);
    shortopts[s++] = 'h';
    shortopts[s] = '\0';

    opterr = 0;
    int c = getopt_long(p->argc, p->argv, shortopts, longopts, NULL);
    *arg = optarg;
    if (c == 'h') {
        cli_print_help(p);
        return 'h';
    }
    if (c == '?' || c == ':') {
        const char *bad = p->argv[optind - 1];
        if (c == ':')
            fprintf(stderr, "healthcal: error: option '%s' requires an argument\n", bad);
        else if (optopt && optopt < 256)
            fprintf(stderr, "healthcal: error: unknown option '-%c'\n", optopt);
        else
            fprintf(stderr, "healthcal: error: unknown option '%s'\n", bad);
        fprintf(stderr, "usage: healthcal %s %s\n(see 'healthcal %s --help')\n",
                p->command, p->usage, p->command);
        return '?';
    }
    return c;
}

int cli_no_positionals(const cli_parser *p)
{
    if (optind < p->argc)
        return cli_usage_error("unexpected argument '%s' (see 'healthcal %s --help')",
                               p->argv[optind], p->command);
    return 0;
}

int cli_fail(const hc_error *err)
{
    char buf[2048];
    hc_error_format(err, buf, sizeof buf);
    fprintf(stderr, "healthcal: error: %s\n", buf);
    return hc_status_exit_code(err->status);
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("healthcal: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    fputs("healthcal: warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_parse_long(const char *option, const char *arg, long min, long max,
                   long *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || end == arg || *end || v < min || v > max) {
        cli_usage_error("option '--%s': '%s' is not an integer in [%ld, %ld]",
                        option, arg, min, max);
        return 1;
    }
    *out = v;
    return 0;
}

int cli_parse_double(const char *option, const char *arg, double min,
                     double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || !isfinite(v) || v < min || v > max) {
        cli_usage_error("option '--%s': '%s' is not a number in [%g, %g]",
                        option, arg, min, max);
        return 1;
    }
    *out = v;
    return 0;
}

int cli_parse_date(const char *option, const char *arg, int *day)
{
    int32_t d;
    if (hc_date_parse(arg, strlen(arg), &d) != 0) {
        cli_usage_error("option '--%s': '%s' is not a valid YYYY-MM-DD date",
                        option, arg);
        return 1;
    }
    *day = d;
    return 0;
}

int cli_parse_char(const char *option, const char *arg, char *out)
{
    if (strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0) {
        *out = '\t';
        return 0;
    }
    if (strlen(arg) != 1 || arg[0] == '"' || arg[0] == '\n' || arg[0] == '\r') {
        cli_usage_error("option '--%s': expected one character, got '%s'",
                        option, arg);
        return 1;
    }
    *out = arg[0];
    return 0;
}

char **cli_split_list(const char *arg, size_t *count)
{
    size_t n = 1, len = strlen(arg);
    for (const char *p = arg; *p; p++)
        n += *p == ',';
    char **items = malloc((n + 1) * sizeof *items + len + 1);
    if (!items)
        return NULL;
    char *text = (char *)(items + n + 1);
    memcpy(text, arg, len + 1);
    size_t k = 0;
    items[k++] = text;
    for (char *p = text; *p; p++) {
        if (*p == ',') {
            *p = '\0';
            items[k++] = p + 1;
        }
    }
    items[k] = NULL;
    *count = k;
    return items;
}

int cli_stderr_is_tty(void)
{
    return isatty(STDERR_FILENO);
}

int cli_finish(int code)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "healthcal: error: write to standard output failed: %s\n",
                strerror(errno));
        return 4;
    }
    return code;
}
