/**
 * `--prompt`: a host call no grant decides is asked about on the terminal, synchronously (the call —
 * `fs.readFileSync` — is waiting): `y` allows it once, `n` denies it, `a` allows it always (and the
 * grant is written into policy-override.json, see `rememberGrant`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describeRequest, describeRequester, type AccessRequest, type PromptAnswer } from '../host.js';

const readLine = (fd: number): string => {
  const bytes: number[] = [];
  const one = Buffer.alloc(1);
  for (;;) {
    let read: number;
    try {
      read = fs.readSync(fd, one, 0, 1, null);
    } catch (error) {
      if ((error as { code?: string }).code === 'EAGAIN') continue;
      throw error;
    }
    if (read === 0 || one[0] === 0x0a) break;
    bytes.push(one[0]!);
    if (bytes.length > 1024) break;
  }
  return Buffer.from(bytes).toString('utf8').trim().toLowerCase();
};

export const makeTerminalPrompt = (rootName: string | undefined) => {
  let fd: number | undefined;
  return (request: AccessRequest): PromptAnswer => {
    fd ??= (() => {
      try {
        return fs.openSync('/dev/tty', 'r');
      } catch {
        return 0;
      }
    })();
    const who = describeRequester(request.package, rootName).replace(/>/g, ' > ');
    for (let attempt = 0; attempt < 5; attempt += 1) {
      process.stderr.write(`cordon: ${who} asks to ${describeRequest(request)}. Allow? [y]es once / [n]o / [a]lways: `);
      const answer = readLine(fd);
      if (answer === 'y' || answer === 'yes') return 'yes';
      if (answer === 'a' || answer === 'always') return 'always';
      if (answer === 'n' || answer === 'no' || answer === '') return 'no';
    }
    return 'no';
  };
};

/** Writes an `always` answer into the override file: `resources[pkg].permissions[kind]` (`root.permissions` for the app). */
export const rememberGrant = (overrideFile: string, request: AccessRequest, displayResource: string | undefined): void => {
  let document: Record<string, any> = {};
  try {
    document = JSON.parse(fs.readFileSync(overrideFile, 'utf8')) as Record<string, any>;
  } catch {
    document = {};
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) document = {};
  document.resources ??= {};
  const holder = request.package === '$root$' ? (document.root ??= {}) : ((document.resources ??= {})[request.package] ??= {});
  const permissions = (holder.permissions ??= {});
  const list: unknown[] = Array.isArray(permissions[request.permission]) ? permissions[request.permission] : (permissions[request.permission] = []);
  const value = displayResource ?? '*';
  if (!list.includes(value)) list.push(value);
  fs.mkdirSync(path.dirname(overrideFile), { recursive: true });
  const temporary = `${overrideFile}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(document, null, 2)}\n`);
  fs.renameSync(temporary, overrideFile);
};
