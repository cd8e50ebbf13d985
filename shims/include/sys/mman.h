/*
 * sys/mman.h: protection, inheritance and advice values (OpenBSD's).
 * shims: stub (definitions only).
 */
#ifndef _SYS_MMAN_H_
#define _SYS_MMAN_H_

#define PROT_NONE	0x00
#define PROT_READ	0x01
#define PROT_WRITE	0x02
#define PROT_EXEC	0x04
#define PROT_MASK	(PROT_READ | PROT_WRITE | PROT_EXEC)

#define MAP_INHERIT_SHARE	0
#define MAP_INHERIT_COPY	1
#define MAP_INHERIT_NONE	2
#define MAP_INHERIT_ZERO	3

#define MADV_NORMAL	0
#define MADV_RANDOM	1
#define MADV_SEQUENTIAL	2
#define MADV_WILLNEED	3
#define MADV_DONTNEED	4
#define MADV_SPACEAVAIL	5
#define MADV_FREE	6

#endif /* _SYS_MMAN_H_ */
