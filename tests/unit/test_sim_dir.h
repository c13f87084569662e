/* test_sim_dir.h - the simulator tests' output directories: a fresh one, its files read back, removal. */
#ifndef TEST_SIM_DIR_H
#define TEST_SIM_DIR_H

#include "test_util.h"

#include <unistd.h>

#include "hc_simulate.h"

/* The files `healthcal simulate` may write into its directory. */
static const char *const sim_files[] = {"snapshots.csv", "events.csv", "truth_probs.csv",
                                        "truth.json", "current.json"};
enum { SIM_N_FILES = 5 };

/* A new empty directory under /tmp (malloc'd path). */
static inline char *sim_make_dir(void)
{
    char tmpl[] = "/tmp/hc-test-simulate-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

/* Removes the simulator's files, the directory, and frees `dir`. */
static inline void sim_remove_dir(char *dir)
{
    char path[4096];
    for (int i = 0; i < SIM_N_FILES; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, sim_files[i]);
        unlink(path);
    }
    rmdir(dir);
    free(dir);
}

/* The whole of dir/name, NUL-terminated (malloc'd), its length in *len
 * (when not NULL); NULL when the file cannot be opened. */
static inline char *sim_read_file(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

/* Runs the simulator with `opt` and asserts it succeeded (its message on
 * stderr otherwise); the counts of what it wrote. */
static inline hc_simulate_result sim_run(const hc_simulate_options *opt)
{
    hc_simulate_result res;
    hc_error err;
    hc_error_clear(&err);
    hc_status st = hc_simulate_run(opt, &res, &err);
    if (st != HC_OK)
        fprintf(stderr, "simulate: %s\n", err.message);
    assert_int_equal(st, HC_OK);
    return res;
}

#endif
