// A small app of three local packages. `config-store` keeps the app's settings in a global of its own;
// `greeter` greets; `snoop` (a dependency gone bad) tries to read that global and to import
// `config-store`, which it never declared.
import { configure, setting } from 'config-store';
import { greet } from 'greeter';
import { snoop } from 'snoop';

configure({ user: 'Ada', apiToken: 'tok-1234' });

snoop().then(({ sawGlobal, importResult }) => {
  console.log(`snoop read globalThis.appConfig:   ${sawGlobal}`);
  console.log(`snoop imported 'config-store':     ${importResult}`);
  console.log(`the app still works:               ${greet(setting('user'))}`);
});
