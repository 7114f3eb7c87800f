import { createHash } from 'node:crypto';

/** One `.alloy` file as Alloy reads it from its configuration folder. */
export interface AlloySourceFile {
  /** The file's name (or path) in the loaded folder: the hash orders files by it. */
  readonly name: string;
  readonly content: string | Uint8Array;
}

/**
 * The hash Alloy reports as `alloy_config_hash{sha256="..."}` once it has loaded a folder: SHA-256 over the files'
 * contents, concatenated in the byte order of their paths, with nothing between them (grafana/alloy
 * `internal/runtime/source.go` `ParseSources`: `sort.Slice` by name, then `hash.Write(content)` per file). Since
 * all files sit in one folder, ordering by path is ordering by file name. Only `*.alloy` files count, as Alloy
 * loads no others (`loadAlloySource` in `internal/alloycli/cmd_run.go`).
 */
export function alloyConfigHash(files: readonly AlloySourceFile[]): string {
  const hash = createHash('sha256');
  const ordered = files
    .filter((f) => f.name.endsWith('.alloy'))
    .map((f) => ({ key: Buffer.from(f.name, 'utf8'), content: f.content }))
    .sort((a, b) => Buffer.compare(a.key, b.key));
  for (const f of ordered) hash.update(f.content);
  return hash.digest('hex');
}
