/* test_gnuplot_escape.c - gnuplot string escaping and running gnuplot without a shell. */
#include "test_util.h"

#include "hc_error.h"
#include "hc_plot.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- helpers ---- */

static char *quote(const char *s, unsigned flags)
{
    size_t n = hc_gnuplot_quote(NULL, 0, s, flags);
    assert_true(n != (size_t)-1);
    char *buf = malloc(n + 1);
    assert_non_null(buf);
    assert_int_equal(hc_gnuplot_quote(buf, n + 1, s, flags), n);
    assert_int_equal(strlen(buf), n);
    return buf;
}

static void expect_quote(const char *s, unsigned flags, const char *want)
{
    char *got = quote(s, flags);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "quote(%s) = [%s], expected [%s]\n", s ? s : "NULL",
                got, want);
        free(got);
        fail();
    }
    free(got);
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 65536);
    size_t n = buf ? fread(buf, 1, 65535, f) : 0;
    (void)n;
    fclose(f);
    return buf;
}

/* A scratch directory under $TMPDIR whose name holds shell metacharacters:
 * a program path inside it only works when it is exec'd literally. */
static char scratch[512];
static char canary[600];

static int setup_scratch(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/hc-gp-test.XXXXXX",
             tmp && tmp[0] == '/' ? tmp : "/tmp");
    if (!mkdtemp(scratch))
        return -1;
    snprintf(canary, sizeof canary, "%s/CANARY", scratch);
    return 0;
}

/* Removes a directory tree (no shell here either). */
static int remove_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return -1;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        if (!d)
            return -1;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            remove_tree(sub);
        }
        closedir(d);
        return rmdir(path);
    }
    return unlink(path);
}

/* Files in `dir` whose name contains "tmp" (left-over temporaries). */
static int count_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strstr(e->d_name, "tmp") != NULL;
    closedir(d);
    return n;
}

static int teardown_scratch(void **state)
{
    (void)state;
    return remove_tree(scratch);
}

/* Appends to a NUL-terminated buffer of `size` bytes. */
static void append(char *buf, size_t size, const char *s)
{
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, "%s", s);
}

/* Writes an executable shell script (a stand-in for gnuplot). */
static void write_script(const char *path, const char *body)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n%s\n", body);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, 0755), 0);
}

/* ---- escaping: exact outputs ---- */

static void test_quote_plain_and_null(void **state)
{
    (void)state;
    expect_quote("current", 0, "'current'");
    expect_quote("", 0, "''");
    expect_quote(NULL, 0, "''");
    expect_quote("tuned 2026Q3, v2", 0, "'tuned 2026Q3, v2'");
}

/* Quotes are never doubled inside a literal (gnuplot 5.4's scanner splits
 * 'x''''y' and '''x'); each becomes . "'" . between literals. */
static void test_quote_single_quotes(void **state)
{
    (void)state;
    expect_quote("O'Brien", 0, "'O' . \"'\" . 'Brien'");
    expect_quote("'", 0, "'' . \"'\" . ''");
    expect_quote("''x", 0, "'' . \"'\" . '' . \"'\" . 'x'");
    expect_quote("x'; system('id'); '", 0,
                 "'x' . \"'\" . '; system(' . \"'\" . 'id' . \"'\" . '); ' . "
                 "\"'\" . ''");
}

/* Inside single quotes gnuplot runs no `command`, expands no @macro and
 * reads no backslash escape, so these pass through unchanged. */
static void test_quote_command_syntax_is_literal(void **state)
{
    (void)state;
    expect_quote("`touch /tmp/x`", 0, "'`touch /tmp/x`'");
    expect_quote("system(\"touch /tmp/x\")", 0, "'system(\"touch /tmp/x\")'");
    expect_quote("@macro \\n $1 # not a comment ; ", 0,
                 "'@macro \\n $1 # not a comment ; '");
    expect_quote("<script>alert(1)</script>", 0,
                 "'<script>alert(1)</script>'");
}

static void test_quote_control_characters(void **state)
{
    (void)state;
    expect_quote("multi\nline\r\nx\ty", 0, "'multi line  x y'");
    expect_quote("\x1b[31mred\x07\x7f", 0, "' [31mred  '");
    expect_quote("a\xc2\x85" "b\xc2\x9b" "c", 0, "'a b c'"); /* C1 NEL, CSI */
    expect_quote("\x01\x02\x1f", 0, "'   '");
}

static void test_quote_bad_utf8_and_xml(void **state)
{
    (void)state;
    expect_quote("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x88", 0,
                 "'caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x88'");
    expect_quote("a\xff" "b", 0, "'a?b'");
    /* "?\?" keeps C from reading a trigraph */
    expect_quote("\xc0\xaf", 0, "'?\?'");           /* overlong '/' */
    expect_quote("\xed\xa0\x80", 0, "'?\?\?'");     /* UTF-16 surrogate */
    expect_quote("\xf4\x90\x80\x80", 0, "'?\?\?\?'"); /* above U+10FFFF */
    expect_quote("x\xe2\x82", 0, "'x?\?'");         /* truncated sequence */
    expect_quote("\xef\xbf\xbe\xef\xbf\xbf", 0, "'?\?'"); /* U+FFFE, U+FFFF */
    /* gnuplot's SVG terminal escapes < and & but not >, so "]]>" would make
     * the SVG ill-formed XML */
    expect_quote("a]]>b]]]>", 0, "'a]] >b]]] >'");
    expect_quote("] ]>", 0, "'] ]>'");
}

static void test_quote_enhanced_markup(void **state)
{
    (void)state;
    expect_quote("x^2_i @a &b {c} ~d \\e", HC_GP_ENHANCED,
                 "'x\\^2\\_i \\@a \\&b \\{c\\} \\~d \\\\e'");
    expect_quote("x^2_i", 0, "'x^2_i'"); /* noenhanced: left alone */
}

static void test_quote_short(void **state)
{
    (void)state;
    char in[200], want[220];
    memset(in, 'x', 70);
    in[70] = '\0';
    want[0] = '\'';
    memset(want + 1, 'x', HC_GP_LABEL_MAX);
    snprintf(want + 1 + HC_GP_LABEL_MAX, 10, "...'");
    expect_quote(in, HC_GP_SHORT, want);
    in[HC_GP_LABEL_MAX] = '\0'; /* exactly the limit: not cut */
    want[1 + HC_GP_LABEL_MAX] = '\'';
    want[2 + HC_GP_LABEL_MAX] = '\0';
    expect_quote(in, HC_GP_SHORT, want);
    /* counted in characters: a two-byte letter is never split */
    char e[200] = "", we[200] = "'";
    for (int i = 0; i < 61; i++)
        append(e, sizeof e, "\xc3\xa9");
    for (int i = 0; i < HC_GP_LABEL_MAX; i++)
        append(we, sizeof we, "\xc3\xa9");
    append(we, sizeof we, "...'");
    expect_quote(e, HC_GP_SHORT, we);
}

static void test_quote_path(void **state)
{
    (void)state;
    expect_quote("/tmp/Bob's plots/roc.svg", HC_GP_PATH,
                 "'/tmp/Bob' . \"'\" . 's plots/roc.svg'");
    /* bytes of a file name are kept, even when not UTF-8 */
    expect_quote("/tmp/a\xff`b`", HC_GP_PATH, "'/tmp/a\xff`b`'");
    char buf[64] = "untouched";
    assert_int_equal(hc_gnuplot_quote(buf, sizeof buf, "/tmp/a\nb", HC_GP_PATH),
                     (size_t)-1);
    assert_string_equal(buf, "");
    assert_int_equal(hc_gnuplot_quote(NULL, 0, "/tmp/\x1b", HC_GP_PATH),
                     (size_t)-1);
}

static void test_quote_small_buffer(void **state)
{
    (void)state;
    char buf[8];
    /* 'abcdefgh' needs 10 bytes: nothing but "" is written, never a
     * literal without its closing quote */
    assert_int_equal(hc_gnuplot_quote(buf, sizeof buf, "abcdefgh", 0), 10);
    assert_string_equal(buf, "");
    assert_int_equal(hc_gnuplot_quote(buf, sizeof buf, "abcde", 0), 7);
    assert_string_equal(buf, "'abcde'");
    assert_int_equal(hc_gnuplot_quote(buf, 1, "a", 0), 3);
    assert_string_equal(buf, "");
}

/* ---- escaping against the real gnuplot ---- */

/* Each hostile string is printed by gnuplot through `set print FILE` and
 * must come back as the displayed text, with no command run. */
static void test_quote_roundtrip_gnuplot(void **state)
{
    (void)state;
    if (!hc_plot_available(NULL, 0)) {
        fprintf(stderr, "skipped: gnuplot is not installed\n");
        skip();
    }
    char c1[700], c2[700], c3[700], c4[700];
    snprintf(c1, sizeof c1, "`touch %s.1`", canary);
    snprintf(c2, sizeof c2, "system(\"touch %s.2\")", canary);
    snprintf(c3, sizeof c3, "x'; system('touch %s.3'); print '", canary);
    snprintf(c4, sizeof c4, "a'\n! touch %s.4\nprint '", canary);
    const char *const in[] = {
        "O'Brien", "'", "''", "'''x", "x''''y", c1, c2, c3, c4,
        "@a `id` $0 # ; \\", "\"dq\" \\\" \\n", "]]> & <script>",
        "caf\xc3\xa9 \xf0\x9f\x93\x88", "tab\there"};
    const char *const shown[] = {
        "O'Brien", "'", "''", "'''x", "x''''y", c1, c2, c3, NULL,
        "@a `id` $0 # ; \\", "\"dq\" \\\" \\n", "]] > & <script>",
        "caf\xc3\xa9 \xf0\x9f\x93\x88", "tab here"};
    size_t n = sizeof in / sizeof in[0];
    char out[700], want[8192];
    snprintf(out, sizeof out, "%s/printed.txt", scratch);
    char *script = malloc(65536);
    assert_non_null(script);
    char q[4096];
    assert_true(hc_gnuplot_quote(q, sizeof q, out, HC_GP_PATH) < sizeof q);
    size_t len = (size_t)snprintf(script, 65536, "set print %s\n", q);
    want[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        assert_true(hc_gnuplot_quote(q, sizeof q, in[i], 0) < sizeof q);
        len += (size_t)snprintf(script + len, 65536 - len, "print %s\n", q);
        char line[1024];
        if (shown[i])
            snprintf(line, sizeof line, "%s\n", shown[i]);
        else /* c4: newlines became spaces */
            snprintf(line, sizeof line, "a' ! touch %s.4 print '\n", canary);
        append(want, sizeof want, line);
    }
    append(script, 65536, "unset print\n");
    hc_error err;
    hc_error_clear(&err);
    hc_status st = hc_gnuplot_run(script, NULL, &err);
    if (st != HC_OK)
        fprintf(stderr, "gnuplot: %s\n", err.message);
    assert_int_equal(st, HC_OK);
    free(script);
    char *got = slurp(out);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
    char path[700];
    for (int k = 1; k <= 4; k++) {
        snprintf(path, sizeof path, "%s.%d", canary, k);
        assert_false(exists(path));
    }
}

/* ---- running: no shell, timeout, errors ---- */

/* The program lives in a directory named with shell syntax; a shell would
 * run the embedded commands, exec runs the file. */
static void test_spawn_uses_no_shell(void **state)
{
    (void)state;
    char dir[1200], prog[1300], marker[1300];
    /* relative names: a shell would create them in the current directory */
    snprintf(dir, sizeof dir, "%s/d;touch hc-canary-a;$(touch hc-canary-b)"
             "`touch hc-canary-c`&|touch hc-canary-d", scratch);
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(prog, sizeof prog, "%s/gnuplot", dir);
    snprintf(marker, sizeof marker, "%s/marker", dir);
    /* the stand-in records its arguments and the script it was given */
    write_script(prog, "d=$(dirname \"$0\")\n"
                       "printf '%s\\n' \"$#\" \"$1\" \"$2\" > \"$d/marker\"\n"
                       "cat \"$2\" >> \"$d/marker\"");
    hc_gnuplot_options opt = {0};
    opt.gnuplot = prog;
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_gnuplot_run("print 'hello'\n", &opt, &err), HC_OK);
    char *m = slurp(marker);
    assert_non_null(m);
    /* argv is exactly {prog, "-d", script}; the script held our text */
    assert_true(strncmp(m, "2\n-d\n", 5) == 0);
    assert_non_null(strstr(m, "print 'hello'"));
    char script_path[1024];
    assert_int_equal(sscanf(m + 5, "%1023[^\n]", script_path), 1);
    assert_non_null(strstr(script_path, "healthcal-script."));
    assert_false(exists(script_path)); /* removed after the run */
    free(m);
    char path[700];
    for (const char *s = "abcd"; *s; s++) {
        snprintf(path, sizeof path, "hc-canary-%c", *s);
        assert_false(exists(path));
        snprintf(path, sizeof path, "%s/hc-canary-%c", scratch, *s);
        assert_false(exists(path));
    }
}

static void test_spawn_failure_message(void **state)
{
    (void)state;
    char prog[700];
    snprintf(prog, sizeof prog, "%s/failing-gnuplot", scratch);
    write_script(prog, "printf 'line 3: undefined \\033[2Jvariable\\nmore\\n' >&2\n"
                       "exit 1");
    hc_gnuplot_options opt = {0};
    opt.gnuplot = prog;
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_gnuplot_run("x\n", &opt, &err), HC_EIO);
    assert_non_null(strstr(err.message, "exit status 1"));
    assert_non_null(strstr(err.message, "line 3: undefined"));
    assert_non_null(strstr(err.message, "; more"));
    assert_null(strchr(err.message, '\033')); /* terminal escapes removed */
    assert_null(strchr(err.message, '\n'));
}

static void test_spawn_timeout_kills(void **state)
{
    (void)state;
    char prog[700];
    snprintf(prog, sizeof prog, "%s/hanging-gnuplot", scratch);
    write_script(prog, "exec sleep 30");
    hc_gnuplot_options opt = {0};
    opt.gnuplot = prog;
    opt.timeout = 0.5;
    hc_error err;
    hc_error_clear(&err);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(hc_gnuplot_run("x\n", &opt, &err), HC_EIO);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) +
                  (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    assert_true(secs >= 0.4 && secs < 5.0);
    assert_non_null(strstr(err.message, "did not finish within 0.5 seconds"));
}

static void test_find_skips_relative_path_entries(void **state)
{
    (void)state;
    char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    char rel[700], prog[800];
    snprintf(rel, sizeof rel, "%s/rel", scratch);
    assert_int_equal(mkdir(rel, 0700), 0);
    snprintf(prog, sizeof prog, "%s/gnuplot", rel);
    write_script(prog, "exit 0");
    assert_int_equal(chdir(rel), 0);
    /* empty and relative entries both mean the current directory */
    setenv("PATH", ":.:rel:/nonexistent-hc-dir", 1);
    char path[4096], why[512];
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_gnuplot_find(NULL, path, sizeof path, &err), HC_EIO);
    assert_non_null(strstr(err.message, "gnuplot-nox"));
    assert_int_equal(hc_plot_available(why, sizeof why), 0);
    assert_non_null(strstr(why, "not found on PATH"));
    /* an absolute entry is used */
    setenv("PATH", rel, 1);
    assert_int_equal(hc_gnuplot_find(NULL, path, sizeof path, &err), HC_OK);
    assert_string_equal(path, prog);
    assert_int_equal(chdir(cwd), 0);
    if (old) {
        setenv("PATH", old, 1);
        free(old);
    } else {
        unsetenv("PATH");
    }
}

static void test_render_atomic(void **state)
{
    (void)state;
    if (!hc_plot_available(NULL, 0)) {
        fprintf(stderr, "skipped: gnuplot is not installed\n");
        skip();
    }
    char out[700], svg[800], png[800];
    snprintf(out, sizeof out, "%s/out dir 'quoted'", scratch);
    assert_int_equal(mkdir(out, 0700), 0);
    snprintf(svg, sizeof svg, "%s/t.svg", out);
    snprintf(png, sizeof png, "%s/t.png", out);
    hc_error err;
    hc_error_clear(&err);
    hc_status st = hc_gnuplot_render("plot x title 'line'\n", out, "t",
                                     HC_PLOT_SVG | HC_PLOT_PNG, NULL, &err);
    if (st != HC_OK)
        fprintf(stderr, "render: %s\n", err.message);
    assert_int_equal(st, HC_OK);
    assert_true(exists(svg));
    char *s = slurp(png);
    assert_non_null(s);
    assert_memory_equal(s, "\x89PNG\r\n\x1a\n", 8);
    /* IHDR width and height, big-endian at bytes 16..23: 800 x 500 */
    const unsigned char *u = (const unsigned char *)s;
    assert_int_equal((u[16] << 24) | (u[17] << 16) | (u[18] << 8) | u[19], 800);
    assert_int_equal((u[20] << 24) | (u[21] << 16) | (u[22] << 8) | u[23], 500);
    free(s);
    struct stat sb;
    assert_int_equal(stat(png, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0644); /* not mkstemp's 0600 */
    /* a failing script leaves the old image as it was and no temporary */
    char *before = slurp(svg);
    assert_non_null(strstr(before, "<svg"));
    assert_int_equal(hc_gnuplot_render("plot nosuchfunction(x)\n", out, "t",
                                       HC_PLOT_SVG, NULL, &err),
                     HC_EIO);
    assert_non_null(strstr(err.message, "nosuchfunction"));
    char *after = slurp(svg);
    assert_non_null(after);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_int_equal(count_tmp(out), 0);
    assert_int_equal(hc_gnuplot_render("x", out, "a/b", HC_PLOT_SVG, NULL, &err),
                     HC_EUSAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_plain_and_null),
        cmocka_unit_test(test_quote_single_quotes),
        cmocka_unit_test(test_quote_command_syntax_is_literal),
        cmocka_unit_test(test_quote_control_characters),
        cmocka_unit_test(test_quote_bad_utf8_and_xml),
        cmocka_unit_test(test_quote_enhanced_markup),
        cmocka_unit_test(test_quote_short),
        cmocka_unit_test(test_quote_path),
        cmocka_unit_test(test_quote_small_buffer),
        cmocka_unit_test(test_quote_roundtrip_gnuplot),
        cmocka_unit_test(test_spawn_uses_no_shell),
        cmocka_unit_test(test_spawn_failure_message),
        cmocka_unit_test(test_spawn_timeout_kills),
        cmocka_unit_test(test_find_skips_relative_path_entries),
        cmocka_unit_test(test_render_atomic),
    };
    return cmocka_run_group_tests(tests, setup_scratch, teardown_scratch);
}
