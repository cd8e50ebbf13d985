/*
 * sys/queue.h: OpenBSD's list macros, from libbsd (<bsd/sys/queue.h>);
 * the build puts libbsd's header directory, and only it, on uvm/'s path.
 */
#ifndef _SHIMS_SYS_QUEUE_H_
#define _SHIMS_SYS_QUEUE_H_
#include <bsd/sys/queue.h>
#endif
