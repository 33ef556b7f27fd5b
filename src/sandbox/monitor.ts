/**
 * Watching a guest process from outside. On Linux the host reads `/proc/<pid>/stat` (utime + stime, in
 * clock ticks) and `/proc/<pid>/status` (VmRSS) on a short interval: nothing in the guest can change
 * what the kernel reports. Where there is no /proc, the guest reports its own usage from a worker thread
 * (see `reporter.ts`) on a pipe, one JSON line per sample, and the host reads it (weaker: it is the
 * guest's word, but the reporter starts before any of the application's code and runs on its own thread,
 * so a busy loop of the application does not stop it).
 */
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { Readable } from 'node:stream';

/** One sample of a guest's usage. */
export interface UsageSample {
  /** CPU time, user + system, in seconds. */
  readonly cpuSeconds: number;
  /** Resident memory in bytes. */
  readonly rssBytes: number;
}

/** How the host learns a guest's usage. */
export type MonitorKind = 'proc' | 'report';

/** Whether this host has a /proc with per-process stat and status files. */
export const hasProcFs = (): boolean => {
  try {
    return fs.statSync(`/proc/${process.pid}/stat`).isFile() && fs.statSync(`/proc/${process.pid}/status`).isFile();
  } catch {
    return false;
  }
};

let clockTicks: number | undefined;
/** `getconf CLK_TCK` (the unit of utime and stime), asked once; 100 (Linux's USER_HZ) if it cannot be asked. */
const ticksPerSecond = (): number => {
  if (clockTicks === undefined) {
    clockTicks = 100;
    try {
      const answer = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).trim());
      if (Number.isInteger(answer) && answer > 0) clockTicks = answer;
    } catch {
      // keep 100
    }
  }
  return clockTicks;
};

/**
 * Reads one sample of process `pid` from /proc, or undefined once the process is gone (or a zombie:
 * a zombie's VmRSS line is absent).
 */
export const readProcSample = (pid: number): UsageSample | undefined => {
  let stat: string;
  let status: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!Number.isFinite(utime) || !Number.isFinite(stime) || rss === null) return undefined;
  return { cpuSeconds: (utime + stime) / ticksPerSecond(), rssBytes: Number(rss[1]) * 1024 };
};

/** A running monitor: call `stop` when the guest has exited. */
export interface Monitor {
  /** The latest sample (undefined before the first). */
  latest(): UsageSample | undefined;
  /** The highest resident memory seen, in bytes. */
  peakRssBytes(): number;
  stop(): void;
}

/**
 * Samples `pid` from /proc every `intervalMs` and calls `onSample` with each sample. The timer does not
 * keep the host alive by itself.
 */
export const watchProc = (pid: number, intervalMs: number, onSample: (sample: UsageSample) => void): Monitor => {
  let last: UsageSample | undefined;
  let peak = 0;
  const take = (): void => {
    const sample = readProcSample(pid);
    if (sample === undefined) return;
    last = sample;
    if (sample.rssBytes > peak) peak = sample.rssBytes;
    onSample(sample);
  };
  const timer = setInterval(take, intervalMs);
  timer.unref();
  take();
  return {
    latest: () => last,
    peakRssBytes: () => peak,
    stop: () => clearInterval(timer),
  };
};

/**
 * Reads the guest's own reports (JSON lines `{"cpu":µs,"rss":bytes}`) from `stream` and calls
 * `onSample` with each. Lines that do not parse are ignored; a line longer than 1 KB is dropped.
 */
export const watchReports = (stream: Readable, onSample: (sample: UsageSample) => void): Monitor => {
  let last: UsageSample | undefined;
  let peak = 0;
  let pending = '';
  stream.setEncoding('latin1');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
      let report: { cpu?: unknown; rss?: unknown };
      try {
        report = JSON.parse(line) as typeof report;
      } catch {
        continue;
      }
      if (typeof report.cpu !== 'number' || typeof report.rss !== 'number') continue;
      last = { cpuSeconds: report.cpu / 1e6, rssBytes: report.rss };
      if (report.rss > peak) peak = report.rss;
      onSample(last);
    }
    if (pending.length > 1024) pending = '';
  });
  stream.on('error', () => {});
  return {
    latest: () => last,
    peakRssBytes: () => peak,
    stop: () => stream.destroy(),
  };
};
