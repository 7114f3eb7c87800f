import * as kplus from 'cdk8s-plus-28';
import { builtinPorts } from './config/schema';
import { ALLOY_DEFAULTS } from './defaults';

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

/** LoadBalancer ports of built-in ports that differ from their container port. */
export interface ServicePortsProps {
  /** The UI/API on the LoadBalancer (the pod keeps listening on 12345). @default 12345 */
  readonly http?: number;
}

/**
 * The built-in ports (UI/API, OTLP gRPC and HTTP) followed by the configured extra ports. `servicePorts` moves a
 * built-in port on the Service only; the container port, the probes and `/-/reload` stay where they are.
 */
export function alloyPorts(extraPorts: readonly ExtraPortProps[], servicePorts: ServicePortsProps = {}): AlloyPort[] {
  const builtin = builtinPorts.map((p) => ({
    ...p,
    port: p.name === 'http' ? (servicePorts.http ?? ALLOY_DEFAULTS.servicePorts.http) : p.port,
    containerPort: p.port,
  }));
  return [...builtin, ...extraPorts].map((p) => ({
    name: p.name,
    port: p.port,
    containerPort: p.containerPort ?? p.port,
    protocol: p.protocol ?? 'TCP',
  }));
}

export function kplusProtocol(port: AlloyPort): kplus.Protocol {
  return port.protocol === 'UDP' ? kplus.Protocol.UDP : kplus.Protocol.TCP;
}
