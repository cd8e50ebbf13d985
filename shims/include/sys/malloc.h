/*
 * sys/malloc.h: malloc(9).
 * model over the host allocator (so ASan sees every kernel allocation).
 * M_NOWAIT allocations go through the failure-injection point
 * INJ_MALLOC and may return NULL; M_WAITOK ones never fail.  M_ZERO
 * zeroes.  free(9) takes the type and size; a size that differs from the
 * allocation's panics (check), size 0 means unknown.
 */
#ifndef _SYS_MALLOC_H_
#define _SYS_MALLOC_H_

#include <sys/types.h>

#define M_WAITOK	0x0001
#define M_NOWAIT	0x0002
#define M_CANFAIL	0x0004
#define M_ZERO		0x0008

/* malloc types (only for accounting in messages) */
#define M_TEMP		0
#define M_UVMAMAP	1
#define M_VMMAP		2
#define M_VMPMAP	3
#define M_VMSWAP	4
#define M_UVMOBJ	5

void	*kern_malloc(size_t size, int type, int flags);
void	 kern_free(void *addr, int type, size_t size);
/* the kernel's names; uvm/ never sees libc's malloc/free */
#define malloc(size, type, flags)	kern_malloc((size), (type), (flags))
#define free(addr, type, size)		kern_free((addr), (type), (size))
void	*mallocarray(size_t nmemb, size_t size, int type, int flags);

#endif /* _SYS_MALLOC_H_ */
