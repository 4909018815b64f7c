// The local socket of a TCP or UDP flow, asked of the kernel through sock_diag (NETLINK_SOCK_DIAG,
// SOCK_DIAG_BY_FAMILY with the flow's addresses and ports: one socket, not a dump), in the calling
// thread's network namespace. Its inode leads to the process (/proc/*/fd), its uid to the user.
#include "sock_diag.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace {

constexpr size_t kReplyBuffer = 8192;

}  // namespace

/**
 * sockDiag(protocol, family, src, srcPort, dst, dstPort): {inode, uid} of the socket the kernel's exact
 * lookup finds for this socket id, or null when none (closed, or never local); addresses as 4 or 16 bytes.
 * TCP takes the local end as src, UDP the remote one (udp_diag.c's historical swap): the caller orders them.
 */
Napi::Value SockDiag(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  const uint8_t protocol = static_cast<uint8_t>(info[0].As<Napi::Number>().Uint32Value());
  const uint8_t family = info[1].As<Napi::Number>().Uint32Value() == 6 ? AF_INET6 : AF_INET;
  Napi::Uint8Array source = info[2].As<Napi::Uint8Array>();
  const uint16_t sourcePort = static_cast<uint16_t>(info[3].As<Napi::Number>().Uint32Value());
  Napi::Uint8Array destination = info[4].As<Napi::Uint8Array>();
  const uint16_t destinationPort = static_cast<uint16_t>(info[5].As<Napi::Number>().Uint32Value());
  const size_t addressLength = family == AF_INET6 ? 16 : 4;
  if (source.ByteLength() != addressLength || destination.ByteLength() != addressLength) {
    throw Napi::TypeError::New(env, "sockDiag: addresses of the family's length");
  }
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof(message);
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST;
  message.header.nlmsg_seq = 1;
  message.request.sdiag_family = family;
  message.request.sdiag_protocol = protocol;
  message.request.idiag_states = ~0u;
  message.request.id.idiag_sport = htons(sourcePort);
  message.request.id.idiag_dport = htons(destinationPort);
  std::memcpy(message.request.id.idiag_src, source.Data(), addressLength);
  std::memcpy(message.request.id.idiag_dst, destination.Data(), addressLength);
  message.request.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  message.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;

  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) throw Napi::Error::New(env, std::string("sock_diag socket: ") + std::strerror(errno));
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd, &message, sizeof(message), 0, reinterpret_cast<sockaddr *>(&kernel), sizeof(kernel)) < 0) {
    const int error = errno;
    close(fd);
    throw Napi::Error::New(env, std::string("sock_diag: ") + std::strerror(error));
  }
  alignas(nlmsghdr) char buffer[kReplyBuffer];
  ssize_t length;
  do {
    length = recv(fd, buffer, sizeof(buffer), 0);
  } while (length < 0 && errno == EINTR);
  close(fd);
  if (length < 0) return env.Null();
  int remaining = static_cast<int>(length);
  for (auto *reply = reinterpret_cast<nlmsghdr *>(buffer); NLMSG_OK(reply, remaining); reply = NLMSG_NEXT(reply, remaining)) {
    // An error reply (ENOENT: no such socket) is an answer: nobody owns the flow here.
    if (reply->nlmsg_type != SOCK_DIAG_BY_FAMILY) return env.Null();
    const auto *found = static_cast<inet_diag_msg *>(NLMSG_DATA(reply));
    Napi::Object owner = Napi::Object::New(env);
    owner.Set("inode", found->idiag_inode);
    owner.Set("uid", found->idiag_uid);
    return owner;
  }
  return env.Null();
}
