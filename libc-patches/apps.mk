# apps.mk - how ring-3 programs on newlib are built with tools/guest-cc (host side) and packed,
# with their data files, into one ustar archive for the minikernel. Included by examples/apps and
# tests/apps, which set OUT, PROGRAMS, FILES and ARCHIVE (and LDLIBS per program where needed).
TOP      := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
BUILD    ?= $(TOP)/build
GUEST_CC := BUILD=$(BUILD) $(TOP)/tools/guest-cc
CFLAGS   := -std=gnu11 -Wall -Wextra -Werror
LIBC     := $(BUILD)/sysroot/lib/libc.a

all: $(OUT)/$(ARCHIVE)

$(OUT)/%: %.c Makefile $(LIBC)
	@mkdir -p $(OUT)
	$(GUEST_CC) $(CFLAGS) -o $@ $< $(LDLIBS)

$(addprefix $(OUT)/,$(FILES)): $(OUT)/%: %
	@mkdir -p $(OUT)
	cp $< $@

# Flat names ("hello", not "./hello"): the names a shell, init= and the programs themselves use.
$(OUT)/$(ARCHIVE): $(addprefix $(OUT)/,$(PROGRAMS) $(FILES))
	tar --format=ustar --owner=0 --group=0 -cf $@ -C $(OUT) $(PROGRAMS) $(FILES)

# The C library itself is the top-level Makefile's (`make sysroot`); guest-cc checks it is fresh.
$(LIBC):
	$(MAKE) -C $(TOP) sysroot BUILD=$(BUILD)

.PHONY: all
