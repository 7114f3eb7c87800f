import type * as TarStream from 'tar-stream';

/**
 * The upload is one archive fed to one `tar -x` on the NAS through one exec channel (Synology's SFTP may map
 * shared folders to other paths than the shell sees). Config folders are small, so it is built in memory.
 */
export interface TarEntry {
  readonly name: string;
  readonly content: Buffer;
  /** @default 0o644 */
  readonly mode?: number;
}

export async function tarArchive(entries: readonly TarEntry[]): Promise<Buffer> {
  // Loaded when there is something to upload: a no-op redeploy does not pay for it.
  const { pack } = require('tar-stream') as typeof TarStream;
  const archive = pack();
  for (const entry of entries) archive.entry({ name: entry.name, mode: entry.mode ?? 0o644 }, entry.content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
