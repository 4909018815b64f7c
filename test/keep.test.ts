// --keep: a session that holds at most N frames lets the oldest go while frames keep coming, and carries
// on with the same frame numbers, times and bytes; marks, time references and the applied filter's rows
// of the frames kept go with them; the views count what is kept; the held store stays near the bound.
import { join } from 'node:path';
import test from 'ava';
import { FrameStore } from '../src/capture/frame-store.js';
import { CaptureSession } from '../src/session/capture-session.js';
import { DecodedStore } from '../src/session/decoded-store.js';
import { parseKeep } from '../src/session/store-roll.js';
import { ConversationKind } from '../src/decode/conversation-tap.js';
import { frameSignature, readAll } from './helpers/capture.js';
import { CORPUS, CORPUS_ABSENT, corpusPresent } from './helpers/corpus.js';
import { registry } from './helpers/decode.js';
import { tsharkLines, tsharkPresent, TSHARK_ABSENT } from './helpers/tshark.js';

const FILE = join(CORPUS, 'recorded/rtr-client-side.pcap');
const BOUND = 1000;
const turn = () => new Promise((resume) => setImmediate(resume));

test('frames beyond the bound are let go; what is kept is numbered, timed and filtered as before', async (t) => {
  if (!corpusPresent) return t.pass(CORPUS_ABSENT);
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const capture = await readAll(FILE);
  const interfaces = capture.frames.map(({ iface }) => iface);
  const session = new CaptureSession(new DecodedStore(new FrameStore(), registry, []), { name: 'live', live: true });
  session.keepAtMost({ frames: BOUND });
  const tcp = new Set((await tsharkLines(['-r', FILE, '-Y', 'tcp', '-T', 'fields', '-e', 'frame.number'])).map(Number));
  const held = () => session.decoded.count - session.framesLetGo;
  let most = 0;
  for (const [index, { frame }] of capture.frames.entries()) {
    session.decoded.append(frame, interfaces);
    session.appended();
    // As a capture at a few thousand frames a second: the event loop turns between bursts.
    if (index % 50 === 49) await turn();
    if (index === 400) await session.applyFilter('tcp');
    if (index === 2900) {
      session.marks.set(2800, true);
      session.marks.set(2850, true);
      session.references.toggle(2860);
    }
    most = Math.max(most, held());
  }
  // The last new store, and the filter over the last frames, finish in the background.
  for (let waited = 0; waited < 5000 && (held() > BOUND || !session.applied?.caughtUp); waited += 10) await new Promise((resume) => setTimeout(resume, 10));
  const first = session.framesLetGo;
  t.true(first > 0, 'older frames were let go');
  t.true(held() <= BOUND, `${held()} frames held`);
  t.true(most <= BOUND * 1.5, `at most ${most} held at once`);
  t.is(session.decoded.count, capture.frames.length);
  // The same frames, numbers and times as the whole capture's.
  const start = capture.frames[0].frame;
  const differing: string[] = [];
  for (let index = first; index < session.decoded.count; index++) {
    const meta = session.decoded.summary(index).frame;
    const original = capture.frames[index].frame;
    const relative = (original.tsSec - start.tsSec) * 1e9 + (original.tsNsec - start.tsNsec);
    const previous = capture.frames[index - 1].frame;
    const delta = (original.tsSec - previous.tsSec) * 1e9 + (original.tsNsec - previous.tsNsec);
    if (meta.number !== index + 1 || meta.relativeNs !== relative || meta.deltaNs !== delta) differing.push(`frame ${index + 1}: number ${meta.number}, relative ${meta.relativeNs}, delta ${meta.deltaNs}`);
    if (frameSignature(session.decoded.store.frame(index)) !== frameSignature(original)) differing.push(`frame ${index + 1}: bytes`);
  }
  t.deepEqual(differing, []);
  // The filter's rows: tshark's TCP frames among those kept.
  const rows = Array.from({ length: session.displayed }, (_, row) => session.frameAt(row) + 1);
  t.deepEqual(rows, [...tcp].filter((number) => number > first));
  // Marks and the time reference of kept frames stay; those of frames let go are forgotten.
  t.is(session.marks.has(2800), 2800 >= first);
  t.is(session.marks.count, [2800, 2850].filter((index) => index >= first).length);
  t.is(session.references.has(2860), 2860 >= first);
  // The conversations count the frames kept.
  const ipv4 = session.traffic.conversations.find((table) => table.kind === ConversationKind.IPV4);
  const counted = (ipv4?.items ?? []).reduce((sum, item) => sum + item.txFrames + item.rxFrames, 0);
  const keptIpv4 = (await tsharkLines(['-r', FILE, '-Y', `ip && frame.number > ${first}`, '-T', 'fields', '-e', 'frame.number'])).length;
  t.is(counted, keptIpv4);
  t.false(session.isDisplayed(first - 1));
  await session.close();
});

test('--keep takes frames or megabytes', (t) => {
  t.deepEqual(parseKeep('200000'), { ok: true, bound: { frames: 200_000 } });
  t.deepEqual(parseKeep('300MB'), { ok: true, bound: { megabytes: 300 } });
  t.false(parseKeep('12x').ok);
  t.false(parseKeep('5MB').ok);
  t.false(parseKeep('10').ok);
});
