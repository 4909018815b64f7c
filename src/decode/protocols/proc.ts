// Which process a TCP or UDP frame's flow belongs to (a live capture with --proc): the local socket's
// owner as src/capture/socket-owners.ts finds it when the flow is first seen. Recorded in the decoder's
// memory on the first pass, so a frame dissected again, in any thread, says what it said then.
import type { Dissection } from '../dissection.js';
import { defineFields } from '../field.js';
import { RECALLED_OWNERS, type FlowOwners, type FlowQuery, type ProcessInfo } from '../../capture/frame.js';
import { IpProtocol } from './ip-protocols.js';

export const procFields = defineFields('proc', {
  pid: { name: 'Process ID', type: 'uint32', base: 'dec', blurb: "The process holding the flow's local socket (sock_diag, then /proc/PID/fd), when the flow was first seen" },
  comm: { name: 'Command', type: 'string', blurb: "The process's command (/proc/PID/comm)" },
  uid: { name: 'User ID', type: 'uint32', base: 'dec', blurb: "The socket's owner (sock_diag)" },
  container: { name: 'Container', type: 'string', blurb: "The container's id, from the process's cgroup" },
  pod: { name: 'Pod', type: 'string', blurb: "The Kubernetes pod's uid, from the process's cgroup" },
});
const fields = procFields;

const IPV4_SOURCE = 12;
const IPV6_SOURCE = 8;
/** Source and destination ports lead a TCP and a UDP header alike. */
const SOURCE_PORT = 0;
const DESTINATION_PORT = 2;

const query: FlowQuery = { protocol: 0, family: 4, bytes: new Uint8Array(0), srcAt: 0, srcPort: 0, dstAt: 0, dstPort: 0, local: undefined };

/** The frame's flow as sock_diag is asked for it: undefined for a frame with no TCP or UDP ports. */
function flowOf(ctx: Dissection, direction: string): FlowQuery | undefined {
  const datagram = ctx.datagram;
  if (datagram.version === 0 || datagram.fragment || (datagram.protocol !== IpProtocol.TCP && datagram.protocol !== IpProtocol.UDP)) return undefined;
  const bytes = datagram.bytes;
  const length = datagram.version === 4 ? 4 : 16;
  const source = datagram.headerAt + (datagram.version === 4 ? IPV4_SOURCE : IPV6_SOURCE);
  if (datagram.payloadAt + DESTINATION_PORT + 2 > bytes.length) return undefined;
  query.protocol = datagram.protocol;
  query.family = datagram.version;
  query.bytes = bytes;
  query.srcAt = source;
  query.dstAt = source + length;
  query.srcPort = (bytes[datagram.payloadAt + SOURCE_PORT] << 8) | bytes[datagram.payloadAt + SOURCE_PORT + 1];
  query.dstPort = (bytes[datagram.payloadAt + DESTINATION_PORT] << 8) | bytes[datagram.payloadAt + DESTINATION_PORT + 1];
  query.local = direction === 'egress' ? 'src' : direction === 'ingress' ? 'dst' : undefined;
  return query;
}

/** The process of the frame's flow, looked up on the first pass and recalled after. */
export function addProcess(ctx: Dissection, owners: FlowOwners | typeof RECALLED_OWNERS, direction: string): void {
  const memory = ctx.memory;
  let owner: ProcessInfo | undefined;
  if (memory.remembered) owner = memory.recall<ProcessInfo | undefined>();
  else if (owners === RECALLED_OWNERS) throw new Error('a frame replayed in this thread was not decoded before');
  else {
    const flow = flowOf(ctx, direction);
    owner = flow === undefined ? undefined : owners.ownerOf(flow);
    memory.record(owner);
  }
  if (owner === undefined) return;
  ctx.generated(fields.pid, owner.pid);
  ctx.generated(fields.comm, owner.comm);
  ctx.generated(fields.uid, owner.uid);
  if (owner.container !== undefined) ctx.generated(fields.container, owner.container);
  if (owner.pod !== undefined) ctx.generated(fields.pod, owner.pod);
}
