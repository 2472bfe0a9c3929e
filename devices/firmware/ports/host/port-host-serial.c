/*
 * The host port's serial link: a pseudo-terminal. The board reads and writes the master; the studio
 * opens the slave's path as it would a USB serial port. Writes wait for room at most a few seconds and
 * then drop what is left, as a UART does when nobody listens, so a studio that went away mid-answer
 * never blocks the board.
 */
#define _DEFAULT_SOURCE
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "port/port.h"
#include "ports/host/port-host.h"

#define WRITE_PATIENCE_MS 2000

static int master = -1;
static int slave = -1;

int rfw_host_serial_open(char *path, size_t path_size, char *why, size_t why_size) {
  master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
    snprintf(why, why_size, "cannot open a pseudo-terminal (%s)", strerror(errno));
    return -1;
  }
  const char *name = ptsname(master);
  if (name == NULL || strlen(name) + 1 > path_size) {
    snprintf(why, why_size, "cannot name the pseudo-terminal");
    return -1;
  }
  snprintf(path, path_size, "%s", name);
  slave = open(path, O_RDWR | O_NOCTTY);
  struct termios t;
  if (slave < 0 || tcgetattr(slave, &t) != 0) {
    snprintf(why, why_size, "cannot open %s (%s)", path, strerror(errno));
    return -1;
  }
  /* Raw bytes: no echo, no line editing, no CR/LF translation, whatever the studio sets later. */
  cfmakeraw(&t);
  if (tcsetattr(slave, TCSANOW, &t) != 0 || fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK) != 0) {
    snprintf(why, why_size, "cannot set %s up (%s)", path, strerror(errno));
    return -1;
  }
  return 0;
}

void rfw_host_serial_close(void) {
  if (slave >= 0) close(slave);
  if (master >= 0) close(master);
  slave = master = -1;
}

rfw_status rfw_port_serial_read(uint8_t *buffer, size_t capacity, size_t *got, uint32_t timeout_us) {
  *got = 0;
  if (master < 0) return RFW_ERR_PORT;
  struct pollfd p = {master, POLLIN, 0};
  const int ready = poll(&p, 1, (int)((timeout_us + 999u) / 1000u));
  if (ready < 0) return errno == EINTR ? RFW_OK : RFW_ERR_PORT; /* a signal: the caller looks at why */
  if (ready == 0 || (p.revents & POLLIN) == 0) return RFW_OK;
  const ssize_t n = read(master, buffer, capacity);
  if (n > 0) *got = (size_t)n;
  else if (n < 0 && errno != EAGAIN && errno != EINTR && errno != EIO) return RFW_ERR_PORT;
  return RFW_OK;
}

rfw_status rfw_port_serial_write(const uint8_t *bytes, size_t length) {
  if (master < 0) return RFW_ERR_PORT;
  while (length > 0) {
    const ssize_t n = write(master, bytes, length);
    if (n > 0) {
      bytes += n;
      length -= (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) return RFW_ERR_PORT;
    struct pollfd p = {master, POLLOUT, 0};
    if (poll(&p, 1, WRITE_PATIENCE_MS) <= 0) return RFW_OK; /* nobody reads the line: the rest is lost */
  }
  return RFW_OK;
}
