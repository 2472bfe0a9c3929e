# Cortex-M builds of the ReFrame firmware runtime for QEMU's emulated boards (Debian's gcc-arm-none-eabi,
# libnewlib-arm-none-eabi and qemu-system-arm):
#
#   make -f arm.mk [BOARD=mps2-an386|netduinoplus2]   builds into build/<board>/
#       reframe-fw-bench.elf   bring-up and benchmark program (semihosting in and out, no protocol)
#       reframe-fw-board.elf   the protocol's board side on the board's UART (once src/board/ exists)
#   make -f arm.mk BOARD=… bench      only the bring-up and benchmark program
#   make -f arm.mk BOARD=… size       bytes of code, data and bss of each program
#   make -f arm.mk BOARD=… check-heap malloc reached only from newlib's strtod (the SPEC check's numbers)
#
# Run: qemu-system-arm -M <board> -nographic -monitor none -serial pty \
#        -semihosting-config enable=on,target=native -kernel build/<board>/<program>.elf [-append "<options>"]
# Add -icount shift=0 for instruction counts (ports/cortex-m/cm-board.h).

BOARD ?= mps2-an386
BOARDS := mps2-an386 netduinoplus2
ifeq ($(filter $(BOARD),$(BOARDS)),)
$(error BOARD must be one of: $(BOARDS))
endif

CROSS ?= arm-none-eabi-
CC := $(CROSS)gcc
AR := $(CROSS)ar
SIZE := $(CROSS)size
BUILD := build/$(BOARD)

# The model executor (src/model/ and its src/kernels/) and the protocol's board side (src/board/) are
# built when present; HAVE_MODEL=0 leaves the executor out.
HAVE_MODEL ?= $(if $(wildcard src/model/*.c),1,0)
HAVE_BOARD := $(if $(wildcard src/board/board.h),1,0)

ARCH := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
# The host Makefile's warnings and -ffp-contract=off (regeneration rounds as DESIGN.md §5 says); one
# Philox block at a time (RFW_PHILOX_LANES=1: a Cortex-M4 has too few registers for four).
# newlib spells uint32_t `long unsigned int`; the runtime's diagnostics pass uint32_t to %u and %x as
# hosts spell it (`unsigned int`). Both are 32 bits and passed alike under the AAPCS, so the ARM build
# spells the 32-bit types as hosts do, and -Wformat goes on checking every other argument.
INT32_AS_HOST := -U__INT32_TYPE__ -D__INT32_TYPE__=int -U__UINT32_TYPE__ '-D__UINT32_TYPE__=unsigned int' \
          -U__INT_LEAST32_TYPE__ -D__INT_LEAST32_TYPE__=int -U__UINT_LEAST32_TYPE__ '-D__UINT_LEAST32_TYPE__=unsigned int' \
          -U__INT32_MAX__ -D__INT32_MAX__=0x7fffffff -U__UINT32_MAX__ -D__UINT32_MAX__=0xffffffffU \
          -U__INT_LEAST32_MAX__ -D__INT_LEAST32_MAX__=0x7fffffff -U__UINT_LEAST32_MAX__ -D__UINT_LEAST32_MAX__=0xffffffffU
CFLAGS := -std=c99 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wcast-align -Wvla -Werror \
          -ffp-contract=off -fno-strict-aliasing -O2 -g $(ARCH) -ffunction-sections -fdata-sections \
          $(INT32_AS_HOST) -DRFW_PHILOX_LANES=1 -DRFW_HAVE_MODEL=$(HAVE_MODEL) -Isrc -I. -Iports/cortex-m -Iports/$(BOARD) -MMD -MP $(EXTRA_CFLAGS)
ASFLAGS := $(ARCH) -g
LDFLAGS := $(ARCH) -nostartfiles --specs=nano.specs -Wl,--gc-sections -Lports/cortex-m -Tports/$(BOARD)/$(BOARD).ld
LDLIBS := -lm -lc -lgcc
# Philox's ten rounds unrolled (the rolled loop costs about 1.5 times the instructions per weight) and
# the sign stream's bit loop unrolled; peeling makes GCC 12 see the tail's block as maybe unset, which it
# is not (block_at fills it first). No first scheduling pass: on this in-order core it only pulls each
# round's two key loads apart, so they stop pairing into one LDRD (normal 77 instructions a weight
# with it off, 83 with it on).
SEED_OPT ?= -fpeel-loops -funroll-loops -fno-schedule-insns -Wno-maybe-uninitialized

# Two archives: the runtime, and the protocol's board side on top of it (only the board program needs it).
LIB_SRC := $(filter-out $(if $(filter 0,$(HAVE_MODEL)),src/model/% src/kernels/%),$(wildcard src/*/*.c))
BOARD_SIDE_SRC := $(filter src/board/% src/protocol/%,$(LIB_SRC))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/libreframe-fw.a
BOARD_LIB := $(BUILD)/libreframe-fw-board.a
CM_OBJ := $(BUILD)/ports/cortex-m/startup.o $(patsubst %.c,$(BUILD)/%.o,$(filter-out %-main.c,$(wildcard ports/cortex-m/*.c)))
BOARD_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard ports/$(BOARD)/*.c))
PORT_OBJ := $(CM_OBJ) $(BOARD_OBJ)

PROGRAMS := $(BUILD)/reframe-fw-bench.elf $(if $(filter 1,$(HAVE_BOARD)),$(BUILD)/reframe-fw-board.elf)

all: $(PROGRAMS)

bench: $(BUILD)/reframe-fw-bench.elf

$(BUILD)/src/seed/%.o: CFLAGS += $(SEED_OPT)

# Every object depends on the flags it was built with: changing HAVE_MODEL, SEED_OPT or EXTRA_CFLAGS
# rebuilds what they touch.
FLAGS_STAMP := $(BUILD)/flags.txt
FLAGS_NOW := $(CFLAGS) | $(SEED_OPT) | $(ASFLAGS)
ifneq ($(file <$(FLAGS_STAMP)),$(FLAGS_NOW))
$(shell mkdir -p $(BUILD))
$(file >$(FLAGS_STAMP),$(FLAGS_NOW))
endif

# The flags above make long lines: each step prints one short line (V=1 prints the commands).
Q := $(if $(filter 1,$(V)),,@)

$(BUILD)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $(BOARD) $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.S $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $(BOARD) $<")
	$(Q)$(CC) $(ASFLAGS) -c $< -o $@

$(LIB): $(filter-out $(BOARD_SIDE_SRC:%.c=$(BUILD)/%.o),$(LIB_OBJ))
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(BOARD_LIB): $(BOARD_SIDE_SRC:%.c=$(BUILD)/%.o)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

LINK = $(Q)$(if $(Q),echo "  LD      $@";) $(CC) $(LDFLAGS) -Wl,-Map=$(@:.elf=.map) -Wl,--cref $(filter %.o %.a,$^) $(LDLIBS) -o $@
LAYOUT := ports/$(BOARD)/$(BOARD).ld ports/cortex-m/cortex-m.ld

$(BUILD)/reframe-fw-bench.elf: $(BUILD)/ports/cortex-m/bench-main.o $(PORT_OBJ) $(LIB) $(LAYOUT)
	$(LINK)

$(BUILD)/reframe-fw-board.elf: $(BUILD)/ports/cortex-m/board-main.o $(PORT_OBJ) $(BOARD_LIB) $(LIB) $(LAYOUT)
	$(LINK)

size: $(PROGRAMS)
	$(SIZE) $(PROGRAMS)

# newlib's strtod keeps big integers on a free list filled by malloc (start.c's fixed 4 KB pool). None
# of our objects may use the heap: the linker's cross-reference table lists who refers to what.
HEAP_SYMBOLS := malloc _malloc_r calloc _calloc_r realloc _realloc_r free _free_r
check-heap: $(PROGRAMS)
	@for p in $(PROGRAMS); do \
	  users=$$(awk -v syms="$(HEAP_SYMBOLS)" 'BEGIN { n = split(syms, a, " "); for (i = 1; i <= n; i++) want[a[i]] = 1 } \
	    /^Cross Reference Table/ { x = 1; next } !x { next } \
	    /^[^ ]/ { sym = $$1; if (!(sym in want)) sym = ""; else next } \
	    sym != "" { f = $$NF; sub(/.*\//, "", f); print f }' $${p%.elf}.map | sort -u); \
	  ours=$$(echo "$$users" | grep -v '^libc_nano\.a(' || true); \
	  if [ -n "$$ours" ]; then echo "$$p: the heap is used by $$(echo $$ours)" >&2; exit 1; fi; \
	  echo "$$p: the heap is used only by the C library's $$(echo $$users | sed 's/libc_nano.a(lib_a-//g; s/\.o)//g')"; \
	done

clean:
	rm -rf $(BUILD)

.PHONY: all bench size check-heap clean

-include $(LIB_OBJ:.o=.d) $(PORT_OBJ:.o=.d) $(BUILD)/ports/cortex-m/bench-main.d $(BUILD)/ports/cortex-m/board-main.d
