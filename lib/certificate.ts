import type { Construct } from 'constructs';
import { Certificate } from '../imports/cert-manager.io';
import { ALLOY_DEFAULTS } from './defaults';

export interface AlloyCertificateProps {
  /** Namespace of the Certificate and its Secret. @default 'alloy' */
  readonly namespace?: string;
  /** The DNS name the certificate is issued for. */
  readonly hostname: string;
  /** cert-manager ClusterIssuer that signs it. @default 'lets-encrypt' */
  readonly clusterIssuer?: string;
  /** Name of the Certificate and of the Secret cert-manager writes. @default 'alloy-tls' */
  readonly name?: string;
  /** Labels of the Certificate. @default none */
  readonly labels?: Record<string, string>;
}

/** TLS for the OTLP receivers and the UI; cert-manager keeps the `alloy-tls` Secret renewed. */
export class AlloyCertificate extends Certificate {
  /** Name of the Secret holding tls.crt and tls.key. */
  public readonly secretName: string;

  constructor(scope: Construct, id: string, props: AlloyCertificateProps) {
    const name = props.name ?? ALLOY_DEFAULTS.names.certificate;
    super(scope, id, {
      metadata: { name, namespace: props.namespace ?? ALLOY_DEFAULTS.names.namespace, labels: props.labels },
      spec: {
        secretName: name,
        dnsNames: [props.hostname],
        issuerRef: {
          kind: 'ClusterIssuer',
          group: 'cert-manager.io',
          name: props.clusterIssuer ?? ALLOY_DEFAULTS.clusterIssuer,
        },
      },
    });
    this.secretName = name;
  }
}
