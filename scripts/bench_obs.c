/* bench_obs.c - the labelled table scripts/bench.sh times the --observations paths on: account_id, churned, p and 10 numeric features, deterministic. */
/*
 * usage: bench_obs ROWS > observations.csv
 *
 * Rows come 50 to an account (account_id acctK, a text id the clustered
 * intervals can use); f0..f9 are uniform on [-1, 1] with 4 decimals (the
 * precision of an export), the log-odds of churn -3.5 + sum_k b_k f_k with
 * b_k = 0.3 for k = 0, 3, 6, 9 and -0.15 otherwise, churned ~ Bernoulli of
 * it, and p that probability with 6 decimals. A 48-bit linear congruential
 * generator (drand48's constants, written out) so that every platform
 * writes the same bytes. No value is -0.0000 (it would make the loader keep
 * a whole column as doubles, which no export does on purpose).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state = 0x1234ABCD330EULL;

static double uniform(void)
{
    state = (state * 0x5DEECE66DULL + 0xB) & ((1ULL << 48) - 1);
    return (double)state / (double)(1ULL << 48);
}

int main(int argc, char **argv)
{
    char *end;
    long long n = argc == 2 ? strtoll(argv[1], &end, 10) : -1;
    if (argc != 2 || *end != '\0' || n < 1) {
        fprintf(stderr, "usage: bench_obs ROWS > observations.csv\n");
        return 2;
    }
    printf("account_id,churned,p,f0,f1,f2,f3,f4,f5,f6,f7,f8,f9\n");
    for (long long i = 0; i < n; i++) {
        long f[10];
        double z = -3.5;
        for (int k = 0; k < 10; k++) {
            f[k] = lrint((uniform() * 2.0 - 1.0) * 10000.0);
            z += (k % 3 == 0 ? 0.3 : -0.15) * (double)f[k] / 10000.0;
        }
        double p = 1.0 / (1.0 + exp(-z));
        int y = uniform() < p;
        printf("acct%lld,%d,%.6f", i / 50, y, p);
        for (int k = 0; k < 10; k++)
            printf(",%s%ld.%04ld", f[k] < 0 ? "-" : "", labs(f[k]) / 10000, labs(f[k]) % 10000);
        putchar('\n');
    }
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
