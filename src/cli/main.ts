#!/usr/bin/env node
/**
 * The `cordon` command. The commands are in `cli.ts`; this file only starts them: from the bundle
 * `npm run build` makes (`cordon-cli.cjs`, compiled from a V8 code cache: `launch.ts`) when it is
 * current, else from `cli.js` and its modules.
 */
import { enableNodeCompileCache, loadBundledCli, type CliMain } from './launch.js';

const argv = process.argv.slice(2);
enableNodeCompileCache(argv);
const bundled = loadBundledCli(argv);
const main: CliMain = bundled?.main ?? (await import('./cli.js')).main;
const code = await main(argv);
bundled?.started();
// The application may still have work scheduled (servers, timers): let it run; its own exit code wins.
if (typeof process.exitCode !== 'number' || code !== 0) process.exitCode = code;
