// The README's performance table and target lines, from bench/results.json (what `npm run bench` wrote),
// so that the README shows a run exactly as measured. `npm run bench` prints it at the end;
// `node bench/table.js` prints it again from the last results.
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';

const ms = op => (op && !op.error ? op.ms : undefined);
const wall = op => (op && !op.error ? op.wallMs : undefined);
const times = (a, b) => (a === undefined || b === undefined ? undefined : a / b);
const show = value => (value === undefined ? '—' : String(Math.round(value)));
const cell = op => (op?.error ? 'fails' : show(ms(op)));
const x = value => (value === undefined ? '—' : `${value.toFixed(2)}×`);
const span = values => {
  const known = values.filter(v => v !== undefined && Number.isFinite(v));
  if (known.length === 0) return '—';
  const low = Math.min(...known);
  const high = Math.max(...known);
  return low.toFixed(2) === high.toFixed(2) ? `${low.toFixed(2)}×` : `${low.toFixed(2)}–${high.toFixed(2)}×`;
};

/** Markdown: the table of every workload, then one line per target with the measured range. */
export const markdown = results => {
  const lines = [];
  const stamp = `${results.date.slice(0, 16).replace('T', ' ')} UTC, Node ${results.node}, medians of ${results.runs}, ${results.seconds} s`;
  lines.push(`Run of ${stamp}; times in ms (in-process for each operation; importLocation is wall time, spawn to exit).`, '');
  lines.push('| workload | makeArchive Cordon / Endo / esbuild | importArchive Cordon / Endo | importLocation Cordon / node (wall) | peak RSS MB Cordon / Endo / node |');
  lines.push('|---|---|---|---|---|');
  const rows = [];
  for (const { name, moduleCount, ops } of results.workloads) {
    const row = {
      name,
      moduleCount,
      makeVsEndo: times(ms(ops['endo:make']), ms(ops['cordon:make'])),
      makeVsEsbuild: times(ms(ops['cordon:make']), ms(ops['esbuild:bundle'])),
      archiveVsEndo: times(ms(ops['endo:import-archive']), ms(ops['cordon:import-archive'])),
      importVsNode: times(wall(ops['cordon:import']), wall(ops['node:import'])),
      usPerModule: ops['cordon:import']?.error ? undefined : (ops['cordon:import'].ms * 1000) / moduleCount,
      rssBelowEndo: ['map', 'make', 'import-archive', 'import'].every(op => {
        const c = ops[`cordon:${op}`];
        const e = ops[`endo:${op}`];
        return !c || c.error || !e || e.error || c.rssMB <= e.rssMB;
      }),
    };
    rows.push(row);
    const rss = op => (op && !op.error ? Math.round(op.rssMB) : '—');
    lines.push(
      `| ${name} | ${show(ms(ops['cordon:make']))} / ${cell(ops['endo:make'])} / ${show(ms(ops['esbuild:bundle']))} (${x(row.makeVsEndo)}) ` +
        `| ${show(ms(ops['cordon:import-archive']))} / ${cell(ops['endo:import-archive'])} (${x(row.archiveVsEndo)}) ` +
        `| ${show(wall(ops['cordon:import']))} / ${show(wall(ops['node:import']))} (${x(row.importVsNode)}) ` +
        `| ${rss(ops['cordon:import'])} / ${rss(ops['endo:import'])} / ${rss(ops['node:import'])} |`,
    );
  }
  const compile = results.compile;
  // Generated apps have one entry module besides the N they are named by.
  const rowsOf = size => rows.filter(r => Math.abs(r.moduleCount - size) <= 1);
  const perModule = size => rowsOf(size).map(r => r.usPerModule);
  const mean = values => values.reduce((a, b) => a + b, 0) / values.length;
  lines.push('', 'Targets (same machine, same run):');
  if (compile?.overall) {
    const each = phase => compile.workloads.map(w => `${w.workload} ${w[phase].ratio}×`).join(', ');
    lines.push(`- compile ≥ 12× Endo cold, first pass, interleaved file by file after lockdown: ${compile.overall.cold.ratio}× (${each('cold')})`);
    lines.push(`- compile ≥ 25× Endo warm: ${compile.overall.warm.ratio}× (${each('warm')})`);
  }
  lines.push(`- makeArchive ≥ 10× Endo: ${span(rows.map(r => r.makeVsEndo))} (1,000 modules: ${span(rowsOf(1000).map(r => r.makeVsEndo))})`);
  lines.push(`- makeArchive within 3× of esbuild: ${span(rows.map(r => r.makeVsEsbuild))}`);
  lines.push(`- importArchive ≥ 2× Endo: ${span(rows.map(r => r.archiveVsEndo))}`);
  lines.push(`- importLocation cold ≤ 3× plain node (wall): ${span(rows.map(r => r.importVsNode))}`);
  lines.push(`- peak RSS ≤ Endo's in every operation: ${rows.every(r => r.rssBelowEndo) ? 'yes, every workload' : `no: ${rows.filter(r => !r.rssBelowEndo).map(r => r.name).join(', ')}`}`);
  const flat = [100, 1000, 10000].map(size => mean(perModule(size).filter(v => v !== undefined)));
  if (flat.some(v => !Number.isFinite(v))) lines.push('- time per module from 100 to 10,000: not measured in this run (needs --sizes 100,1000,10000)');
  else lines.push(`- time per module flat from 100 to 10,000 (importLocation, µs/module, mean over package counts): ${flat.map(v => v.toFixed(0)).join(' → ')} (10,000 / 100 = ${(flat[2] / flat[0]).toFixed(2)})`);
  if (results.policy) lines.push('', '**Policy** (bench/policy.js):', '', policyMarkdown(results.policy));
  return lines.join('\n');
};

/** Markdown for bench/policy.js's results: importLocation with / without a policy, and policy generation against LavaMoat's. */
export const policyMarkdown = policy => {
  const n = v => (typeof v === 'number' && Number.isFinite(v) ? String(Math.round(v)) : '—');
  const r = (a, b) => (typeof a === 'number' && typeof b === 'number' ? `${(a / b).toFixed(2)}×` : '—');
  const lines = [];
  lines.push(`Run of ${policy.date.slice(0, 16).replace('T', ' ')} UTC, Node ${policy.node}, LavaMoat ${policy.lavamoat ?? '(not installed)'}, ${policy.seconds} s. importLocation with the policy \`generatePolicy\` writes for the entry / without one (same host options otherwise): cold is a fresh process per run (import alone, and wall spawn to exit), medians of ${policy.runs} alternated; warm is in-process after ${policy.warmups} warm-ups, medians of ${policy.warm} alternated; ms.`, '');
  lines.push('| workload | policy resources (granted) / grants | cold without / with | cold wall without / with | warm without / with |');
  lines.push('|---|---|---|---|---|');
  for (const w of policy.imports) {
    if (w.error) {
      lines.push(`| ${w.name} | fails: ${w.error} | | | |`);
      continue;
    }
    const warm = w.warm.error ? `fails: ${w.warm.error}` : `${n(w.warm.without)} / ${n(w.warm.with)} (${r(w.warm.with, w.warm.without)})`;
    lines.push(`| ${w.name} | ${w.policy.resources} (${w.policy.granted}) / ${w.policy.grants} | ${n(w.cold.without.ms)} / ${n(w.cold.with.ms)} (${r(w.cold.with.ms, w.cold.without.ms)}) | ${n(w.cold.without.wallMs)} / ${n(w.cold.with.wallMs)} (${r(w.cold.with.wallMs, w.cold.without.wallMs)}) | ${warm} |`);
  }
  lines.push('', `Policy generation, cold (wall time of a fresh process, medians of ${policy.runs} alternated): \`cordon policy generate <entry> --out FILE\` against \`lavamoat <entry> --autopolicy --policyPath FILE\`; ms, and each policy's size: resources (of which with a grant) / grants (globals, builtin and packages entries, native).`, '');
  lines.push('| app | Cordon | LavaMoat | LavaMoat / Cordon | size Cordon | size LavaMoat |');
  lines.push('|---|---|---|---|---|---|');
  const size = row => (row.error ? '—' : `${row.resources} (${row.granted}) / ${row.grants}`);
  for (const g of policy.generation) {
    lines.push(`| ${g.name} | ${g.cordon.error ? 'fails' : n(g.cordon.wallMs)} | ${g.lavamoat.error ? 'fails' : n(g.lavamoat.wallMs)} | ${r(g.lavamoat.wallMs, g.cordon.wallMs)} | ${size(g.cordon)} | ${size(g.lavamoat)} |`);
  }
  const ok = policy.imports.filter(w => !w.error);
  const ratios = kind => ok.map(w => (kind === 'warm' ? (w.warm.error ? undefined : w.warm.with / w.warm.without) : w.cold.with[kind] / w.cold.without[kind]));
  lines.push('', 'Targets (same machine, same run):');
  lines.push(`- importLocation with a policy ≤ 1.10× without: cold ${span(ratios('ms'))} (wall ${span(ratios('wallMs'))}), warm ${span(ratios('warm'))}`);
  lines.push(`- policy generation, LavaMoat / Cordon: ${span(policy.generation.map(g => (g.cordon.error || g.lavamoat.error ? undefined : g.lavamoat.wallMs / g.cordon.wallMs)))}`);
  return lines.join('\n');
};

/** bench/policy.js's console tables (also printed by bench/suite.js). */
export function printPolicy(policy) {
  const f = v => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(1) : '—');
  const r = (a, b) => (typeof a === 'number' && typeof b === 'number' ? `${(a / b).toFixed(2)}x` : '—');
  console.log(`\nimportLocation with the generated policy / without (target <= 1.10x); cold: a fresh process each, medians of ${policy.runs} alternated; warm: in-process, after ${policy.warmups} warm-ups, medians of ${policy.warm}; ms`);
  console.table(
    policy.imports.map(w =>
      w.error
        ? { workload: w.name, note: `fails: ${w.error}` }
        : {
            workload: w.name,
            'policy resources (granted) / grants': `${w.policy.resources} (${w.policy.granted}) / ${w.policy.grants}`,
            'cold without / with': `${f(w.cold.without.ms)} / ${f(w.cold.with.ms)}`,
            cold: r(w.cold.with.ms, w.cold.without.ms),
            'cold wall without / with': `${f(w.cold.without.wallMs)} / ${f(w.cold.with.wallMs)}`,
            'cold wall': r(w.cold.with.wallMs, w.cold.without.wallMs),
            'warm without / with': w.warm.error ? `fails: ${w.warm.error}` : `${f(w.warm.without)} / ${f(w.warm.with)}`,
            warm: w.warm.error ? '—' : r(w.warm.with, w.warm.without),
          },
    ),
  );
  console.log(`\npolicy generation, cold (wall time of a fresh process, medians of ${policy.runs} alternated): Cordon's CLI vs LavaMoat ${policy.lavamoat ?? '(not installed)'}'s, ms; policy size as resources (of which with a grant) / grants`);
  console.table(
    policy.generation.map(g => ({
      app: g.name,
      Cordon: g.cordon.error ? `fails: ${g.cordon.error}` : f(g.cordon.wallMs),
      LavaMoat: g.lavamoat.error ? `fails: ${g.lavamoat.error}` : f(g.lavamoat.wallMs),
      'LavaMoat / Cordon': r(g.lavamoat.wallMs, g.cordon.wallMs),
      'size Cordon': g.cordon.error ? '—' : `${g.cordon.resources} (${g.cordon.granted}) / ${g.cordon.grants}`,
      'size LavaMoat': g.lavamoat.error ? '—' : `${g.lavamoat.resources} (${g.lavamoat.granted}) / ${g.lavamoat.grants}`,
    })),
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === url.fileURLToPath(import.meta.url)) {
  const file = path.resolve(import.meta.dirname, 'results.json');
  if (!fs.existsSync(file)) {
    console.error('No bench/results.json: run `npm run bench` first.');
    process.exit(1);
  }
  console.log(markdown(JSON.parse(fs.readFileSync(file, 'utf8'))));
}
