# install.mk - `make sdk`: the guest SDK as a porter takes it away, in $(PREFIX) (build/sdk/):
#     include/   sdk.h and the SDK's headers, the ABI's (hypercall-abi/) and lib/'s, in one place
#     lib/       start.o (entry point, ELF notes) and libhvsdk.a (everything else)
#     guest.ld, guest.mk, README.md (the SDK's functions), ABI.md (the hypercalls)
# A guest project includes $(PREFIX)/guest.mk as examples/template does, from anywhere.
# Run from the top Makefile: make -f guest-sdk/install.mk PREFIX=...
GUEST := libhvsdk
GUEST_DIR = $(BUILD)/sdk-objects
SRCS :=
include $(dir $(lastword $(MAKEFILE_LIST)))guest.mk

HEADERS := $(wildcard $(SDK_DIR)/include/*.h $(TOP)/hypercall-abi/*.h $(TOP)/lib/*.h)
X86_HEADERS := $(wildcard $(TOP)/lib/x86/*.h)
START := $(OUT)/sdk/start.S.o

install: $(SDK_OBJS)
	@mkdir -p $(PREFIX)/include/x86 $(PREFIX)/lib
	cp $(HEADERS) $(PREFIX)/include/
	cp $(X86_HEADERS) $(PREFIX)/include/x86/
	cp $(START) $(PREFIX)/lib/start.o
	rm -f $(PREFIX)/lib/libhvsdk.a
	ar rcs $(PREFIX)/lib/libhvsdk.a $(filter-out $(START),$(SDK_OBJS))
	cp $(SDK_DIR)/guest.ld $(SDK_DIR)/guest.mk $(SDK_DIR)/README.md $(TOP)/hypercall-abi/ABI.md $(PREFIX)/
