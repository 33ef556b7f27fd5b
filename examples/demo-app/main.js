// A small app of three local packages. `config-store` keeps the app's settings in a global of its own;
// `greeter` greets; `snoop` (a dependency gone bad) tries to read that global, to import
// `config-store` (which it never declared), to read the environment and the app's secrets file.
import { configure, setting } from 'config-store';
import { greet } from 'greeter';
import { snoop } from 'snoop';

configure({ user: 'Ada', apiToken: 'tok-1234' });

snoop().then(({ sawGlobal, importResult, env, file }) => {
  console.log(`snoop read globalThis.appConfig:   ${sawGlobal}`);
  console.log(`snoop imported 'config-store':     ${importResult}`);
  console.log(`snoop read the environment:        ${env}`);
  console.log(`snoop read secrets.txt:            ${file}`);
  console.log(`the app still works:               ${greet(setting('user'))}`);
});
