/* What the board's files share (src/board/): not part of the public API. */
#ifndef RFW_BOARD_INTERNAL_H
#define RFW_BOARD_INTERNAL_H

#include "board/board.h"
#include "common/format.h"

#define RFW_NO_REGION 0xffu
/** After this long without a byte from the studio the link is quiet: the upload's offset is recorded. */
#define RFW_BOARD_QUIET_US 250000u
/** The offset is recorded at least this often while bytes stream in (docs/protocol.md "What a board persists"). */
#define RFW_BOARD_PERSIST_BYTES (64u * 1024u)
#define RFW_BOARD_PERSIST_US 1000000u

/* board.c */
/** Formats the sentence of an ERROR into board->text and returns its code, for `return board_error(…)`. */
rfw_proto_error board_error(rfw_board *b, rfw_proto_error code, const char *fmt, ...) RFW_PRINTF(3, 4);
/** Checks that a payload was read exactly: too short or too long is bad-message, worded as the studio's reader words it. */
rfw_proto_error board_wire_end(rfw_board *b, const rfw_wire *w, uint8_t type);
/** A start-up problem: logged now, and sent to each studio session as a LOG after its first INFO. */
void board_notice(rfw_board *b, rfw_log_level level, const char *fmt, ...) RFW_PRINTF(3, 4);
/** Reads what the studio sent meanwhile during long work: resends of the running request are dropped, anything else waits. */
void board_service(rfw_board *b);
/** The first 16 hex digits of a digest and an ellipsis, or "none". */
const char *board_short(const uint8_t *digest, int present, char out[24]);
int board_digest_zero(const uint8_t *digest);

/* board-send.c: replies. The answer_* ones are remembered for resends of the latest request. */
void board_send_ack(rfw_board *b, uint16_t id, uint32_t offset, int gap);
void board_send_error(rfw_board *b, uint16_t id, rfw_proto_error code, const char *text);
void board_send_info(rfw_board *b, uint16_t id);
void board_log(rfw_board *b, rfw_log_level level, const char *fmt, ...) RFW_PRINTF(3, 4);
void board_send_log_text(rfw_board *b, rfw_log_level level, const char *text);
void board_answer_ack(rfw_board *b, uint16_t id, uint32_t offset);
void board_answer_state(rfw_board *b, uint16_t id);
void board_answer_error(rfw_board *b, uint16_t id, rfw_proto_error code, const char *text);
void board_answer_result(rfw_board *b, uint16_t id, uint32_t micros);
void board_answer_bench(rfw_board *b, uint16_t id, uint16_t runs);
/** Sends the remembered answers of the latest request again. */
void board_replay(rfw_board *b);
/** The engine string of RESULT and BENCH-RESULT. */
const char *board_engine(const rfw_board *b);

/* board-store.c: the state region. */
rfw_status board_store_load(rfw_board *b, rfw_diag *diag);
/** Writes `next` as the slot record (the older copy, then sync) and makes it the board's. */
rfw_status board_store_save_slots(rfw_board *b, const rfw_board_slots *next);
/** Syncs the upload's bytes, then records (digest, size, offset) (data before state). */
rfw_status board_store_persist_upload(rfw_board *b);
/** Records that no upload is pending. */
rfw_status board_store_clear_upload(rfw_board *b);
/** A package region that is neither active nor previous (for a new upload). */
uint8_t board_store_free_region(const rfw_board *b);
/** SHA-256 of the first `size` bytes of a region, mapped or read through `scratch`. */
rfw_status board_store_hash(uint8_t region, uint32_t size, uint8_t *scratch, size_t scratch_bytes, uint8_t out[32]);

/* board-upload.c */
rfw_proto_error board_begin(rfw_board *b, uint16_t id, rfw_wire *w);
void board_chunk(rfw_board *b, uint16_t id, rfw_wire *w);
rfw_proto_error board_abort(rfw_board *b, uint16_t id, rfw_wire *w);
/** Records the offset when bytes arrived since the last record (the link went quiet, or shutdown). */
rfw_status board_upload_flush(rfw_board *b);

/* board-commit.c */
rfw_proto_error board_commit(rfw_board *b, uint16_t id, rfw_wire *w);
rfw_proto_error board_activate(rfw_board *b, uint16_t id, rfw_wire *w);
rfw_proto_error board_rollback(rfw_board *b, uint16_t id, rfw_wire *w);

/* board-run.c */
rfw_proto_error board_infer(rfw_board *b, uint16_t id, rfw_wire *w);
rfw_proto_error board_bench(rfw_board *b, uint16_t id, rfw_wire *w);
/** Forgets the loaded model (its arena is about to be reused, or the active package changed). */
void board_run_unload(rfw_board *b);
/** Bytes a model takes beside the executor's: the input, the logits and the bench records. */
size_t board_run_extras(const rfw_package *pkg);
/** The float32 values of the input node and of the first output. */
void board_run_shapes(const rfw_package *pkg, uint32_t *inputs, uint32_t *outputs);

#endif
