import { specDifferences } from '../../legacy/deploy/container-spec';
import { layoutFor } from '../../legacy/deploy/layout';
import { deploySection } from '../../legacy/deploy/plan-output';
import { ExitCode } from '../../legacy/shared/exit-codes';
import { wantsColor } from '../../legacy/shared/output';
import { planExitCode, renderPlan } from '../../legacy/shared/plan';

describe('output', () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  test('colour only on a terminal, and never with NO_COLOR set', () => {
    expect(wantsColor(tty, {})).toBe(true);
    expect(wantsColor(tty, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ isTTY: false } as NodeJS.WriteStream, {})).toBe(false);
  });

  test('the plan is a list of sections another area can append to, numbered as the executor runs it', () => {
    const settings = { layout: layoutFor('/nas'), readyTimeoutSeconds: 5 };
    const deploy = deploySection(
      {
        steps: [{ kind: 'swap-and-reload' }, { kind: 'verify-hash', sha256: 'ab'.repeat(32) }],
        blockers: [],
        desiredHash: '',
      },
      settings,
    );
    const dns = { title: 'DNS', items: [{ mark: '+' as const, text: 'CNAME alloy-legacy' }] };
    expect(renderPlan([deploy, dns], false)).toBe(
      'legacy Alloy (deploy):\n' +
        '  ~ 1. swap the files into /nas/alloy-legacy-config and reload (POST /-/reload, no restart)\n' +
        '  ~ 2. verify that Alloy runs config abababababab (alloy_config_hash on /metrics)\n' +
        'DNS:\n  + CNAME alloy-legacy\n',
    );
    expect(renderPlan([deploy], true)).toContain('\u001b[33m~\u001b[0m');
  });

  test("the plan's exit code is the worst of its sections' (DNS sections bring their own)", () => {
    const none = { title: 'a', items: [] };
    const changes = { title: 'b', items: [{ mark: '+' as const, text: 'x' }] };
    expect(planExitCode([none])).toBe(ExitCode.ok);
    expect(planExitCode([none, changes])).toBe(ExitCode.changesPending);
    expect(planExitCode([changes, { ...none, exitCode: ExitCode.incomplete }])).toBe(ExitCode.incomplete);
    expect(planExitCode([changes, { ...none, exitCode: ExitCode.unchecked }])).toBe(ExitCode.unchecked);
    // an unchecked section is not "no changes"
    expect(renderPlan([{ ...none, exitCode: ExitCode.unchecked }], false)).toBe('a:\n  not checked\n');
  });
});

test('container spec differences name each changed field', () => {
  const spec = {
    name: 'x',
    image: 'a:1',
    network: 'host',
    restart: 'always',
    binds: ['/a:/a'],
    env: { E: '1' },
    args: ['run'],
  };
  expect(specDifferences(spec, spec)).toEqual([]);
  expect(specDifferences(spec, { ...spec, image: 'a:2', binds: ['/b:/b'], env: {}, args: ['run', '-x'] })).toEqual([
    'image a:1 → a:2',
    'mount - /a:/a',
    'mount + /b:/b',
    'env E 1 → (unset)',
    'args run → run -x',
  ]);
});
