/* xenstored.h - the store that domain 0 runs for the other domains (guest ring 1, domain 0). */
#ifndef DOM0_XENSTORED_H
#define DOM0_XENSTORED_H
#include "sdk.h"

void xsd_init(void);
/* Connect domain domid (its ring is grant entry 1, its port remote_port) and advertise its name. */
int xsd_introduce(domid_t domid, evtchn_port_t remote_port, const char *name);
/* Disconnect a domain before it is destroyed; its keys and watches go. */
void xsd_release(domid_t domid);
/* Serve every connected domain, a bounded amount each, so that the shell keeps its turn. */
void xsd_poll(void);
/* A domain kicked its port, or has more to be served, since the last xsd_poll: poll again. */
int xsd_kicked(void);
/* Domain 0's own writes (no permission check): 0, or -1 (said why) when the store refused; and
 * a listing of the tree below a path. */
int xsd_set(const char *path, const char *value);
/* Domain 0's own reads and removals: the value's length (copied NUL-ended), or -1 when missing. */
int xsd_get(const char *path, char *value, size_t size);
void xsd_rm(const char *path);
void xsd_dump(const char *below);
/* Counts the changes to the tree: a reader that saw the same count has seen everything. */
uint32_t xsd_generation(void);

#endif
