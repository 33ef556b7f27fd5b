// The host bridge's cost: a file-reading app and a socket-heavy app, each run cold (a fresh process per
// run) by plain `node`, by `cordon run -A` (every package's builtins bridge-backed, everything allowed)
// and by `cordon run` with per-package grants (every call checked against a rule list), alternating run
// by run; medians of the app's own I/O time (it prints it) and of the wall time from spawn to exit.
//   npm run bench:host [-- --runs 5 --files 2000 --requests 1000]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, files: { type: 'string', default: '2000' }, requests: { type: 'string', default: '1000' }, json: { type: 'string' } } });
const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'dist', 'cli', 'main.js');
const apps = path.join(root, 'bench', '.apps');

const write = (file, text) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
};

/** An app whose package `reader` reads N files three ways (sync, callback-free promises, stat). */
const fileApp = () => {
  const dir = path.join(apps, 'host-files');
  fs.rmSync(dir, { recursive: true, force: true });
  write(path.join(dir, 'package.json'), JSON.stringify({ name: 'host-files', version: '1.0.0', type: 'module', dependencies: { reader: '1.0.0' } }));
  write(path.join(dir, 'main.js'), "import { run } from 'reader';\nrun(new URL('./data/', import.meta.url).pathname).then(ms => console.log(JSON.stringify({ ioMs: ms })));\n");
  write(path.join(dir, 'node_modules/reader/package.json'), JSON.stringify({ name: 'reader', version: '1.0.0', type: 'module', exports: './index.js' }));
  write(
    path.join(dir, 'node_modules/reader/index.js'),
    `import fs from 'node:fs';
import fsp from 'node:fs/promises';
export const run = async dir => {
  const start = performance.now();
  let bytes = 0;
  const names = fs.readdirSync(dir);
  for (const name of names) bytes += fs.readFileSync(dir + name).length + fs.statSync(dir + name).size;
  const texts = await Promise.all(names.map(name => fsp.readFile(dir + name, 'utf8')));
  for (const text of texts) bytes += text.length;
  if (bytes === 0) throw new Error('nothing read');
  return performance.now() - start;
};
`,
  );
  for (let index = 0; index < Number(values.files); index += 1) write(path.join(dir, 'data', `f${index}.txt`), `file ${index}\n`.repeat(20));
  return { dir, grants: [`--allow-read=reader=${path.join(dir, 'data')}`] };
};

/** An app whose package `client` serves HTTP on 127.0.0.1 and makes N keep-alive requests plus N/5 raw connections. */
const socketApp = () => {
  const dir = path.join(apps, 'host-sockets');
  fs.rmSync(dir, { recursive: true, force: true });
  write(path.join(dir, 'package.json'), JSON.stringify({ name: 'host-sockets', version: '1.0.0', type: 'module', dependencies: { client: '1.0.0' } }));
  write(path.join(dir, 'main.js'), `import { run } from 'client';\nrun(${Number(values.requests)}).then(ms => console.log(JSON.stringify({ ioMs: ms })));\n`);
  write(path.join(dir, 'node_modules/client/package.json'), JSON.stringify({ name: 'client', version: '1.0.0', type: 'module', exports: './index.js' }));
  write(
    path.join(dir, 'node_modules/client/index.js'),
    `import http from 'node:http';
import net from 'node:net';
export const run = async requests => {
  const server = http.createServer((req, res) => res.end('ok'));
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const echo = net.createServer(socket => socket.pipe(socket));
  await new Promise(resolve => echo.listen(0, '127.0.0.1', resolve));
  const start = performance.now();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const get = () => new Promise((resolve, reject) => http.get({ host: '127.0.0.1', port, agent }, res => { res.resume(); res.on('end', resolve); }).on('error', reject));
  for (let index = 0; index < requests; index += 8) await Promise.all(Array.from({ length: 8 }, get));
  for (let index = 0; index < requests / 5; index += 1) {
    await new Promise((resolve, reject) => {
      const socket = net.connect(echo.address().port, '127.0.0.1', () => socket.end('x'));
      socket.on('data', () => {}).on('close', resolve).on('error', reject);
    });
  }
  const ms = performance.now() - start;
  agent.destroy();
  server.close();
  echo.close();
  return ms;
};
`,
  );
  return { dir, grants: ['--allow-net=client=127.0.0.1'] };
};

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const measure = (label, app) => {
  const contenders = {
    node: [process.execPath, 'main.js'],
    'cordon -A': [process.execPath, cli, 'run', '--no-prompt', '-A', 'main.js'],
    'cordon, per-package grants': [process.execPath, cli, 'run', '--no-prompt', ...app.grants, 'main.js'],
  };
  const samples = Object.fromEntries(Object.keys(contenders).map(name => [name, { io: [], wall: [] }]));
  for (let run = 0; run < Number(values.runs); run += 1) {
    for (const [name, [command, ...args]] of Object.entries(contenders)) {
      const start = process.hrtime.bigint();
      const result = spawnSync(command, args, { cwd: app.dir, encoding: 'utf8' });
      const wall = Number(process.hrtime.bigint() - start) / 1e6;
      if (result.status !== 0) throw new Error(`${label}, ${name}: exit ${result.status}\n${result.stderr}`);
      const line = result.stdout.trim().split('\n').pop();
      samples[name].io.push(JSON.parse(line).ioMs);
      samples[name].wall.push(wall);
    }
  }
  const rows = Object.entries(samples).map(([name, { io, wall }]) => ({ app: label, contender: name, ioMs: median(io), wallMs: median(wall) }));
  const base = rows[0];
  for (const row of rows) {
    row.ioVsNode = row.ioMs / base.ioMs;
    row.wallVsNode = row.wallMs / base.wallMs;
  }
  const minusA = rows[1];
  for (const row of rows) row.ioVsAllowAll = row.ioMs / minusA.ioMs;
  return rows;
};

const rows = [...measure(`files (${values.files} files, read + stat + promises.readFile)`, fileApp()), ...measure(`sockets (${values.requests} HTTP requests + ${Number(values.requests) / 5} TCP connections)`, socketApp())];
console.log(`\nHost bridge cost (cold processes, medians of ${values.runs} runs, contenders alternating)\n`);
console.log('| app | contender | app I/O ms | × node | × -A | wall ms | × node |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(`| ${row.app} | ${row.contender} | ${row.ioMs.toFixed(1)} | ${row.ioVsNode.toFixed(2)} | ${row.ioVsAllowAll.toFixed(2)} | ${row.wallMs.toFixed(0)} | ${row.wallVsNode.toFixed(2)} |`);
if (values.json) fs.writeFileSync(values.json, JSON.stringify(rows, null, 2));
