import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { alloyFilesOf, formatDiagnostic } from '../alloy-lint';

export interface AlloyConfigMapProps {
  /** Folder whose `*.alloy` files become the ConfigMap's keys. */
  readonly assetsDir: string;
  /** Namespace of the ConfigMap. */
  readonly namespace: string;
  /** ConfigMap name. @default 'alloy-config' */
  readonly name?: string;
  /** Labels of the ConfigMap. @default none */
  readonly labels?: Record<string, string>;
}

/** Reads the `*.alloy` files of a folder, sorted by name; a missing or empty folder is an error. */
export function readAlloyFiles(dir: string): Record<string, string> {
  const { files, problem } = alloyFilesOf(dir);
  if (problem) throw new Error(formatDiagnostic(problem));
  return Object.fromEntries(files.map((f) => [basename(f), readFileSync(f, 'utf8')]));
}

/** A stable digest of the files, so that a pod annotation can roll the pod when the configuration changes. */
export function checksumOf(files: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const [name, content] of Object.entries(files)) hash.update(name).update('\0').update(content).update('\0');
  return hash.digest('hex');
}

/** The Alloy pipeline: every `*.alloy` file of the assets folder as one key. */
export class AlloyConfigMap extends kplus.ConfigMap {
  /** sha256 of the files' names and contents. */
  public readonly checksum: string;

  constructor(scope: Construct, id: string, props: AlloyConfigMapProps) {
    const files = readAlloyFiles(props.assetsDir);
    super(scope, id, {
      metadata: { name: props.name ?? 'alloy-config', namespace: props.namespace, labels: props.labels },
      data: files,
    });
    this.checksum = checksumOf(files);
  }
}
