/**
 * The guest-side reporter's thread (see `reporter.ts`): every `intervalMs`, one line
 * `{"cpu":<µs user+system>,"rss":<bytes>}` written synchronously to `fd`. Stops when the pipe is gone.
 */
import fs from 'node:fs';
import { workerData } from 'node:worker_threads';

const { fd, intervalMs } = workerData as { fd: number; intervalMs: number };
const report = (): void => {
  const cpu = process.cpuUsage();
  const line = `${JSON.stringify({ cpu: cpu.user + cpu.system, rss: process.memoryUsage.rss() })}\n`;
  try {
    fs.writeSync(fd, line);
  } catch (error) {
    // A full pipe (EAGAIN) loses one sample; a closed one ends the reports.
    if ((error as { code?: string }).code !== 'EAGAIN') clearInterval(timer);
  }
};
const timer = setInterval(report, Number.isFinite(intervalMs) && intervalMs > 0 ? intervalMs : 25);
report();
