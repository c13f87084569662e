/* strpool.c - string interning: equal strings share one code and one copy. */
#include "hc_table.h"

#include <stdlib.h>
#include <string.h>

/* Strings live in large arena blocks so that interning millions of
 * repeated ids costs one hash lookup and no allocation per row. */
typedef struct block {
    struct block *next;
    size_t used, size;
    char data[];
} block;

struct hc_strpool {
    char **strings;     /* code -> string */
    size_t *lengths;
    size_t count, cap;
    int32_t *slots;     /* open addressing, -1 empty */
    size_t n_slots;     /* power of two */
    block *blocks;
};

static uint64_t hash_bytes(const char *s, size_t len)
{
    /* FNV-1a, 64-bit. */
    uint64_t h = UINT64_C(1469598103934665603);
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

hc_strpool *hc_strpool_alloc(void)
{
    hc_strpool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pool->n_slots = 64;
    pool->slots = malloc(pool->n_slots * sizeof *pool->slots);
    if (!pool->slots) {
        free(pool);
        return NULL;
    }
    memset(pool->slots, 0xff, pool->n_slots * sizeof *pool->slots);
    return pool;
}

void hc_strpool_free(hc_strpool *pool)
{
    if (!pool)
        return;
    for (block *b = pool->blocks; b;) {
        block *next = b->next;
        free(b);
        b = next;
    }
    free(pool->strings);
    free(pool->lengths);
    free(pool->slots);
    free(pool);
}

static size_t find_slot(const hc_strpool *pool, const char *s, size_t len,
                        uint64_t h)
{
    size_t mask = pool->n_slots - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        int32_t c = pool->slots[i];
        if (c < 0 || (pool->lengths[c] == len &&
                      memcmp(pool->strings[c], s, len) == 0))
            return i;
    }
}

int32_t hc_strpool_lookup(const hc_strpool *pool, const char *s, size_t len)
{
    return pool->slots[find_slot(pool, s, len, hash_bytes(s, len))];
}

static int grow_slots(hc_strpool *pool)
{
    size_t n = pool->n_slots * 2;
    int32_t *slots = malloc(n * sizeof *slots);
    if (!slots)
        return -1;
    memset(slots, 0xff, n * sizeof *slots);
    for (size_t c = 0; c < pool->count; c++) {
        uint64_t h = hash_bytes(pool->strings[c], pool->lengths[c]);
        size_t i = (size_t)h & (n - 1);
        while (slots[i] >= 0)
            i = (i + 1) & (n - 1);
        slots[i] = (int32_t)c;
    }
    free(pool->slots);
    pool->slots = slots;
    pool->n_slots = n;
    return 0;
}

static char *arena_copy(hc_strpool *pool, const char *s, size_t len)
{
    block *b = pool->blocks;
    if (!b || b->size - b->used < len + 1) {
        size_t size = len + 1 > 65536 ? len + 1 : 65536;
        b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->used = 0;
        b->size = size;
        b->next = pool->blocks;
        pool->blocks = b;
    }
    char *p = b->data + b->used;
    memcpy(p, s, len);
    p[len] = '\0';
    b->used += len + 1;
    return p;
}

int32_t hc_strpool_intern(hc_strpool *pool, const char *s, size_t len)
{
    uint64_t h = hash_bytes(s, len);
    size_t slot = find_slot(pool, s, len, h);
    if (pool->slots[slot] >= 0)
        return pool->slots[slot];
    if (pool->count >= INT32_MAX - 1)
        return -1;
    if ((pool->count + 1) * 2 > pool->n_slots) {
        if (grow_slots(pool) != 0)
            return -1;
        slot = find_slot(pool, s, len, h);
    }
    if (pool->count == pool->cap) {
        size_t cap = pool->cap ? pool->cap * 2 : 64;
        char **strings = realloc(pool->strings, cap * sizeof *strings);
        if (!strings)
            return -1;
        pool->strings = strings;
        size_t *lengths = realloc(pool->lengths, cap * sizeof *lengths);
        if (!lengths)
            return -1;
        pool->lengths = lengths;
        pool->cap = cap;
    }
    char *copy = arena_copy(pool, s, len);
    if (!copy)
        return -1;
    int32_t code = (int32_t)pool->count++;
    pool->strings[code] = copy;
    pool->lengths[code] = len;
    pool->slots[slot] = code;
    return code;
}

const char *hc_strpool_get(const hc_strpool *pool, int32_t code)
{
    if (code < 0 || (size_t)code >= pool->count)
        return NULL;
    return pool->strings[code];
}

size_t hc_strpool_count(const hc_strpool *pool)
{
    return pool->count;
}

int32_t *hc_strpool_merge(hc_strpool *dst, const hc_strpool *src)
{
    int32_t *map = malloc((src->count ? src->count : 1) * sizeof *map);
    for (size_t c = 0; map && c < src->count; c++) {
        int32_t code = hc_strpool_intern(dst, src->strings[c], src->lengths[c]);
        if (code < 0) {
            free(map);
            return NULL;
        }
        map[c] = code;
    }
    return map;
}
