/** The tests' Unbound is `legacy-deploy sandbox`'s (legacy/sandbox/unbound.ts); this file adds only the gate. */
import { unboundPrograms } from '../../legacy/sandbox/unbound';
import { describeNeeding } from './requirements';

export * from '../../legacy/sandbox/unbound';

/** `describe` when Unbound is installed (see requirements.ts for what happens when it is not). */
export function describeWithUnbound(name: string, body: () => void): void {
  describeNeeding({ programs: unboundPrograms }, name, body);
}
