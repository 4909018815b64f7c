// The interface over the lab sample's frames, as most interface tests start it.
import type { ExecutionContext } from 'ava';
import { render } from 'ink-testing-library';
import type { CaptureSession } from '../../src/session/capture-session.js';
import { App } from '../../src/ui/App.js';
import { sampleFrames, sessionOf, SIZE, started } from './app.js';

/** The interface over the sample at SIZE without colour, started, and unmounted when the test ends. */
export async function sampleApp(t: ExecutionContext): Promise<{ app: ReturnType<typeof render>; session: CaptureSession }> {
  const { frames, interfaces } = await sampleFrames();
  const session = sessionOf(frames, interfaces);
  const app = render(<App session={session} colour={false} onQuit={() => undefined} size={SIZE} />);
  t.teardown(() => app.unmount());
  await started();
  return { app, session };
}
