import * as kplus from 'cdk8s-plus-28';
import { builtinPorts } from './config/schema';

/** One port of the central instance, as both the container and the Service see it. */
export interface AlloyPort {
  readonly name: string;
  /** Port on the Service (the LoadBalancer address). */
  readonly port: number;
  /** Port Alloy listens on in the pod. */
  readonly containerPort: number;
  readonly protocol: 'TCP' | 'UDP';
}

/** The UI/API port (`http` of the built-in ports): probes, `/-/reload` and cluster gossip use it. */
export const HTTP_PORT = builtinPorts.find((p) => p.name === 'http')?.port as number;

/** A port beyond the built-in ones, e.g. syslog. */
export interface ExtraPortProps {
  /** IANA_SVC_NAME of the port, used by the container and the Service. */
  readonly name: string;
  /** Port on the Service (the LoadBalancer address). */
  readonly port: number;
  /** Port Alloy listens on in the pod (1024 or more: Alloy runs without root). @default the same as port */
  readonly containerPort?: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
}

/** The built-in ports (UI/API, OTLP gRPC and HTTP) followed by the configured extra ports. */
export function alloyPorts(extraPorts: readonly ExtraPortProps[]): AlloyPort[] {
  return [...builtinPorts, ...extraPorts].map((p) => ({
    name: p.name,
    port: p.port,
    containerPort: p.containerPort ?? p.port,
    protocol: p.protocol ?? 'TCP',
  }));
}

export function kplusProtocol(port: AlloyPort): kplus.Protocol {
  return port.protocol === 'UDP' ? kplus.Protocol.UDP : kplus.Protocol.TCP;
}
