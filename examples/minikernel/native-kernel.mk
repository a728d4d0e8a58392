# native-kernel.mk - a kernel on the minikernel's native platform (bare hardware, ring 0): its files
# with platform_native.c and .S and lib/'s helpers (PLATFORM_NATIVE), linked at 0xC0100000 by
# platform_native.ld and loaded at 1 MiB by Multiboot, as build/examples/NAME-native.elf.
# Included by a native.mk that sets NAME and KERNEL_SRCS (the minikernel's, examples/sensitive's).
TOP    := $(abspath ../..)
BUILD  ?= $(TOP)/build
PLAT   := $(TOP)/examples/minikernel
OUT    := $(BUILD)/examples/$(NAME)-native
CC     ?= gcc
SRCS   := $(KERNEL_SRCS) $(PLAT)/platform_native.c $(PLAT)/platform_native.S \
	$(TOP)/lib/format.c $(TOP)/lib/kstring.c $(TOP)/lib/cmdline.c
CFLAGS := -m32 -march=i686 -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer -fno-builtin -DPLATFORM_NATIVE -I$(TOP)/lib -I$(PLAT) -MMD -MP
OBJS   := $(patsubst %,$(OUT)/%.o,$(notdir $(SRCS)))

$(BUILD)/examples/$(NAME)-native.elf: $(OBJS) $(PLAT)/platform_native.ld
	$(CC) -m32 -nostdlib -no-pie -static -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,--no-warn-rwx-segments \
		-T $(PLAT)/platform_native.ld -o $@ $(OBJS) -lgcc
	@nm $@ | awk '$$2 ~ /^[tT]$$/ { print $$1, $$3 }' > $(BUILD)/examples/$(NAME)-native.sym

define compile
$(2): $(1)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $(if $(filter %.S,$(1)),-D__ASSEMBLER__) -c $$< -o $$@
endef
$(foreach src,$(SRCS),$(eval $(call compile,$(src),$(OUT)/$(notdir $(src)).o)))

-include $(OBJS:.o=.d)
