import { createHash } from 'node:crypto';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { formatDiagnostic } from './alloy';
import { pipelineFilesOf } from './alloy/lint-folder';

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

/**
 * The `*.alloy` files of a pipeline folder, sorted by name, as the linter and the deploy see them (pipelineFilesOf:
 * links, sub-folders and odd names refused); a missing or empty folder is an error.
 */
export function readAlloyFiles(dir: string): Record<string, string> {
  const { files, problem } = pipelineFilesOf(dir);
  if (problem) throw new Error(formatDiagnostic(problem));
  return Object.fromEntries(
    files.filter((f) => f.name.endsWith('.alloy')).map((f) => [f.name, f.content.toString('utf8')]),
  );
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
