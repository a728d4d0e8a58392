# native.mk - the minikernel on bare hardware: the same kernel files as the guest's Makefile, with
# platform_native.c and .S in place of platform_xen.c and the SDK (native-kernel.mk):
# build/examples/minikernel-native.elf.
#     make -C examples/minikernel -f native.mk
NAME        := minikernel
KERNEL_SRCS := minikernel.c archive.c vm.c process.c syscall.c console.c
include native-kernel.mk
