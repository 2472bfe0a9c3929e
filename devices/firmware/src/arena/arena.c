#include "arena/arena.h"

#include <string.h>

rfw_status rfw_arena_init(rfw_arena *arena, void *buffer, size_t size) {
  if (arena == NULL || (buffer == NULL && size > 0)) return RFW_ERR_ARGUMENT;
  memset(arena, 0, sizeof *arena);
  arena->base = (uint8_t *)buffer;
  arena->size = size;
  return RFW_OK;
}

void *rfw_arena_alloc(rfw_arena *arena, size_t bytes, size_t align, rfw_arena_use use) {
  if (arena == NULL || align == 0 || (align & (align - 1)) != 0 || (unsigned)use >= RFW_USE_COUNT) return NULL;
  /* Align the address, not the offset: the caller's buffer may start anywhere. */
  uintptr_t at = (uintptr_t)(arena->base + arena->head);
  size_t padding = (size_t)((align - (at & (align - 1))) & (align - 1));
  size_t room = arena->size - arena->head;
  if (padding > room || bytes > room - padding) {
    size_t need = arena->head + padding;
    arena->wanted = bytes > SIZE_MAX - need ? SIZE_MAX : need + bytes;
    return NULL;
  }
  void *out = arena->base + arena->head + padding;
  arena->head += padding + bytes;
  if (arena->head > arena->peak) arena->peak = arena->head;
  rfw_arena_record *r = &arena->records[use];
  r->count++;
  r->requested += bytes;
  r->used += padding + bytes;
  return out;
}

size_t rfw_arena_mark(const rfw_arena *arena) { return arena->head; }

void rfw_arena_release(rfw_arena *arena, size_t mark) {
  if (mark <= arena->head) arena->head = mark;
}

void rfw_arena_reset(rfw_arena *arena) { rfw_arena_init(arena, arena->base, arena->size); }
