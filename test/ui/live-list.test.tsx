// A live capture in the interface: under --keep the status bar says from which frame on the capture is
// kept, a view says what its counts cover, and going to a frame let go says so; p pauses the list.
import test from 'ava';
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import { expectShown, KEY, press, sampleFrames, sessionOf, SIZE, started } from '../helpers/app.js';

test('the frames let go are said in the status bar, a view and :N', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const session = sessionOf([], interfaces, true);
  session.keepAtMost({ frames: 20 });
  const app = render(<App session={session} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  for (const frame of frames) {
    session.decoded.append(frame, interfaces);
    session.appended();
    await new Promise((resume) => setImmediate(resume));
  }
  const first = session.framesLetGo + 1;
  t.true(first > 1);
  await expectShown(t, app, new RegExp(`42 frames \\(kept from ${first}: --keep\\) · ${42 - first + 1} shown`));
  await press(app, ':', ...'3', KEY.enter);
  await expectShown(t, app, new RegExp(`Frame 3 was let go \\(--keep\\): the frames from ${first} on are kept`));
  await press(app, 'P');
  await expectShown(t, app, new RegExp(`Protocol hierarchy │ frames ${first}–42 \\(--keep\\)`));
  app.unmount();
});

test('p pauses the list while the capture goes on, counting what waits; p again shows it', async (t) => {
  const { frames, interfaces } = await sampleFrames();
  const session = sessionOf(frames.slice(0, 10), interfaces, true);
  const app = render(<App session={session} colour={false} onQuit={() => undefined} size={SIZE} />);
  await started();
  await expectShown(t, app, /10 frames · 10 shown/);
  await press(app, 'p');
  for (const frame of frames.slice(10, 25)) {
    session.decoded.append(frame, interfaces);
    session.appended();
  }
  await expectShown(t, app, /25 frames · 10 shown .*paused: 15 waiting \(p resumes\)/);
  // Following the newest frame stops at the last one shown.
  await expectShown(t, app, /^> +10 /m);
  await press(app, 'p');
  await expectShown(t, app, /25 frames · 25 shown/);
  await expectShown(t, app, /^> +25 /m);
  app.unmount();
});
