#include "semihosting.h"

#include <string.h>

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITE 0x05
#define SYS_READ 0x06
#define SYS_SEEK 0x0A
#define SYS_FLEN 0x0C
#define SYS_GET_CMDLINE 0x15
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

int32_t rfw_sh_call(uint32_t op, const void *argument) {
  register uint32_t r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = argument;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return (int32_t)r0;
}

int32_t rfw_sh_open(const char *name, uint32_t mode) {
  const uint32_t block[3] = {(uint32_t)(uintptr_t)name, mode, (uint32_t)strlen(name)};
  return rfw_sh_call(SYS_OPEN, block);
}

int32_t rfw_sh_close(int32_t handle) {
  const uint32_t block[1] = {(uint32_t)handle};
  return rfw_sh_call(SYS_CLOSE, block);
}

int32_t rfw_sh_write(int32_t handle, const void *bytes, size_t length) {
  const uint32_t block[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)bytes, (uint32_t)length};
  return rfw_sh_call(SYS_WRITE, block);
}

int32_t rfw_sh_read(int32_t handle, void *out, size_t length) {
  const uint32_t block[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)out, (uint32_t)length};
  return rfw_sh_call(SYS_READ, block);
}

int32_t rfw_sh_seek(int32_t handle, uint32_t position) {
  const uint32_t block[2] = {(uint32_t)handle, position};
  return rfw_sh_call(SYS_SEEK, block);
}

int32_t rfw_sh_length(int32_t handle) {
  const uint32_t block[1] = {(uint32_t)handle};
  return rfw_sh_call(SYS_FLEN, block);
}

int32_t rfw_sh_command_line(char *out, size_t capacity) {
  if (capacity == 0) return -1;
  uint32_t block[2] = {(uint32_t)(uintptr_t)out, (uint32_t)capacity};
  out[0] = '\0';
  return rfw_sh_call(SYS_GET_CMDLINE, block);
}

void rfw_sh_exit(int code) {
  const uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)code};
  rfw_sh_call(SYS_EXIT_EXTENDED, block);
  for (;;) __asm__ volatile("wfi");
}
