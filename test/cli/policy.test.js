// `cordon run --policy`, `--policy-override`, the default policy location, and `cordon policy generate`,
// spawned as a user runs them, on a copy of the demo app in a temporary folder (real files, real
// processes). The demo's `snoop` package reads process.env.API_TOKEN and secrets.txt with fs.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const demo = fileURLToPath(new URL('../../examples/demo-app/', import.meta.url));
const cordon = (args, cwd) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd, env: { ...process.env, NO_COLOR: '1', API_TOKEN: 'tok-env' } });

const copyDemo = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-policy-'));
  fs.cpSync(demo, dir, { recursive: true, filter: source => !source.endsWith('generated-policy.json') && !source.includes(`${path.sep}lavamoat`) });
  return dir;
};

const lineOf = (stdout, label) => stdout.split('\n').find(line => line.startsWith(label)) ?? '';

test('without a policy, cordon run says in one line what is and is not restricted and how to generate one', () => {
  const dir = copyDemo();
  const result = cordon(['run', 'main.js'], dir);
  assert.equal(result.status, 0, result.stderr);
  const notice = result.stderr.split('\n').filter(line => line.includes('no policy'));
  assert.equal(notice.length, 1, result.stderr);
  assert.match(notice[0], /every package may import every builtin.*files, network, programs and environment stay denied unless --allow-\* flags grant them.*cordon policy generate main\.js/);
  // Host powers stay denied by default: the file read fails, naming the package and the flag.
  assert.match(result.stdout, /snoop read secrets\.txt: +refused: ERR_ACCESS_DENIED\n +Package snoop may not read .*secrets\.txt \(fs\.readFileSync\).*--allow-read=snoop=.*secrets\.txt/);
  assert.match(lineOf(result.stdout, 'snoop read the environment'), /API_TOKEN=undefined/);
  const allowed = cordon(['run', '--allow-read=snoop=secrets.txt', '--allow-env=snoop=API_TOKEN', 'main.js'], dir);
  assert.equal(allowed.status, 0, allowed.stderr);
  assert.match(lineOf(allowed.stdout, 'snoop read secrets.txt'), /hunter2/);
  assert.match(lineOf(allowed.stdout, 'snoop read the environment'), /tok-env/);
});

test('policy generate writes a sorted, stable LavaMoat policy at the default location; cordon run uses it', () => {
  const dir = copyDemo();
  const first = cordon(['policy', 'generate', 'main.js'], dir);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, /wrote lavamoat\/node\/policy\.json: 2 packages, \d+ grants, from 4 modules/);
  const file = path.join(dir, 'lavamoat/node/policy.json');
  const text = fs.readFileSync(file, 'utf8');
  const policy = JSON.parse(text);
  assert.deepEqual(Object.keys(policy.resources), ['config-store', 'snoop']);
  assert.deepEqual(policy.resources.snoop.builtin, { 'fs.readFileSync': true });
  assert.equal(policy.resources.snoop.globals.process, true);
  assert.ok(text.endsWith('}\n'));
  // Stable: a second run writes the same bytes.
  assert.equal(cordon(['policy', 'generate', 'main.js'], dir).status, 0);
  assert.equal(fs.readFileSync(file, 'utf8'), text);
  // Found at its default place: no notice, and the app runs with what the policy grants.
  const run = cordon(['run', '-A', 'main.js'], dir);
  assert.equal(run.status, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /no policy/);
  assert.match(lineOf(run.stdout, 'snoop read secrets.txt'), /hunter2/);
  assert.match(lineOf(run.stdout, 'snoop read the environment'), /tok-env/);
});

test('--policy denies what it does not grant, explains it, and policy-override.json beside it adds a grant', () => {
  const dir = copyDemo();
  const denied = cordon(['run', '-A', '--policy', 'policy.json', 'main.js'], dir);
  assert.equal(denied.status, 0, denied.stderr);
  const file = denied.stdout.slice(denied.stdout.indexOf('snoop read secrets.txt'));
  assert.match(file, /refused: CORDON_POLICY_DENIED/);
  assert.match(file, /Policy denies demo-app>snoop \(package snoop\) access to builtin "fs" \(as "node:fs"\)/);
  assert.match(file, /allow resources\["snoop"\]\.builtin\["fs"\] in policy-override\.json: \{"resources":\{"snoop":\{"builtin":\{"fs":true\}\}\}\}/);
  assert.match(lineOf(denied.stdout, 'snoop read the environment'), /no process object/);
  assert.match(lineOf(denied.stdout, 'the app still works'), /Hello, Ada!/);

  fs.writeFileSync(path.join(dir, 'policy-override.json'), JSON.stringify({ resources: { snoop: { builtin: { 'fs.readFileSync': true }, globals: { URL: true } } } }));
  const allowed = cordon(['run', '-A', '--policy', 'policy.json', 'main.js'], dir);
  assert.equal(allowed.status, 0, allowed.stderr);
  assert.match(lineOf(allowed.stdout, 'snoop read secrets.txt'), /hunter2/);
  assert.match(lineOf(allowed.stdout, 'snoop read the environment'), /no process object/);
  // An explicit --policy-override wins over the file beside the policy.
  fs.writeFileSync(path.join(dir, 'other-override.json'), JSON.stringify({ resources: { snoop: { globals: { 'process.env.API_TOKEN': true } } } }));
  const other = cordon(['run', '-A', '--policy', 'policy.json', '--policy-override', 'other-override.json', 'main.js'], dir);
  assert.equal(other.status, 0, other.stderr);
  assert.match(lineOf(other.stdout, 'snoop read the environment'), /API_TOKEN=tok-env/);
  assert.match(lineOf(other.stdout, 'snoop read secrets.txt'), /refused/);
});

test('a bad policy file is refused with every problem and its path, exit code 2, nothing run', () => {
  const dir = copyDemo();
  fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ resources: { snoop: { builtin: { fs: 'yes' }, globals: { x: 3 }, surprise: true } } }));
  const result = cordon(['run', '-A', '--policy', 'bad.json', 'main.js'], dir);
  assert.equal(result.status, 2);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /CORDON_INVALID_POLICY/);
  assert.match(result.stderr, /resources\["snoop"\]\.builtin\["fs"\]/);
  assert.match(result.stderr, /surprise/);
  fs.writeFileSync(path.join(dir, 'broken.json'), '{ "resources": ');
  const broken = cordon(['run', '-A', '--policy', 'broken.json', 'main.js'], dir);
  assert.equal(broken.status, 2);
  assert.match(broken.stderr, /CORDON_INVALID_POLICY.*broken\.json/s);
  const missing = cordon(['run', '-A', '--policy', 'nowhere.json', 'main.js'], dir);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /Cannot read the policy .*nowhere\.json/);
});

test('policy generate --audit runs the app once and adds what only the run shows, marked as the audit\'s', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-audit-'));
  fs.cpSync(fileURLToPath(new URL('../fixtures/policy/app/', import.meta.url)), dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'start.js'),
    "import { run } from './main.js';\nrun(new URL('./node_modules/reader/data.txt', import.meta.url).pathname).then(r => console.log(JSON.stringify(r.sneaky)));\n",
  );
  const staticOnly = cordon(['policy', 'generate', 'start.js', '--out', 'static.json'], dir);
  assert.equal(staticOnly.status, 0, staticOnly.stderr);
  assert.match(staticOnly.stderr, /sneaky has a computed require\(\) at .*sneaky\/index\.js:21:34/);
  const audited = cordon(['policy', 'generate', 'start.js', '--audit', '--out', 'audited.json'], dir);
  assert.equal(audited.status, 0, audited.stderr);
  const before = JSON.parse(fs.readFileSync(path.join(dir, 'static.json'), 'utf8')).resources.sneaky;
  const after = JSON.parse(fs.readFileSync(path.join(dir, 'audited.json'), 'utf8')).resources.sneaky;
  assert.equal(before.packages, undefined, 'static analysis cannot see require(name)');
  assert.deepEqual(after.packages, { 'evil>secret': true });
  assert.equal(after.builtin.fs, true);
  assert.deepEqual(after.meta['cordon:audit'], ['builtin.fs', 'packages.evil>secret']);
  // Under the audited policy the computed require works; under the static one it is denied.
  for (const [file, expected] of [['static.json', 'denied CORDON_POLICY_DENIED'], ['audited.json', 'reached']]) {
    const result = cordon(['run', '-A', '--policy', file, 'start.js'], dir);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).computedRequire, expected, file);
  }
});

test('cordon run of an archive enforces the host policy; an unknown name in a policy is warned with the nearest real one', () => {
  const dir = copyDemo();
  const packed = cordon(['pack', 'main.js', '-o', 'app.zip'], dir);
  assert.equal(packed.status, 0, packed.stderr);
  const denied = cordon(['run', '-A', '--policy', 'policy.json', 'app.zip'], dir);
  assert.equal(denied.status, 0, denied.stderr);
  assert.match(lineOf(denied.stdout, 'snoop read the environment'), /no process object/);
  assert.match(denied.stdout, /snoop read secrets\.txt: +refused: CORDON_POLICY_DENIED/);
  const unrestricted = cordon(['run', '-A', 'app.zip'], dir);
  assert.match(lineOf(unrestricted.stdout, 'snoop read the environment'), /tok-env/);
  fs.writeFileSync(path.join(dir, 'typo.json'), JSON.stringify({ resources: { snop: {}, greeter: {}, 'config-store': {} } }));
  const typo = cordon(['run', '-A', '--policy', 'typo.json', 'main.js'], dir);
  assert.equal(typo.status, 0, typo.stderr);
  assert.match(typo.stderr, /WARN: the policy names "snop", which is not a package of this application \(did you mean "snoop"\?\)/);
});
