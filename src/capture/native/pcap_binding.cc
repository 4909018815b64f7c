// The live-capture addon: a thin layer over libpcap that the capture worker drives. Frames leave it in
// batches packed into a buffer the caller owns (one call per batch, never one JS callback per frame):
//
//   record := u32 recordLength (header + data, padded to 4) | u32 tsSec | u32 tsNsec | u32 capturedLength
//             | u32 originalLength | u32 interfaceId | u32 epbFlags | data | zero padding
//
// all in the machine's byte order. Handles are numbered per thread (Napi::Addon instance data).
#include <napi.h>

#include "bpf_query.h"
#include "drop_probe.h"
#include "netns.h"
#include "sock_diag.h"
#include "nft_trace.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

constexpr uint32_t kRecordHeaderLength = 28;
constexpr uint32_t kMaxSnaplen = 262144;
/** Free space a buffer must keep for one more frame of any length. */
constexpr uint32_t kRecordReserve = kRecordHeaderLength + kMaxSnaplen;
constexpr uint32_t kDirectionIn = 1;
constexpr uint32_t kDirectionOut = 2;
constexpr uint32_t kSll2PacketTypeOffset = 10;

struct Handle {
  pcap_t *pcap = nullptr;
  uint32_t interfaceId = 0;
  /** epb_flags stamped on every record; for LINUX_SLL2 the direction is read from each frame instead. */
  uint32_t flags = 0;
  bool directionFromSll2 = false;
  bool nanosecond = true;
  /**
   * libpcap's NFLOG reader takes EAGAIN from a non-blocking socket for an error: such a handle stays
   * blocking and is read only while poll() says it has data.
   */
  bool readWhenReady = false;

  ~Handle() {
    if (pcap != nullptr) pcap_close(pcap);
  }
};

struct Batch {
  Handle *handle;
  uint8_t *bytes;
  size_t end;
  size_t limit;
};

uint32_t padded(uint32_t length) { return (length + 3) & ~3u; }

void store(uint8_t *at, uint32_t value) { std::memcpy(at, &value, 4); }

void onPacket(u_char *user, const struct pcap_pkthdr *header, const u_char *bytes) {
  auto *batch = reinterpret_cast<Batch *>(user);
  Handle *handle = batch->handle;
  const uint32_t caplen = header->caplen > kMaxSnaplen ? kMaxSnaplen : header->caplen;
  const uint32_t length = padded(kRecordHeaderLength + caplen);
  uint8_t *at = batch->bytes + batch->end;
  uint32_t flags = handle->flags;
  if (handle->directionFromSll2 && caplen > kSll2PacketTypeOffset) {
    flags = bytes[kSll2PacketTypeOffset] == PACKET_OUTGOING ? kDirectionOut : kDirectionIn;
  }
  store(at, length);
  store(at + 4, static_cast<uint32_t>(header->ts.tv_sec));
  store(at + 8, static_cast<uint32_t>(handle->nanosecond ? header->ts.tv_usec : header->ts.tv_usec * 1000));
  store(at + 12, caplen);
  store(at + 16, header->len);
  store(at + 20, handle->interfaceId);
  store(at + 24, flags);
  std::memcpy(at + kRecordHeaderLength, bytes, caplen);
  std::memset(at + kRecordHeaderLength + caplen, 0, length - kRecordHeaderLength - caplen);
  batch->end += length;
  if (batch->limit - batch->end < kRecordReserve) pcap_breakloop(handle->pcap);
}

/** Thrown to JS as an Error with a `code` the worker maps to the user's message. */
Napi::Error captureError(Napi::Env env, const char *code, const std::string &message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

/**
 * mallopt(M_MMAP_THRESHOLD): glibc serves blocks of at least `bytes` with their own mmap, given back to
 * the kernel when freed. Left alone it raises the threshold each time such a block is freed, up to 32 MiB,
 * and later blocks of that size come from its heaps, which they fragment: with --keep rolling 4 MiB
 * chunks, the interface's RSS doubled in bench/soak. Setting it once also ends the raising.
 */
Napi::Value HoldMmapThreshold(const Napi::CallbackInfo &info) {
  const int bytes = info[0].As<Napi::Number>().Int32Value();
  return Napi::Boolean::New(info.Env(), mallopt(M_MMAP_THRESHOLD, bytes) == 1);
}

const char *activateErrorCode(int status) {
  switch (status) {
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      return "EPERM";
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return "ENODEV";
    case PCAP_ERROR_IFACE_NOT_UP:
      return "ENETDOWN";
    default:
      return "EPCAP";
  }
}

/**
 * The kernel keeps only one direction on the handle's socket, before it copies the frame: a packet type test
 * (SKF_AD_PKTTYPE) ahead of the user's compiled filter. pcap_setdirection alone filters after the copy, so
 * the inbound and outbound handles of one interface would each copy every frame out of the kernel.
 */
bool attachDirectionFilter(pcap_t *pcap, const bpf_program &program, bool outbound) {
  std::vector<sock_filter> code;
  code.reserve(program.bf_len + 3);
  code.push_back({BPF_LD | BPF_W | BPF_ABS, 0, 0, static_cast<uint32_t>(SKF_AD_OFF + SKF_AD_PKTTYPE)});
  // Outgoing: on to the user's program (2 ahead) when outbound, else to "ret 0" (1 ahead).
  code.push_back({BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint8_t>(outbound ? 1 : 0), static_cast<uint8_t>(outbound ? 0 : 1), PACKET_OUTGOING});
  code.push_back({BPF_RET | BPF_K, 0, 0, 0});
  for (u_int i = 0; i < program.bf_len; i++) {
    const bpf_insn &insn = program.bf_insns[i];
    code.push_back({insn.code, insn.jt, insn.jf, insn.k});
  }
  sock_fprog fprog{static_cast<unsigned short>(code.size()), code.data()};
  return setsockopt(pcap_fileno(pcap), SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog)) == 0;
}

class PcapAddon : public Napi::Addon<PcapAddon> {
 public:
  PcapAddon(Napi::Env env, Napi::Object exports) {
    DefineAddon(exports, {
                             InstanceMethod("listInterfaces", &PcapAddon::ListInterfaces),
                             InstanceMethod("checkFilter", &PcapAddon::CheckFilter),
                             InstanceMethod("open", &PcapAddon::Open),
                             InstanceMethod("capture", &PcapAddon::Capture),
                             InstanceMethod("wait", &PcapAddon::Wait),
                             InstanceMethod("stats", &PcapAddon::Stats),
                             InstanceMethod("close", &PcapAddon::Close),
                             InstanceValue("libraryVersion", Napi::String::New(env, pcap_lib_version())),
                             InstanceValue("recordHeaderLength", Napi::Number::New(env, kRecordHeaderLength)),
                             InstanceValue("recordReserve", Napi::Number::New(env, kRecordReserve)),
                         });
    exports.Set("bpfPrograms", Napi::Function::New(env, BpfPrograms, "bpfPrograms"));
    exports.Set("bpfProgram", Napi::Function::New(env, BpfProgram, "bpfProgram"));
    exports.Set("nftTraceOpen", Napi::Function::New(env, NftTraceOpen, "nftTraceOpen"));
    exports.Set("nftTraceRead", Napi::Function::New(env, NftTraceRead, "nftTraceRead"));
    exports.Set("nftTraceClose", Napi::Function::New(env, NftTraceClose, "nftTraceClose"));
    exports.Set("nftOpen", Napi::Function::New(env, NftOpen, "nftOpen"));
    exports.Set("nftRun", Napi::Function::New(env, NftRun, "nftRun"));
    exports.Set("nftClose", Napi::Function::New(env, NftClose, "nftClose"));
    exports.Set("dropProbeOpen", Napi::Function::New(env, DropProbeOpen, "dropProbeOpen"));
    exports.Set("dropProbeRead", Napi::Function::New(env, DropProbeRead, "dropProbeRead"));
    exports.Set("dropProbeClose", Napi::Function::New(env, DropProbeClose, "dropProbeClose"));
    exports.Set("holdMmapThreshold", Napi::Function::New(env, HoldMmapThreshold, "holdMmapThreshold"));
    exports.Set("netnsRun", Napi::Function::New(env, NetnsRun, "netnsRun"));
    exports.Set("netnsLinks", Napi::Function::New(env, NetnsLinks, "netnsLinks"));
    exports.Set("netnsId", Napi::Function::New(env, NetnsId, "netnsId"));
    exports.Set("sockDiag", Napi::Function::New(env, SockDiag, "sockDiag"));
  }

 private:
  std::vector<std::unique_ptr<Handle>> handles_;

  Handle &handleAt(const Napi::CallbackInfo &info, size_t argument) {
    const uint32_t id = info[argument].As<Napi::Number>().Uint32Value();
    if (id >= handles_.size() || !handles_[id]) throw Napi::RangeError::New(info.Env(), "no such capture handle");
    return *handles_[id];
  }

  /**
   * pcap_compile on a dead handle of link type `linkType`: libpcap's message for a capture filter it
   * cannot compile, or undefined (no device opened, no privilege needed).
   */
  Napi::Value CheckFilter(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    const int linkType = info[0].As<Napi::Number>().Int32Value();
    const std::string filter = info[1].As<Napi::String>().Utf8Value();
    pcap_t *dead = pcap_open_dead(linkType, 262144);
    if (dead == nullptr) throw Napi::Error::New(env, "pcap_open_dead failed");
    bpf_program program{};
    Napi::Value result = env.Undefined();
    if (pcap_compile(dead, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) result = Napi::String::New(env, pcap_geterr(dead));
    else pcap_freecode(&program);
    pcap_close(dead);
    return result;
  }

  /** pcap_findalldevs: name, description, PCAP_IF_* flags and addresses with prefix lengths. */
  Napi::Value ListInterfaces(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_if_t *devices = nullptr;
    if (pcap_findalldevs(&devices, errbuf) != 0) throw captureError(env, "EPCAP", errbuf);
    Napi::Array list = Napi::Array::New(env);
    for (pcap_if_t *device = devices; device != nullptr; device = device->next) {
      Napi::Object entry = Napi::Object::New(env);
      entry.Set("name", device->name);
      if (device->description != nullptr) entry.Set("description", device->description);
      entry.Set("flags", Napi::Number::New(env, device->flags));
      Napi::Array addresses = Napi::Array::New(env);
      for (pcap_addr_t *address = device->addresses; address != nullptr; address = address->next) {
        Napi::Value described = describeAddress(env, address);
        if (!described.IsUndefined()) addresses.Set(addresses.Length(), described);
      }
      entry.Set("addresses", addresses);
      list.Set(list.Length(), entry);
    }
    pcap_freealldevs(devices);
    return list;
  }

  static Napi::Value describeAddress(Napi::Env env, const pcap_addr_t *address) {
    if (address->addr == nullptr) return env.Undefined();
    const int family = address->addr->sa_family;
    const void *raw;
    const uint8_t *mask = nullptr;
    size_t maskLength;
    if (family == AF_INET) {
      raw = &reinterpret_cast<const sockaddr_in *>(address->addr)->sin_addr;
      if (address->netmask != nullptr) mask = reinterpret_cast<const uint8_t *>(&reinterpret_cast<const sockaddr_in *>(address->netmask)->sin_addr);
      maskLength = 4;
    } else if (family == AF_INET6) {
      raw = &reinterpret_cast<const sockaddr_in6 *>(address->addr)->sin6_addr;
      if (address->netmask != nullptr) mask = reinterpret_cast<const uint8_t *>(&reinterpret_cast<const sockaddr_in6 *>(address->netmask)->sin6_addr);
      maskLength = 16;
    } else {
      return env.Undefined();
    }
    char text[INET6_ADDRSTRLEN] = "";
    inet_ntop(family, raw, text, sizeof(text));
    Napi::Object described = Napi::Object::New(env);
    described.Set("family", Napi::Number::New(env, family == AF_INET ? 4 : 6));
    described.Set("address", text);
    if (mask != nullptr) {
      int prefix = 0;
      for (size_t i = 0; i < maskLength; i++) prefix += __builtin_popcount(mask[i]);
      described.Set("prefixLength", Napi::Number::New(env, prefix));
    }
    return described;
  }

  /**
   * open({ device, snaplen, promiscuous, timeoutMs, bufferBytes, linkType, direction, filter, interfaceId })
   * -> { id, linkType, nanosecond, warning }. direction: 0 both, 1 inbound only, 2 outbound only.
   */
  Napi::Value Open(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    Napi::Object options = info[0].As<Napi::Object>();
    const std::string device = options.Get("device").As<Napi::String>();
    const std::string filter = options.Get("filter").As<Napi::String>();
    const uint32_t direction = options.Get("direction").As<Napi::Number>().Uint32Value();
    const int requestedLinkType = options.Get("linkType").As<Napi::Number>().Int32Value();
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    auto handle = std::make_unique<Handle>();
    handle->pcap = pcap_create(device.c_str(), errbuf);
    if (handle->pcap == nullptr) throw captureError(env, "EPCAP", errbuf);
    pcap_t *pcap = handle->pcap;
    pcap_set_snaplen(pcap, options.Get("snaplen").As<Napi::Number>().Int32Value());
    pcap_set_promisc(pcap, options.Get("promiscuous").As<Napi::Boolean>() ? 1 : 0);
    const int timeoutMs = options.Get("timeoutMs").As<Napi::Number>().Int32Value();
    if (timeoutMs > 0) pcap_set_timeout(pcap, timeoutMs);
    else pcap_set_immediate_mode(pcap, 1);
    const int bufferBytes = options.Get("bufferBytes").As<Napi::Number>().Int32Value();
    if (bufferBytes > 0) pcap_set_buffer_size(pcap, bufferBytes);
    pcap_set_tstamp_precision(pcap, PCAP_TSTAMP_PRECISION_NANO);
    const int status = pcap_activate(pcap);
    if (status < 0) {
      const std::string detail = pcap_geterr(pcap);
      throw captureError(env, activateErrorCode(status), detail.empty() ? pcap_statustostr(status) : detail);
    }
    std::string warning;
    if (status > 0) {
      const std::string detail = pcap_geterr(pcap);
      warning = detail.empty() ? pcap_statustostr(status) : detail;
    }
    if (requestedLinkType >= 0) pcap_set_datalink(pcap, requestedLinkType);
    handle->nanosecond = pcap_get_tstamp_precision(pcap) == PCAP_TSTAMP_PRECISION_NANO;

    bpf_program program{};
    if (pcap_compile(pcap, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      throw captureError(env, "EFILTER", pcap_geterr(pcap));
    }
    // libpcap attaches the filter the safe way (it drains what the socket queued before); the direction
    // test then replaces it in one step. pcap_setdirection stays as the backstop for frames queued meanwhile.
    bool attached = pcap_setfilter(pcap, &program) == 0;
    if (attached && direction != 0) attachDirectionFilter(pcap, program, direction == kDirectionOut);
    pcap_freecode(&program);
    if (!attached) throw captureError(env, "EPCAP", pcap_geterr(pcap));
    if (direction != 0) {
      if (direction == kDirectionIn) {
        const int on = 1;
        setsockopt(pcap_fileno(pcap), SOL_PACKET, PACKET_IGNORE_OUTGOING, &on, sizeof(on));
      }
      if (pcap_setdirection(pcap, direction == kDirectionIn ? PCAP_D_IN : PCAP_D_OUT) != 0) {
        throw captureError(env, "EPCAP", pcap_geterr(pcap));
      }
    }
    const int linkType = pcap_datalink(pcap);
    handle->readWhenReady = linkType == DLT_NFLOG;
    if (!handle->readWhenReady && pcap_setnonblock(pcap, 1, errbuf) != 0) throw captureError(env, "EPCAP", errbuf);

    handle->interfaceId = options.Get("interfaceId").As<Napi::Number>().Uint32Value();
    handle->flags = direction;
    handle->directionFromSll2 = direction == 0 && linkType == DLT_LINUX_SLL2;
    handles_.push_back(std::move(handle));

    Napi::Object opened = Napi::Object::New(env);
    opened.Set("id", Napi::Number::New(env, static_cast<double>(handles_.size() - 1)));
    opened.Set("linkType", Napi::Number::New(env, linkType));
    opened.Set("snaplen", Napi::Number::New(env, pcap_snapshot(pcap)));
    if (!warning.empty()) opened.Set("warning", warning);
    return opened;
  }

  /**
   * capture(id, bytes: Uint8Array, offset) -> the new end: appends every frame the handle has ready while
   * at least recordReserve bytes stay free. Space left over means the handle was drained.
   */
  Napi::Value Capture(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    Handle &handle = handleAt(info, 0);
    Napi::Uint8Array bytes = info[1].As<Napi::Uint8Array>();
    Batch batch{&handle, bytes.Data(), info[2].As<Napi::Number>().Uint32Value(), bytes.ByteLength()};
    if (batch.end > batch.limit) throw Napi::RangeError::New(env, "offset past the end of the buffer");
    while (batch.limit - batch.end >= kRecordReserve) {
      if (handle.readWhenReady) {
        pollfd ready{pcap_get_selectable_fd(handle.pcap), POLLIN, 0};
        if (poll(&ready, 1, 0) <= 0) break;
      }
      const int status = pcap_dispatch(handle.pcap, -1, onPacket, reinterpret_cast<u_char *>(&batch));
      if (status == PCAP_ERROR) throw captureError(env, "EPCAP", pcap_geterr(handle.pcap));
      // A ring handle's dispatch takes everything ready (or stops when the buffer is full).
      if (!handle.readWhenReady) break;
    }
    return Napi::Number::New(env, static_cast<double>(batch.end));
  }

  /** wait(ids, timeoutMs): blocks until one of the handles has frames or the time is up. */
  Napi::Value Wait(const Napi::CallbackInfo &info) {
    Napi::Array ids = info[0].As<Napi::Array>();
    std::vector<pollfd> fds;
    for (uint32_t i = 0; i < ids.Length(); i++) {
      const uint32_t id = ids.Get(i).As<Napi::Number>().Uint32Value();
      if (id >= handles_.size() || !handles_[id]) continue;
      const int fd = pcap_get_selectable_fd(handles_[id]->pcap);
      if (fd >= 0) fds.push_back({fd, POLLIN, 0});
    }
    poll(fds.data(), fds.size(), info[1].As<Napi::Number>().Int32Value());
    return info.Env().Undefined();
  }

  /** stats(id) -> { received, dropped, interfaceDropped } as pcap_stats counts them. */
  Napi::Value Stats(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    Handle &handle = handleAt(info, 0);
    pcap_stat stat{};
    if (pcap_stats(handle.pcap, &stat) != 0) throw captureError(env, "EPCAP", pcap_geterr(handle.pcap));
    Napi::Object counts = Napi::Object::New(env);
    counts.Set("received", Napi::Number::New(env, stat.ps_recv));
    counts.Set("dropped", Napi::Number::New(env, stat.ps_drop));
    counts.Set("interfaceDropped", Napi::Number::New(env, stat.ps_ifdrop));
    return counts;
  }

  Napi::Value Close(const Napi::CallbackInfo &info) {
    const uint32_t id = info[0].As<Napi::Number>().Uint32Value();
    if (id < handles_.size()) handles_[id].reset();
    return info.Env().Undefined();
  }
};

}  // namespace

NODE_API_ADDON(PcapAddon)
