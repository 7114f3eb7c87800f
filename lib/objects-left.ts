/**
 * What a synth removes from the chart that `kubectl apply -f dist/` leaves running: apply creates and updates, it
 * never deletes. Switching `replicas` between 1 and more swaps the Deployment and its claim for a StatefulSet (or
 * back); synth compares the new manifests with the previous dist/ and says, per object that left, how to remove it
 * safely. A claim holds a WAL: it goes only after what it holds was delivered.
 */
import { parseAllDocuments } from 'yaml';

interface ObjectRef {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** A StatefulSet's claim template names and its replicas: its claims (`<template>-<set>-<i>`) stay when it goes. */
  readonly claims: readonly string[];
}

function objectsOf(manifests: string): ObjectRef[] {
  return parseAllDocuments(manifests).flatMap((doc) => {
    const o = doc.toJS() as {
      kind?: string;
      metadata?: { name?: string; namespace?: string };
      spec?: { replicas?: number; volumeClaimTemplates?: { metadata?: { name?: string } }[] };
    } | null;
    if (!o?.kind || !o.metadata?.name) return [];
    const templates = (o.spec?.volumeClaimTemplates ?? []).flatMap((t) => (t.metadata?.name ? [t.metadata.name] : []));
    const replicas = o.spec?.replicas ?? 1;
    const claims = templates.flatMap((t) =>
      Array.from({ length: replicas }, (_, i) => `${t}-${o.metadata?.name}-${i}`),
    );
    return [{ kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace, claims }];
  });
}

const key = (o: ObjectRef) => `${o.kind}/${o.namespace ?? ''}/${o.name}`;

/** `kubectl -n alloy delete deployment alloy` */
function deleteCommand(kind: string, name: string, namespace: string | undefined): string {
  return `kubectl${namespace ? ` -n ${namespace}` : ''} delete ${kind.toLowerCase()} ${name}`;
}

/** The WAL rule, said wherever a claim goes. */
const AFTER_WAL =
  'only after its WAL was delivered: the old pod stopped cleanly, without remote-write or export failures in its last log lines (otherwise run the old workload on the claim again until it has sent what it holds); deleting it loses what it still holds';

/**
 * One line per object of `previous` (the manifests in dist/ before this synth) that `next` no longer has, saying how
 * to remove it safely from the cluster; nothing when none left.
 */
export function objectsThatLeft(previous: string, next: string, file: string): string[] {
  const kept = new Set(objectsOf(next).map(key));
  // Workloads first: a claim goes after the workload that used it.
  const left = objectsOf(previous)
    .filter((o) => !kept.has(key(o)))
    .sort((a, b) => Number(a.kind === 'PersistentVolumeClaim') - Number(b.kind === 'PersistentVolumeClaim'));
  return left.map((o) => {
    const what = `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
    const command = deleteCommand(o.kind, o.name, o.namespace);
    if (o.kind === 'PersistentVolumeClaim') {
      return `${file}: ${what} left the chart; kubectl apply does not delete it. Delete it (${command}) ${AFTER_WAL}`;
    }
    const workload = o.kind === 'Deployment' || o.kind === 'StatefulSet';
    const order = workload ? ' once the new workload is ready' : '';
    const claims =
      o.claims.length > 0
        ? `; its claims ${o.claims.join(', ')} stay too: delete each (${deleteCommand('pvc', o.claims[0], o.namespace)}, ...) ${AFTER_WAL}`
        : '';
    return `${file}: ${what} left the chart; kubectl apply does not delete it. Delete it${order}: ${command}${claims}`;
  });
}
