// The BPF programs attached to a device (tcx, netkit), for the blind-spot warnings: ids, names and
// the helpers each calls.
#pragma once
#include <napi.h>

/** bpfPrograms(ifindex, attachType): [{id, name, helperCalls, mapTypes}] of the programs attached there. */
Napi::Value BpfPrograms(const Napi::CallbackInfo &info);
/** bpfProgram(id): {id, name, helperCalls, mapTypes} of one program (an XDP program `ip link` names). */
Napi::Value BpfProgram(const Napi::CallbackInfo &info);
