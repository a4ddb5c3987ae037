import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, columns: 120, write: (s: string) => chunks.push(s), on() {}, removeListener() {} } as unknown as NodeJS.WriteStream, chunks };
}

describe('progress display', () => {
  it('draws a bar with steps, loss and ETA on a terminal', () => {
    const { stream, chunks } = fakeStream(true);
    const progress = createProgress({ quiet: false, every: 10, stream });
    progress.start(100, 0, 'fisher rte');
    progress.update(50, { loss: 0.6931, lr: 1e-3 });
    progress.stop();
    const screen = chunks.join('');
    expect(screen).toContain('fisher rte');
    expect(screen).toContain('50/100 steps');
    expect(screen).toContain('loss 0.6931');
    expect(screen).toMatch(/ETA \S+/);
  });

  it('is silent with --quiet', () => {
    const { stream, chunks } = fakeStream(true);
    const progress = createProgress({ quiet: true, every: 1, stream });
    progress.start(10, 0, 'x');
    progress.update(5, { loss: 1, lr: 1 });
    progress.log('hello');
    expect(chunks).toEqual([]);
  });
});
