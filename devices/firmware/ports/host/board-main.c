/*
 * reframe-fw-board: the C runtime's board side on the host, over a pseudo-terminal, with its storage
 * in files. What the Cortex-M ports run on their UART, here with a path a studio can open:
 *
 *   reframe-fw-board --store <dir> [--arena N] [--storage N] [--max-message N] [--name <text>]
 *                    [--require-signature] [--trust <key.pub|64 hex>]... [--no-map]
 *
 * It prints `board ready on /dev/pts/N (store <dir>)` once the studio may connect (`reframe push
 * pkg.rfpk --port /dev/pts/N`), logs one line per event on stderr, and on SIGTERM or SIGINT records the
 * upload's offset and exits 0. --arena is the RAM models get (default 8M; a small value plays a
 * microcontroller), --storage the size of each package region (default 64M), --no-map keeps packages
 * behind reads (as on a board whose flash is not memory-mapped), so they are read into the arena.
 */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/board.h"
#include "ports/host/port-host.h"
#include "tools/cli-support.h"

#define MAX_KEYS 16

static volatile sig_atomic_t stopping = 0;

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

static int usage(void) {
  fprintf(stderr,
          "usage: reframe-fw-board --store <dir> [--arena N] [--storage N] [--max-message N] [--name <text>]\n"
          "                        [--require-signature] [--trust <key.pub|64 hex>]... [--no-map]\n");
  return 2;
}

static int size_option(const char *flag, const char *text, uint64_t min, uint64_t max, uint64_t *out) {
  if (cli_parse_size(text, out) != 0 || *out < min || *out > max) {
    fprintf(stderr, "reframe-fw-board: %s %s: expected a byte count from %llu to %llu (K, M, G suffixes allowed)\n", flag, text, (unsigned long long)min, (unsigned long long)max);
    return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  const char *store = NULL;
  uint64_t arena = 8u << 20, storage = 64u << 20, max_message = RFW_BOARD_DEFAULT_MAX_MESSAGE;
  int map = 1;
  static rfw_key keys[MAX_KEYS];
  rfw_board_config config = {.name = "host board", .platform = "host"};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const int has_value = i + 1 < argc;
    if (strcmp(a, "--store") == 0 && has_value) store = argv[++i];
    else if (strcmp(a, "--name") == 0 && has_value) config.name = argv[++i];
    else if (strcmp(a, "--arena") == 0 && has_value) {
      if (size_option(a, argv[++i], 4096, (uint64_t)1 << 31, &arena) != 0) return 2;
    } else if (strcmp(a, "--storage") == 0 && has_value) {
      if (size_option(a, argv[++i], 1024, 0xffffffffu, &storage) != 0) return 2;
    } else if (strcmp(a, "--max-message") == 0 && has_value) {
      if (size_option(a, argv[++i], RFW_MIN_MESSAGE, 1u << 20, &max_message) != 0) return 2;
    } else if (strcmp(a, "--require-signature") == 0) config.require_signature = 1;
    else if (strcmp(a, "--no-map") == 0) map = 0;
    else if (strcmp(a, "--trust") == 0 && has_value) {
      if (config.key_count == MAX_KEYS) {
        fprintf(stderr, "reframe-fw-board: at most %d trusted keys\n", MAX_KEYS);
        return 2;
      }
      if (!cli_load_key(argv[++i], &keys[config.key_count])) return 2;
      config.key_count++;
    } else return usage();
  }
  if (store == NULL) return usage();
  if (config.require_signature && config.key_count == 0) {
    fprintf(stderr, "reframe-fw-board: --require-signature needs --trust <key.pub> (the keys whose signatures it accepts)\n");
    return 2;
  }
  config.keys = keys;
  config.max_message = (uint32_t)max_message;

  char why[512];
  if (rfw_host_storage_open(store, (uint32_t)storage, map, why, sizeof why) != 0) {
    fprintf(stderr, "reframe-fw-board: %s\n", why);
    return 1;
  }
  const size_t memory_bytes = rfw_board_memory_bytes(config.max_message, (size_t)arena);
  void *memory = malloc(memory_bytes);
  static rfw_board board;
  rfw_diag diag;
  if (memory == NULL || rfw_board_init(&board, &config, memory, memory_bytes, &diag) != RFW_OK) {
    fprintf(stderr, "reframe-fw-board: %s\n", memory == NULL ? "out of memory" : diag.text);
    return 1;
  }
  char path[256];
  if (rfw_host_serial_open(path, sizeof path, why, sizeof why) != 0) {
    fprintf(stderr, "reframe-fw-board: %s\n", why);
    return 1;
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: a waiting read returns at once */
  sigaction(SIGINT, &sa, NULL);

  printf("board ready on %s (store %s)\n", path, store);
  fflush(stdout);
  rfw_status status = RFW_OK;
  while (!stopping && status == RFW_OK) status = rfw_board_poll(&board, 100000);
  const rfw_status flushed = rfw_board_flush(&board);
  if (status != RFW_OK) fprintf(stderr, "reframe-fw-board: the serial link failed\n");
  if (flushed != RFW_OK) fprintf(stderr, "reframe-fw-board: could not record the upload's progress\n");
  else if (board.upload.present) fprintf(stderr, "reframe-fw-board: stopped with the upload at byte %u of %u recorded\n", (unsigned)board.upload.offset, (unsigned)board.upload.size);
  rfw_host_serial_close();
  rfw_host_storage_close();
  free(memory);
  return status == RFW_OK && flushed == RFW_OK ? 0 : 1;
}
