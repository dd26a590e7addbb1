import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAgentConfig } from './load-agent-config';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agent-config-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('loadAgentConfig', () => {
  it('uses a good file and keeps a copy as the last good config', async () => {
    const file = join(dir, 'agent.json');
    await writeFile(file, JSON.stringify({ mode: 'audit', stateDir: dir }));
    const loaded = await loadAgentConfig(file, true, {});
    expect(loaded.ok && loaded.value).toEqual({ config: expect.objectContaining({ mode: 'audit' }) });
  });

  it('falls back to the last good config when the file goes bad, and says why', async () => {
    const file = join(dir, 'agent.json');
    await writeFile(file, JSON.stringify({ mode: 'audit', stateDir: dir }));
    await loadAgentConfig(file, true, {});
    await writeFile(file, JSON.stringify({ mode: 'audit', stateDir: dir, pollIntervalMs: 'fast' }));
    const loaded = await loadAgentConfig(file, true, { stateDir: dir });
    expect(loaded.ok && loaded.value.config.mode).toBe('audit');
    expect(loaded.ok && loaded.value.refused).toMatch(/agent\.json: pollIntervalMs: /);
  });

  it('fails with the field named when there is no last good config', async () => {
    const file = join(dir, 'agent.json');
    await writeFile(file, '{ "mode": "strict" }');
    const loaded = await loadAgentConfig(file, true, { stateDir: dir });
    expect(!loaded.ok && loaded.error).toMatch(/agent\.json: mode: /);
  });

  it('requires a config file that was named explicitly', async () => {
    const loaded = await loadAgentConfig(join(dir, 'missing.json'), true, { stateDir: dir });
    expect(!loaded.ok && loaded.error).toMatch(/missing\.json: no such config file/);
  });
});
