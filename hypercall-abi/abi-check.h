/* abi-check.h - compile-time checks of structure layouts against Xen's 32-bit ABI.
 * The layouts only mean something in a 32-bit build (the monitor and guests): a 64-bit host
 * build (unit tests of pure code) uses the numbers only, so the checks switch off there.
 */
#ifndef HV_ABI_CHECK_H
#define HV_ABI_CHECK_H
#include <stddef.h>

#if defined(__i386__)
#define ABI_SIZE(type, size) _Static_assert(sizeof(type) == (size), #type " is " #size " bytes")
#define ABI_OFFSET(type, field, off) \
    _Static_assert(offsetof(type, field) == (off), #type "." #field " is at " #off)
#else
#define ABI_SIZE(type, size) _Static_assert(1, "")
#define ABI_OFFSET(type, field, off) _Static_assert(1, "")
#endif

#endif
