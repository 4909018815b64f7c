// bpf(BPF_PROG_QUERY) on a device, then each program's name and the helpers it calls (BPF_PROG_GET_FD_BY_ID,
// BPF_OBJ_GET_INFO_BY_FD with its translated instructions). tcx (Linux 6.6+) and netkit attach points are
// asked by number: Debian 12's headers predate them.
#include "bpf_query.h"

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <string>
#include <vector>

namespace {

/** Programs listed per attach point at most (a tcx chain rarely holds more than a few). */
constexpr uint32_t kMaxPrograms = 64;

long bpf(int command, union bpf_attr *attr) {
  return syscall(__NR_bpf, command, attr, sizeof(*attr));
}

/** The verifier's limit on a program's instructions (BPF_COMPLEXITY_LIMIT_INSNS): bounds the copy. */
constexpr uint32_t kMaxInstructions = 1000000;

struct ProgramInfo {
  std::string name;
  /** Each helper called, as its address less __bpf_call_base (0 when the kernel hides addresses). */
  std::set<int32_t> helperCalls;
};

long programInfo(long fd, struct bpf_prog_info *program) {
  union bpf_attr get;
  std::memset(&get, 0, sizeof(get));
  get.info.bpf_fd = static_cast<uint32_t>(fd);
  get.info.info_len = sizeof(*program);
  get.info.info = reinterpret_cast<uint64_t>(program);
  return bpf(BPF_OBJ_GET_INFO_BY_FD, &get);
}

/** The program's name as the loader gave it and its helper calls; empty when it cannot be read. */
ProgramInfo describeProgram(uint32_t id) {
  ProgramInfo described;
  union bpf_attr byId;
  std::memset(&byId, 0, sizeof(byId));
  byId.prog_id = id;
  const long fd = bpf(BPF_PROG_GET_FD_BY_ID, &byId);
  if (fd < 0) return described;
  struct bpf_prog_info program;
  std::memset(&program, 0, sizeof(program));
  if (programInfo(fd, &program) == 0) {
    described.name.assign(program.name, strnlen(program.name, sizeof(program.name)));
    const uint32_t count = program.xlated_prog_len / sizeof(struct bpf_insn);
    if (count > 0 && count <= kMaxInstructions) {
      std::vector<struct bpf_insn> instructions(count);
      std::memset(&program, 0, sizeof(program));
      program.xlated_prog_len = count * sizeof(struct bpf_insn);
      program.xlated_prog_insns = reinterpret_cast<uint64_t>(instructions.data());
      if (programInfo(fd, &program) == 0) {
        for (const struct bpf_insn &instruction : instructions) {
          // src_reg 0: a helper; 1 is a call within the program, 2 a kfunc.
          if (instruction.code == (BPF_JMP | BPF_CALL) && instruction.src_reg == 0) described.helperCalls.insert(instruction.imm);
        }
      }
    }
  }
  close(static_cast<int>(fd));
  return described;
}

}  // namespace

Napi::Value BpfPrograms(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  const uint32_t ifindex = info[0].As<Napi::Number>().Uint32Value();
  const uint32_t attachType = info[1].As<Napi::Number>().Uint32Value();
  uint32_t ids[kMaxPrograms] = {};
  union bpf_attr query;
  std::memset(&query, 0, sizeof(query));
  // target_ifindex (6.6+) shares target_fd's place.
  query.query.target_fd = ifindex;
  query.query.attach_type = attachType;
  query.query.prog_ids = reinterpret_cast<uint64_t>(ids);
  query.query.prog_cnt = kMaxPrograms;
  Napi::Array list = Napi::Array::New(env);
  if (bpf(BPF_PROG_QUERY, &query) != 0) {
    // No such attach point on this kernel or device: nothing attached.
    if (errno == EINVAL || errno == ENOENT || errno == EOPNOTSUPP || errno == ENODEV) return list;
    Napi::Error error = Napi::Error::New(env, std::string("BPF_PROG_QUERY: ") + std::strerror(errno));
    error.Set("code", errno == EPERM ? "EPERM" : "EBPF");
    throw error;
  }
  const uint32_t count = query.query.prog_cnt < kMaxPrograms ? query.query.prog_cnt : kMaxPrograms;
  for (uint32_t i = 0; i < count; i++) {
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("id", ids[i]);
    const ProgramInfo described = describeProgram(ids[i]);
    entry.Set("name", described.name);
    Napi::Array calls = Napi::Array::New(env);
    for (const int32_t call : described.helperCalls) calls.Set(calls.Length(), call);
    entry.Set("helperCalls", calls);
    list.Set(list.Length(), entry);
  }
  return list;
}
