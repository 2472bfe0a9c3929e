/*
 * The board side of the push protocol (docs/protocol.md), for any port: handshake, resumable uploads
 * into the port's package regions, COMMIT through every check into A/B(/C) slots, activation and
 * rollback, inference and per-layer benchmarks, and answers to lost requests repeated, never rerun.
 *
 * A port calls rfw_board_init once with its memory, then rfw_board_poll in its main loop:
 *
 *   static rfw_board board;
 *   static uint8_t memory[160 * 1024];
 *   rfw_board_config config = {.name = "shelf-cam", .platform = "netduinoplus2"};
 *   if (rfw_board_init(&board, &config, memory, sizeof memory, &diag) != RFW_OK) ...;
 *   for (;;) if (rfw_board_poll(&board, 100000) == RFW_ERR_PORT) break;
 *
 * The memory holds the board's frame buffers (two of rfw_frame_buffer_bytes(max_message)) and, in the
 * rest, the arena every model runs in (INFO reports its size as the board's RAM). Nothing is allocated
 * anywhere else. When the port cannot map a package region (rfw_port_storage_map returns NULL), the
 * package is read into the arena, so it must fit there too; COMMIT refuses a model that does not fit
 * (ERROR too-large, "the model needs N bytes of RAM …") before anything is overwritten.
 *
 * Storage: three package regions (the active package, the previous one and the upload in progress;
 * a commit changes which is which and never copies) and the state region, which holds the slot record
 * and the upload's resume record, each as two alternating copies with a sequence number and a CRC.
 */
#ifndef RFW_BOARD_H
#define RFW_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "arena/arena.h"
#include "common/diag.h"
#include "common/status.h"
#include "model/model.h"
#include "package/package.h"
#include "port/port.h"
#include "protocol/frame.h"
#include "protocol/message.h"

#define RFW_BOARD_VERSION "0.2.0"
/** The longest message a board accepts unless configured otherwise: a 4 KiB chunk with room to spare. */
#define RFW_BOARD_DEFAULT_MAX_MESSAGE 8192u
/** Bytes the state region needs: two copies each of the slot record and the upload record. */
#define RFW_BOARD_STATE_BYTES 512u
/** Longest BENCH before it answers with the runs done so far (the TypeScript agent's 30 s). */
#define RFW_BOARD_DEFAULT_BENCH_MS 30000u
#define RFW_BOARD_TEXT_BYTES 320u
#define RFW_BOARD_NOTICES 4
#define RFW_BOARD_INPUT_BYTES 256u
#define RFW_BOARD_TX_BYTES 512u

typedef struct rfw_board_config {
  /** INFO's board name (cut to fit). */
  const char *name;
  /** The port, for INFO's runtime string: "reframe-fw 0.2.0 (<platform>, C99)". NULL: "unknown". */
  const char *platform;
  /** The longest message accepted (at least 256); 0 for RFW_BOARD_DEFAULT_MAX_MESSAGE. */
  uint32_t max_message;
  /** Refuse unsigned packages (INFO capability bit 3); needs at least one key. */
  int require_signature;
  /** Trusted Ed25519 keys; with keys and no requirement, a signed package must verify against one. */
  const rfw_key *keys;
  size_t key_count;
  /** Longest a BENCH may run, in ms; 0 for RFW_BOARD_DEFAULT_BENCH_MS. */
  uint32_t bench_budget_ms;
} rfw_board_config;

/* Everything below is the board's own state; a port only allocates the struct. */

/** A package a slot holds: which region, how many bytes, their SHA-256. region 0xff: none. */
typedef struct rfw_board_slot {
  uint8_t region;
  uint32_t size;
  uint8_t digest[32];
} rfw_board_slot;

typedef struct rfw_board_slots {
  uint32_t seq;
  rfw_board_slot active;
  rfw_board_slot previous;
} rfw_board_slots;

typedef struct rfw_board_upload {
  uint32_t seq;
  int present;
  uint8_t region;
  uint8_t kind;
  uint32_t size;
  uint32_t offset;     /* bytes held contiguously from the start */
  uint8_t digest[32];
  uint32_t persisted;  /* the offset the state region records */
  uint32_t persisted_at;
} rfw_board_upload;

/** Which request was answered last and how, so that a resend gets the same answers (docs/protocol.md "Lost answers"). */
typedef enum rfw_board_answer { RFW_ANSWER_NONE = 0, RFW_ANSWER_ACK, RFW_ANSWER_STATE, RFW_ANSWER_ERROR, RFW_ANSWER_RESULT, RFW_ANSWER_BENCH } rfw_board_answer;

typedef struct rfw_board_latest {
  int valid;
  int done;
  uint8_t type;
  uint16_t id;
  uint32_t length;
  uint32_t crc;
  uint8_t head[48]; /* the request's first bytes; with length and CRC-32C they stand for all of them */
  rfw_board_answer answer;
  uint32_t offset;  /* ACK */
  uint8_t gap;
  rfw_board_slot active, previous; /* STATE */
  uint16_t code;                   /* ERROR */
  size_t text_length;
  char text[RFW_BOARD_TEXT_BYTES];
  uint32_t micros; /* RESULT: the logits stay in the loaded model's buffer */
  uint16_t runs;   /* BENCH: the timings stay in the loaded model's buffers */
} rfw_board_latest;

/** The active model, loaded on the first INFER or BENCH after it changed. */
typedef struct rfw_board_run {
  int loaded;
  uint8_t digest[32];
  rfw_package pkg;
  rfw_model model;
  float *input;
  uint32_t input_received; /* bytes of the input assembled so far */
  int input_open;          /* a multi-part INFER is under way */
  float *logits;
  uint64_t *bench_sum; /* per execution step: micros summed over the timed runs */
  uint32_t *bench_node; /* per execution step: the node it ran */
  uint32_t bench_steps;
  int timing;
} rfw_board_run;

typedef struct rfw_board {
  rfw_board_config config;
  uint32_t max_message;
  uint32_t peer_max;      /* the studio's maxMessage: 256 until its HELLO */
  uint32_t region_bytes;  /* capacity of each package region (the smallest of the three) */
  rfw_frame_reader reader;
  uint8_t *current;       /* the buffer holding the message being handled */
  int held;               /* a frame read while busy waits in the reader */
  int busy;
  uint8_t in[RFW_BOARD_INPUT_BYTES];
  size_t in_pos, in_len;
  uint32_t heard_at;      /* rfw_port_micros() when the studio last sent a byte */
  int noticed;            /* this session has had the start-up notices */
  rfw_frame_writer writer;
  uint8_t tx[RFW_BOARD_TX_BYTES];
  size_t tx_fill;
  int tx_failed;
  rfw_arena arena;        /* the work arena: a loaded model, or COMMIT's checks */
  rfw_board_slots slots;
  rfw_board_upload upload;
  rfw_board_latest latest;
  rfw_board_run run;
  char text[RFW_BOARD_TEXT_BYTES];
  size_t notice_count;
  uint8_t notice_level[RFW_BOARD_NOTICES];
  char notice[RFW_BOARD_NOTICES][160];
} rfw_board;

/**
 * Sets the board up on `memory` and reads its storage: the slot record (each slot's bytes checked
 * against its digest: a slot that does not match is left out of use) and the pending upload.
 * @param[out] board  the board
 * @param[in] config  name, limits and signature policy (copied; the strings and keys must outlive the board)
 * @param[in] memory  frame buffers and the model arena; the caller keeps it for the board's life
 * @param[in] size    its size in bytes
 * @return RFW_OK; RFW_ERR_ARGUMENT for a bad configuration or too little memory; RFW_ERR_PORT when the
 *         storage cannot be read or is smaller than the board needs (diag says which)
 */
rfw_status rfw_board_init(rfw_board *board, const rfw_board_config *config, void *memory, size_t size, rfw_diag *diag);

/**
 * One step: waits at most `timeout_us` for bytes from the studio, then handles at most one request
 * (a port loops on this). When nothing has arrived for 250 ms, it records the upload's offset.
 * @return RFW_OK, or RFW_ERR_PORT when the serial link is gone for good
 */
rfw_status rfw_board_poll(rfw_board *board, uint32_t timeout_us);

/** Records the upload's contiguous offset now (before a shutdown); data is synced before the record. */
rfw_status rfw_board_flush(rfw_board *board);

/** The memory to give rfw_board_init so that models get an arena of `arena_bytes`. */
static inline size_t rfw_board_memory_bytes(uint32_t max_message, size_t arena_bytes) {
  const size_t frame = (rfw_frame_buffer_bytes(max_message == 0 ? RFW_BOARD_DEFAULT_MAX_MESSAGE : max_message) + 15u) & ~(size_t)15u;
  return 2 * frame + arena_bytes;
}

/** The arena bytes models get (INFO's RAM figure). */
static inline size_t rfw_board_ram(const rfw_board *board) { return board->arena.size; }

#endif
