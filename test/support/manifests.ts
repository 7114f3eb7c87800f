import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { synthesize } from '../../lib/synth';
import { REPO_DIR } from './shared';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are checked by schema, tests read them freely
  spec?: any;
  data?: Record<string, string>;
}

/** Parses a multi-document manifest the way kubectl does (YAML 1.1). */
export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS() as K8sObject);
}

/** A throw-away copy of the project's inputs (config/, assets/), to edit and synthesize. */
export class ScratchProject {
  readonly dir = mkdtempSync(join(tmpdir(), 'alloy-deploy-'));

  constructor() {
    cpSync(join(REPO_DIR, 'config'), join(this.dir, 'config'), { recursive: true });
    cpSync(join(REPO_DIR, 'assets'), join(this.dir, 'assets'), { recursive: true });
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** Rewrites config/prod.yaml with a text transformation. */
  editProd(edit: (text: string) => string): void {
    const file = this.path('config/prod.yaml');
    writeFileSync(file, edit(readFileSync(file, 'utf8')));
  }

  synth(): K8sObject[] {
    const {
      files: [file],
    } = synthesize({
      configFile: this.path('config/prod.yaml'),
      assetsDir: this.path('assets/alloy'),
      kubernetesAssetsDir: this.path('assets/alloy_kubernetes'),
      outDir: this.path('dist'),
    });
    return parseManifests(readFileSync(file, 'utf8'));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs `body` on a fresh scratch project, removed afterwards whatever happens. */
export function withScratchProject<T>(body: (project: ScratchProject) => T): T {
  const project = new ScratchProject();
  try {
    return body(project);
  } finally {
    project.remove();
  }
}

export function find(objects: K8sObject[], kind: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
}

/** Turns a copy of config/prod.yaml into HA mode: `replicas: n`, with an optional `ha:` block (YAML, 4-space indented). */
export function haMode(replicas: number, ha = ''): (text: string) => string {
  return (text) => {
    if (!/^ {2}replicas: 1$/m.test(text)) throw new Error('config/prod.yaml has no "  replicas: 1" line to edit');
    return text.replace(
      /^ {2}replicas: 1$/m,
      `  replicas: ${replicas}${ha ? `\n  ha:\n${ha.replace(/\n$/, '')}` : ''}`,
    );
  };
}
