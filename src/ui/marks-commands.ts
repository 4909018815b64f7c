// The commands on the selected frame and the session's marks that every pane takes: mark, mark all shown,
// clear the marks, a time reference, pause. Marks live in the session, so a redraw is asked for by hand.
import type { CaptureSession } from '../session/capture-session.js';
import type { CommandHandlers } from './use-keys.js';

export function marksCommands(session: CaptureSession, currentFrame: number, tell: (message: string) => void, redraw: () => void): CommandHandlers {
  return {
    mark: () => {
      if (currentFrame < 0) return;
      session.marks.set(currentFrame, !session.marks.has(currentFrame));
      redraw();
    },
    markAll: () => {
      for (let row = 0; row < session.displayed; row++) session.marks.set(session.frameAt(row), true);
      redraw();
    },
    clearMarks: () => {
      session.marks.clear();
      redraw();
    },
    timeReference: () => {
      if (currentFrame < 0) return;
      const set = session.references.toggle(currentFrame);
      tell(set ? `Frame ${currentFrame + 1} is a time reference: relative times after it count from it` : `Frame ${currentFrame + 1} is no longer a time reference`);
    },
    pause: () => {
      if (!session.status.running) return tell('Nothing to pause: the capture has ended');
      if (session.paused) session.resume();
      else session.pause();
    },
  };
}
