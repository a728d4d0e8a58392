# native.mk - examples/trap-emulate on bare hardware, in ring 0: kernel.c and lesson.c on the
# minikernel's native platform (its native-kernel.mk), without the layer: build/examples/trap-emulate-native.elf.
#     make -C examples/trap-emulate -f native.mk
NAME        := trap-emulate
KERNEL_SRCS := kernel.c lesson.c
include ../minikernel/native-kernel.mk
