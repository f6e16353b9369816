import fs from 'node:fs';
import { builtAppMain, ensureBuilt, ServiceProcess as BuiltServiceProcess } from '@pulse/testing';

export { freePort, REPO_ROOT, type ServiceEvent } from '@pulse/testing';

/**
 * The built service that the fault tests run: PULSE_FAULT_SERVICE_MAIN, or the workspace's
 * dist/apps/feature-service/main.js (built by `npm test`'s pretest, or `node tools/build.mjs`).
 */
export function serviceMainPath(): string {
  return process.env.PULSE_FAULT_SERVICE_MAIN ?? builtAppMain('feature-service');
}

/** The built service, brought up to date with its sources; with PULSE_FAULT_SERVICE_MAIN set, that build as it is. */
export async function ensureServiceBuilt(): Promise<string> {
  const main = serviceMainPath();
  if (process.env.PULSE_FAULT_SERVICE_MAIN === undefined) return ensureBuilt(main);
  if (!fs.existsSync(main)) throw new Error(`PULSE_FAULT_SERVICE_MAIN=${main} does not exist`);
  return main;
}

/** The built feature service as a child process (see the testing lib's ServiceProcess). */
export class ServiceProcess extends BuiltServiceProcess {
  constructor(name: string, port: number, env: Readonly<Record<string, string>>) {
    super(name, port, env, ensureServiceBuilt);
  }
}
