// bpf(BPF_PROG_QUERY) on a device, then each program's name (BPF_PROG_GET_FD_BY_ID, BPF_OBJ_GET_INFO_BY_FD).
// tcx (Linux 6.6+) and netkit attach points are asked by number: Debian 12's headers predate them.
#include "bpf_query.h"

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace {

/** Programs listed per attach point at most (a tcx chain rarely holds more than a few). */
constexpr uint32_t kMaxPrograms = 64;

long bpf(int command, union bpf_attr *attr) {
  return syscall(__NR_bpf, command, attr, sizeof(*attr));
}

/** The program's name as the loader gave it; empty when it cannot be read. */
std::string programName(uint32_t id) {
  union bpf_attr byId;
  std::memset(&byId, 0, sizeof(byId));
  byId.prog_id = id;
  const long fd = bpf(BPF_PROG_GET_FD_BY_ID, &byId);
  if (fd < 0) return "";
  struct bpf_prog_info program;
  std::memset(&program, 0, sizeof(program));
  union bpf_attr get;
  std::memset(&get, 0, sizeof(get));
  get.info.bpf_fd = static_cast<uint32_t>(fd);
  get.info.info_len = sizeof(program);
  get.info.info = reinterpret_cast<uint64_t>(&program);
  std::string name;
  if (bpf(BPF_OBJ_GET_INFO_BY_FD, &get) == 0) name.assign(program.name, strnlen(program.name, sizeof(program.name)));
  close(static_cast<int>(fd));
  return name;
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
    entry.Set("name", programName(ids[i]));
    list.Set(list.Length(), entry);
  }
  return list;
}
