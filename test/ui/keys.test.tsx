// Keys reach the handlers of the latest redraw, one per redraw, however they fall among other redraws: a
// timer redrawing every millisecond (the start screen's rates, a live list) while keys arrive at random.
// On a loaded machine (CI, or four busy loops beside it) a key met stale handlers: 2 of 300 were lost in
// 3 of 5 runs, until a redraw's late effects no longer freed the queue after a key its handlers took.
import test from 'ava';
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { useEffect, useState } from 'react';
import { useKeyQueue, useKeys } from '../../src/ui/use-keys.js';
import { expectShown, pause, started } from '../helpers/app.js';

const PRESSES = 300;

function Counter() {
  const [moves, setMoves] = useState(0);
  const [, setTicks] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTicks((ticks) => ticks + 1), 1);
    return () => clearInterval(timer);
  }, []);
  const queue = useKeyQueue();
  // Not an updater: a handler from a stale redraw would count from a stale number and a press would be lost.
  useKeys(queue, 'start', { down: () => setMoves(moves + 1) }, true);
  return <Text>{`moves ${moves}`}</Text>;
}

test('every key counts once while a timer redraws between them', async (t) => {
  const app = render(<Counter />);
  t.teardown(() => app.unmount());
  await started();
  for (let press = 0; press < PRESSES; press++) {
    app.stdin.write('j');
    const wait = Math.floor(Math.random() * 3);
    await (wait === 0 ? new Promise((resolve) => setImmediate(resolve)) : pause(wait));
  }
  await expectShown(t, app, new RegExp(`^moves ${PRESSES}$`));
});
