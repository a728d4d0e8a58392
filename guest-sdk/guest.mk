# guest.mk - build a guest kernel with the guest SDK. In the guest's Makefile:
#     GUEST := hello
#     SRCS  := hello.c
#     include ../../guest-sdk/guest.mk
# Produces $(GUEST_DIR)/$(GUEST).elf: by default build/examples/ of the repository.

SDK_DIR  := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
TOP      := $(abspath $(SDK_DIR)/..)
BUILD    ?= $(TOP)/build
GUEST_DIR ?= $(BUILD)/examples
OUT      := $(GUEST_DIR)/$(GUEST)
CC       ?= gcc

# Where the guest is linked: the one statement of it, for the C code, start.S's notes and guest.ld.
GUEST_VIRT_BASE := 0xC0000000
SDK_STACK_SIZE  := 16384

GUEST_CFLAGS := -m32 -march=i686 -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-omit-frame-pointer -fno-builtin \
	-I$(SDK_DIR)/include -I$(TOP)/hypercall-abi -I$(TOP)/lib \
	-DGUEST_VIRT_BASE=$(GUEST_VIRT_BASE) -DSDK_STACK_SIZE=$(SDK_STACK_SIZE) -MMD -MP
GUEST_LDFLAGS := -m32 -nostdlib -no-pie -static -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
	-Wl,--no-warn-rwx-segments -Wl,--defsym=GUEST_VIRT_BASE=$(GUEST_VIRT_BASE) -T $(SDK_DIR)/guest.ld
# (--no-warn-rwx-segments: .user holds ring-3 code and data together)

# The SDK, plus the pure helpers of lib/ it shares with the monitor (formatting, strings, command
# lines).
# Its objects go in a directory of their own, so a guest's file may share a name with one of them.
SDK_SRCS := $(SDK_DIR)/start.S $(SDK_DIR)/entry.S $(SDK_DIR)/sdk.c $(SDK_DIR)/traps.c $(SDK_DIR)/memory.c \
	$(SDK_DIR)/events.c $(SDK_DIR)/grants.c $(SDK_DIR)/byte_ring.c $(SDK_DIR)/store.c $(SDK_DIR)/blkfront.c $(SDK_DIR)/disk_bench.c \
	$(TOP)/lib/format.c $(TOP)/lib/kstring.c $(TOP)/lib/cmdline.c
GUEST_OBJS := $(patsubst %,$(OUT)/%.o,$(notdir $(SRCS)))
SDK_OBJS := $(patsubst %,$(OUT)/sdk/%.o,$(notdir $(SDK_SRCS)))
OBJS := $(GUEST_OBJS) $(SDK_OBJS)

$(GUEST_DIR)/$(GUEST).elf: $(OBJS) $(SDK_DIR)/guest.ld
	$(CC) $(GUEST_LDFLAGS) -o $@ $(OBJS) -lgcc
	@nm $@ | awk '$$2 ~ /^[tT]$$/ { print $$1, $$3 }' > $(GUEST_DIR)/$(GUEST).sym   # for Bochs's ldsym

define compile
$(2): $(1)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(GUEST_CFLAGS) $(if $(filter %.S,$(1)),-D__ASSEMBLER__) -c $$< -o $$@
endef
$(foreach src,$(SRCS),$(eval $(call compile,$(src),$(OUT)/$(notdir $(src)).o)))
$(foreach src,$(SDK_SRCS),$(eval $(call compile,$(src),$(OUT)/sdk/$(notdir $(src)).o)))

-include $(OBJS:.o=.d)
