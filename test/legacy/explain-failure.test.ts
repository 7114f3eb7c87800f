import { explainFailure } from '../../legacy/shared/ssh-session';

describe('explainFailure: the reason a remote step failed, for the error message', () => {
  test('the last output lines, stderr first, without the scripts’ own @@ markers', () => {
    const reason = explainFailure({
      stdout: '@@set-aside\n',
      stderr: 'Error: image not known\nError response from daemon: no such image\n',
      code: 125,
    });
    expect(reason).toBe('Error: image not known / Error response from daemon: no such image');
  });

  test('at most the last five lines', () => {
    const stderr = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].join('\n');
    expect(explainFailure({ stdout: '', stderr, code: 1 })).toBe('c / d / e / f / g');
  });

  test('no output: the exit status; no exit status: the lost connection', () => {
    expect(explainFailure({ stdout: '@@uploaded\n', stderr: '', code: 2 })).toBe('exit status 2');
    expect(explainFailure({ stdout: 'partial', stderr: '', code: null })).toBe('the SSH connection was lost');
  });
});
