/*
 * sys/types.h: OpenBSD kernel scalar types (amd64 sizes).
 * shims: stub (definitions only).
 */
#ifndef _SYS_TYPES_H_
#define _SYS_TYPES_H_

#include <sys/cdefs.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef unsigned char	u_char;
typedef unsigned short	u_short;
typedef unsigned int	u_int;
typedef unsigned long	u_long;
typedef uint8_t		u_int8_t;
typedef uint16_t	u_int16_t;
typedef uint32_t	u_int32_t;
typedef uint64_t	u_int64_t;
typedef int64_t		off_t;
typedef long		ssize_t;
typedef int		pid_t;

typedef unsigned long	vaddr_t;	/* virtual address, bytes */
typedef unsigned long	paddr_t;	/* physical address, bytes */
typedef unsigned long	vsize_t;	/* virtual size, bytes */
typedef unsigned long	psize_t;
typedef int64_t		voff_t;		/* offset into an object, bytes */
typedef int		vm_prot_t;	/* PROT_* bits */
typedef int		vm_inherit_t;	/* MAP_INHERIT_* */
typedef int		vm_fault_t;	/* VM_FAULT_* */
typedef int		boolean_t;

#ifndef TRUE
#define TRUE	1
#define FALSE	0
#endif
#ifndef NULL
#define NULL	((void *)0)
#endif

#endif /* _SYS_TYPES_H_ */
