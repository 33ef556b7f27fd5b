// An ES module that imports CommonJS, JSON and another ES module, and keeps a live binding.
import greet, { shout } from './greeter.cjs';
import settings from './settings.json';
import { count, increment } from './counter.mjs';

increment();
increment();

export const message = `${greet(settings.name)} ${shout('lockdown is on')}`;
export const counted = count; // 2: the live binding was updated by the calls above
export const warning = 'a string with <!-- and import( in it, which SES would reject unrewritten';
