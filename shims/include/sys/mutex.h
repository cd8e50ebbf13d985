/*
 * sys/mutex.h: spinning mutexes (mutex(9)).
 * check + model: owner CPU recorded; recursion, releasing a mutex not
 * held, and sleeping with one held panic; witness-checked under the
 * mutex's name; TSan told acquire/release.  The IPL is recorded, ignored.
 */
#ifndef _SYS_MUTEX_H_
#define _SYS_MUTEX_H_

#include <sys/types.h>

struct lock_class;

struct mutex {
	const char		*mtx_name;
	struct lock_class	*mtx_class;
	int			 mtx_owner;	/* cpu id, -1 when free */
	int			 mtx_wantipl;
	void			*mtx_host;
};

#define IPL_NONE	0
#define IPL_BIO		3
#define IPL_VM		4
#define IPL_MPFLOOR	IPL_VM

void	_mtx_init(struct mutex *, int ipl, const char *name);
#define mtx_init(m, ipl)		_mtx_init((m), (ipl), #m)
#define mtx_init_flags(m, ipl, name, f)	_mtx_init((m), (ipl), (name))
void	mtx_enter(struct mutex *);
int	mtx_enter_try(struct mutex *);
/* mtx_enter with the caller's place, for witness reports */
void	_mtx_enter(struct mutex *, const char *file, int line);
#define mtx_enter(m)			_mtx_enter((m), __FILE__, __LINE__)
void	mtx_leave(struct mutex *);
int	mtx_owned(struct mutex *);
#define MUTEX_ASSERT_LOCKED(m)	KASSERTMSG(mtx_owned(m), "mutex %s not held", (m)->mtx_name)
#define MUTEX_ASSERT_UNLOCKED(m) KASSERTMSG(!mtx_owned(m), "mutex %s held", (m)->mtx_name)

#endif /* _SYS_MUTEX_H_ */
