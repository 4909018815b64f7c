// Network namespaces for the capture worker: a function run with the thread in another namespace, and a
// namespace's links and addresses through rtnetlink (netns.cc).
#pragma once
#include <napi.h>

/** netnsRun(path, fn): fn(), with this thread in the network namespace at `path`; throws with code ENOENT, EPERM or ESYS. */
Napi::Value NetnsRun(const Napi::CallbackInfo &info);
/** netnsLinks(): {links, addresses} of this thread's network namespace. */
Napi::Value NetnsLinks(const Napi::CallbackInfo &info);
/** netnsId(path): the id this thread's namespace gives the one at `path`, or -1 when it gives none. */
Napi::Value NetnsId(const Napi::CallbackInfo &info);
