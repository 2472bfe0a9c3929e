/*
 * The caller's memory. The runtime never calls malloc: whoever embeds it hands in one buffer, and every
 * allocation is a bump of a cursor in it. The arena records, per use, how many allocations were made,
 * the bytes asked for and the bytes taken with alignment padding, and the high-water mark; a failed
 * allocation records how many bytes it wanted, so a board can say "needs N bytes" before anything is
 * overwritten. (The shape follows tflite-micro's recording allocator: the numbers a budget is checked
 * against come from the allocator itself.)
 *
 * Temporary allocations (working memory of one check) are released with a mark; the peak keeps them.
 */
#ifndef RFW_ARENA_H
#define RFW_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include "common/status.h"

/** What an allocation is for: the records a budget is checked against (docs/budget.md §6–7). */
typedef enum rfw_arena_use {
  RFW_USE_GRAPH = 0,       /* the parsed package: node index, lasts as long as the package is open */
  RFW_USE_SCRATCH = 1,     /* working memory of a check or of planning, released when it ends */
  RFW_USE_PLAN = 2,        /* the executor's plan: buffer offsets per node and tensor, a pool's row of sums */
  RFW_USE_WEIGHTS = 3,     /* float32 tensors rebuilt at load (seeded ones), kept for the model's life */
  RFW_USE_ACTIVATIONS = 4, /* the activation buffers (and per-layer weight scratch), placed at planned offsets */
  RFW_USE_COUNT = 5
} rfw_arena_use;

typedef struct rfw_arena_record {
  uint32_t count;
  size_t requested; /* bytes asked for */
  size_t used;      /* bytes taken, alignment padding included */
} rfw_arena_record;

typedef struct rfw_arena {
  uint8_t *base;
  size_t size;
  size_t head;
  size_t peak;
  /** Bytes the last failed allocation needed in all (head + padding + request); 0 when none failed. */
  size_t wanted;
  rfw_arena_record records[RFW_USE_COUNT];
} rfw_arena;

/**
 * @param[out] arena  the arena to set up
 * @param[in]  buffer caller-owned memory; it must outlive every use of the arena
 * @param[in]  size   its size in bytes
 */
rfw_status rfw_arena_init(rfw_arena *arena, void *buffer, size_t size);

/**
 * @param[in,out] arena the arena
 * @param[in] bytes how many bytes
 * @param[in] align a power of two
 * @param[in] use   what for, for the record
 * @return the memory, or NULL when the arena is too small (arena->wanted says how much was needed)
 */
void *rfw_arena_alloc(rfw_arena *arena, size_t bytes, size_t align, rfw_arena_use use);

/** The cursor, to release everything allocated after it with rfw_arena_release. */
size_t rfw_arena_mark(const rfw_arena *arena);

/** Drops every allocation made after `mark` (the records and the peak keep them). */
void rfw_arena_release(rfw_arena *arena, size_t mark);

/** Forgets every allocation and every record: the arena as rfw_arena_init left it. */
void rfw_arena_reset(rfw_arena *arena);

static inline size_t rfw_arena_used(const rfw_arena *arena) { return arena->head; }
static inline size_t rfw_arena_peak(const rfw_arena *arena) { return arena->peak; }

#endif
