/*
 * uvm_pdaemon.h: the page-out daemon.
 *
 * Models sys/uvm/uvm_pdaemon.c's inactive-queue scan for anon pages: for
 * each inactive anon page, try-lock its anon lock (rw_enter RW_NOSLEEP;
 * skip on failure), skip busy or wired pages, pmap_page_protect(PROT_NONE),
 * write it to a new swap slot (busy across the I/O), free the page.
 * Object pages that are clean are freed; dirty ones are written back to
 * the object's store first.  Deviation: runs on the CPU that calls it.
 */
#ifndef _UVM_UVM_PDAEMON_H_
#define _UVM_UVM_PDAEMON_H_

/*
 * uvmpd_scan: one pass; pages out at most maxpages pages (after moving
 * active pages to the inactive queue as needed).  Returns pages freed.
 * => called with no locks held.
 */
int	uvmpd_scan(int maxpages);

#endif /* _UVM_UVM_PDAEMON_H_ */
