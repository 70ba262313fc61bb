/**
 * Interruption: how calls in flight end at dispose() or a worker crash without piling up. The
 * live path races every frame against it; a Promise.race against one long-lived promise kept a
 * reaction per frame (the soak's page-heap leak, test/browser/soak.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { TrackerError } from '../../src/core/errors.js';
import { Interruption } from '../../src/sdk/tracker/Interruption.js';

describe('Interruption', () => {
  it('keeps no waiter once a call settles, however many calls went through', async () => {
    const interruption = new Interruption();
    for (let i = 0; i < 1000; i++) expect(await interruption.race(Promise.resolve(i))).toBe(i);
    await expect(interruption.race(Promise.reject(new Error('call failed')))).rejects.toThrow('call failed');
    expect(interruption.waiting).toBe(0);
  });

  it('rejects the calls in flight and every later one with the first error', async () => {
    const interruption = new Interruption();
    const pending = interruption.race(new Promise<number>(() => undefined));
    expect(interruption.waiting).toBe(1);
    interruption.interrupt(new TrackerError('disposed', 'first'));
    interruption.interrupt(new TrackerError('worker-crashed', 'second'));
    await expect(pending).rejects.toMatchObject({ code: 'disposed', message: 'first' });
    await expect(interruption.race(Promise.resolve(1))).rejects.toMatchObject({ code: 'disposed' });
    // A late call that fails after the interruption is not an unhandled rejection.
    await expect(interruption.race(Promise.reject(new Error('late')))).rejects.toMatchObject({ code: 'disposed' });
    expect(interruption.waiting).toBe(0);
  });
});
