/* tlhook: the hosted model's timeline (see tlhook.h). */
#include "model/tlhook.h"

#include <inttypes.h>
#include <stdio.h>

#include "model/sys.h"

#define FLOW_NAME "frame"

uint64_t tlhook_seg_id(uint64_t end)
{
    /* the 32-bit sequence number as the frames carry it, made non-zero */
    return (uint64_t)(uint32_t)end | ((uint64_t)1 << 32);
}

/* The flow id of a frame: a data segment's end sequence number, an ACK's ACK
 * number; 0 when neither. */
static uint64_t frame_id(const uint8_t *frame, size_t len, TcpFrameInfo *fi)
{
    if (tcp_parse_frame(frame, len, fi) != 0)
        return 0;
    if (fi->payload)
        return tlhook_seg_id((uint64_t)fi->seq + fi->payload);
    return fi->ack_flag ? tlhook_seg_id(fi->ack) : 0;
}

static void wire_tx(void *opaque, WireDir dir, SimTime start, SimTime last_bit, const uint8_t *frame,
                    size_t len)
{
    Sys *s = opaque;
    TcpFrameInfo fi;
    uint64_t id = frame_id(frame, len, &fi);
    char args[96];
    const char *name = "frame";
    if (id && fi.payload) {
        name = "data";
        snprintf(args, sizeof args, "{\"seq\":%" PRIu32 ",\"payload\":%" PRIu32 ",\"bytes\":%zu}", fi.seq,
                 fi.payload, len);
    } else if (id) {
        name = "ACK";
        snprintf(args, sizeof args, "{\"ack\":%" PRIu32 ",\"bytes\":%zu}", fi.ack, len);
    } else {
        snprintf(args, sizeof args, "{\"bytes\":%zu}", len);
    }
    int tr = s->tl_wire[dir];
    timeline_slice(s->tl, tr, name, "wire", start, last_bit - start, args);
    if (id)
        timeline_flow(s->tl, tr, FLOW_NAME, id, TIMELINE_FLOW_STEP);
}

int tlhook_attach(Sys *s, Timeline *tl)
{
    char host[160];
    snprintf(host, sizeof host, "host (%s)", cfg_name(s->cfg));
    s->tl_cpu = timeline_track(tl, host, "CPU 0");
    s->tl_world = timeline_track(tl, host, "CPU 0 world");
    s->tl_wire[WIRE_TO_PEER] = timeline_track(tl, "wire", "to peer");
    s->tl_wire[WIRE_TO_HOST] = timeline_track(tl, "wire", "to host");
    s->tl_peer = timeline_track(tl, "peer", "CPU");
    if (s->tl_cpu < 0 || s->tl_world < 0 || s->tl_wire[0] < 0 || s->tl_wire[1] < 0 || s->tl_peer < 0)
        return -1;
    s->tl = tl;
    cpu_timeline(&s->cpu, tl, s->tl_cpu, s->tl_world);
    s->wire.on_tx = wire_tx;
    s->wire.on_tx_opaque = s;
    if (s->measuring)
        timeline_instant(tl, "measurement starts", s->cpu.acct_start);
    return 0;
}

void tlhook_finish(Sys *s)
{
    if (!s->tl)
        return;
    cpu_timeline_finish(&s->cpu);
    s->wire.on_tx = NULL;
    cpu_timeline(&s->cpu, NULL, -1, -1);
    s->tl = NULL;
}

void tlhook_cpu_flow(Sys *s, uint64_t id, TimelineFlow ph)
{
    if (s->tl && id)
        timeline_flow(s->tl, s->tl_cpu, FLOW_NAME, id, ph);
}

void tlhook_cpu_frame(Sys *s, const uint8_t *frame, size_t len, TimelineFlow ph)
{
    if (!s->tl)
        return;
    TcpFrameInfo fi;
    tlhook_cpu_flow(s, frame_id(frame, len, &fi), ph);
}

void tlhook_port(Sys *s)
{
    if (s->tl && s->tl_flow)
        timeline_flow(s->tl, s->tl_cpu, FLOW_NAME, s->tl_flow, TIMELINE_FLOW_STEP);
}

void tlhook_peer(Sys *s, const char *name, SimTime start, SimTime end, const uint8_t *frame, size_t len)
{
    if (!s->tl || end <= start)
        return;
    TcpFrameInfo fi;
    uint64_t id = frame_id(frame, len, &fi);
    timeline_slice(s->tl, s->tl_peer, name, "peer", start, end - start, NULL);
    if (id)
        timeline_flow(s->tl, s->tl_peer, FLOW_NAME, id, TIMELINE_FLOW_STEP);
}

void tlhook_mark(Sys *s, const char *name, SimTime t)
{
    if (s->tl)
        timeline_instant(s->tl, name, t);
}
