/** Talks to the agent's local API over its unix socket, trusting the socket only if root owns it. */
import { request as httpRequest } from 'node:http';
import { stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { Result } from '../policy/policy-document';

export const DEFAULT_SOCKET = '/run/portcullis/agent.sock';

export interface ClientOptions {
  socketPath: string;
  /** Development and tests only: accept a socket that root does not own. */
  allowUnprivilegedSocket?: boolean;
}

/** Refuses a socket that an ordinary user could have put there to impersonate the agent. */
async function checkSocketOwner(options: ClientOptions): Promise<string | undefined> {
  let info: Stats;
  try {
    info = await stat(options.socketPath);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    return code === 'ENOENT' ? `the Portcullis agent is not running (no socket at ${options.socketPath})` : `cannot reach the agent at ${options.socketPath}: ${message}`;
  }
  if (!info.isSocket()) return `${options.socketPath} is not a socket`;
  if (info.uid !== 0 && !options.allowUnprivilegedSocket) return `${options.socketPath} is not owned by root, so it is not the Portcullis agent's: refusing to use it`;
  return undefined;
}

/** One API call; the agent's own `{ ok, value | error }` answer, or why the call could not be made. */
export async function callAgent<T>(options: ClientOptions, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Result<T>> {
  const problem = await checkSocketOwner(options);
  if (problem) return { ok: false, error: problem };
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve) => {
    const call = httpRequest(
      { socketPath: options.socketPath, method, path, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Result<T>);
          } catch {
            resolve({ ok: false, error: `the agent sent an answer that is not JSON (HTTP ${response.statusCode})` });
          }
        });
      },
    );
    call.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, error: error.code === 'EACCES' ? `permission denied on ${options.socketPath}: only root and members of the agent's group may use it` : `cannot reach the agent: ${error.message}` }),
    );
    call.end(payload);
  });
}
