// bpf(BPF_PROG_QUERY) on a device, then each program's name and the helpers it calls (BPF_PROG_GET_FD_BY_ID,
// BPF_OBJ_GET_INFO_BY_FD with its translated instructions). tcx (Linux 6.6+) and netkit attach points are
// asked by number: Debian 12's headers predate them.
#include "bpf_query.h"

#include "bpf_syscall.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <string>
#include <vector>

namespace {

/** Programs listed per attach point at most (a tcx chain rarely holds more than a few). */
constexpr uint32_t kMaxPrograms = 64;

/** The verifier's limit on a program's instructions (BPF_COMPLEXITY_LIMIT_INSNS): bounds the copy. */
constexpr uint32_t kMaxInstructions = 1000000;
/** The verifier's limit on the maps one program uses (MAX_USED_MAPS). */
constexpr uint32_t kMaxMaps = 64;

struct ProgramInfo {
  std::string name;
  /** Each helper called, as its address less __bpf_call_base (0 when the kernel hides addresses). */
  std::set<int32_t> helperCalls;
  /** The types (BPF_MAP_TYPE_*) of the maps it uses. */
  std::set<uint32_t> mapTypes;
};

/** A map's type, or none when it cannot be read. */
void addMapType(uint32_t id, std::set<uint32_t> &types) {
  union bpf_attr byId;
  std::memset(&byId, 0, sizeof(byId));
  byId.map_id = id;
  const long fd = bpf(BPF_MAP_GET_FD_BY_ID, &byId);
  if (fd < 0) return;
  struct bpf_map_info map;
  std::memset(&map, 0, sizeof(map));
  union bpf_attr get;
  std::memset(&get, 0, sizeof(get));
  get.info.bpf_fd = static_cast<uint32_t>(fd);
  get.info.info_len = sizeof(map);
  get.info.info = reinterpret_cast<uint64_t>(&map);
  if (bpf(BPF_OBJ_GET_INFO_BY_FD, &get) == 0) types.insert(map.type);
  close(static_cast<int>(fd));
}

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
    const uint32_t maps = program.nr_map_ids < kMaxMaps ? program.nr_map_ids : kMaxMaps;
    if (count <= kMaxInstructions) {
      std::vector<struct bpf_insn> instructions(count);
      uint32_t mapIds[kMaxMaps] = {};
      std::memset(&program, 0, sizeof(program));
      program.xlated_prog_len = count * sizeof(struct bpf_insn);
      program.xlated_prog_insns = reinterpret_cast<uint64_t>(instructions.data());
      program.nr_map_ids = maps;
      program.map_ids = reinterpret_cast<uint64_t>(mapIds);
      if (programInfo(fd, &program) == 0) {
        for (const struct bpf_insn &instruction : instructions) {
          // src_reg 0: a helper; 1 is a call within the program, 2 a kfunc.
          if (instruction.code == (BPF_JMP | BPF_CALL) && instruction.src_reg == 0) described.helperCalls.insert(instruction.imm);
        }
        for (uint32_t i = 0; i < maps; i++) addMapType(mapIds[i], described.mapTypes);
      }
    }
  }
  close(static_cast<int>(fd));
  return described;
}

}  // namespace

Napi::Object describedProgram(Napi::Env env, uint32_t id) {
  const ProgramInfo described = describeProgram(id);
  Napi::Object entry = Napi::Object::New(env);
  entry.Set("id", id);
  entry.Set("name", described.name);
  Napi::Array calls = Napi::Array::New(env);
  for (const int32_t call : described.helperCalls) calls.Set(calls.Length(), call);
  entry.Set("helperCalls", calls);
  Napi::Array types = Napi::Array::New(env);
  for (const uint32_t type : described.mapTypes) types.Set(types.Length(), type);
  entry.Set("mapTypes", types);
  return entry;
}

Napi::Value BpfProgram(const Napi::CallbackInfo &info) {
  return describedProgram(info.Env(), info[0].As<Napi::Number>().Uint32Value());
}

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
  for (uint32_t i = 0; i < count; i++) list.Set(list.Length(), describedProgram(env, ids[i]));
  return list;
}
