// The import direction between src/ folders that ../shared/DESIGN.md sets ("Layout: one folder a stage").
// Checked on the built JavaScript (dist/ mirrors src/); type-only imports are erased there.
const allowed = {
  diagnostics: [],
  model: ['diagnostics'],
  powers: ['diagnostics', 'model'],
  resolve: ['model', 'diagnostics'],
  discover: ['resolve', 'model', 'diagnostics'],
  compile: ['model', 'diagnostics'],
  load: ['compile', 'resolve', 'model', 'diagnostics'],
  policy: ['model', 'diagnostics', 'compile'],
  endow: ['model', 'policy', 'diagnostics'],
  link: ['load', 'endow', 'policy', 'model', 'diagnostics'],
  run: ['discover', 'load', 'link', 'model', 'diagnostics'],
  pack: ['discover', 'load', 'link', 'policy', 'compile', 'model', 'diagnostics'],
  unpack: ['link', 'load', 'model', 'diagnostics'],
  host: ['model', 'policy', 'diagnostics'],
  sandbox: ['run', 'unpack', 'host', 'model', 'diagnostics'],
};

const layerRules = Object.entries(allowed).map(([folder, may]) => ({
  name: `${folder}-imports-only-${may.join('-') || 'nothing'}`,
  comment: `src/${folder}/ may import only ${may.length ? may.map(m => `src/${m}/`).join(', ') : 'no other src/ folder'} (DESIGN.md).`,
  severity: 'error',
  from: { path: `^dist/${folder}/` },
  to: { path: '^dist/', pathNot: [`^dist/(${[folder, ...may].join('|')})/`] },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'cli-through-public-entries',
      comment: 'src/cli/ reaches the library only through src/index.ts and the subpath entry files.',
      severity: 'error',
      from: { path: '^dist/cli/' },
      to: { path: '^dist/[^/]+/', pathNot: ['^dist/cli/'] },
    },
    {
      name: 'no-ambient-authority',
      comment: 'Only the node-powers, bridge and CLI layers touch node: builtins (no ambient authority).',
      severity: 'error',
      from: { path: '^dist/', pathNot: ['^dist/(cli|host|sandbox)/', '^dist/powers/node\\.js$'] },
      to: { dependencyTypes: ['core'] },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$|\\.map$' },
  },
};
