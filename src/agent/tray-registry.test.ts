import { TrayRegistry } from './tray-registry';

describe('TrayRegistry', () => {
  test('a tray is present until staleAfterMs after its last heartbeat', () => {
    let now = 1_000_000;
    const trays = new TrayRegistry({ clock: () => now });
    expect(trays.staleAfterMs).toBe(20_000);
    expect(trays.present('2')).toBe(false);
    trays.heartbeat('2');
    now += 20_000;
    expect(trays.present('2')).toBe(true);
    now += 1;
    expect(trays.present('2')).toBe(false);
    expect(trays.present('3')).toBe(false);
  });

  test('listeners hear of a tray that checks in where there was none, not of every heartbeat', () => {
    let now = 0;
    const trays = new TrayRegistry({ clock: () => now, staleAfterMs: 10 });
    const heard: string[] = [];
    const stop = trays.onCheckIn((session) => heard.push(session));
    trays.heartbeat('2');
    now = 5;
    trays.heartbeat('2');
    trays.heartbeat('4');
    now = 30;
    trays.heartbeat('2');
    stop();
    now = 60;
    trays.heartbeat('2');
    expect(heard).toEqual(['2', '4', '2']);
  });
});
