// Network namespaces for the capture worker: run a JS function with the calling thread in another
// namespace (setns acts on one thread: the worker opens a source's handles there, its sockets stay in that
// namespace, and the thread comes back before anything else runs on it), and list a namespace's links and
// addresses through rtnetlink (libpcap's device list mixes in /sys and /proc/net of the process's own
// namespace, so it cannot be asked about another).
#include "netns.h"

#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr size_t kReceiveBuffer = 64 * 1024;
/** Links and addresses of one namespace, at most: a dump never grows without bound. */
constexpr size_t kMaxEntries = 65536;

Napi::Error systemError(Napi::Env env, int error, const std::string &what) {
  Napi::Error result = Napi::Error::New(env, what + ": " + std::strerror(error));
  const char *code = error == ENOENT ? "ENOENT" : error == EPERM ? "EPERM" : error == EINVAL ? "EINVAL" : "ESYS";
  result.Set("code", Napi::String::New(env, code));
  return result;
}

/** A file descriptor closed when it goes out of scope. */
struct Fd {
  int fd;
  explicit Fd(int value) : fd(value) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
};

/** A route netlink socket with one request in flight; each reply message handed to `each`. */
template <typename Each>
int request(int socketFd, nlmsghdr *message, Each each) {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(socketFd, message, message->nlmsg_len, 0, reinterpret_cast<sockaddr *>(&kernel), sizeof(kernel)) < 0) return errno;
  std::vector<char> buffer(kReceiveBuffer);
  size_t entries = 0;
  for (;;) {
    const ssize_t length = recv(socketFd, buffer.data(), buffer.size(), 0);
    if (length < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    int remaining = static_cast<int>(length);
    for (auto *reply = reinterpret_cast<nlmsghdr *>(buffer.data()); NLMSG_OK(reply, remaining); reply = NLMSG_NEXT(reply, remaining)) {
      if (reply->nlmsg_seq != message->nlmsg_seq) continue;
      if (reply->nlmsg_type == NLMSG_DONE) return 0;
      if (reply->nlmsg_type == NLMSG_ERROR) {
        const int error = -static_cast<nlmsgerr *>(NLMSG_DATA(reply))->error;
        return error;
      }
      if (++entries > kMaxEntries) return E2BIG;
      each(reply);
      if ((message->nlmsg_flags & NLM_F_DUMP) == 0) return 0;
    }
  }
}

/** The attributes of a message after its fixed header of `fixed` bytes, by type. */
std::vector<rtattr *> attributes(nlmsghdr *message, size_t fixed, int most) {
  std::vector<rtattr *> found(most + 1, nullptr);
  int remaining = static_cast<int>(message->nlmsg_len - NLMSG_LENGTH(fixed));
  for (auto *attribute = reinterpret_cast<rtattr *>(static_cast<char *>(NLMSG_DATA(message)) + NLMSG_ALIGN(fixed)); RTA_OK(attribute, remaining); attribute = RTA_NEXT(attribute, remaining)) {
    if (attribute->rta_type <= most) found[attribute->rta_type] = attribute;
  }
  return found;
}

std::vector<rtattr *> nested(rtattr *parent, int most) {
  std::vector<rtattr *> found(most + 1, nullptr);
  int remaining = static_cast<int>(RTA_PAYLOAD(parent));
  for (auto *attribute = static_cast<rtattr *>(RTA_DATA(parent)); RTA_OK(attribute, remaining); attribute = RTA_NEXT(attribute, remaining)) {
    if (attribute->rta_type <= most) found[attribute->rta_type] = attribute;
  }
  return found;
}

int32_t s32(rtattr *attribute) {
  int32_t value;
  std::memcpy(&value, RTA_DATA(attribute), sizeof(value));
  return value;
}

std::string text(rtattr *attribute) {
  const char *data = static_cast<const char *>(RTA_DATA(attribute));
  return std::string(data, strnlen(data, RTA_PAYLOAD(attribute)));
}

/** A dump of every `type` (RTM_GETLINK, RTM_GETADDR) entry, each reply handed to `each`. */
template <typename Header, typename Each>
int dump(int socketFd, uint16_t type, uint32_t seq, Each each) {
  // ifinfomsg and ifaddrmsg begin with their family: zero, AF_UNSPEC, asks for every family.
  struct {
    nlmsghdr header;
    Header body;
  } message{};
  message.header.nlmsg_len = NLMSG_LENGTH(sizeof(Header));
  message.header.nlmsg_type = type;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.header.nlmsg_seq = seq;
  return request(socketFd, &message.header, each);
}

int openRouteSocket() {
  return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
}

Napi::Array readLinks(Napi::Env env, int socketFd) {
  Napi::Array links = Napi::Array::New(env);
  const int error = dump<ifinfomsg>(socketFd, RTM_GETLINK, 1, [&](nlmsghdr *reply) {
    if (reply->nlmsg_type != RTM_NEWLINK) return;
    const auto *info = static_cast<ifinfomsg *>(NLMSG_DATA(reply));
    const auto found = attributes(reply, sizeof(ifinfomsg), IFLA_MAX);
    Napi::Object link = Napi::Object::New(env);
    link.Set("index", info->ifi_index);
    link.Set("flags", info->ifi_flags);
    link.Set("type", info->ifi_type);
    link.Set("name", found[IFLA_IFNAME] ? text(found[IFLA_IFNAME]) : std::string());
    if (found[IFLA_LINK]) link.Set("link", s32(found[IFLA_LINK]));
    if (found[IFLA_LINK_NETNSID]) link.Set("linkNetnsId", s32(found[IFLA_LINK_NETNSID]));
    if (found[IFLA_MASTER]) link.Set("master", s32(found[IFLA_MASTER]));
    if (found[IFLA_LINKINFO]) {
      const auto info = nested(found[IFLA_LINKINFO], IFLA_INFO_MAX);
      if (info[IFLA_INFO_KIND]) link.Set("kind", text(info[IFLA_INFO_KIND]));
    }
    links.Set(links.Length(), link);
  });
  if (error != 0) throw systemError(env, error, "rtnetlink: listing the links");
  return links;
}

Napi::Array readAddresses(Napi::Env env, int socketFd) {
  Napi::Array addresses = Napi::Array::New(env);
  const int error = dump<ifaddrmsg>(socketFd, RTM_GETADDR, 2, [&](nlmsghdr *reply) {
    if (reply->nlmsg_type != RTM_NEWADDR) return;
    const auto *info = static_cast<ifaddrmsg *>(NLMSG_DATA(reply));
    const auto found = attributes(reply, sizeof(ifaddrmsg), IFA_MAX);
    rtattr *address = found[IFA_LOCAL] ? found[IFA_LOCAL] : found[IFA_ADDRESS];
    if (address == nullptr || (info->ifa_family != AF_INET && info->ifa_family != AF_INET6)) return;
    char printed[INET6_ADDRSTRLEN] = {0};
    inet_ntop(info->ifa_family, RTA_DATA(address), printed, sizeof(printed));
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("index", info->ifa_index);
    entry.Set("family", info->ifa_family == AF_INET ? 4 : 6);
    entry.Set("address", printed);
    entry.Set("prefixLength", info->ifa_prefixlen);
    addresses.Set(addresses.Length(), entry);
  });
  if (error != 0) throw systemError(env, error, "rtnetlink: listing the addresses");
  return addresses;
}

}  // namespace

/**
 * netnsRun(path, fn): fn's result, called with this thread in the network namespace at `path` (a file of
 * /run/netns or /proc/PID/ns/net); the thread is back in its own namespace when this returns or throws.
 */
Napi::Value NetnsRun(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  const std::string path = info[0].As<Napi::String>();
  Napi::Function fn = info[1].As<Napi::Function>();
  Fd home(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (home.fd < 0) throw systemError(env, errno, "this thread's network namespace");
  Fd target(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (target.fd < 0) throw systemError(env, errno, path);
  if (setns(target.fd, CLONE_NEWNET) != 0) throw systemError(env, errno, "entering " + path);
  Napi::Value result;
  try {
    result = fn.Call({});
  } catch (...) {
    if (setns(home.fd, CLONE_NEWNET) != 0) Napi::Error::Fatal("netnsRun", "cannot return to the thread's own network namespace");
    throw;
  }
  // Staying in another namespace would put every later socket of this thread there.
  if (setns(home.fd, CLONE_NEWNET) != 0) Napi::Error::Fatal("netnsRun", "cannot return to the thread's own network namespace");
  return result;
}

/** netnsLinks(): this thread's namespace's links (index, name, flags, type, kind, link, linkNetnsId, master) and addresses. */
Napi::Value NetnsLinks(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  Fd route(openRouteSocket());
  if (route.fd < 0) throw systemError(env, errno, "rtnetlink socket");
  Napi::Object result = Napi::Object::New(env);
  result.Set("links", readLinks(env, route.fd));
  result.Set("addresses", readAddresses(env, route.fd));
  return result;
}

/** netnsId(path): the id this thread's namespace gives the namespace at `path` (as a veth peer's IFLA_LINK_NETNSID names it), or -1. */
Napi::Value NetnsId(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  const std::string path = info[0].As<Napi::String>();
  Fd target(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (target.fd < 0) throw systemError(env, errno, path);
  Fd route(openRouteSocket());
  if (route.fd < 0) throw systemError(env, errno, "rtnetlink socket");
  // The attribute starts where the family's byte is padded to 4, as the kernel reads it (NLMSG_ALIGN).
  constexpr size_t kFamilySpace = NLMSG_ALIGN(sizeof(rtgenmsg));
  struct {
    nlmsghdr header;
    char body[kFamilySpace + RTA_SPACE(sizeof(uint32_t))];
  } message{};
  message.header.nlmsg_len = NLMSG_LENGTH(kFamilySpace + RTA_SPACE(sizeof(uint32_t)));
  message.header.nlmsg_type = RTM_GETNSID;
  message.header.nlmsg_flags = NLM_F_REQUEST;
  message.header.nlmsg_seq = 3;
  reinterpret_cast<rtgenmsg *>(message.body)->rtgen_family = AF_UNSPEC;
  auto *attribute = reinterpret_cast<rtattr *>(message.body + kFamilySpace);
  attribute->rta_type = NETNSA_FD;
  attribute->rta_len = RTA_LENGTH(sizeof(uint32_t));
  const uint32_t fd = static_cast<uint32_t>(target.fd);
  std::memcpy(RTA_DATA(attribute), &fd, sizeof(fd));
  int32_t id = -1;
  const int error = request(route.fd, &message.header, [&](nlmsghdr *reply) {
    if (reply->nlmsg_type != RTM_NEWNSID) return;
    const auto found = attributes(reply, sizeof(rtgenmsg), NETNSA_MAX);
    if (found[NETNSA_NSID]) id = s32(found[NETNSA_NSID]);
  });
  if (error != 0) throw systemError(env, error, "rtnetlink: the id of " + path);
  return Napi::Number::New(env, id);
}
