/* elfnote.h - the ELF note types a Xen guest image carries (name "Xen"), telling the domain builder
 * how to load and start it (xen/include/public/elfnote.h).
 */
#ifndef HV_ABI_ELFNOTE_H
#define HV_ABI_ELFNOTE_H

#define XEN_ELFNOTE_INFO               0
#define XEN_ELFNOTE_ENTRY              1   /* virtual entry point (default: e_entry) */
#define XEN_ELFNOTE_HYPERCALL_PAGE     2   /* virtual address of the page to fill with stubs */
#define XEN_ELFNOTE_VIRT_BASE          3   /* where the start-of-day mapping begins (default 0) */
#define XEN_ELFNOTE_PADDR_OFFSET       4   /* load address = p_paddr + VIRT_BASE - PADDR_OFFSET */
#define XEN_ELFNOTE_XEN_VERSION        5   /* must be "xen-3.0" */
#define XEN_ELFNOTE_GUEST_OS           6
#define XEN_ELFNOTE_GUEST_VERSION      7
#define XEN_ELFNOTE_LOADER             8   /* "generic" */
#define XEN_ELFNOTE_PAE_MODE           9   /* "yes" for a PAE kernel ("bimodal", "extended-cr3") */
#define XEN_ELFNOTE_FEATURES          10
#define XEN_ELFNOTE_BSD_SYMTAB        11
#define XEN_ELFNOTE_HV_START_LOW      12
#define XEN_ELFNOTE_L1_MFN_VALID      13
#define XEN_ELFNOTE_SUSPEND_CANCEL    14
#define XEN_ELFNOTE_INIT_P2M          15
#define XEN_ELFNOTE_MOD_START_PFN     16
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17
#define XEN_ELFNOTE_PHYS32_ENTRY      18

#endif
