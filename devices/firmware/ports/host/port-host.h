/*
 * Set-up of the host port's serial link and storage (host programs only; the runtime never calls these).
 * The board program opens both before rfw_board_init and closes them when it ends.
 */
#ifndef RFW_PORT_HOST_H
#define RFW_PORT_HOST_H

#include <stddef.h>
#include <stdint.h>

/**
 * Opens a pseudo-terminal for the studio: the board keeps the master, and the slave's path is what the
 * studio opens (`reframe push … --port <path>`). The slave is set raw, and the board holds it open too,
 * so the line stays up while studios come and go.
 * @param[out] path the slave's path (/dev/pts/N)
 * @return 0, or -1 with the reason in `why`
 */
int rfw_host_serial_open(char *path, size_t path_size, char *why, size_t why_size);
void rfw_host_serial_close(void);

/**
 * Opens the storage in `dir` (created if missing): package-0.bin … package-2.bin of `region_bytes` each
 * (sparse files) and state.bin. With `map`, regions are memory-mapped (rfw_port_storage_map gives
 * their bytes, as flash or code RAM would); without, map returns NULL and the board reads packages
 * into its arena, as on a board whose storage sits behind a driver.
 * @return 0, or -1 with the reason in `why`
 */
int rfw_host_storage_open(const char *dir, uint32_t region_bytes, int map, char *why, size_t why_size);
void rfw_host_storage_close(void);

#endif
