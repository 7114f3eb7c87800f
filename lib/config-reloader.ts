import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { lockedDownContainer } from './security-context';

/** The reloader the Alloy Helm chart uses; Renovate tracks its tag in config/prod.yaml. */
export const CONFIG_RELOADER_IMAGE = 'quay.io/prometheus-operator/prometheus-config-reloader';

/** Port of the reloader's own /healthz and /metrics (plain HTTP, inside the pod network only). */
export const CONFIG_RELOADER_PORT = 8080;

/** uid/gid `nobody`, the user the reloader image runs as; it needs nothing but read access to the ConfigMap. */
export const CONFIG_RELOADER_UID = 65534;

export interface ConfigReloaderProps {
  /** Image tag of prometheus-config-reloader. */
  readonly version: string;
  /** Folder the ConfigMap is mounted at (whole-volume mount: a subPath mount never updates). */
  readonly watchedDir: string;
  /** Alloy's HTTP port; its server answers TLS only. */
  readonly alloyHttpPort: number;
}

/**
 * The reloader's URL: https, since Alloy's HTTP server serves TLS only (the Helm chart's `http://` breaks there,
 * grafana/alloy#2195). `localhost` stays inside the pod. The reloader does not verify the server certificate
 * (prometheus-operator `cmd/prometheus-config-reloader/main.go`, `createHTTPClient`: `InsecureSkipVerify: true`),
 * which is what a loopback call needs: the certificate is issued for the public hostname, not for localhost, and
 * the request carries no secret and only asks Alloy to re-read files that are already mounted.
 */
export function reloadUrl(alloyHttpPort: number): string {
  return `https://localhost:${alloyHttpPort}/-/reload`;
}

/**
 * The sidecar: watches the mounted ConfigMap folder (fsnotify plus a poll every --watch-interval) and POSTs
 * `/-/reload` when its contents change, retrying every --retry-interval until Alloy answers 200. A config Alloy
 * rejects gets HTTP 400 and Alloy keeps running the last good one.
 */
export function configReloaderContainer(props: ConfigReloaderProps): kplus.ContainerProps {
  return {
    name: 'config-reloader',
    image: `${CONFIG_RELOADER_IMAGE}:${props.version}`,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    args: [
      `--watched-dir=${props.watchedDir}`,
      `--reload-url=${reloadUrl(props.alloyHttpPort)}`,
      `--listen-address=:${CONFIG_RELOADER_PORT}`,
    ],
    ports: [{ name: 'reloader-web', number: CONFIG_RELOADER_PORT }],
    readiness: kplus.Probe.fromHttpGet('/healthz', {
      port: CONFIG_RELOADER_PORT,
      periodSeconds: Duration.seconds(10),
      failureThreshold: 3,
    }),
    securityContext: lockedDownContainer(CONFIG_RELOADER_UID),
  };
}
