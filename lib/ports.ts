import * as kplus from 'cdk8s-plus-28';
import { builtinPorts, type ExtraPort } from './config/schema';

/** One port of the central instance, as both the container and the Service see it. */
export interface AlloyPort {
  readonly name: string;
  /** Port on the Service (the LoadBalancer address). */
  readonly port: number;
  /** Port Alloy listens on in the pod. */
  readonly containerPort: number;
  readonly protocol: 'TCP' | 'UDP';
}

/** The UI/API port; the probes use it. */
export const HTTP_PORT = 12345;

/** The built-in ports (UI/API, OTLP gRPC and HTTP) followed by the configured extra ports. */
export function alloyPorts(extraPorts: readonly ExtraPort[]): AlloyPort[] {
  return [...builtinPorts, ...extraPorts].map((p) => ({
    name: p.name,
    port: p.port,
    containerPort: p.containerPort ?? p.port,
    protocol: p.protocol,
  }));
}

export function kplusProtocol(port: AlloyPort): kplus.Protocol {
  return port.protocol === 'UDP' ? kplus.Protocol.UDP : kplus.Protocol.TCP;
}
