/* console.h - console_io (hypercall 18) and the console ring a domU shares with the console backend
 * (xen/include/public/xen.h, io/console.h).
 */
#ifndef HV_ABI_CONSOLE_H
#define HV_ABI_CONSOLE_H
#include "types.h"

#define CONSOLEIO_write 0   /* (count, buffer): print count bytes */
#define CONSOLEIO_read  1   /* (count, buffer): read up to count bytes; returns how many */

#ifndef __ASSEMBLER__
typedef uint32_t XENCONS_RING_IDX;

/* The guest produces into out[] and the backend into in[]; indexes only grow, wrap by masking. */
struct xencons_interface {
    char in[1024];
    char out[2048];
    XENCONS_RING_IDX in_cons, in_prod;
    XENCONS_RING_IDX out_cons, out_prod;
};
ABI_SIZE(struct xencons_interface, 3088);
ABI_OFFSET(struct xencons_interface, out, 1024);
ABI_OFFSET(struct xencons_interface, in_cons, 3072);
ABI_OFFSET(struct xencons_interface, in_prod, 3076);
ABI_OFFSET(struct xencons_interface, out_cons, 3080);
ABI_OFFSET(struct xencons_interface, out_prod, 3084);
#endif

#endif
