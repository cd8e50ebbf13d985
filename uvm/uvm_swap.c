/*
 * uvm_swap.c: the simulated swap device: slot allocation and page I/O.
 *
 * Models the part of sys/uvm/uvm_swap.c the fault path and the
 * pagedaemon see: slots 1..uvmexp.swpages in a bitmap under uvm.swap_mtx
 * ("swaplk"), uvm_swap_get/put page I/O that sleeps (sleep_io(), which
 * releases the kernel lock as biowait does, before and after the copy),
 * reads that fail with VM_PAGER_ERROR when INJ_SWAP_READ fires, slots
 * marked bad after a failed read (never used again this boot; counted
 * apart from swpginuse, which is what the shutdown leak check looks
 * at), and uvmexp.swpgonly kept as OpenBSD does (get decrements it and
 * restores it on failure, markbad drops it).
 *
 * swapctl(2) on the one device (uvm_swap_off/uvm_swap_on, serialized by
 * swap_syscall_lock as sys_swapctl() is): swap_off() disables the device
 * (uvm_swap_alloc gives no slot, so the pagedaemon cannot page anons
 * out), pages every anon in (amap_swap_off over all slots), and fails
 * with ENOMEM when that gave up with slots still in use, EBUSY when
 * slots are still in use otherwise (OpenBSD: swd_npginuse >
 * swd_npgbad; bad slots are counted apart here), re-enabling the
 * device; on success the device is gone (swpages 0, its bad slots
 * forgotten: the anons that lost their data hold SWSLOT_BAD, not a slot
 * number).  SWAP_ON of the device re-adds it with every slot free.
 *
 * Deviations: one device, no encryption, no clustering; swapctl names
 * no device (SWAP_OFF when it is off gives ENXIO, SWAP_ON when it is on
 * EBUSY, as swapctl(2) does for a path that is not / is already a swap
 * device); no uao_swap_off (no aobj); amap_swap_off gives up when
 * memory is short (OpenBSD's uvm_anon_pagein waits for memory forever,
 * so there only uao_swap_off gives ENOMEM).  A
 * slot's contents are a PAGE_SIZE kernel allocation (malloc(9)
 * M_WAITOK) made by its first uvm_swap_put and freed with the slot, so
 * the leak check sees swap slots that outlive a run and ASan sees reads
 * of freed slots.  The device remembers the highest slot it ever
 * allocated since boot and the lowest slot that may be free, so that a
 * reboot and an allocation cost what the previous run used, not the
 * size of the device.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/atomic.h>
#include <sys/inject.h>

#include "uvm.h"

/* pg_flags is changed with atomic bit operations (pmap too): load it so */
#define PG_FLAGS(pg)	((u_int)atomic_load_int(&(pg)->pg_flags))

#define UVM_SWAP_MAXSLOTS	(1 << 16)	/* slots 1..this at most */

static uint32_t swap_used[UVM_SWAP_MAXSLOTS / 32 + 1];	/* [S] in use */
static uint32_t swap_bad[UVM_SWAP_MAXSLOTS / 32 + 1];	/* [S] bad */
/* contents; [S] to install or remove, the slot's owner to read/write */
static unsigned char *swap_data[UVM_SWAP_MAXSLOTS + 1];
static int swap_nslots;					/* [I] */
static int swap_nbad;					/* [S] bad slots */
static int swap_hiwat;		/* [S] highest slot allocated since boot */
static int swap_hint;		/* [S] no free slot below this one */
static int swap_enabled;	/* [S] SWF_ENABLE: slots may be allocated */
static int swap_inuse;		/* [W,S] SWF_INUSE: the device is configured */
/*
 * [W]: swap_syscall_lock, held across swapctl as sys_swapctl does;
 * [W,S]: written with both held, read with either.
 */
static struct rwlock swap_syscall_lock;

#define SWAP_TEST(map, s)	(((map)[(s) / 32] >> ((s) % 32)) & 1)
#define SWAP_SET(map, s)	((map)[(s) / 32] |= 1U << ((s) % 32))
#define SWAP_CLR(map, s)	((map)[(s) / 32] &= ~(1U << ((s) % 32)))

/*
 * uvm_swap_init: boot (or reset) swap with nslots slots (clamped to
 * UVM_SWAP_MAXSLOTS), all free.  Contents left by a previous run are
 * freed; only slots up to the previous run's high-water mark can hold
 * any (no slot above it was ever allocated).  No CPU may run in uvm/.
 * => no lock held.
 */
void
uvm_swap_init(int nslots)
{
	int s;

	KASSERT(lock_held_count() == 0);
	if (nslots < 0)
		nslots = 0;
	if (nslots > UVM_SWAP_MAXSLOTS)
		nslots = UVM_SWAP_MAXSLOTS;
	mtx_init_flags(&uvm.swap_mtx, IPL_VM, "swaplk", 0);
	for (s = 1; s <= swap_hiwat; s++) {
		if (swap_data[s] != NULL) {
			free(swap_data[s], M_VMSWAP, PAGE_SIZE);
			swap_data[s] = NULL;
		}
	}
	/* the words holding bits 0..swap_hiwat */
	memset(swap_used, 0, (swap_hiwat / 32 + 1) * sizeof(swap_used[0]));
	memset(swap_bad, 0, (swap_hiwat / 32 + 1) * sizeof(swap_bad[0]));
	swap_hiwat = 0;
	swap_hint = 1;
	swap_nslots = nslots;
	swap_nbad = 0;
	swap_enabled = 1;
	swap_inuse = 1;
	rw_init(&swap_syscall_lock, "swplk");
	uvmexp.swpages = nslots;
	uvmexp.swpginuse = 0;
	atomic_store_int(&uvmexp.swpgonly, 0);
}

static void
swap_check_slot(int slot)
{
	if (slot < 1 || slot > swap_nslots)
		panic("swap: slot %d out of range 1..%d", slot, swap_nslots);
}

/*
 * uvm_swap_alloc: allocate one slot (the lowest free one).  Returns it,
 * or 0 when every slot is in use or bad, or the device is disabled
 * (swapoff in progress or done).  Models uvm_swap_alloc() for one
 * page.  Takes uvm.swap_mtx, a leaf: callers may hold anon or object
 * locks.
 */
int
uvm_swap_alloc(void)
{
	int s, slot = 0;

	mtx_enter(&uvm.swap_mtx);
	if (swap_enabled && uvmexp.swpginuse + swap_nbad < swap_nslots) {
		s = swap_hint;
		while (s <= swap_nslots) {
			/* skip words whose 32 slots are all taken */
			if (s % 32 == 0 && swap_used[s / 32] == 0xffffffffU) {
				s += 32;
				continue;
			}
			if (!SWAP_TEST(swap_used, s)) {
				SWAP_SET(swap_used, s);
				uvmexp.swpginuse++;
				slot = s;
				break;
			}
			s++;
		}
		KASSERT(slot != 0);
		swap_hint = slot + 1;
		if (slot > swap_hiwat)
			swap_hiwat = slot;
	}
	mtx_leave(&uvm.swap_mtx);
	return (slot);
}

/*
 * uvm_swap_free: free slot and its contents; 0 and SWSLOT_BAD are
 * ignored, a bad slot stays retired (never reused).  Models
 * uvm_swap_free() for one page.  The caller owns the slot: its anon is
 * write-locked or being freed (not visible here).
 */
void
uvm_swap_free(int slot)
{
	unsigned char *data;

	if (slot == 0 || slot == SWSLOT_BAD)
		return;
	swap_check_slot(slot);

	mtx_enter(&uvm.swap_mtx);
	KASSERTMSG(SWAP_TEST(swap_used, slot), "uvm_swap_free: slot %d free",
	    slot);
	data = swap_data[slot];
	swap_data[slot] = NULL;
	if (!SWAP_TEST(swap_bad, slot)) {	/* bad ones stay retired */
		SWAP_CLR(swap_used, slot);
		uvmexp.swpginuse--;
		if (slot < swap_hint)
			swap_hint = slot;
	}
	mtx_leave(&uvm.swap_mtx);
	if (data != NULL)
		free(data, M_VMSWAP, PAGE_SIZE);
}

/*
 * uvm_swap_markbad: slot could not be read: retire it for the rest of
 * this boot (never allocated again; no longer counted in swpginuse but
 * in the device's bad slots), drop its contents, and stop counting its
 * page as being only in swap (the anon's an_swslot becomes SWSLOT_BAD).
 * The caller owns the slot (its anon write-locked).  Models
 * uvm_swap_markbad().
 */
void
uvm_swap_markbad(int slot)
{
	unsigned char *data;

	if (slot == 0 || slot == SWSLOT_BAD)
		return;
	swap_check_slot(slot);

	mtx_enter(&uvm.swap_mtx);
	KASSERTMSG(SWAP_TEST(swap_used, slot) && !SWAP_TEST(swap_bad, slot),
	    "uvm_swap_markbad: slot %d free or bad", slot);
	SWAP_SET(swap_bad, slot);
	uvmexp.swpginuse--;
	swap_nbad++;
	data = swap_data[slot];
	swap_data[slot] = NULL;
	/* with the slot, so swapoff never sees it gone but still counted */
	KASSERT(atomic_load_int(&uvmexp.swpgonly) > 0);
	atomic_dec_int(&uvmexp.swpgonly);
	mtx_leave(&uvm.swap_mtx);
	if (data != NULL)
		free(data, M_VMSWAP, PAGE_SIZE);
}

/*
 * uvm_swap_put: write pg's contents to slot (synchronous I/O: I/O sleeps,
 * sleep_io(), around it; the kernel lock is released meanwhile).
 * Returns VM_PAGER_OK.  The caller owns slot and holds no amap or
 * object lock (KERNEL_LOCK or a busied map may be held: not asserted).
 * Models uvm_swap_put().
 * => pg PG_BUSY.
 */
int
uvm_swap_put(struct vm_page *pg, int slot)
{
	unsigned char *data;

	KASSERT(PG_FLAGS(pg) & PG_BUSY);
	swap_check_slot(slot);

	sleep_io(pg, "biowait");
	mtx_enter(&uvm.swap_mtx);
	KASSERT(SWAP_TEST(swap_used, slot) && !SWAP_TEST(swap_bad, slot));
	data = swap_data[slot];
	mtx_leave(&uvm.swap_mtx);
	if (data == NULL) {
		data = malloc(PAGE_SIZE, M_VMSWAP, M_WAITOK);
		mtx_enter(&uvm.swap_mtx);
		KASSERT(swap_data[slot] == NULL);
		swap_data[slot] = data;
		mtx_leave(&uvm.swap_mtx);
	}
	memcpy(data, uvm_page_data(pg), PAGE_SIZE);
	sleep_io(pg, "biowait");
	return (VM_PAGER_OK);
}

/*
 * uvm_swap_get: read slot into pg (synchronous I/O: I/O sleeps,
 * sleep_io(), around it; the kernel lock is released meanwhile).  The
 * page stops being only in swap (uvmexp.swpgonly--, restored if the
 * read fails).  Returns VM_PAGER_OK, or VM_PAGER_ERROR for SWSLOT_BAD
 * or when INJ_SWAP_READ fires (pg's contents are then unchanged).  The
 * caller holds no amap or object lock (KERNEL_LOCK or a busied map may
 * be held: not asserted).  Models uvm_swap_get().
 * => pg PG_BUSY.
 */
int
uvm_swap_get(struct vm_page *pg, int slot)
{
	unsigned char *data;

	KASSERT(PG_FLAGS(pg) & PG_BUSY);
	if (slot == SWSLOT_BAD)
		return (VM_PAGER_ERROR);
	swap_check_slot(slot);

	KASSERT(atomic_load_int(&uvmexp.swpgonly) > 0);
	atomic_dec_int(&uvmexp.swpgonly);
	sleep_io(pg, "biowait");
	if (inject_fail(INJ_SWAP_READ)) {
		atomic_inc_int(&uvmexp.swpgonly);
		return (VM_PAGER_ERROR);
	}
	mtx_enter(&uvm.swap_mtx);
	KASSERT(SWAP_TEST(swap_used, slot) && !SWAP_TEST(swap_bad, slot));
	data = swap_data[slot];
	mtx_leave(&uvm.swap_mtx);
	KASSERTMSG(data != NULL, "uvm_swap_get: slot %d never written", slot);
	memcpy(uvm_page_data(pg), data, PAGE_SIZE);
	sleep_io(pg, "biowait");
	return (VM_PAGER_OK);
}

/*
 * uvm_swap_onlyswap_gone: an anon whose swap read failed (uvm_swap_get
 * counted it as only in swap again) was freed during the read: it stops
 * counting in uvmexp.swpgonly.  OpenBSD's uvm_anon_release drops the
 * slot before uvm_anfree, so nothing counts it down there: its
 * swpgonly leaks one page per such race (invariant 11 in uvm_check.c
 * found it on the model).
 * => the anon's lock write-held by the caller (not visible here).
 */
void
uvm_swap_onlyswap_gone(void)
{
	KASSERT(atomic_load_int(&uvmexp.swpgonly) > 0);
	atomic_dec_int(&uvmexp.swpgonly);
}

/*
 * uvm_swapisfull: TRUE when no slot is free or no device is configured
 * (after a successful swapoff: OpenBSD's swpgonly >= 99% of swpages is
 * true for swpages 0; a device being swapped off still counts, as
 * there), or when the last pagedaemon
 * pass run by uvm_wait() freed nothing (uvmexp.swapfull: the model's way
 * to make callers give up with ENOMEM instead of waiting forever).
 * Models uvm_swapisfull().
 */
boolean_t
uvm_swapisfull(void)
{
	boolean_t full;

	mtx_enter(&uvm.swap_mtx);
	full = !swap_inuse || uvmexp.swpginuse + swap_nbad >= swap_nslots;
	mtx_leave(&uvm.swap_mtx);
	return (full || atomic_load_int(&uvmexp.swapfull) != 0);
}

/*
 * uvm_swap_off: swapctl(SWAP_OFF) of the device.  Disables it, pages in
 * every anon holding one of its slots (amap_swap_off over [1, nslots]),
 * then: ENOMEM if that gave up (memory short) with slots still in use,
 * EBUSY if slots are still in use (anons that got a slot into amaps the
 * walk had passed), and the device is enabled again; else the device
 * is removed: uvmexp.swpages 0, every slot free (bad ones forgotten).
 * ENXIO if the device is not configured.  Returns 0 or that errno.
 * Models the SWAP_OFF case of sys_swapctl() and swap_off().
 * => no lock held; takes swap_syscall_lock (sleeps for it).
 */
int
uvm_swap_off(void)
{
	int error = 0, gaveup, s;

	KASSERT(lock_held_count() == 0);
	rw_enter(&swap_syscall_lock, RW_WRITE);
	if (!swap_inuse) {
		rw_exit(&swap_syscall_lock);
		return (ENXIO);
	}
	mtx_enter(&uvm.swap_mtx);
	swap_enabled = 0;
	mtx_leave(&uvm.swap_mtx);

	gaveup = amap_swap_off(1, swap_nslots + 1);

	mtx_enter(&uvm.swap_mtx);
	if (uvmexp.swpginuse > 0)
		error = gaveup ? ENOMEM : EBUSY;
	if (error != 0) {
		swap_enabled = 1;
		mtx_leave(&uvm.swap_mtx);
		rw_exit(&swap_syscall_lock);
		return (error);
	}
	/* nothing refers to a slot: forget the bad ones, remove it */
	KASSERT(atomic_load_int(&uvmexp.swpgonly) == 0);
	for (s = 1; s <= swap_hiwat; s++)
		KASSERT(swap_data[s] == NULL);
	memset(swap_used, 0, (swap_hiwat / 32 + 1) * sizeof(swap_used[0]));
	memset(swap_bad, 0, (swap_hiwat / 32 + 1) * sizeof(swap_bad[0]));
	swap_nbad = 0;
	swap_hint = 1;
	uvmexp.swpages = 0;
	swap_inuse = 0;
	mtx_leave(&uvm.swap_mtx);
	rw_exit(&swap_syscall_lock);
	return (0);
}

/*
 * uvm_swap_on: swapctl(SWAP_ON) of the device: configure it again with
 * every slot free.  EBUSY if it is configured (swapoff failed or never
 * ran).  Returns 0 or that errno.  Models the SWAP_ON case of
 * sys_swapctl() and swap_on() (for a device swap_off() removed).
 * => no lock held; takes swap_syscall_lock (sleeps for it).
 */
int
uvm_swap_on(void)
{
	KASSERT(lock_held_count() == 0);
	rw_enter(&swap_syscall_lock, RW_WRITE);
	if (swap_inuse) {
		rw_exit(&swap_syscall_lock);
		return (EBUSY);
	}
	mtx_enter(&uvm.swap_mtx);
	KASSERT(uvmexp.swpginuse == 0 && swap_nbad == 0);
	uvmexp.swpages = swap_nslots;
	swap_enabled = 1;
	swap_inuse = 1;
	mtx_leave(&uvm.swap_mtx);
	rw_exit(&swap_syscall_lock);
	return (0);
}

/*
 * uvm_swap_enabled: the device is configured and enabled (for the
 * invariant checker and tests).  A snapshot: swapctl may change it.
 */
boolean_t
uvm_swap_enabled(void)
{
	int on;

	mtx_enter(&uvm.swap_mtx);
	on = swap_enabled;
	mtx_leave(&uvm.swap_mtx);
	return (on != 0);
}

/*
 * uvm_swap_syscall_held: the caller holds swap_syscall_lock for writing
 * (for amap_swap_off's assertion).
 */
boolean_t
uvm_swap_syscall_held(void)
{
	return (rw_write_held(&swap_syscall_lock));
}
