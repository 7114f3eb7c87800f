import { specDifferences } from '../../legacy/deploy/container-spec';
import { wantsColor } from '../../legacy/deploy/output';
import { deploySection, renderPlan } from '../../legacy/deploy/plan-output';

describe('output', () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  test('colour only on a terminal, and never with NO_COLOR set', () => {
    expect(wantsColor(tty, {})).toBe(true);
    expect(wantsColor(tty, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ isTTY: false } as NodeJS.WriteStream, {})).toBe(false);
  });

  test('the plan is a list of sections another area can append to', () => {
    const deploy = deploySection({ actions: [{ kind: 'reload' }], blockers: [] });
    const dns = { title: 'DNS', items: [{ mark: '+' as const, text: 'CNAME alloy-legacy' }] };
    expect(renderPlan([deploy, dns], false)).toBe(
      'legacy Alloy (deploy):\n  ~ reload alloy-legacy (POST /-/reload, no restart)\nDNS:\n  + CNAME alloy-legacy\n',
    );
    expect(renderPlan([deploy], true)).toContain('\u001b[33m~\u001b[0m');
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
