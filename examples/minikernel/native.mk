# native.mk - the minikernel on bare hardware: the same kernel files as the guest's Makefile, with
# platform_native.c and .S in place of platform_xen.c and the SDK (PLATFORM_NATIVE), linked at
# 0xC0100000 and loaded at 1 MiB by Multiboot: build/examples/minikernel-native.elf.
#     make -C examples/minikernel -f native.mk
TOP    := $(abspath ../..)
BUILD  ?= $(TOP)/build
OUT    := $(BUILD)/examples/minikernel-native
CC     ?= gcc
KERNEL := minikernel.c archive.c vm.c process.c syscall.c console.c
SRCS   := $(KERNEL) platform_native.c platform_native.S $(TOP)/lib/format.c $(TOP)/lib/kstring.c $(TOP)/lib/cmdline.c
CFLAGS := -m32 -march=i686 -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer -fno-builtin -DPLATFORM_NATIVE -I$(TOP)/lib -MMD -MP
OBJS   := $(patsubst %,$(OUT)/%.o,$(notdir $(SRCS)))

$(BUILD)/examples/minikernel-native.elf: $(OBJS) platform_native.ld
	$(CC) -m32 -nostdlib -no-pie -static -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,--no-warn-rwx-segments \
		-T platform_native.ld -o $@ $(OBJS) -lgcc
	@nm $@ | awk '$$2 ~ /^[tT]$$/ { print $$1, $$3 }' > $(BUILD)/examples/minikernel-native.sym

define compile
$(2): $(1)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $(if $(filter %.S,$(1)),-D__ASSEMBLER__) -c $$< -o $$@
endef
$(foreach src,$(SRCS),$(eval $(call compile,$(src),$(OUT)/$(notdir $(src)).o)))

-include $(OBJS:.o=.d)
