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
  return lines.join('\n');
};

if (process.argv[1] && path.resolve(process.argv[1]) === url.fileURLToPath(import.meta.url)) {
  const file = path.resolve(import.meta.dirname, 'results.json');
  if (!fs.existsSync(file)) {
    console.error('No bench/results.json: run `npm run bench` first.');
    process.exit(1);
  }
  console.log(markdown(JSON.parse(fs.readFileSync(file, 'utf8'))));
}
