// nftables for --trace: the kernel's trace events (netlink group NFNLGRP_NFTRACE) read as raw messages,
// and libnftables (loaded with dlopen: the nft command's own library, no build dependency) for the
// tracing table and the rules' texts.
#pragma once
#include <napi.h>

/** nftTraceOpen(): the fd of a non-blocking netlink socket in NFNLGRP_NFTRACE. */
Napi::Value NftTraceOpen(const Napi::CallbackInfo &info);
/** nftTraceRead(fd, bytes, offset): {end, overruns}; each message as u32 length | bytes | padding to 4. */
Napi::Value NftTraceRead(const Napi::CallbackInfo &info);
/** nftTraceClose(fd). */
Napi::Value NftTraceClose(const Napi::CallbackInfo &info);
/** nftOpen(): a libnftables context, whose netlink socket lives until nftClose or the process ends. */
Napi::Value NftOpen(const Napi::CallbackInfo &info);
/** nftRun(context, commands, outputFlags): {ok, output, error}. */
Napi::Value NftRun(const Napi::CallbackInfo &info);
/** nftClose(context). */
Napi::Value NftClose(const Napi::CallbackInfo &info);
