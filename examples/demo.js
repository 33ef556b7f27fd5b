// `npm run demo`: the example app run twice, by plain Node and by Cordon.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const app = fileURLToPath(new URL('./demo-app/main.js', import.meta.url));
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const show = (title, command, args) => {
  console.log(`\n$ ${title}`);
  const { stdout, stderr, status } = spawnSync(command, args, { encoding: 'utf8' });
  process.stdout.write(stdout.replace(/^/gm, '  '));
  if (stderr) process.stdout.write(stderr.replace(/^/gm, '  '));
  if (status !== 0) console.log(`  (exit ${status})`);
};

console.log('examples/demo-app: three packages; `snoop` wants the API token that `config-store` keeps in a global.');
show('node examples/demo-app/main.js          # every package shares one global scope and can import anything', process.execPath, [app]);
show('cordon run examples/demo-app/main.js    # each package in its own SES compartment', process.execPath, [cli, 'run', app]);
