/* wire: full-duplex Ethernet timing (see wire.h). */
#include "model/net/wire.h"

#include <stdlib.h>
#include <string.h>

#define WIRE_MAX_FRAME 9100

struct WireFrame {
    WireFrame *next;      /* free list */
    WireFrame *all_next;  /* every frame allocated, for wire_free */
    Wire *w;
    WireDir dir;
    size_t len;
    uint8_t data[WIRE_MAX_FRAME];
};

void wire_init(Wire *w, Evq *q, uint64_t rate_mbps, SimTime propagation)
{
    memset(w, 0, sizeof *w);
    w->q = q;
    w->rate_mbps = rate_mbps ? rate_mbps : 1;
    w->propagation = propagation;
}

void wire_free(Wire *w)
{
    while (w->all) { /* frames still in flight when the run ended, too */
        WireFrame *f = w->all;
        w->all = f->all_next;
        free(f);
    }
    w->free_list = NULL;
}

void wire_set_rx(Wire *w, WireDir dir, WireRxFn fn, void *opaque)
{
    w->rx[dir] = fn;
    w->rx_opaque[dir] = opaque;
}

uint64_t wire_bytes_on_wire(size_t len)
{
    uint64_t frame = (uint64_t)len + WIRE_FCS;
    if (frame < WIRE_MIN_FRAME)
        frame = WIRE_MIN_FRAME;
    return WIRE_PREAMBLE_SFD + frame + WIRE_IFG;
}

SimTime wire_bit_time(const Wire *w, uint64_t bits)
{
    /* 1 bit at R Mb/s lasts 10^6 / R ps */
    return (SimTime)((bits * 1000000u + w->rate_mbps - 1) / w->rate_mbps);
}

static void wire_arrive(void *opaque, uint64_t arg)
{
    (void)arg;
    WireFrame *f = opaque;
    Wire *w = f->w;
    if (w->rx[f->dir])
        w->rx[f->dir](w->rx_opaque[f->dir], f->data, f->len);
    f->next = w->free_list;
    w->free_list = f;
}

SimTime wire_send(Wire *w, WireDir dir, SimTime at, const uint8_t *frame, size_t len)
{
    if (len > WIRE_MAX_FRAME)
        len = WIRE_MAX_FRAME;
    SimTime start = at > w->busy_until[dir] ? at : w->busy_until[dir];
    uint64_t total = wire_bytes_on_wire(len);
    SimTime last_bit = start + wire_bit_time(w, (total - WIRE_IFG) * 8);
    w->busy_until[dir] = start + wire_bit_time(w, total * 8);
    SimTime arrive = last_bit + w->propagation;
    if (w->on_tx)
        w->on_tx(w->on_tx_opaque, dir, start, last_bit, frame, len);
    WireFrame *f = w->free_list;
    if (f)
        w->free_list = f->next;
    else if ((f = malloc(sizeof *f)) != NULL) {
        f->all_next = w->all;
        w->all = f;
    } else {
        return arrive; /* out of memory: the frame is lost */
    }
    f->w = w;
    f->dir = dir;
    f->len = len;
    memcpy(f->data, frame, len);
    w->frames[dir]++;
    w->bytes[dir] += len;
    evq_at(w->q, arrive, wire_arrive, f, 0);
    return arrive;
}
