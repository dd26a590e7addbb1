import { forEachDatabase } from '../../../test/support/databases';
import { GOOD_PASSWORD, START, TEST_SCRYPT_PARAMS, testClock, type TestClock } from '../../../test/support/console-server';
import { DEFAULT_LOGIN_THROTTLE_POLICY } from '../auth/login-throttle';
import { verifyPassword } from '../auth/password-hash';
import { PASSWORD_PROBLEMS } from '../auth/password-rules';
import type { Database } from '../db/database';
import { UserStore } from './user-store';

const MINUTE = 60_000;

forEachDatabase((harness) => {
  let db: Database;
  let clock: TestClock;
  let users: UserStore;

  beforeEach(async () => {
    ({ db } = await harness.migrated());
    clock = testClock();
    users = new UserStore({ db, clock, scryptParams: TEST_SCRYPT_PARAMS, newId: (() => { let n = 0; return () => `user-${++n}`; })() });
  });

  it('adds a user with a hashed password, its email lower-cased, and finds it whatever the case', async () => {
    const added = await users.create({ email: '  Ann.Head@School.Example ', role: 'headteacher', name: 'Ann Head', password: GOOD_PASSWORD });
    expect(added).toEqual({ ok: true, value: { id: 'user-1', email: 'ann.head@school.example', name: 'Ann Head', role: 'headteacher', createdAt: new Date(START).toISOString(), disabledAt: null } });
    const found = await users.findByEmail('ANN.HEAD@school.example');
    expect(found).toMatchObject({ id: 'user-1', failedLogins: 0, lockedUntil: undefined });
    expect(found?.passwordHash).toMatch(/^scrypt\$16\$1\$1\$/);
    expect(await verifyPassword(GOOD_PASSWORD, found?.passwordHash ?? '')).toBe(true);
    expect(await users.findById('user-1')).toEqual(found);
    expect(await users.findByEmail('nobody@school.example')).toBeUndefined();
  });

  it("names the account holder's local part when no name is given", async () => {
    const added = await users.create({ email: 'it.office@school.example', role: 'it-admin', password: GOOD_PASSWORD });
    expect(added.ok && added.value.name).toBe('it.office');
  });

  it('refuses a weak password with every problem listed', async () => {
    const refused = await users.create({ email: 'dpo@school.example', role: 'dpo', password: 'password' });
    expect(refused).toEqual({ ok: false, error: `password: refused:\n  - ${PASSWORD_PROBLEMS.noNumber}\n  - ${PASSWORD_PROBLEMS.noSpecial}\n  - ${PASSWORD_PROBLEMS.common}` });
    const personal = await users.create({ email: 'brian.smith@school.example', role: 'dpo', password: 'Brian-Smith-2026' });
    expect(!personal.ok && personal.error).toContain(PASSWORD_PROBLEMS.personal);
    expect(await users.list()).toEqual([]);
  });

  it('refuses a bad role with the allowed list, and a bad email, naming each field', async () => {
    expect(await users.create({ email: 'x@school.example', role: 'teacher', password: GOOD_PASSWORD })).toEqual({
      ok: false,
      error: 'role: expected one of slt-approver, it-admin, headteacher, dpo, not "teacher"',
    });
    expect(await users.create({ email: 'not-an-email', role: 'pupil', password: GOOD_PASSWORD })).toEqual({
      ok: false,
      error: 'email: expected an email address such as head@school.example; role: expected one of slt-approver, it-admin, headteacher, dpo, not "pupil"',
    });
  });

  it('refuses an email already used, whatever its case', async () => {
    await users.create({ email: 'head@school.example', role: 'headteacher', password: GOOD_PASSWORD });
    expect(await users.create({ email: 'HEAD@School.example', role: 'dpo', password: GOOD_PASSWORD })).toEqual({
      ok: false,
      error: 'email: a user with the email head@school.example already exists',
    });
  });

  it('locks after 5 wrong passwords in a row, for twice as long each time, and keeps it in the database', async () => {
    await users.create({ email: 'slt@school.example', role: 'slt-approver', password: GOOD_PASSWORD });
    const { accountLockMs } = DEFAULT_LOGIN_THROTTLE_POLICY;
    for (let i = 1; i <= 4; i += 1) expect(await users.recordFailedLogin('user-1')).toEqual({ failedLogins: i, lockedUntil: undefined });
    expect(await users.recordFailedLogin('user-1')).toEqual({ failedLogins: 5, lockedUntil: START + accountLockMs });
    expect((await users.findById('user-1'))?.lockedUntil).toBe(START + accountLockMs);
    clock.advance(accountLockMs);
    for (let i = 6; i <= 9; i += 1) await users.recordFailedLogin('user-1');
    expect(await users.recordFailedLogin('user-1')).toEqual({ failedLogins: 10, lockedUntil: clock.now + 2 * accountLockMs });
    await users.recordSuccessfulLogin('user-1');
    expect(await users.findById('user-1')).toMatchObject({ failedLogins: 0, lockedUntil: undefined });
  });

  it('caps a lock at accountMaxLockMs', async () => {
    const strict = new UserStore({ db, clock, scryptParams: TEST_SCRYPT_PARAMS, lockout: { accountFailuresBeforeLock: 1, accountLockMs: 10 * MINUTE, accountMaxLockMs: 25 * MINUTE } });
    await strict.create({ email: 'slt@school.example', role: 'slt-approver', password: GOOD_PASSWORD });
    const id = (await strict.findByEmail('slt@school.example'))?.id ?? '';
    expect((await strict.recordFailedLogin(id)).lockedUntil).toBe(START + 10 * MINUTE);
    expect((await strict.recordFailedLogin(id)).lockedUntil).toBe(START + 20 * MINUTE);
    expect((await strict.recordFailedLogin(id)).lockedUntil).toBe(START + 25 * MINUTE);
  });

  it('unlocks and disables by email, ending the sessions of a disabled user', async () => {
    await users.create({ email: 'slt@school.example', role: 'slt-approver', password: GOOD_PASSWORD });
    for (let i = 0; i < 5; i += 1) await users.recordFailedLogin('user-1');
    const unlocked = await users.unlock('SLT@school.example');
    expect(unlocked.ok).toBe(true);
    expect(await users.findById('user-1')).toMatchObject({ failedLogins: 0, lockedUntil: undefined });
    await db.run("INSERT INTO sessions (id_hash, user_id, created_at, expires_at, csrf_token) VALUES ('h', 'user-1', 'x', 'y', 'c')");
    const disabled = await users.disable('slt@school.example');
    expect(disabled).toEqual({ ok: true, value: expect.objectContaining({ email: 'slt@school.example', disabledAt: new Date(START).toISOString() }) });
    expect(await db.all('SELECT id_hash FROM sessions')).toEqual([]);
    expect(await users.unlock('nobody@school.example')).toEqual({ ok: false, error: 'email: no user has the email nobody@school.example' });
  });
});
