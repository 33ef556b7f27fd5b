// After SES has loaded: lockdown, then the confined inspector (a Compartment of its own, no
// endowments, its global object hardened), handed to the console; then the console is hardened.
import { setInspector } from './console.js';
import inspectorScript from './object-inspect.script';

export const boot = options => {
  lockdown(options);
  const compartment = new Compartment();
  harden(compartment.globalThis);
  setInspector(harden(compartment.evaluate(inspectorScript)));
  harden(globalThis.console);
};
