// The local socket of a TCP or UDP flow, through sock_diag (sock_diag.cc).
#pragma once
#include <napi.h>

/** sockDiag(protocol, family, src, srcPort, dst, dstPort): {inode, uid} of the socket with that id, or null. */
Napi::Value SockDiag(const Napi::CallbackInfo &info);
