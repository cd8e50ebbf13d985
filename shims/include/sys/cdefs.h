/*
 * sys/cdefs.h: compiler glue for the kernel environment of uvm/.
 * shims: stub (definitions only).
 */
#ifndef _SYS_CDEFS_H_
#define _SYS_CDEFS_H_

#ifndef __BEGIN_DECLS
#define __BEGIN_DECLS
#define __END_DECLS
#endif
#define __dead		__attribute__((__noreturn__))
#define __unused	__attribute__((__unused__))
#define __used		__attribute__((__used__))
#define __packed	__attribute__((__packed__))
#define __aligned(x)	__attribute__((__aligned__(x)))
#define __predict_true(x)	__builtin_expect(!!(x), 1)
#define __predict_false(x)	__builtin_expect(!!(x), 0)
#define __printflike(f, a)	__attribute__((__format__(__printf__, f, a)))
#define nitems(_a)	(sizeof((_a)) / sizeof((_a)[0]))

#endif /* _SYS_CDEFS_H_ */
