/work/main/examples/template/build/kernel/kernel.c.o: kernel.c \
 ../../build/sdk/include/sdk.h ../../build/sdk/include/byte_ring.h \
 ../../build/sdk/include/hypercall.h ../../build/sdk/include/x86/paging.h \
 ../../build/sdk/include/xen.h ../../build/sdk/include/types.h \
 ../../build/sdk/include/abi-check.h ../../build/sdk/include/errno.h \
 ../../build/sdk/include/elfnote.h ../../build/sdk/include/callback.h \
 ../../build/sdk/include/console.h \
 ../../build/sdk/include/event_channel.h \
 ../../build/sdk/include/grant_table.h ../../build/sdk/include/memory.h \
 ../../build/sdk/include/physdev.h ../../build/sdk/include/sched.h \
 ../../build/sdk/include/vcpu.h ../../build/sdk/include/version.h \
 ../../build/sdk/include/hv-ext.h ../../build/sdk/include/domctl.h \
 ../../build/sdk/include/xs_wire.h ../../build/sdk/include/blkif.h \
 ../../build/sdk/include/format.h ../../build/sdk/include/kstring.h \
 ../../build/sdk/include/x86/eflags.h \
 ../../build/sdk/include/x86/exceptions.h
../../build/sdk/include/sdk.h:
../../build/sdk/include/byte_ring.h:
../../build/sdk/include/hypercall.h:
../../build/sdk/include/x86/paging.h:
../../build/sdk/include/xen.h:
../../build/sdk/include/types.h:
../../build/sdk/include/abi-check.h:
../../build/sdk/include/errno.h:
../../build/sdk/include/elfnote.h:
../../build/sdk/include/callback.h:
../../build/sdk/include/console.h:
../../build/sdk/include/event_channel.h:
../../build/sdk/include/grant_table.h:
../../build/sdk/include/memory.h:
../../build/sdk/include/physdev.h:
../../build/sdk/include/sched.h:
../../build/sdk/include/vcpu.h:
../../build/sdk/include/version.h:
../../build/sdk/include/hv-ext.h:
../../build/sdk/include/domctl.h:
../../build/sdk/include/xs_wire.h:
../../build/sdk/include/blkif.h:
../../build/sdk/include/format.h:
../../build/sdk/include/kstring.h:
../../build/sdk/include/x86/eflags.h:
../../build/sdk/include/x86/exceptions.h:
