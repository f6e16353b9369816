import { WakeableLoop } from './wakeable-loop';

// libs/testing builds on core, so core's specs poll by themselves.
async function waitFor(predicate: () => boolean, options: { timeoutMs: number }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${options.timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('WakeableLoop', () => {
  it('runs on start and on each interval, and once more after a wake during a run, never two at once', async () => {
    let runs = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    let release: () => void = () => undefined;
    const loop = new WakeableLoop(async () => {
      runs++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (runs === 1) await new Promise<void>((r) => (release = r));
      inFlight--;
    }, 20);
    loop.start();
    loop.wake();
    loop.wake();
    expect(runs).toBe(1);
    release();
    await waitFor(() => runs >= 4, { timeoutMs: 5000 });
    expect(maxInFlight).toBe(1);
    await loop.stop();
    const after = runs;
    loop.wake();
    expect(runs).toBe(after);
  });
});
