/*
 * sys/tree.h: OpenBSD's red-black tree macros, from libbsd
 * (<bsd/sys/tree.h>), as sys/queue.h.
 */
#ifndef _SHIMS_SYS_TREE_H_
#define _SHIMS_SYS_TREE_H_
#include <bsd/sys/tree.h>
#endif
