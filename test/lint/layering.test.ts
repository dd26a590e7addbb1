/** The layering rule of DESIGN.md, enforced by ESLint: src/ never imports electron, main/ or renderer/. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

/** Lints `code` as if it were `file`, with the project's own ESLint configuration; returns the layering messages. */
function layeringErrors(file: string, code: string): string[] {
  const eslint = spawnSync(process.execPath, [join(ROOT, 'node_modules/eslint/bin/eslint.js'), '--stdin', '--stdin-filename', file, '--format', 'json'], {
    cwd: ROOT,
    input: code,
    encoding: 'utf8',
  });
  const [result] = JSON.parse(eslint.stdout) as { messages: { ruleId: string | null; message: string }[] }[];
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering rule', () => {
  it.each([
    ["import { app } from 'electron';", 'app', /never imports electron/],
    ["import { ipcMain } from 'electron/main';", 'ipcMain', /never imports electron/],
    ["import { tray } from '../../main/tray';", 'tray', /never imports main\/ or renderer\//],
    ["import { page } from '../../renderer/devices-page';", 'page', /never imports main\/ or renderer\//],
  ])('refuses %s in src/', (code, name, message) => {
    expect(layeringErrors('src/agent/example.ts', `${code}\nexport const used = [${name}];\n`)).toEqual([expect.stringMatching(message)]);
  });

  it('allows main/ to import electron and src/', () => {
    const code = "import { app } from 'electron';\nimport { parseRule } from '../src/rules/parser';\nexport const used = [app, parseRule];\n";
    expect(layeringErrors('main/example.ts', code)).toEqual([]);
  });
});
