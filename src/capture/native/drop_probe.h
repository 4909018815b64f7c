// The drop probe: a BPF program on the kfree_skb raw tracepoint that copies each dropped packet's
// reason, dropping function and first network-layer bytes into a ring buffer, so that a drop can be
// linked to the captured frame of its packet. Built from instructions here (no compiler, no libbpf), with
// the `struct sk_buff` offsets the caller read from the kernel's BTF.
#pragma once
#include <napi.h>

/** dropProbeOpen({head, tail, networkHeader}): the probe, attached; throws with code EPERM or EBPF. */
Napi::Value DropProbeOpen(const Napi::CallbackInfo &info);
/** dropProbeRead(probe, bytes, offset): {end, lost}; records of kDropRecordBytes each, whole ones only. */
Napi::Value DropProbeRead(const Napi::CallbackInfo &info);
/** dropProbeClose(probe): detaches the program and frees the ring. */
Napi::Value DropProbeClose(const Napi::CallbackInfo &info);
