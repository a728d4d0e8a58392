# Makefile - build, run and test the monitor and its guests (host side).
#   make          build build/hv.elf          make run     boot the default demo in QEMU
#   make test     the whole suite             make bochs   the same demo under Bochs
#   make iso      build/hv.iso (GRUB)         make deps    install missing Debian packages

BUILD   := build
PYTHON  := /usr/bin/python3
CC      := gcc
NASM    := nasm

# The monitor: freestanding 32-bit, no FPU/SIMD code (it never saves guest FPU state for itself),
# frame pointers kept for the backtraces printed on a fault.
HV_CFLAGS := -m32 -march=i686 -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-omit-frame-pointer -mno-sse -mno-mmx -mno-80387 -fno-builtin \
	-Ihv/include -Ilib -Ihypercall-abi -MMD -MP
HV_LDFLAGS := -m32 -nostdlib -no-pie -static -Wl,--build-id=none -Wl,-z,max-page-size=4096

HV_SRCS := $(wildcard hv/*.c lib/*.c)
HV_SRCS := $(filter-out hv/asm-offsets.c,$(HV_SRCS))
HV_ASMS := $(wildcard hv/*.asm)
HV_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(HV_SRCS)) $(patsubst %.asm,$(BUILD)/%.o,$(HV_ASMS))

# examples/apps holds ring-3 programs, not a guest kernel: `make apps` builds them. examples/grub
# is Debian's GRUB made a PV kernel: it needs `make debian-guests` first (`make run-grub` does it).
EXAMPLES := $(filter-out apps grub template,$(notdir $(wildcard examples/*)))   # template: against `make sdk`
EXAMPLE_ELFS := $(patsubst %,$(BUILD)/examples/%.elf,$(EXAMPLES))

.PHONY: bench-lmbench sdk all deps demo-sensitive demo-trap-emulate demo-rewrite demo-ringcomp demo-paging demo-dom0 lesson run run-pingpong run-apps run-apps-native apps test-apps test bench bochs bochs-debug trace-demo trace-disk iso clean host-tests test-guests bench-guest FORCE debian-guests run-gnumach grub-image run-grub run-pvgrub
NATIVE_ELFS := $(BUILD)/examples/minikernel-native.elf $(BUILD)/examples/sensitive-native.elf \
	$(BUILD)/examples/trap-emulate-native.elf
all: $(BUILD)/hv.elf $(EXAMPLE_ELFS) $(NATIVE_ELFS)

# The kernels for bare hardware, on the minikernel's native platform: the minikernel itself (the
# same kernel, docs/PORTING.md), examples/sensitive and examples/trap-emulate (docs/LESSONS.md).
# The shortest stem wins, so this rule, not the next, makes NAME-native.elf.
$(BUILD)/examples/%-native.elf: FORCE
	@$(MAKE) -s -C examples/$* -f native.mk BUILD=$(abspath $(BUILD))

# Each example builds itself with guest-sdk/guest.mk, as a guest of your own would.
$(BUILD)/examples/%.elf: FORCE
	@$(MAKE) -s -C examples/$* BUILD=$(abspath $(BUILD))

deps:
	@tools/install-deps

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HV_CFLAGS) -c $< -o $@

# Constants for NASM, computed by the C compiler from the C headers.
# The compiler's dependency list (-MMD) names the .inc as its target, so that a change to any
# header the offsets come from rebuilds it.
$(BUILD)/asm-offsets.inc: hv/asm-offsets.c
	@mkdir -p $(dir $@)
	$(CC) $(HV_CFLAGS) -MT $@ -MF $(BUILD)/asm-offsets.d -S $< -o $(BUILD)/asm-offsets.s
	sed -n 's/^->\([A-Za-z0-9_]*\) \$$\{0,1\}\(.*\)/%define \1 \2/p' $(BUILD)/asm-offsets.s > $@

$(BUILD)/hv/%.o: hv/%.asm $(BUILD)/asm-offsets.inc
	@mkdir -p $(dir $@)
	$(NASM) -f elf32 -g -F dwarf -I$(BUILD)/ $< -o $@

$(BUILD)/hv.ld: hv/hv.ld.S hv/include/memlayout.h
	$(CC) -E -P -x c -D__ASSEMBLER__ -Ihv/include $< -o $@

# Two links: the first gives the addresses, tools/mksyms turns them into the symbol table that the
# second link appends in .ksyms; the check proves the table moved no code.
$(BUILD)/ksyms-empty.o: tools/mksyms
	: | tools/mksyms > $(BUILD)/ksyms-empty.s
	$(CC) -m32 -c $(BUILD)/ksyms-empty.s -o $@

$(BUILD)/hv.pass1.elf: $(HV_OBJS) $(BUILD)/ksyms-empty.o $(BUILD)/hv.ld
	$(CC) $(HV_LDFLAGS) -T $(BUILD)/hv.ld -o $@ $(HV_OBJS) $(BUILD)/ksyms-empty.o -lgcc

$(BUILD)/hv.elf: $(BUILD)/hv.pass1.elf
	nm -n $< | tools/mksyms > $(BUILD)/ksyms.s
	$(CC) -m32 -c $(BUILD)/ksyms.s -o $(BUILD)/ksyms.o
	$(CC) $(HV_LDFLAGS) -T $(BUILD)/hv.ld -o $@ $(HV_OBJS) $(BUILD)/ksyms.o -lgcc
	@nm -n $< | grep ' [tT] ' > $(BUILD)/syms.pass1; nm -n $@ | grep ' [tT] ' > $(BUILD)/syms.pass2
	@cmp -s $(BUILD)/syms.pass1 $(BUILD)/syms.pass2 || { echo "symbol table moved code" >&2; exit 1; }
	@grub-file --is-x86-multiboot $@ || { echo "$@ is not a Multiboot image" >&2; exit 1; }
	@nm $@ | awk '$$2 ~ /^[tT]$$/ { print $$1, $$3 }' > $(BUILD)/hv.sym   # for Bochs's ldsym

# The benchmark's monitor: the same sources, with every entry and exit reading the TSC so that a
# guest can split its costs into its own and the monitor's (hv_stats.monitor_tsc).
MEASURE_OBJS := $(patsubst %.c,$(BUILD)/measure/%.o,$(HV_SRCS)) $(patsubst %.asm,$(BUILD)/measure/%.o,$(HV_ASMS))

$(BUILD)/measure/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HV_CFLAGS) -DHV_MEASURE -c $< -o $@

$(BUILD)/measure/hv/%.o: hv/%.asm $(BUILD)/asm-offsets.inc
	@mkdir -p $(dir $@)
	$(NASM) -f elf32 -DHV_MEASURE -I$(BUILD)/ $< -o $@

$(BUILD)/measure/hv.elf: $(MEASURE_OBJS) $(BUILD)/ksyms-empty.o $(BUILD)/hv.ld
	$(CC) $(HV_LDFLAGS) -T $(BUILD)/hv.ld -o $@ $(MEASURE_OBJS) $(BUILD)/ksyms-empty.o -lgcc

iso: $(BUILD)/hv.iso
$(BUILD)/hv.iso: $(BUILD)/hv.elf
	rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub
	cp $< $(BUILD)/iso/boot/hv.elf
	printf 'set timeout=0\nmenuentry hv {\n  multiboot /boot/hv.elf hv.elf\n  boot\n}\n' > $(BUILD)/iso/boot/grub/grub.cfg
	grub-mkrescue -d /usr/lib/grub/i386-pc -o $@ $(BUILD)/iso 2>/dev/null

# ---- running ------------------------------------------------------------------------------------
# The default demo: the first guest kernel, as domain 0.
DEMO := $(BUILD)/examples/hello.elf=name=hello

run: deps all
	tools/hvrun $(DEMO)

bochs: deps all
	tools/hvrun --bochs $(DEMO)

# Interactive: this terminal is the serial console (type `quit` or `exit` to end; ctrl-C kills it).
dom0-shell: deps all
	tools/hvrun --interactive $(BUILD)/examples/dom0.elf $(BUILD)/examples/hello.elf=attach

apps-shell: deps all apps
	tools/hvrun --interactive $(BUILD)/examples/minikernel.elf=init=sh $(BUILD)/apps/apps.tar=attach

# Domain 0 runs the store; ping and pong meet through it (examples/pingpong).
run-pingpong: deps all
	tools/hvrun --input "$$(printf 'wait 1\nwait 2\nstore /local/domain\nquit\n')" $(BUILD)/examples/dom0.elf \
		$(BUILD)/examples/pingpong.elf=name=ping $(BUILD)/examples/pingpong.elf=name=pong

# Debian's GNU Mach for Xen as a domU beside domain 0's store, given examples/mach-task as its
# bootstrap task through Mach's boot script (docs/GUESTS.md); domain 0 gives it 3 s, then ends it.
debian-guests:
	@tools/debian-guests $(BUILD)

MACH := $(BUILD)/debian/gnumach.elf="name=mach mem=64M modules=multiboot" \
	'$(BUILD)/examples/mach-task.elf=attach $$(task-create) $$(task-resume)'
run-gnumach: deps all debian-guests
	tools/hvrun --input "$$(printf 'wait 1 3\ndestroy 1\nquit\n')" $(BUILD)/examples/dom0.elf $(MACH)

# GRUB 2 for Xen as a domU: its menu, then its `linux` loader boots examples/hello from its memdisk
# in the same domain, the pvgrub way (docs/GUESTS.md). With --interactive, `console 1` reaches it.
grub-image: all debian-guests
	@$(MAKE) -s -C examples/grub BUILD=$(abspath $(BUILD))

run-grub: deps grub-image
	tools/hvrun --input "$$(printf 'wait 1 15\ndestroy 1\nquit\n')" $(BUILD)/examples/dom0.elf \
		$(BUILD)/examples/grub.elf="name=grub mem=32M"

# pvgrub: GRUB for Xen finds the menu on the domain's own disk (an ext2 partition made on the host)
# and boots examples/disk from it, which counts its boots on that disk (examples/grub/pvgrub.cfg,
# as xl create -c would run it). The disk is a copy, made once: run it again and the count rises.
run-pvgrub: deps grub-image
	@test -f $(BUILD)/pvgrub-run.img || cp $(BUILD)/examples/pvgrub-disk.img $(BUILD)/pvgrub-run.img
	tools/hvrun examples/grub/pvgrub.cfg

# The minikernel runs the shell of examples/apps as init; --input types a session into it.
APPS_SESSION := help\nhello\ncat motd.txt\ncalc "sqrt(2)*sin(1)"\nmstress\nexit\n
run-apps: deps all apps
	tools/hvrun --input "$$(printf '$(APPS_SESSION)')" $(BUILD)/examples/minikernel.elf=init=sh \
		$(BUILD)/apps/apps.tar=attach

# The same session, the same programs, on the minikernel booted on bare hardware (no monitor).
run-apps-native: deps all apps
	tools/hvrun --native --input "$$(printf '$(APPS_SESSION)')" $(BUILD)/examples/minikernel-native.elf=init=sh \
		$(BUILD)/apps/apps.tar

# Lesson 1 (docs/LESSONS.md): the sensitive-but-unprivileged instructions in ring 0 on bare hardware
# and in ring 1 on hv, side by side, under QEMU and Bochs.
demo-sensitive: deps all
	tools/sensitive-table --bochs

# Lesson 2: a kernel's code written for ring 0, natively and then in ring 1 on hv under a
# trap-and-emulate layer of the guest's own, under QEMU and then Bochs.
demo-trap-emulate: deps all
	@for emulator in QEMU Bochs; do \
	    flag=$$([ $$emulator = Bochs ] && echo --bochs); \
	    echo; echo "== $$emulator: bare hardware"; \
	    tools/hvrun $$flag --native $(BUILD)/examples/trap-emulate-native.elf || exit 1; \
	    echo; echo "== $$emulator: hv"; \
	    tools/hvrun $$flag --domain trap-emulate $(BUILD)/examples/trap-emulate.elf || exit 1; \
	done

# Lesson 3: the same kernel's code rewritten at load time, read by recursive descent and then by a
# linear sweep, under QEMU and then Bochs.
demo-rewrite: deps all
	@for emulator in QEMU Bochs; do \
	    flag=$$([ $$emulator = Bochs ] && echo --bochs || echo --icount); \
	    for how in recursive linear; do \
	        echo; echo "== $$emulator: hv, rewrite=$$how"; \
	        tools/hvrun $$flag --domain trap-emulate $(BUILD)/examples/trap-emulate.elf=rewrite=$$how || exit 1; \
	    done; \
	done

# Lesson 5: what ring 1 may touch, under Bochs (which checks segment limits) and QEMU (which does
# not): examples/ringcomp (docs/LESSONS.md).
demo-ringcomp: deps all
	@for emulator in Bochs QEMU; do \
	    flag=$$([ $$emulator = Bochs ] && echo --bochs); \
	    echo; echo "== $$emulator"; \
	    tools/hvrun $$flag --domain ringcomp $(BUILD)/examples/ringcomp.elf || exit 1; \
	done

# Lesson 7: direct paging, the guest's page tables in machine frames and every write validated:
# examples/directpaging (docs/LESSONS.md).
demo-paging: deps all
	@tools/hvrun $(BUILD)/examples/directpaging.elf

# Lesson 10: policy in domain 0: its shell creates a domain, the store it keeps lists it, and the
# monitor only carries out what domain 0 decided (examples/dom0; docs/LESSONS.md).
DEMO_DOM0_SHELL := list\ncreate one memory=8\nstore /local/domain/1\nunpause 1\nwait 1\nlist\nquit\n
demo-dom0: deps all
	@tools/hvrun --input "$$(printf '$(DEMO_DOM0_SHELL)')" $(BUILD)/examples/dom0.elf $(BUILD)/examples/hello.elf=attach

# A lesson's trace under Bochs, annotated, and its timeline picture (tools/lesson, docs/LESSONS.md):
# `make lesson NAME` (the lesson's name is a goal of its own, which does nothing); `make lesson`
# lists them.
ifeq (lesson,$(firstword $(MAKECMDGOALS)))
LESSON := $(wordlist 2,$(words $(MAKECMDGOALS)),$(MAKECMDGOALS))
$(eval $(LESSON):;@:)
endif
lesson: deps all
	@tools/lesson $(LESSON)

# Lesson 4's and lesson 9's traces under their old names (docs/DEBUGGING.md, docs/DEVICES.md): one
# hypercall and one direct system call; one blkif request through domain 0 and back.
trace-demo: deps all
	@tools/lesson paravirt
trace-disk: deps all
	@tools/lesson disk

# The guest SDK installed as a porter takes it away (guest-sdk/install.mk), and a guest kernel of
# one's own built against it from outside the repository (examples/template).
sdk:
	@$(MAKE) -s -f guest-sdk/install.mk PREFIX=$(abspath $(BUILD))/sdk BUILD=$(abspath $(BUILD)) install
	@echo "the SDK: $(BUILD)/sdk (include/, lib/, guest.ld, guest.mk); a guest against it: examples/template"

# Bochs's debugger with every symbol loaded (docs/DEBUGGING.md).
bochs-debug: deps all
	tools/hvrun --bochs --debug $(DEMO)

# ---- tests --------------------------------------------------------------------------------------
HOST_CFLAGS := -std=gnu11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -Ihv/include -Ilib -Ihypercall-abi \
	-fno-builtin -Wno-builtin-declaration-mismatch
HOST_TESTS := $(patsubst tests/host/%.c,$(BUILD)/tests/host/%,$(wildcard tests/host/test_*.c))
# The pure sources each host test links with: the shared lib/ and the monitor's own pure files.
HOST_LIB := lib/format.c lib/kstring.c lib/cmdline.c hv/multiboot.c hv/frames.c hv/elf.c hv/layout.c hv/page_types.c hv/descriptor.c hv/modules.c

$(BUILD)/tests/host/test_%: tests/host/test_%.c $(HOST_LIB) $(wildcard hv/include/*.h lib/*.h lib/x86/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $< $(HOST_LIB) $(HOST_EXTRA) -lcmocka -o $@

# A test of a monitor file outside HOST_LIB, which it links with a stand-in for what that file
# reaches below it (guest_access.c: hv/guest_copy.asm's guest_copy).
$(BUILD)/tests/host/test_guest_access: hv/guest_access.c
$(BUILD)/tests/host/test_guest_access: HOST_EXTRA := hv/guest_access.c

# The guest SDK's ring reader and writer are pure too; their test links them alone.
$(BUILD)/tests/host/test_byte_ring: tests/host/test_byte_ring.c guest-sdk/byte_ring.c guest-sdk/include/byte_ring.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Iguest-sdk/include $< guest-sdk/byte_ring.c -lcmocka -o $@

# The minikernel's line discipline is pure too: its test stands in for the platform's console
# (built as for the native platform, whose platform.h needs no SDK).
$(BUILD)/tests/host/test_console_discipline: tests/host/test_console_discipline.c examples/minikernel/console.c \
		$(wildcard examples/minikernel/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -DPLATFORM_NATIVE -Iexamples/minikernel $< examples/minikernel/console.c lib/format.c lib/kstring.c -lcmocka -o $@

# Lesson 3's instruction decoder and scanner are pure too (examples/trap-emulate).
TRAP_EMULATE_PURE := examples/trap-emulate/decode.c examples/trap-emulate/scan.c
$(BUILD)/tests/host/test_x86_decode: tests/host/test_x86_decode.c $(TRAP_EMULATE_PURE) $(wildcard examples/trap-emulate/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Iexamples/trap-emulate $< $(TRAP_EMULATE_PURE) -lcmocka -o $@

# The ABI layout test is built 32-bit, as guests and the monitor see the structures; static, so
# that tests/run.py can run it under qemu-i386 where the host kernel runs no 32-bit programs.
$(BUILD)/tests/host/abi_layout: tests/host/abi_layout.c $(wildcard hypercall-abi/*.h)
	@mkdir -p $(dir $@)
	$(CC) -m32 -static -std=gnu11 -Wall -Wextra -Werror -Ihypercall-abi $< -o $@

host-tests: $(HOST_TESTS) $(BUILD)/tests/host/abi_layout

test-guests: bench-guest
	@$(MAKE) -s -C tests/guests BUILD=$(abspath $(BUILD))

bench-guest: $(BUILD)/measure/hv.elf
	@$(MAKE) -s -C tests/bench BUILD=$(abspath $(BUILD))
	@$(MAKE) -s -C tests/bench/native BUILD=$(abspath $(BUILD))

# The lmbench operations as ring-3 programs on newlib, for both of the minikernel's platforms.
bench-lmbench: sysroot
	@$(MAKE) -s -C tests/bench/lmbench BUILD=$(abspath $(BUILD))

# What each crossing costs: one table, also in build/bench.tsv (docs/PERFORMANCE.md).
bench: deps all bench-guest bench-lmbench
	$(PYTHON) tools/bench

test: deps all host-tests test-guests apps test-apps bench-lmbench debian-guests grub-image
	$(PYTHON) tests/run.py

clean:
	rm -rf $(BUILD)

# ---- the C library for ring-3 applications --------------------------------------------------------
# newlib 3.3.0 patched for hvos (libc-patches/README.md), for programs built with tools/guest-cc.
# The script also keeps a hash of its inputs and rebuilds only when they changed; the touch records
# that libc.a was checked against newer but unchanged inputs.
.PHONY: sysroot
sysroot: $(BUILD)/sysroot/lib/libc.a

# Guest applications (examples/apps) and the C library's tests (tests/apps), built on it; not
# part of `make all`, because a first sysroot build takes minutes.
apps: sysroot
	@$(MAKE) -s -C examples/apps BUILD=$(abspath $(BUILD))

test-apps: sysroot
	@$(MAKE) -s -C tests/apps BUILD=$(abspath $(BUILD))

$(BUILD)/sysroot/lib/libc.a: libc-patches/build-sysroot $(wildcard libc-patches/*.patch) libc-patches/include/hvos/syscall.h
	@BUILD=$(abspath $(BUILD)) libc-patches/build-sysroot
	@touch $@

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
