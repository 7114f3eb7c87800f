/*
 * A remote command whose shell stays once the command is done, waiting on stdin for the next command. What a deploy
 * does after its observation is decided here, from what the observation printed; sending that step into the same
 * shell saves starting a new exec on the NAS (a channel, a fork of sshd and a shell: 20–50 ms, more than most
 * steps take themselves).
 */

/** Printed once the first command is done, with its exit status: the shell now waits. */
export const waitingMarker = '@@waiting';
/** Ends the next command's text; whatever follows it on stdin (a tar) is that command's stdin. */
export const goMarker = '@@go';

/** The first command (with stdin closed, so it cannot eat the next one), then the wait for a next command. */
export function waitingShellCommand(command: string): string {
  return [
    `{\n${command}\n} </dev/null`,
    `echo "${waitingMarker} $?"`,
    // `read` takes stdin one byte at a time, so what follows the go line stays on stdin for the next command.
    `next=; while IFS= read -r line; do [ "$line" = ${goMarker} ] && break; next="$next$line\n"; done`,
    // stdin closed without a next command: nothing more to do.
    `[ "$line" = ${goMarker} ] || exit 0`,
    'eval "$next"',
  ].join('\n');
}

/** What the shell receives on stdin to run `command` next; the command's own stdin follows. */
export function nextCommandText(command: string): string {
  return `${command}\n${goMarker}\n`;
}

/** Where the first command's output ends in the shell's stdout, and its exit status; null while not yet there. */
export function findWaitingMarker(stdout: string): { end: number; resume: number; code: number } | null {
  const m = new RegExp(`(^|\\n)${waitingMarker} (\\d+)\\n`).exec(stdout);
  if (!m) return null;
  const end = m.index + m[1].length;
  return { end, resume: m.index + m[0].length, code: Number(m[2]) };
}
