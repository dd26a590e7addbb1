import { SingleFlight } from './single-flight';

describe('SingleFlight', () => {
  it('runs once at a time, and once more after for any number of asks meanwhile', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const flight = new SingleFlight(async () => {
      runs += 1;
      if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
    }, () => undefined);
    const first = flight.run();
    const second = flight.run();
    const third = flight.run();
    expect(runs).toBe(1);
    release();
    await Promise.all([first, second, third]);
    expect(runs).toBe(2);
    await flight.run();
    expect(runs).toBe(3);
  });

  it('hands errors to its handler and never rejects; idle() starts nothing', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const flight = new SingleFlight(async () => {
      runs += 1;
      throw new Error('server away');
    }, (error) => errors.push(error));
    await expect(flight.run()).resolves.toBeUndefined();
    await flight.idle();
    expect(runs).toBe(1);
    expect(errors).toEqual([new Error('server away')]);
  });
});
