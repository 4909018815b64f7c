// The BPF programs attached to a device (tcx, netkit), for the blind-spot warnings: ids and names only.
#pragma once
#include <napi.h>

/** bpfPrograms(ifindex, attachType): [{id, name}] of the programs attached there. */
Napi::Value BpfPrograms(const Napi::CallbackInfo &info);
