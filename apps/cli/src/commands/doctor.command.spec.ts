import { BACKEND_ENV_VAR, TENSOR_BACKENDS, probeTensorBackend } from '@nasx/tensor';
import { WORKSPACE } from '../cli-test-helpers';
import type { CliIO } from '../io';
import { doctorCommand } from './doctor.command';

async function doctor(json: boolean, env: string | undefined): Promise<{ code: number; out: string; err: string }> {
  const before = process.env[BACKEND_ENV_VAR];
  if (env === undefined) delete process.env[BACKEND_ENV_VAR];
  else process.env[BACKEND_ENV_VAR] = env;
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => void (out += t), err: (t) => void (err += t), errIsTTY: false, cwd: WORKSPACE, env: {} };
  try {
    return { code: await doctorCommand(io, { json }), out, err };
  } finally {
    if (before === undefined) delete process.env[BACKEND_ENV_VAR];
    else process.env[BACKEND_ENV_VAR] = before;
  }
}

interface Report {
  backend: { name: string; source: string } | null;
  backends: { name: string; status: string; reason?: string; enable: string }[];
  cores: number;
  onednn: { version: string; isa: string } | null;
}

describe('nasx doctor', () => {
  it('names the backend in use, every other backend with its status and reason, and how to enable each', async () => {
    const { code, out } = await doctor(true, 'wasm');
    expect(code).toBe(0);
    const r = JSON.parse(out) as Report;
    expect(r.backend).toMatchObject({ name: 'wasm', source: 'env' });
    expect(r.backends.map((b) => b.name)).toEqual([...TENSOR_BACKENDS]);
    expect(r.backends.filter((b) => b.status === 'in use').map((b) => b.name)).toEqual(['wasm']);
    for (const b of r.backends) expect(b.enable.length).toBeGreaterThan(0);
    expect(r.backends.find((b) => b.name === 'onednn')!.enable).toMatch(/apt-get install libdnnl-dev/);
    expect(r.backends.find((b) => b.name === 'cpu')).toMatchObject({ status: 'available', reason: 'slower than the one in use' });
    expect(r.cores).toBeGreaterThanOrEqual(1);
    // oneDNN is described exactly when its addon loads here.
    const onednn = probeTensorBackend('onednn');
    expect(r.onednn !== null).toBe(onednn.available);
    const row = r.backends.find((b) => b.name === 'onednn')!;
    if (onednn.available) expect(row).toMatchObject({ status: 'passed over', reason: `${BACKEND_ENV_VAR}=wasm chose wasm` });
    else expect(row).toMatchObject({ status: 'not available', reason: onednn.reason });
  });

  it('prints the same as lines for a person', async () => {
    const { code, out } = await doctor(false, 'wasm');
    expect(code).toBe(0);
    expect(out).toMatch(/^backend in use: wasm \(NASX_BACKEND=wasm/);
    expect(out).toMatch(/^cores: \d+$/m);
    for (const name of TENSOR_BACKENDS) expect(out).toMatch(new RegExp(`^  ${name} +(in use|available|passed over|not available)`, 'm'));
    expect(out).toMatch(/to enable: apt-get install libdnnl-dev g\+\+|^ {2}onednn +available/m);
  });

  it('a bad NASX_BACKEND: still lists the backends, prints the error with its fix, exits 1', async () => {
    const { code, out, err } = await doctor(false, 'tpu');
    expect(code).toBe(1);
    expect(out).toMatch(/^backend in use: none$/m);
    expect(err).toMatch(/NASX_BACKEND="tpu" is not a tensor backend.*Fix: set NASX_BACKEND to one of auto, .*onednn/s);
    expect(err).not.toMatch(/\n\s+at /);
  });
});
