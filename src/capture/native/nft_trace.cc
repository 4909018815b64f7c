#include "nft_trace.h"

#include <dlfcn.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace {

/** NFNLGRP_NFTRACE: Debian 12's headers have it; named here for older ones. */
constexpr int kTraceGroup = 9;
/** Room the kernel may queue before it drops events (ENOBUFS): a flood traced at full rate. */
constexpr int kReceiveBufferBytes = 8 << 20;
constexpr uint32_t kLengthPrefix = 4;
/** A trace message is under 1 KiB; a read stops when less than this is left. */
constexpr uint32_t kMaxMessage = 16384;

Napi::Error systemError(Napi::Env env, const char *what, int error) {
  Napi::Error failure = Napi::Error::New(env, std::string(what) + ": " + std::strerror(error));
  failure.Set("code", error == EPERM || error == EACCES ? "EPERM" : "ENETLINK");
  return failure;
}

/** The few libnftables calls --trace makes, resolved once from libnftables.so.1. */
struct Nftables {
  void *(*ctxNew)(uint32_t) = nullptr;
  void (*ctxFree)(void *) = nullptr;
  void (*setOutputFlags)(void *, unsigned int) = nullptr;
  int (*bufferOutput)(void *) = nullptr;
  int (*bufferError)(void *) = nullptr;
  const char *(*outputBuffer)(void *) = nullptr;
  const char *(*errorBuffer)(void *) = nullptr;
  int (*runCommands)(void *, const char *) = nullptr;
  std::string failure;
};

template <typename T>
bool resolve(void *library, const char *name, T &into) {
  into = reinterpret_cast<T>(dlsym(library, name));
  return into != nullptr;
}

const Nftables &nftables() {
  static Nftables loaded = [] {
    Nftables api;
    void *library = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
      const char *why = dlerror();
      api.failure = why == nullptr ? "libnftables.so.1 not found" : why;
      return api;
    }
    const bool complete = resolve(library, "nft_ctx_new", api.ctxNew) && resolve(library, "nft_ctx_free", api.ctxFree) &&
                          resolve(library, "nft_ctx_output_set_flags", api.setOutputFlags) &&
                          resolve(library, "nft_ctx_buffer_output", api.bufferOutput) &&
                          resolve(library, "nft_ctx_buffer_error", api.bufferError) &&
                          resolve(library, "nft_ctx_get_output_buffer", api.outputBuffer) &&
                          resolve(library, "nft_ctx_get_error_buffer", api.errorBuffer) &&
                          resolve(library, "nft_run_cmd_from_buffer", api.runCommands);
    if (!complete) api.failure = "libnftables.so.1 lacks a function tsshark calls";
    return api;
  }();
  return loaded;
}

struct Context {
  void *nft = nullptr;
};

void freeContext(Napi::Env, Context *context) {
  if (context->nft != nullptr) nftables().ctxFree(context->nft);
  delete context;
}

Context &contextOf(const Napi::CallbackInfo &info) {
  Context *context = info[0].As<Napi::External<Context>>().Data();
  if (context->nft == nullptr) throw Napi::Error::New(info.Env(), "the nftables context is closed");
  return *context;
}

}  // namespace

Napi::Value NftTraceOpen(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (fd < 0) throw systemError(env, "netlink socket", errno);
  struct sockaddr_nl local;
  std::memset(&local, 0, sizeof(local));
  local.nl_family = AF_NETLINK;
  const int group = kTraceGroup;
  if (bind(fd, reinterpret_cast<struct sockaddr *>(&local), sizeof(local)) != 0 ||
      setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) != 0) {
    const int error = errno;
    close(fd);
    throw systemError(env, "joining NFNLGRP_NFTRACE", error);
  }
  // Past rmem_max needs CAP_NET_ADMIN, which a tracing capture has; otherwise the default buffer serves.
  const int bytes = kReceiveBufferBytes;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) != 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
  return Napi::Number::New(env, fd);
}

Napi::Value NftTraceRead(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  const int fd = info[0].As<Napi::Number>().Int32Value();
  Napi::Uint8Array bytes = info[1].As<Napi::Uint8Array>();
  uint32_t end = info[2].As<Napi::Number>().Uint32Value();
  uint32_t overruns = 0;
  uint8_t *data = bytes.Data();
  const size_t limit = bytes.ByteLength();
  while (end + kLengthPrefix + kMaxMessage <= limit) {
    const ssize_t got = recv(fd, data + end + kLengthPrefix, kMaxMessage, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      // The kernel had more events than the socket's buffer: some are gone, the socket reads on.
      if (errno == ENOBUFS) {
        overruns++;
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      throw systemError(env, "reading trace events", errno);
    }
    const uint32_t length = static_cast<uint32_t>(got);
    std::memcpy(data + end, &length, kLengthPrefix);
    end += kLengthPrefix + ((length + 3) & ~3u);
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("end", end);
  result.Set("overruns", overruns);
  return result;
}

Napi::Value NftTraceClose(const Napi::CallbackInfo &info) {
  close(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

Napi::Value NftOpen(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  const Nftables &api = nftables();
  if (!api.failure.empty()) {
    Napi::Error error = Napi::Error::New(env, api.failure);
    error.Set("code", "ENONFT");
    throw error;
  }
  // NFT_CTX_DEFAULT: the context opens its netlink socket now and keeps it (an owner table's life).
  void *nft = api.ctxNew(0);
  if (nft == nullptr) throw systemError(env, "nft_ctx_new", errno == 0 ? ENOMEM : errno);
  api.bufferOutput(nft);
  api.bufferError(nft);
  Context *context = new Context;
  context->nft = nft;
  return Napi::External<Context>::New(env, context, freeContext);
}

Napi::Value NftRun(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  Context &context = contextOf(info);
  const std::string commands = info[1].As<Napi::String>().Utf8Value();
  const Nftables &api = nftables();
  api.setOutputFlags(context.nft, info[2].As<Napi::Number>().Uint32Value());
  const int status = api.runCommands(context.nft, commands.c_str());
  const char *output = api.outputBuffer(context.nft);
  const char *error = api.errorBuffer(context.nft);
  Napi::Object result = Napi::Object::New(env);
  result.Set("ok", status == 0);
  result.Set("output", output == nullptr ? "" : output);
  result.Set("error", error == nullptr ? "" : error);
  return result;
}

Napi::Value NftClose(const Napi::CallbackInfo &info) {
  Context *context = info[0].As<Napi::External<Context>>().Data();
  if (context->nft != nullptr) nftables().ctxFree(context->nft);
  context->nft = nullptr;
  return info.Env().Undefined();
}
