// --keep in the interface: the status bar says from which frame on the capture is kept, a view says what
// its counts cover, and going to a frame let go says so.
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
