# native.mk - examples/sensitive on bare hardware, in ring 0: sensitive.c on the minikernel's
# native platform (PLATFORM_NATIVE), linked as the native minikernel is: build/examples/sensitive-native.elf.
#     make -C examples/sensitive -f native.mk
TOP    := $(abspath ../..)
BUILD  ?= $(TOP)/build
OUT    := $(BUILD)/examples/sensitive-native
PLAT   := $(TOP)/examples/minikernel
CC     ?= gcc
SRCS   := sensitive.c $(PLAT)/platform_native.c $(PLAT)/platform_native.S $(TOP)/lib/format.c $(TOP)/lib/kstring.c $(TOP)/lib/cmdline.c
CFLAGS := -m32 -march=i686 -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer -fno-builtin -DPLATFORM_NATIVE -I$(TOP)/lib -I$(PLAT) -MMD -MP
OBJS   := $(patsubst %,$(OUT)/%.o,$(notdir $(SRCS)))

$(BUILD)/examples/sensitive-native.elf: $(OBJS) $(PLAT)/platform_native.ld
	$(CC) -m32 -nostdlib -no-pie -static -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,--no-warn-rwx-segments \
		-T $(PLAT)/platform_native.ld -o $@ $(OBJS) -lgcc
	@nm $@ | awk '$$2 ~ /^[tT]$$/ { print $$1, $$3 }' > $(BUILD)/examples/sensitive-native.sym

define compile
$(2): $(1)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $(if $(filter %.S,$(1)),-D__ASSEMBLER__) -c $$< -o $$@
endef
$(foreach src,$(SRCS),$(eval $(call compile,$(src),$(OUT)/$(notdir $(src)).o)))

-include $(OBJS:.o=.d)
