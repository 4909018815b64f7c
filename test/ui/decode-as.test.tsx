// Decode As from the interface: `d` offers the selected packet's port, the protocol typed after it decodes
// every frame again (the rows then read as tshark's with the same -d), the filter is applied again and the
// marks stay; `:decode-as` names the rules, refuses a wrong one with tshark's message, `none` undoes them.
import test from 'ava';
import { decodeAsTemplate } from '../../src/ui/decode-as-commands.js';
import { expectShown, KEY, press, SAMPLE, sampleFrames, sessionOf } from '../helpers/app.js';
import { sampleApp } from '../helpers/sample-app.js';
import { tsharkLines, tsharkPresent, TSHARK_ABSENT } from '../helpers/tshark.js';

test('d offers the packet port; the protocol typed after it decodes every frame again, as tshark -d does', async (t) => {
  if (!tsharkPresent) return t.pass(TSHARK_ABSENT);
  const { app, session } = await sampleApp(t);
  // Frame 36: DNS over TCP, 53766 → 53; marked.
  await press(app, ':', ...'36', KEY.enter, ' ');
  await press(app, 'd');
  await expectShown(t, app, /^:decode-as tcp\.port==53,$/m);
  await press(app, ...'tls', KEY.enter);
  let screen = await expectShown(t, app, /Decode As: tcp\.port==53,tls$/m);
  const expected = new Map(
    (await tsharkLines(['-r', SAMPLE, '-d', 'tcp.port==53,tls', '-T', 'fields', '-e', 'frame.number', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info'])).map((line) => {
      const [number, protocol, info] = line.split('\t');
      return [number, { protocol, info }];
    }),
  );
  const rows = screen.split('\n').filter((line) => /^[ >*!]{3} +\d+ /.test(line));
  t.true(rows.some((row) => / 36 .* SSL +\d+ Continuation Data/.test(row)), rows.join('\n'));
  for (const row of rows) {
    const number = /^.{3} *(\d+)/.exec(row)?.[1] ?? '';
    const { protocol, info } = expected.get(number) ?? { protocol: '?', info: '?' };
    t.regex(row, new RegExp(` ${protocol} .*${info.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), `frame ${number}`);
  }

  // The filter is applied again after each change; the mark stays.
  await press(app, ':', ...'filter tls', KEY.enter);
  await expectShown(t, app, /2 shown · 1 marked .*filter: tls/);
  await press(app, ':', ...'decode-as', KEY.enter);
  await expectShown(t, app, /Decode As: tcp\.port==53,tls \(:decode-as none removes them\)/);
  await press(app, ':', ...'decode-as tcp.port==53,nosuch', KEY.enter);
  await expectShown(t, app, /Unknown protocol -- "nosuch" — Valid protocols for layer type "tcp\.port" are: dns, http, tls/);
  await press(app, ':', ...'decode-as none', KEY.enter);
  screen = await expectShown(t, app, /0 shown · 1 marked .*filter: tls/);
  t.regex(screen, /Decode As: none$/m);
  t.deepEqual(session.decodeAsRules, []);
});

test("the template is the innermost layer's lower port, else the IP protocol, else the EtherType", async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const session = sessionOf(frames, interfaces);
  const template = (number: number) => decodeAsTemplate(session.decoded.detail(number - 1).roots);
  t.is(template(27), 'udp.port==53,');
  t.is(template(33), 'tcp.port==53,');
  t.is(template(5), 'ip.proto==1,');
  t.is(template(3), 'ethertype==2054,');
});
