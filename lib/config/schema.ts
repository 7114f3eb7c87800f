import { z } from 'zod';
import { clusterCaChoices, ALLOY_DEFAULTS as D } from '../defaults';
import { collectProblems } from './collect-rules';
import { haProblems, MAX_REPLICAS } from './ha-rules';

/** DNS-1123 hostname with at least one dot, e.g. `alloy.tobiash.net`. */
const hostname = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    'a lower-case DNS hostname such as alloy.tobiash.net',
  );

/** A release tag of grafana/alloy as Renovate's github-releases datasource reports it, e.g. `v1.10.1`. */
const alloyVersion = z.string().regex(/^v\d+\.\d+\.\d+$/, 'a release tag such as v1.10.1');

const kubernetesName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a Kubernetes object name (lower-case letters, digits, -)')
  .max(63);

/** A Kubernetes resource quantity, e.g. `1Gi`, `250m`, `0.5`. */
const quantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/, 'a Kubernetes quantity such as 1Gi or 250m');

const port = z.number().int().min(1).max(65535);

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

const absolutePath = z.string().regex(/^\/[^\0]*$/, 'an absolute path');

/** A Go duration as Alloy reads it, e.g. `30m`, `2h`, `1h30m`. */
const duration = z.string().regex(/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/, 'a duration such as 30m or 2h');

/** A value inside OTEL_RESOURCE_ATTRIBUTES (`k=v,k=v`): no separators, no spaces. */
const resourceValue = z.string().regex(/^[^,=\s]+$/, 'a value without commas, equals signs or spaces');

/**
 * An absolute path that can be one side of a `docker run -v source:destination` mount: no `:` (the separator, so
 * `/x:/etc/alloy:rw` would add a mount of its own), no newline, no NUL. Checked here, at load time: `docker run`
 * refusing it would come after the running container was set aside.
 */
const mountablePath = z
  .string()
  .regex(/^\/[^:\n\r\0]*$/, "an absolute path without ':' or line breaks (it becomes part of a docker mount)");

/**
 * A Docker image repository (no tag) by the grammar of distribution/reference: `[host[:port]/]path`, the path in
 * lower case with `.`, `_`, `__` or `-` between letters and digits. Anything else (`--privileged`, spaces) is refused.
 */
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const imageRepository = z
  .string()
  .max(255)
  .regex(
    new RegExp(
      `^(?:${domainComponent}(?:\\.${domainComponent})*(?::[0-9]+)?/)?${pathComponent}(?:/${pathComponent})*$`,
    ),
    'an image repository without tag, such as grafana/alloy or registry.example:5000/alloy',
  );

/** A program name looked up in PATH, or an absolute path to it. */
const command = z.string().regex(/^[^\s\0]+$/, 'a program name or absolute path without spaces');

const resourceAmounts = z.strictObject({
  cpu: quantity.optional().describe('CPU, e.g. 100m; omitted means unset'),
  memory: quantity.optional().describe('memory, e.g. 256Mi; omitted means unset'),
});

export const extraPortSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'an IANA_SVC_NAME (lower-case letters, digits, -)')
    .max(15)
    .describe('port name, used by the container and the Service'),
  port: port.describe('port number on the Service (the LoadBalancer address)'),
  containerPort: port
    .min(1024, 'at least 1024: Alloy runs without root or capabilities and cannot bind lower ports')
    .optional()
    .describe('port Alloy listens on in the pod; default the same as port'),
  protocol: z.enum(['TCP', 'UDP']).default('TCP').describe('transport protocol; default TCP'),
});

/** The ports every central instance exposes; extra ports must not collide with them. */
export const builtinPorts: readonly ExtraPortInput[] = [
  { name: 'http', port: 12345, protocol: 'TCP' }, // Service port: alloy.servicePorts.http
  { name: 'otlp-grpc', port: 4317, protocol: 'TCP' },
  { name: 'otlp-http', port: 4318, protocol: 'TCP' },
];
type ExtraPortInput = { name: string; port: number; containerPort?: number; protocol: 'TCP' | 'UDP' };

export const stabilityLevels = ['generally-available', 'public-preview', 'experimental'] as const;

const centralAlloyBaseSchema = z.strictObject({
  version: alloyVersion.default(D.version).describe(`grafana/alloy image tag; default ${D.version}`),
  hostname: hostname.describe('public name of the central instance; the TLS certificate is issued for it'),
  loadBalancerIP: z.ipv4().describe('address MetalLB pins for the LoadBalancer Service (and Unbound resolves to)'),
  clusterIssuer: kubernetesName
    .default(D.clusterIssuer)
    .describe(`cert-manager ClusterIssuer; default ${D.clusterIssuer}`),
  storage: z
    .strictObject({
      size: quantity
        .default(D.storage.size)
        .describe(`PVC size for the WAL and component state; default ${D.storage.size}`),
      storageClass: kubernetesName.optional().describe("StorageClass; omitted means the cluster's default"),
    })
    .default(D.storage),
  resources: z
    .strictObject({
      requests: resourceAmounts.default(D.resources.requests),
      limits: resourceAmounts.default(D.resources.limits),
    })
    .default(D.resources)
    .describe('container resources; default requests 100m/256Mi, limit 1Gi memory and no CPU limit'),
  extraPorts: z
    .array(extraPortSchema)
    .default([])
    .superRefine((ports, ctx) => {
      const names = new Set(builtinPorts.map((p) => p.name));
      const numbers = new Set(builtinPorts.map((p) => `${p.port}/${p.protocol}`));
      ports.forEach((p, i) => {
        if (names.has(p.name))
          ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate port name "${p.name}"` });
        const key = `${p.port}/${p.protocol}`;
        if (numbers.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'port'], message: `duplicate port ${key}` });
        // A containerPort below 1024 is already refused by its own rule: one problem, one line.
        if (p.containerPort === undefined && p.port < 1024) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'containerPort'],
            message: `port ${p.port} is below 1024: set containerPort >= 1024 (Alloy runs without root or capabilities)`,
          });
        }
        names.add(p.name);
        numbers.add(key);
      });
    })
    .describe('ports beyond 12345/4317/4318, e.g. syslog 514/UDP; default none'),
  envFromSecret: z
    .strictObject({
      name: kubernetesName.describe('an existing Secret in the alloy namespace; it is not created here'),
      keys: z.array(envVarName).min(1).describe('the keys it holds: the env vars the pipeline may read'),
    })
    .optional()
    .describe('existing Secret whose keys become env vars (Grafana Cloud credentials); omitted means none'),
  stabilityLevel: z
    .enum(stabilityLevels)
    .default(D.stabilityLevel)
    .describe(`alloy run --stability.level; default ${D.stabilityLevel}`),
  syslogFormat: z
    .enum(['rfc3164', 'rfc5424'])
    .default(D.syslogFormat)
    .describe(
      `format the syslog listener parses (env ALLOY_SYSLOG_FORMAT); messages in the other one are dropped; default ${D.syslogFormat}, what most network gear sends`,
    ),
});

// ---- Reload sidecar and HA mode (issue #12) ----

/** A Go duration as Alloy's syntax takes it, e.g. `5m`, `90s`, `1h30m`. */
const goDuration = z.string().regex(/^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/, 'a duration such as 5m or 90s');

const reloaderVersion = z.string().regex(/^v\d+\.\d+\.\d+$/, `a release tag such as ${D.configReloader.version}`);
const reloaderResources = D.configReloader.resources;

const reloaderSchema = z
  .strictObject({
    version: reloaderVersion
      .default(D.configReloader.version)
      .describe(`quay.io/prometheus-operator/prometheus-config-reloader tag; default ${D.configReloader.version}`),
    resources: z
      .strictObject({
        requests: resourceAmounts.default(D.configReloader.resources.requests),
        limits: resourceAmounts.default(D.configReloader.resources.limits),
      })
      .default(D.configReloader.resources)
      .describe(
        `reloader container resources; default requests ${reloaderResources.requests.cpu}/${reloaderResources.requests.memory}, limit ${reloaderResources.limits.memory} memory`,
      ),
  })
  .default(D.configReloader)
  .describe('the sidecar that calls /-/reload when the ConfigMap changes');

const haSchema = z
  .strictObject({
    clusterCa: z
      .enum(clusterCaChoices)
      .default(D.ha.clusterCa)
      .describe(
        `CA cluster peers verify each other against: system (the image's bundle, for a public issuer) or secret (ca.crt of the certificate Secret, for a private issuer); default ${D.ha.clusterCa}`,
      ),
    maxConnectionAge: goDuration
      .default(D.ha.maxConnectionAge)
      .describe(
        `OTLP gRPC max_connection_age, so edges reconnect and spread over the replicas; default ${D.ha.maxConnectionAge}`,
      ),
    autoscaling: z
      .strictObject({
        maxReplicas: z
          .number()
          .int()
          .describe(`HPA maxReplicas: more than replicas (its minReplicas), at most ${MAX_REPLICAS}`),
        targetCPUUtilizationPercentage: z
          .number()
          .int()
          .min(1)
          .max(100)
          .default(D.ha.targetCPUUtilizationPercentage)
          .describe(`average CPU use (% of the request) to scale at; default ${D.ha.targetCPUUtilizationPercentage}`),
      })
      .optional()
      .describe('a HorizontalPodAutoscaler on CPU (autoscaling/v2); omitted means none'),
  })
  .optional()
  .describe('HA mode settings; only with replicas > 1');

// ---- Cluster logs and events, usage reporting, service ports, dropped labels (issue #13) ----

const collectSchema = z
  .strictObject({
    kubernetes: z
      .strictObject({
        podLogs: z
          .boolean()
          .default(D.collect.kubernetes.podLogs)
          .describe(
            `every pod's logs through the Kubernetes API (discovery.kubernetes + loki.source.kubernetes), labelled namespace/pod/container; adds RBAC for pods, pods/log, namespaces, nodes; default ${D.collect.kubernetes.podLogs}`,
          ),
        events: z
          .boolean()
          .default(D.collect.kubernetes.events)
          .describe(
            `Kubernetes events (loki.source.kubernetes_events); adds RBAC for events; default ${D.collect.kubernetes.events}`,
          ),
      })
      .default(D.collect.kubernetes)
      .describe("the cluster's own logs and events, into the logs path to Grafana Cloud"),
  })
  .default(D.collect)
  .describe('what the central Alloy collects itself; default nothing');

const HTTP_CONTAINER_PORT = builtinPorts.find((p) => p.name === 'http')?.port;

/** A Prometheus label name (model.LabelNameRE). */
const prometheusLabelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a Prometheus label name');

export const centralAlloySchema = centralAlloyBaseSchema
  .extend({
    replicas: z
      .number()
      .int()
      .default(D.replicas)
      .describe(`1 (a Deployment) or up to ${MAX_REPLICAS} (HA mode: a clustered StatefulSet); default ${D.replicas}`),
    configReloader: reloaderSchema,
    ha: haSchema,
    collect: collectSchema,
    usageReporting: z
      .boolean()
      .default(D.usageReporting)
      .describe(
        `send Alloy's anonymous usage reports to Grafana Labs; false adds --disable-reporting; default ${D.usageReporting}`,
      ),
    servicePorts: z
      .strictObject({
        http: port
          .default(D.servicePorts.http)
          .describe(
            `LoadBalancer port of the UI/API (the pod listens on ${HTTP_CONTAINER_PORT}); default ${D.servicePorts.http}`,
          ),
      })
      .default(D.servicePorts)
      .describe('LoadBalancer ports that may differ from the container port'),
    dropLabels: z
      .array(prometheusLabelName)
      .default([...D.dropLabels])
      .superRefine((labels, ctx) => {
        labels.forEach((l, i) => {
          if (labels.indexOf(l) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `"${l}" is listed twice` });
        });
      })
      .describe('metric labels dropped before remote write (a cardinality guard); default none'),
  })
  .superRefine((alloy, ctx) => {
    for (const p of [...haProblems(alloy), ...collectProblems(alloy)]) {
      ctx.addIssue({ code: 'custom', path: [...p.path], message: p.message });
    }
    // The UI/API's LoadBalancer port must not take a port another built-in or extra port has on the Service.
    const http = alloy.servicePorts.http;
    if (builtinPorts.some((p) => p.name !== 'http' && p.port === http && p.protocol === 'TCP')) {
      ctx.addIssue({ code: 'custom', path: ['servicePorts', 'http'], message: `port ${http}/TCP is a built-in port` });
    }
    alloy.extraPorts.forEach((p, i) => {
      if (p.port === http && p.protocol === 'TCP') {
        ctx.addIssue({
          code: 'custom',
          path: ['extraPorts', i, 'port'],
          message: `duplicate port ${http}/TCP (servicePorts.http)`,
        });
      }
    });
  });

export const prodStackSchema = z.strictObject({
  alloy: centralAlloySchema,
});

const cloudflareTtl = 'Cloudflare allows a TTL of 1 (automatic) or 60 to 86400 seconds';

export const legacyAlloySchema = z.strictObject({
  version: alloyVersion.default('v1.10.1').describe('grafana/alloy image tag on the NAS; default v1.10.1'),
  image: imageRepository.default('grafana/alloy').describe('image repository without tag; default grafana/alloy'),
  target: z.strictObject({
    host: hostname.or(z.ipv4()).describe('SSH host of the NAS'),
    user: z.string().min(1).describe('SSH user'),
    port: port.default(22).describe('SSH port; default 22'),
    rootDir: mountablePath
      .default('/volume2/docker')
      .describe("folder holding the containers' data; default /volume2/docker"),
    dockerPath: mountablePath
      .default('/usr/local/bin/docker')
      .describe('docker binary: a non-interactive Synology shell lacks /usr/local/bin in PATH'),
  }),
  httpPort: port.default(9091).describe('HTTP port of the legacy instance on the host network; default 9091'),
  usageReporting: z
    .boolean()
    .default(false)
    .describe("send Alloy's anonymous usage reports to Grafana Labs; false adds --disable-reporting; default false"),
  hostPaths: z
    .strictObject({
      dockerSocket: mountablePath.default('/var/run/docker.sock').describe('Docker socket, mounted read-only'),
      varLog: mountablePath.default('/var/log').describe('host log folder, mounted read-only at /mnt/var/log'),
      proc: mountablePath.default('/proc').describe('host /proc, mounted read-only at /host/proc'),
      sys: mountablePath.default('/sys').describe('host /sys, mounted read-only at /host/sys'),
      root: mountablePath
        .default('/')
        .describe("host /, mounted read-only at /host/root (the host metrics' rootfs_path, for volume metrics)"),
    })
    .default({ dockerSocket: '/var/run/docker.sock', varLog: '/var/log', proc: '/proc', sys: '/sys', root: '/' })
    .describe('host-side sources of the read-only mounts; defaults are the real host paths'),
  resource: z
    .strictObject({
      hostName: resourceValue.optional().describe("host.name of the NAS's logs and metrics; default target.host"),
      serviceName: resourceValue
        .default('synology')
        .describe('service.name of the NAS logs (metrics keep their scrape job); default synology'),
    })
    .default({ serviceName: 'synology' })
    .describe('resource attributes the NAS sets on what it sends (env OTEL_RESOURCE_ATTRIBUTES)'),
  sendQueue: z
    .strictObject({
      queueSize: z
        .number()
        .int()
        .min(1)
        .default(5000)
        .describe('batches held in memory while the central side is down (env ALLOY_CENTRAL_QUEUE_SIZE); default 5000'),
      retryFor: duration
        .default('2h')
        .describe('how long a batch is retried before it is dropped (env ALLOY_CENTRAL_RETRY_FOR); default 2h'),
    })
    .default({ queueSize: 5000, retryFor: '2h' })
    .describe('the in-memory send queue to the central Alloy (an on-disk one needs public-preview at v1.10.1)'),
  readyTimeoutSeconds: z
    .number()
    .int()
    .min(1)
    .default(120)
    .describe('how long deploy waits for GET /-/ready before rolling back; default 120'),
  cloudflare: z.strictObject({
    zone: hostname.describe('zone name, looked up once per run'),
    record: z.string().min(1).default('alloy-legacy').describe('new CNAME name; default alloy-legacy'),
    oldRecord: z.string().min(1).default('alloy').describe('CNAME the NAS used before; default alloy'),
    cnameTarget: hostname.describe('what the CNAME points at, e.g. home.tobiash.net'),
    ttl: z
      .union([z.literal(1), z.number().int(cloudflareTtl).min(60, cloudflareTtl).max(86400, cloudflareTtl)], {
        error: cloudflareTtl,
      })
      .default(60)
      .describe('record TTL: 1 (automatic) or 60–86400 seconds; a proxied record is always automatic; default 60'),
    proxied: z.boolean().default(false).describe('Cloudflare proxy; default false'),
  }),
  unbound: z
    .discriminatedUnion('backend', [
      z.strictObject({
        backend: z.literal('opnsense'),
        description: z.string().default('managed by alloy-deploy').describe('override description'),
        caFile: absolutePath
          .optional()
          .describe('PEM CA of a self-signed firewall cert; --ca-file overrides (endpoint: env OPNSENSE_ENDPOINT)'),
      }),
      z.strictObject({
        backend: z.literal('file'),
        path: absolutePath.describe('local-data include file that unbound.conf includes'),
        config: absolutePath.describe('unbound.conf passed to unbound-checkconf / unbound-control -c'),
        ssh: z.boolean().default(false).describe('edit the file on target.host over SSH instead of locally'),
        checkconf: command.default('unbound-checkconf').describe('unbound-checkconf binary; default from PATH'),
        control: command.default('unbound-control').describe('unbound-control binary; default from PATH'),
      }),
    ])
    .describe('where the alloy.tobiash.net host override lives'),
  verify: z
    .strictObject({
      resolver: z.ipv4().optional().describe("DNS server the hostname check asks; default: this machine's"),
      resolverPort: port.default(53).describe('its port; default 53'),
      minDays: z.number().int().min(0).default(14).describe('fail on a certificate expiring within N days; default 14'),
    })
    .default({ resolverPort: 53, minDays: 14 })
    .describe('`legacy-deploy verify` settings'),
});

export const devStackSchema = z.strictObject({
  alloyLegacy: legacyAlloySchema,
});

export type CentralAlloyConfig = z.infer<typeof centralAlloySchema>;
export type ExtraPort = z.infer<typeof extraPortSchema>;
export type ProdStack = z.infer<typeof prodStackSchema>;
export type LegacyAlloyConfig = z.infer<typeof legacyAlloySchema>;
export type DevStack = z.infer<typeof devStackSchema>;
