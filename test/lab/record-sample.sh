#!/usr/bin/env bash
# Records the bundled sample capture in two throw-away network namespaces joined by a veth pair:
# ping (with fragments) over IPv4 and IPv6, ARP/NDP, DNS over UDP and TCP. Captured with
# `tcpdump -i any` in the server namespace, so every frame says its direction (LINUX_SLL2).
# Usage (root): test/lab/record-sample.sh OUT.pcap
set -euo pipefail
out=$(realpath -m "${1:?usage: record-sample.sh OUT.pcap}")
here=$(dirname "$(realpath "$0")")
client=tss-sample-c-$$
server=tss-sample-s-$$
capture_pid=
cleanup() {
  [ -n "$capture_pid" ] && kill "$capture_pid" 2>/dev/null || true
  ip netns del "$client" 2>/dev/null || true
  ip netns del "$server" 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$client"
ip netns add "$server"
ip link add veth-c netns "$client" type veth peer name veth-s netns "$server"
ip -n "$client" addr add 10.77.0.1/24 dev veth-c
ip -n "$server" addr add 10.77.0.2/24 dev veth-s
ip -n "$client" addr add fd77::1/64 dev veth-c nodad
ip -n "$server" addr add fd77::2/64 dev veth-s nodad
for ns in "$client" "$server"; do ip -n "$ns" link set lo up; done
ip -n "$client" link set veth-c up
ip -n "$server" link set veth-s up

ip netns exec "$server" timeout 30 tcpdump -i any -y LINUX_SLL2 -U -w "$out" 2>/dev/null &
capture_pid=$!
sleep 1
ip netns exec "$client" ping -c 2 -i 0.2 -W 1 10.77.0.2 >/dev/null
ip netns exec "$client" ping -c 1 -s 3000 -W 1 10.77.0.2 >/dev/null
ip netns exec "$client" ping -6 -c 2 -i 0.2 -W 1 fd77::2 >/dev/null
ip netns exec "$server" timeout 10 node "$here/traffic.mjs" dns-server 10.77.0.2 &
server_pid=$!
sleep 0.5
ip netns exec "$client" timeout 10 node "$here/traffic.mjs" dns-client 10.77.0.2
wait "$server_pid"
sleep 1
kill -INT "$capture_pid"
wait "$capture_pid" || true
capture_pid=
