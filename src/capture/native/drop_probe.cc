// The drop probe (drop_probe.h). A raw tracepoint program sees the tracepoint's arguments, not its
// formatted event: skb:kfree_skb's are (skb, location, reason, ...) since 5.17. The program reads the
// skb's head, tail and network_header with bpf_probe_read_kernel, then the bytes from the network header
// on, and writes one fixed-size record to a BPF ring buffer, which this side maps and reads without a
// system call. The attachment is a file descriptor: it ends when it is closed or the process ends, however.
#include "drop_probe.h"

#include "bpf_syscall.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace {

/** Record layout (drop-probe.ts reads the same): all the program writes, 8-byte aligned. */
enum RecordAt : int16_t { kLocation = 0, kHead = 8, kReason = 16, kTail = 20, kNetworkHeader = 24, kProtocol = 26, kNamespace = 28, kBytes = 32 };
/** Network-layer bytes copied: an IPv4 header with options (60) and 20 transport bytes, or IPv6's 40 + 20. */
constexpr int32_t kCopiedBytes = 96;
constexpr int32_t kRecordBytes = kBytes + kCopiedBytes;
/** The ring: a power of two of pages; at 128-byte records (plus an 8-byte header), about 7,700 drops. */
constexpr uint32_t kRingBytes = 1 << 20;
/** The program's stack: the record, then 8 bytes for a pointer followed or the lost counter's key. */
constexpr int16_t kRecordStack = -kRecordBytes;
constexpr int16_t kScratchStack = kRecordStack - 8;

/** Helpers by number (include/uapi/linux/bpf.h), some newer than Debian 12's headers. */
enum Helper : int32_t { kMapLookupElem = 1, kProbeReadKernel = 113, kRingbufOutput = 130 };
constexpr uint32_t kMapTypeRingbuf = 27;
/** The ring's record header: its length word, with these bits while busy or when discarded. */
constexpr uint32_t kRingBusy = 1u << 31;
constexpr uint32_t kRingDiscard = 1u << 30;
constexpr uint32_t kRingHeaderBytes = 8;

Napi::Error bpfError(Napi::Env env, const std::string &what, int error) {
  Napi::Error failure = Napi::Error::New(env, what + ": " + std::strerror(error));
  failure.Set("code", error == EPERM || error == EACCES ? "EPERM" : "EBPF");
  return failure;
}

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn instruction;
  std::memset(&instruction, 0, sizeof(instruction));
  instruction.code = code;
  instruction.dst_reg = dst;
  instruction.src_reg = src;
  instruction.off = off;
  instruction.imm = imm;
  return instruction;
}

bpf_insn movImm(uint8_t dst, int32_t imm) { return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm); }
bpf_insn movReg(uint8_t dst, uint8_t src) { return insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0); }
bpf_insn addImm(uint8_t dst, int32_t imm) { return insn(BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm); }
bpf_insn call(int32_t helper) { return insn(BPF_JMP | BPF_CALL, 0, 0, 0, helper); }

/** A program being written, with forward jumps to named places patched when the place is reached. */
struct Program {
  std::vector<bpf_insn> code;
  std::vector<std::pair<size_t, std::string>> pending;

  void add(bpf_insn instruction) { code.push_back(instruction); }
  /** A conditional jump (BPF_JEQ, BPF_JNE... against `imm`) or, with op BPF_JA, a plain one, to `place`. */
  void jump(uint8_t op, uint8_t reg, int32_t imm, const std::string &place) {
    pending.emplace_back(code.size(), place);
    add(insn(BPF_JMP | op | BPF_K, reg, 0, 0, imm));
  }
  void place(const std::string &name) {
    for (auto &[at, target] : pending) {
      if (target == name) code[at].off = static_cast<int16_t>(code.size() - at - 1);
    }
  }
  /** A map's descriptor into `dst` (BPF_LD_IMM64 with BPF_PSEUDO_MAP_FD: two instructions). */
  void loadMap(uint8_t dst, int fd) {
    add(insn(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd));
    add(insn(0, 0, 0, 0, 0));
  }
  /** bpf_probe_read_kernel(stack + at, size, r3): r3 holds the kernel address. */
  void readAt(int16_t at, int32_t size) {
    add(movReg(BPF_REG_1, BPF_REG_10));
    add(addImm(BPF_REG_1, at));
    add(movImm(BPF_REG_2, size));
    add(call(kProbeReadKernel));
  }
  /** bpf_probe_read_kernel(record + at, size, skb + offset). */
  void readSkb(int16_t at, int32_t size, int32_t offset) {
    add(movReg(BPF_REG_3, BPF_REG_7));
    add(addImm(BPF_REG_3, offset));
    readAt(kRecordStack + at, size);
  }
  /** r3 = the pointer at r3 + offset (0 when it cannot be read), through the scratch slot. */
  void follow(int32_t offset) {
    add(addImm(BPF_REG_3, offset));
    add(insn(BPF_ST | BPF_DW | BPF_MEM, BPF_REG_10, 0, kScratchStack, 0));
    readAt(kScratchStack, 8);
    add(insn(BPF_LDX | BPF_DW | BPF_MEM, BPF_REG_3, BPF_REG_10, kScratchStack, 0));
  }
};

struct Offsets {
  int32_t head;
  int32_t tail;
  int32_t networkHeader;
  int32_t protocol;
  int32_t device;
  int32_t socket;
  /** net_device.nd_net and sock_common.skc_net: a possible_net_t, whose only member is the net pointer. */
  int32_t deviceNet;
  int32_t socketNet;
  /** net.ns.inum: the namespace's inode, as /proc/PID/ns/net shows it. */
  int32_t netInode;
};

std::vector<bpf_insn> dropProgram(const Offsets &skb, int ringFd, int lostFd) {
  Program p;
  p.add(insn(BPF_LDX | BPF_DW | BPF_MEM, BPF_REG_7, BPF_REG_1, 0, 0));    // skb
  p.add(insn(BPF_LDX | BPF_DW | BPF_MEM, BPF_REG_2, BPF_REG_1, 8, 0));    // location
  p.add(insn(BPF_LDX | BPF_DW | BPF_MEM, BPF_REG_3, BPF_REG_1, 16, 0));   // reason
  p.add(insn(BPF_STX | BPF_DW | BPF_MEM, BPF_REG_10, BPF_REG_2, kRecordStack + kLocation, 0));
  p.add(insn(BPF_STX | BPF_W | BPF_MEM, BPF_REG_10, BPF_REG_3, kRecordStack + kReason, 0));
  // The network header, protocol and namespace are written over zeros: a failed read leaves them 0.
  p.add(insn(BPF_ST | BPF_DW | BPF_MEM, BPF_REG_10, 0, kRecordStack + kNetworkHeader, 0));
  p.readSkb(kHead, 8, skb.head);
  p.readSkb(kTail, 4, skb.tail);
  p.readSkb(kNetworkHeader, 2, skb.networkHeader);
  p.readSkb(kProtocol, 2, skb.protocol);
  // The namespace: the device's, or for a packet not on a device yet (OUTPUT) its socket's.
  p.add(movReg(BPF_REG_3, BPF_REG_7));
  p.follow(skb.device);
  p.jump(BPF_JEQ, BPF_REG_3, 0, "no device");
  p.follow(skb.deviceNet);
  p.jump(BPF_JA, 0, 0, "net");
  p.place("no device");
  p.add(movReg(BPF_REG_3, BPF_REG_7));
  p.follow(skb.socket);
  p.jump(BPF_JEQ, BPF_REG_3, 0, "copy");
  p.follow(skb.socketNet);
  p.place("net");
  p.jump(BPF_JEQ, BPF_REG_3, 0, "copy");
  p.add(addImm(BPF_REG_3, skb.netInode));
  p.readAt(kRecordStack + kNamespace, 4);
  p.place("copy");
  // bpf_probe_read_kernel(stack + kBytes, kCopiedBytes, head + network_header); a failed read leaves zeros.
  p.add(insn(BPF_LDX | BPF_DW | BPF_MEM, BPF_REG_3, BPF_REG_10, kRecordStack + kHead, 0));
  p.add(insn(BPF_LDX | BPF_H | BPF_MEM, BPF_REG_4, BPF_REG_10, kRecordStack + kNetworkHeader, 0));
  p.add(insn(BPF_ALU64 | BPF_ADD | BPF_X, BPF_REG_3, BPF_REG_4, 0, 0));
  p.readAt(kRecordStack + kBytes, kCopiedBytes);
  // bpf_ringbuf_output(ring, record, kRecordBytes, 0); when the ring is full, count the record lost.
  p.loadMap(BPF_REG_1, ringFd);
  p.add(movReg(BPF_REG_2, BPF_REG_10));
  p.add(addImm(BPF_REG_2, kRecordStack));
  p.add(movImm(BPF_REG_3, kRecordBytes));
  p.add(movImm(BPF_REG_4, 0));
  p.add(call(kRingbufOutput));
  p.jump(BPF_JEQ, BPF_REG_0, 0, "done");
  p.add(insn(BPF_ST | BPF_W | BPF_MEM, BPF_REG_10, 0, kScratchStack, 0));
  p.loadMap(BPF_REG_1, lostFd);
  p.add(movReg(BPF_REG_2, BPF_REG_10));
  p.add(addImm(BPF_REG_2, kScratchStack));
  p.add(call(kMapLookupElem));
  p.jump(BPF_JEQ, BPF_REG_0, 0, "done");
  p.add(movImm(BPF_REG_1, 1));
  p.add(insn(BPF_STX | BPF_DW | BPF_ATOMIC, BPF_REG_0, BPF_REG_1, 0, BPF_ADD));
  p.place("done");
  p.add(movImm(BPF_REG_0, 0));
  p.add(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  return p.code;
}

struct Probe {
  int ringFd = -1;
  int lostFd = -1;
  int programFd = -1;
  int attachFd = -1;
  uint8_t *consumer = nullptr;
  uint8_t *producer = nullptr;
  size_t page = 0;
};

void closeProbe(Probe *probe) {
  if (probe->attachFd >= 0) close(probe->attachFd);
  if (probe->programFd >= 0) close(probe->programFd);
  if (probe->consumer != nullptr) munmap(probe->consumer, probe->page);
  if (probe->producer != nullptr) munmap(probe->producer, probe->page + 2 * kRingBytes);
  if (probe->ringFd >= 0) close(probe->ringFd);
  if (probe->lostFd >= 0) close(probe->lostFd);
  *probe = Probe();
}

void freeProbe(Napi::Env, Probe *probe) {
  closeProbe(probe);
  delete probe;
}

int createMap(uint32_t type, uint32_t keySize, uint32_t valueSize, uint32_t entries) {
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.map_type = type;
  attr.key_size = keySize;
  attr.value_size = valueSize;
  attr.max_entries = entries;
  return static_cast<int>(bpf(BPF_MAP_CREATE, &attr));
}

/** Opens every part of the probe or throws, leaving nothing open. */
void openProbe(Napi::Env env, Probe &probe, const Offsets &skb) {
  probe.ringFd = createMap(kMapTypeRingbuf, 0, 0, kRingBytes);
  if (probe.ringFd < 0) throw bpfError(env, "creating the drop probe's ring buffer", errno);
  probe.lostFd = createMap(BPF_MAP_TYPE_ARRAY, 4, 8, 1);
  if (probe.lostFd < 0) throw bpfError(env, "creating the drop probe's counter", errno);
  const std::vector<bpf_insn> code = dropProgram(skb, probe.ringFd, probe.lostFd);
  static char log[16384];
  log[0] = '\0';
  union bpf_attr load;
  std::memset(&load, 0, sizeof(load));
  load.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT;
  load.insn_cnt = static_cast<uint32_t>(code.size());
  load.insns = reinterpret_cast<uint64_t>(code.data());
  load.license = reinterpret_cast<uint64_t>("GPL");
  load.log_level = 1;
  load.log_size = sizeof(log);
  load.log_buf = reinterpret_cast<uint64_t>(log);
  std::strncpy(load.prog_name, "tsshark_drops", sizeof(load.prog_name) - 1);
  probe.programFd = static_cast<int>(bpf(BPF_PROG_LOAD, &load));
  if (probe.programFd < 0) {
    const int error = errno;
    // The verifier's last lines say why; the whole log is long.
    std::string why(log);
    if (why.size() > 600) why = why.substr(why.size() - 600);
    throw bpfError(env, "loading the drop probe (" + why + ")", error);
  }
  union bpf_attr attach;
  std::memset(&attach, 0, sizeof(attach));
  attach.raw_tracepoint.name = reinterpret_cast<uint64_t>("kfree_skb");
  attach.raw_tracepoint.prog_fd = static_cast<uint32_t>(probe.programFd);
  probe.attachFd = static_cast<int>(bpf(BPF_RAW_TRACEPOINT_OPEN, &attach));
  if (probe.attachFd < 0) throw bpfError(env, "attaching the drop probe to kfree_skb", errno);
  probe.page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  void *consumer = mmap(nullptr, probe.page, PROT_READ | PROT_WRITE, MAP_SHARED, probe.ringFd, 0);
  if (consumer == MAP_FAILED) throw bpfError(env, "mapping the drop probe's ring", errno);
  probe.consumer = static_cast<uint8_t *>(consumer);
  // The data pages are mapped twice in a row by the kernel, so a record never wraps.
  void *producer = mmap(nullptr, probe.page + 2 * kRingBytes, PROT_READ, MAP_SHARED, probe.ringFd, static_cast<off_t>(probe.page));
  if (producer == MAP_FAILED) throw bpfError(env, "mapping the drop probe's ring", errno);
  probe.producer = static_cast<uint8_t *>(producer);
}

Probe &probeOf(const Napi::CallbackInfo &info) {
  Probe *probe = info[0].As<Napi::External<Probe>>().Data();
  if (probe->ringFd < 0) throw Napi::Error::New(info.Env(), "the drop probe is closed");
  return *probe;
}

uint64_t lostCount(const Probe &probe) {
  uint32_t key = 0;
  uint64_t value = 0;
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.map_fd = static_cast<uint32_t>(probe.lostFd);
  attr.key = reinterpret_cast<uint64_t>(&key);
  attr.value = reinterpret_cast<uint64_t>(&value);
  return bpf(BPF_MAP_LOOKUP_ELEM, &attr) == 0 ? value : 0;
}

}  // namespace

Napi::Value DropProbeOpen(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  Napi::Object offsets = info[0].As<Napi::Object>();
  const auto offset = [&offsets](const char *name) { return offsets.Get(name).As<Napi::Number>().Int32Value(); };
  const Offsets skb{offset("head"),   offset("tail"),      offset("networkHeader"), offset("protocol"), offset("device"),
                    offset("socket"), offset("deviceNet"), offset("socketNet"),     offset("netInode")};
  Probe *probe = new Probe;
  try {
    openProbe(env, *probe, skb);
  } catch (...) {
    freeProbe(env, probe);
    throw;
  }
  return Napi::External<Probe>::New(env, probe, freeProbe);
}

Napi::Value DropProbeRead(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  Probe &probe = probeOf(info);
  Napi::Uint8Array bytes = info[1].As<Napi::Uint8Array>();
  size_t end = info[2].As<Napi::Number>().Uint32Value();
  uint64_t *consumerPos = reinterpret_cast<uint64_t *>(probe.consumer);
  const uint64_t *producerPos = reinterpret_cast<const uint64_t *>(probe.producer);
  const uint8_t *data = probe.producer + probe.page;
  uint64_t consumed = __atomic_load_n(consumerPos, __ATOMIC_ACQUIRE);
  const uint64_t produced = __atomic_load_n(producerPos, __ATOMIC_ACQUIRE);
  while (consumed < produced) {
    const uint8_t *header = data + (consumed & (kRingBytes - 1));
    const uint32_t word = __atomic_load_n(reinterpret_cast<const uint32_t *>(header), __ATOMIC_ACQUIRE);
    if ((word & kRingBusy) != 0) break;
    const uint32_t length = word & ~(kRingBusy | kRingDiscard);
    if ((word & kRingDiscard) == 0 && length == kRecordBytes) {
      if (end + kRecordBytes > bytes.ByteLength()) break;
      std::memcpy(bytes.Data() + end, header + kRingHeaderBytes, kRecordBytes);
      end += kRecordBytes;
    }
    consumed += (length + kRingHeaderBytes + 7) & ~uint64_t{7};
    __atomic_store_n(consumerPos, consumed, __ATOMIC_RELEASE);
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("end", static_cast<double>(end));
  result.Set("lost", static_cast<double>(lostCount(probe)));
  return result;
}

Napi::Value DropProbeClose(const Napi::CallbackInfo &info) {
  closeProbe(info[0].As<Napi::External<Probe>>().Data());
  return info.Env().Undefined();
}
