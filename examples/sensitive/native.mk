# native.mk - examples/sensitive on bare hardware, in ring 0: sensitive.c on the minikernel's
# native platform (its native-kernel.mk): build/examples/sensitive-native.elf.
#     make -C examples/sensitive -f native.mk
NAME        := sensitive
KERNEL_SRCS := sensitive.c
include ../minikernel/native-kernel.mk
