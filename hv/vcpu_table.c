/* vcpu_table.c - a domain's vCPUs as the monitor keeps them: vCPU 0 in the domain, the others in
 * frames of the monitor's own, and each one's runstate account (ring 0; a leaf: the frame pool,
 * the clock and the guest-copy primitive are all it calls). vcpu_op is vcpu.c's.
 */
#include "domain.h"
#include "hv.h"
#include "mmu.h"

_Static_assert(sizeof(struct vcpu) <= PAGE_SIZE, "a vCPU beyond vCPU 0 lives in one frame");

/* A runstate change at the present time (the time in the old state is added up). */
void runstate_change(struct vcpu *v, int state)
{
    runstate_change_at(v, state, time_now_ns());
}

/* The same at a time already read (a switch reads it once for both vCPUs). */
void runstate_change_at(struct vcpu *v, int state, uint64_t now)
{
    v->runstate.time[v->runstate.state] += now - v->runstate.state_entry_time;
    v->runstate.state = state;
    v->runstate.state_entry_time = now;
}

static void vcpu_init(struct domain *d, struct vcpu *v, uint32_t id)
{
    v->domain = d;
    v->vcpu_id = id;
    v->info = &d->shared_info->vcpu_info[id];
    v->info->evtchn_upcall_mask = 1;            /* events masked until the guest is ready */
    v->run_state = VCPU_RUNNABLE;
    debugregs_init(v);
    v->runstate.state = id == 0 ? RUNSTATE_runnable : RUNSTATE_offline;
    v->runstate.state_entry_time = time_now_ns();
    d->vcpus[id] = v;
}

/* The builder's: vCPU 0 (in the domain) and n - 1 more, down, each in a frame of the monitor's.
 * 0, or -1 when the frames run out. */
int vcpus_create(struct domain *d, uint32_t n)
{
    d->max_vcpus = 1;
    vcpu_init(d, &d->vcpu0, 0);
    for (uint32_t id = 1; id < n; id++) {
        uint32_t mfn = frames_alloc(&machine_frames);
        if (mfn == FRAME_NONE)
            return -1;
        struct vcpu *v = phys_to_virt(mfn << PAGE_SHIFT);
        memset(v, 0, sizeof(*v));
        vcpu_init(d, v, id);
        d->max_vcpus = id + 1;
    }
    return 0;
}

/* The frames of vCPUs 1 and up go back (the domain is gone); their CPU time stays counted, in
 * vCPU 0's, for getdomaininfo. */
void vcpus_free(struct domain *d)
{
    for (uint32_t id = 1; id < d->max_vcpus; id++) {
        d->vcpu0.cpu_ticks += d->vcpus[id]->cpu_ticks;
        frames_free(&machine_frames, virt_to_phys(d->vcpus[id]) >> PAGE_SHIFT);
    }
    d->max_vcpus = 1;
}

/* The running vCPU's runstate into its area, if it registered one (a write that fails is
 * dropped, as Xen's). */
void runstate_publish(struct vcpu *v)
{
    if (v->runstate_area)
        copy_to_guest(v->runstate_area, &v->runstate, sizeof(v->runstate));
}
