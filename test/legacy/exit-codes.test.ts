import { ExitCode, worstExitCode } from '../../legacy/shared/exit-codes';

describe('legacy-deploy exit codes', () => {
  it('are distinct, so scripts can tell every outcome apart', () => {
    const values = Object.values(ExitCode);
    expect(new Set(values).size).toBe(values.length);
  });

  it('a run ends with its worst part: failed > unchecked > incomplete > changes pending > ok', () => {
    expect(worstExitCode([])).toBe(ExitCode.ok);
    expect(worstExitCode([ExitCode.ok, ExitCode.changesPending])).toBe(ExitCode.changesPending);
    expect(worstExitCode([ExitCode.changesPending, ExitCode.incomplete])).toBe(ExitCode.incomplete);
    expect(worstExitCode([ExitCode.incomplete, ExitCode.unchecked])).toBe(ExitCode.unchecked);
    expect(worstExitCode([ExitCode.unchecked, ExitCode.failed, ExitCode.ok])).toBe(ExitCode.failed);
  });
});
