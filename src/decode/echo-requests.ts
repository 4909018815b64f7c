// Echo requests remembered per protocol so a reply can name its request's frame, as Wireshark's
// "(request in N)" does. Bounded: the oldest is forgotten first.
import type { Dissection } from './dissection.js';

const MAX_OUTSTANDING = 4096;

/** Records a request, or returns the frame of the request a reply answers. */
export function matchEcho(ctx: Dissection, owner: object, isRequest: boolean, identifier: number, sequence: number): number | undefined {
  if (ctx.inErrorPacket) return undefined;
  const requests = ctx.memory.stateOf(owner, () => new Map<number, number>());
  const key = identifier * 65536 + sequence;
  // A reply is looked up once too: dissected again later, it must not find a newer request.
  if (!isRequest) return ctx.memory.once(() => requests.get(key));
  ctx.memory.once(() => {
    if (requests.size >= MAX_OUTSTANDING) requests.delete(requests.keys().next().value as number);
    requests.set(key, ctx.frame.number);
  });
  return undefined;
}
