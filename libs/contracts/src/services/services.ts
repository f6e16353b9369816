/** The platform's five services and their fixed ports, in one place (the embedded platform, the CLI and the docs use it). */
export const PULSE_SERVICES = [
  { name: 'feature-service', port: 3001 },
  { name: 'training-service', port: 3002 },
  { name: 'inference-service', port: 3003 },
  { name: 'experiment-service', port: 3004 },
  { name: 'monitoring-service', port: 3005 },
] as const;

export type PulseServiceName = (typeof PULSE_SERVICES)[number]['name'];

/** The service's default port, e.g. 3001 for feature-service. */
export function servicePort(name: PulseServiceName): number {
  const service = PULSE_SERVICES.find((s) => s.name === name);
  if (service === undefined) throw new RangeError(`name: unknown service "${name}"`);
  return service.port;
}
