/*
 * sys/errno.h: the kernel's error numbers (OpenBSD values), plus the
 * kernel-internal ERESTART used by the fault handler's restart loop.
 * shims: stub (definitions only).
 */
#ifndef _SYS_ERRNO_H_
#define _SYS_ERRNO_H_

#define EPERM		1
#define ENOENT		2
#define ESRCH		3	/* no such process (uvm_sim.c) */
#define EIO		5
#define ENXIO		6	/* swapctl: no such swap device (uvm_swap.c) */
#define ENOMEM		12
#define EACCES		13
#define EFAULT		14
#define EBUSY		16
#define EINVAL		22
#define EAGAIN		35
#define EWOULDBLOCK	EAGAIN
#define ENOLCK		77
#define ERESTART	-1	/* restart syscall / fault (kernel only) */

#endif /* _SYS_ERRNO_H_ */
