// `npm run demo`: the example app run by plain Node, by Cordon (host powers denied by default, granted per
// package by flags), and by Cordon with a policy.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const app = fileURLToPath(new URL('./demo-app/main.js', import.meta.url));
const policy = fileURLToPath(new URL('./demo-app/policy.json', import.meta.url));
const secrets = fileURLToPath(new URL('./demo-app/secrets.txt', import.meta.url));
const generated = fileURLToPath(new URL('./demo-app/generated-policy.json', import.meta.url));
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const env = { ...process.env, API_TOKEN: 'tok-from-env' };
const show = (title, command, args) => {
  console.log(`\n$ ${title}`);
  const { stdout, stderr, status } = spawnSync(command, args, { encoding: 'utf8', env });
  process.stdout.write(stdout.replace(/^/gm, '  '));
  if (stderr) process.stdout.write(stderr.replace(/^/gm, '  '));
  if (status !== 0) console.log(`  (exit ${status})`);
};

console.log('examples/demo-app: three packages; `snoop` wants the API token: from a global, another package, the environment, a file.');
show('node examples/demo-app/main.js          # every package shares one global scope and can import anything', process.execPath, [app]);
show('cordon run examples/demo-app/main.js    # each package in its own compartment; host powers denied by default', process.execPath, [cli, 'run', app]);
console.log('\n  The denial names the package, the file and the flag that would allow it to that package alone.');
show('cordon run --allow-read=greeter=examples/demo-app/secrets.txt examples/demo-app/main.js   # a grant is per package: greeter\'s is not snoop\'s', process.execPath, [cli, 'run', `--allow-read=greeter=${secrets}`, app]);
show('cordon policy generate examples/demo-app/main.js --out examples/demo-app/generated-policy.json', process.execPath, [cli, 'policy', 'generate', app, '--out', generated]);
console.log('\n  What the generator found snoop using (review it: a greeting app has no reason to let it):');
const { readFileSync } = await import('node:fs');
console.log(JSON.stringify(JSON.parse(readFileSync(generated, 'utf8')).resources.snoop, null, 2).replace(/^/gm, '    '));
show('cordon run -A --policy examples/demo-app/policy.json examples/demo-app/main.js   # every host power allowed, but the reviewed policy gives snoop no builtin at all', process.execPath, [cli, 'run', '-A', '--policy', policy, app]);
