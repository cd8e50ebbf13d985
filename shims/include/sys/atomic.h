/*
 * sys/atomic.h: atomic operations (atomic_add_int(9) and friends).
 * model: compiler __atomic builtins, sequentially consistent; TSan sees
 * them as atomics (no race, and a happens-before edge like the real ones).
 */
#ifndef _SYS_ATOMIC_H_
#define _SYS_ATOMIC_H_

#include <sys/types.h>

#define atomic_inc_int(p)	((void)__atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST))
#define atomic_dec_int(p)	((void)__atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST))
#define atomic_inc_long(p)	((void)__atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST))
#define atomic_dec_long(p)	((void)__atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST))
#define atomic_add_int(p, v)	((void)__atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST))
#define atomic_sub_int(p, v)	((void)__atomic_sub_fetch((p), (v), __ATOMIC_SEQ_CST))
#define atomic_add_long(p, v)	((void)__atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST))
#define atomic_sub_long(p, v)	((void)__atomic_sub_fetch((p), (v), __ATOMIC_SEQ_CST))
#define atomic_inc_int_nv(p)	__atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST)
#define atomic_dec_int_nv(p)	__atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST)
#define atomic_add_int_nv(p, v)	__atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
#define atomic_sub_int_nv(p, v)	__atomic_sub_fetch((p), (v), __ATOMIC_SEQ_CST)
#define atomic_load_int(p)	__atomic_load_n((p), __ATOMIC_SEQ_CST)
#define atomic_store_int(p, v)	__atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define atomic_load_long(p)	__atomic_load_n((p), __ATOMIC_SEQ_CST)
#define atomic_setbits_int(p, b) ((void)__atomic_or_fetch((p), (b), __ATOMIC_SEQ_CST))
#define atomic_clearbits_int(p, b) ((void)__atomic_and_fetch((p), ~(b), __ATOMIC_SEQ_CST))
#define atomic_cas_uint(p, o, n) __sync_val_compare_and_swap((p), (o), (n))
#define membar_producer()	__atomic_thread_fence(__ATOMIC_RELEASE)
#define membar_consumer()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define membar_sync()		__atomic_thread_fence(__ATOMIC_SEQ_CST)

#endif /* _SYS_ATOMIC_H_ */
