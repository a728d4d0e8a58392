# guest.mk - build a guest kernel with the guest SDK. In the guest's Makefile:
#     GUEST := hello
#     SRCS  := hello.c
#     include ../../guest-sdk/guest.mk
# Produces $(GUEST_DIR)/$(GUEST).elf: by default build/examples/ of the repository.
#
# The same file serves an installed SDK (`make sdk`: build/sdk/, headers, library, linker script
# and this file, copied anywhere): there it links the library instead of compiling the SDK's
# sources, and GUEST_DIR is the guest project's own build/ (examples/template).

SDK_DIR  := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
ifneq ($(wildcard $(SDK_DIR)/lib/libhvsdk.a),)
SDK_INSTALLED := 1
GUEST_DIR ?= $(CURDIR)/build
else
TOP      := $(abspath $(SDK_DIR)/..)
BUILD    ?= $(TOP)/build
GUEST_DIR ?= $(BUILD)/examples
endif
OUT      := $(GUEST_DIR)/$(GUEST)
CC       ?= gcc

# Where the guest is linked: the one statement of it, for the C code, start.S's notes and guest.ld.
GUEST_VIRT_BASE := 0xC0000000
SDK_STACK_SIZE  := 16384

# Installed, every header is in include/; in the repository, the ABI's and lib/'s are beside it.
SDK_INCLUDES := -I$(SDK_DIR)/include $(if $(SDK_INSTALLED),,-I$(TOP)/hypercall-abi -I$(TOP)/lib)
GUEST_CFLAGS := -m32 -march=i686 -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-omit-frame-pointer -fno-builtin \
	$(SDK_INCLUDES) -DGUEST_VIRT_BASE=$(GUEST_VIRT_BASE) -DSDK_STACK_SIZE=$(SDK_STACK_SIZE) -MMD -MP
GUEST_LDFLAGS := -m32 -nostdlib -no-pie -static -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
	-Wl,--no-warn-rwx-segments -Wl,--defsym=GUEST_VIRT_BASE=$(GUEST_VIRT_BASE) -T $(SDK_DIR)/guest.ld
# (--no-warn-rwx-segments: .user holds ring-3 code and data together)

# The SDK, plus the pure helpers of lib/ it shares with the monitor (formatting, strings, command
# lines): compiled with the guest in the repository, or linked from the installed library (its
# start.o first: the entry point and the ELF notes, which nothing else refers to).
# Its objects go in a directory of their own, so a guest's file may share a name with one of them.
GUEST_OBJS := $(patsubst %,$(OUT)/%.o,$(notdir $(SRCS)))
ifdef SDK_INSTALLED
SDK_SRCS :=
SDK_LINK := $(SDK_DIR)/lib/start.o -L$(SDK_DIR)/lib -lhvsdk
else
SDK_SRCS := $(SDK_DIR)/start.S $(SDK_DIR)/entry.S $(SDK_DIR)/sdk.c $(SDK_DIR)/traps.c $(SDK_DIR)/memory.c \
	$(SDK_DIR)/events.c $(SDK_DIR)/grants.c $(SDK_DIR)/byte_ring.c $(SDK_DIR)/store.c $(SDK_DIR)/blkfront.c $(SDK_DIR)/disk_bench.c \
	$(TOP)/lib/format.c $(TOP)/lib/kstring.c $(TOP)/lib/cmdline.c
SDK_LINK :=
endif
SDK_OBJS := $(patsubst %,$(OUT)/sdk/%.o,$(notdir $(SDK_SRCS)))
OBJS := $(GUEST_OBJS) $(SDK_OBJS)

$(GUEST_DIR)/$(GUEST).elf: $(OBJS) $(SDK_DIR)/guest.ld
	$(CC) $(GUEST_LDFLAGS) -o $@ $(OBJS) $(SDK_LINK) -lgcc
	@nm $@ | awk '$$2 ~ /^[tT]$$/ { print $$1, $$3 }' > $(GUEST_DIR)/$(GUEST).sym   # for Bochs's ldsym

define compile
$(2): $(1)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(GUEST_CFLAGS) $(if $(filter %.S,$(1)),-D__ASSEMBLER__) -c $$< -o $$@
endef
$(foreach src,$(SRCS),$(eval $(call compile,$(src),$(OUT)/$(notdir $(src)).o)))
$(foreach src,$(SDK_SRCS),$(eval $(call compile,$(src),$(OUT)/sdk/$(notdir $(src)).o)))

-include $(OBJS:.o=.d)
