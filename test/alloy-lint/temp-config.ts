/** Temporary configuration folders for the linter and CLI tests, removed after each test. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created: string[] = [];

/** Writes `files` (name → content) into a fresh folder and returns its path. */
export function tempConfig(files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'alloy-lint-'));
  created.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

export function removeTempConfigs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}
