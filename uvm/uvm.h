/*
 * uvm.h: everything uvm/ defines, in dependency order (as sys/uvm/uvm.h).
 */
#ifndef _UVM_UVM_H_
#define _UVM_UVM_H_

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/mman.h>
#include <sys/rwlock.h>
#include <sys/mutex.h>
#include <sys/atomic.h>
#include <sys/malloc.h>
#include <sys/pool.h>
#include <sys/inject.h>
#include <sys/percpu.h>
#include <machine/cpu.h>

#include "uvm_extern.h"
#include "uvm_page.h"
#include "uvm_anon.h"
#include "uvm_amap.h"
#include "uvm_object.h"
#include "uvm_map.h"
#include "uvm_fault.h"
#include "uvm_swap.h"
#include "uvm_pdaemon.h"
#include "pmap.h"
#include "uvm_check.h"

#endif /* _UVM_UVM_H_ */
