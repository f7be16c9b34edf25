import { describe, expect, it } from 'vitest';
import { Semaphore } from '#platform/semaphore.ts';

describe('Semaphore', () => {
  it('never lets more than its limit run at once, and runs everything', async () => {
    const gate = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const done = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        gate.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 2 + (i % 3)));
          running--;
          return i;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(done).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
