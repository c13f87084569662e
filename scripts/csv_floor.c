/* csv_floor.c - the benchmark floor: one bare libcsv pass over a file that only counts fields and records.
 *
 * scripts/bench.sh builds it with `cc -O2 scripts/csv_floor.c -lcsv` and times
 * it next to `healthcal fit` (target: fit at most 2x this). It reads the file
 * in 64 KiB blocks with the parser options src/io/csv_read.c uses (strict
 * quoting, every terminator reported, strict end of input), so the only
 * difference from healthcal's loader is the work done per field: none here.
 *
 * usage: csv_floor FILE   prints "records R fields F bytes B" on stdout.
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE 65536

typedef struct {
    unsigned long long fields;
    unsigned long long records;
    unsigned long long fields_in_record; /* fields seen since the last record */
} counts;

static void on_field(void *data, size_t len, void *ctx)
{
    (void)data;
    (void)len;
    counts *c = ctx;
    c->fields++;
    c->fields_in_record++;
}

/* CSV_REPALL_NL reports the LF of a CRLF pair as an empty record (-1 ends
 * the final record at csv_fini); only records that held a field count. */
static void on_record(int term, void *ctx)
{
    (void)term;
    counts *c = ctx;
    if (c->fields_in_record > 0)
        c->records++;
    c->fields_in_record = 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: csv_floor FILE\n");
        return 1;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 4;
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI) != 0) {
        fprintf(stderr, "csv_floor: csv_init failed\n");
        fclose(f);
        return 4;
    }
    static char buf[BLOCK_SIZE];
    counts c = {0, 0, 0};
    unsigned long long bytes = 0;
    size_t got;
    int status = 0;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
        bytes += got;
        if (csv_parse(&p, buf, got, on_field, on_record, &c) != got) {
            fprintf(stderr, "csv_floor: %s: %s\n", argv[1],
                    csv_strerror(csv_error(&p)));
            status = 2;
            break;
        }
    }
    if (ferror(f)) {
        perror(argv[1]);
        status = 4;
    }
    if (status == 0 && csv_fini(&p, on_field, on_record, &c) != 0) {
        fprintf(stderr, "csv_floor: %s: %s\n", argv[1], csv_strerror(csv_error(&p)));
        status = 2;
    }
    csv_free(&p);
    fclose(f);
    if (status == 0)
        printf("records %llu fields %llu bytes %llu\n", c.records, c.fields, bytes);
    return status;
}
