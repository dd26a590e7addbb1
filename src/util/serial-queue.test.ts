import { SerialQueue } from './serial-queue';

describe('SerialQueue', () => {
  it('runs work one item at a time in order, and goes on after a failure, reporting it', async () => {
    const errors: unknown[] = [];
    const queue = new SerialQueue((error) => errors.push(error));
    const order: string[] = [];
    const slow = queue.run(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('slow');
    });
    const failing = queue.run(async () => {
      order.push('failing');
      throw new Error('boom');
    });
    const fast = queue.run(async () => order.push('fast'));
    await slow;
    await expect(failing).rejects.toThrow('boom');
    await fast;
    await queue.idle();
    expect(order).toEqual(['slow', 'failing', 'fast']);
    expect(errors).toEqual([new Error('boom')]);
  });
});
