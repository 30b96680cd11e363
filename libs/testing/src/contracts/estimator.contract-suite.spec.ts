import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { toyEstimator } from '../fixtures/toy.estimator';
import { describeEstimatorContract } from './estimator.contract-suite';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

describeEstimatorContract(toyEstimator, { deterministic: true });

describe('describeEstimatorContract tests what it says', () => {
  it('fails an estimator whose estimateMany loses an architecture, or whose estimates are not reproducible from the trial seed', () => {
    // The suite on a flawed fixture, in a child jest (a failing suite cannot be observed in-process).
    const r = spawnSync(
      process.execPath,
      [
        require.resolve('jest/bin/jest'),
        '--rootDir',
        ROOT,
        '--json',
        '--maxWorkers=1',
        '--testPathIgnorePatterns',
        '/node_modules/',
        '/dist/',
        '--',
        'libs/testing/src/contracts/__fixtures__/flawed-estimator.contract.spec.ts',
      ],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NASX_DEBUG: '' } },
    );
    const report = JSON.parse(r.stdout) as { testResults: { assertionResults: { title: string; status: string }[] }[] };
    const results = report.testResults.flatMap((t) => t.assertionResults);
    const status = (title: RegExp) => results.find((a) => title.test(a.title))?.status;
    expect(results.length).toBe(5);
    expect(status(/^estimates a batch/)).toBe('failed');
    expect(status(/^is reproducible: /)).toBe('failed');
    expect(status(/^declares its metrics/)).toBe('passed');
    expect(r.status).toBe(1);
  });
});
