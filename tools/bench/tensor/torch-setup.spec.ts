// The fairness gate of the PyTorch comparison (torch-setup.cjs): the bench must refuse to report
// against a reference BLAS or with fewer threads than cores, and name the set-up it measured.

interface TorchInfo {
  torch: string;
  threads: number;
  blas_libraries: string[];
  openblas: { config: string; threads: number; library: string } | null;
  matmul1024_gflops: number;
}
interface Problem {
  problem: string;
  fix: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a .cjs bench script has no typings
const setup = require('./torch-setup.cjs') as {
  classifyBlas(paths: string[]): { kind: string; variant?: string; library?: string };
  fairnessProblems(info: TorchInfo, cores: number): Problem[];
  describeTorchSetup(info: TorchInfo, debianTorchVersion?: string): string;
};

const LIB = '/usr/lib/x86_64-linux-gnu';
/** What `torch_nb201.py info` printed on a 2-core machine with libopenblas0-pthread. */
const OPENBLAS: TorchInfo = {
  torch: '1.13.0a0',
  threads: 2,
  blas_libraries: [`${LIB}/openblas-pthread/liblapack.so.3`, `${LIB}/openblas-pthread/libopenblasp-r0.3.21.so`, `${LIB}/openblas-pthread/libblas.so.3`],
  openblas: {
    config: 'OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64',
    threads: 2,
    library: `${LIB}/openblas-pthread/liblapack.so.3`,
  },
  matmul1024_gflops: 26.1,
};
/** The same machine with Debian's reference BLAS first (libblas3). */
const REFERENCE: TorchInfo = {
  ...OPENBLAS,
  blas_libraries: [`${LIB}/lapack/liblapack.so.3.11.0`, `${LIB}/blas/libblas.so.3.11.0`],
  openblas: null,
  matmul1024_gflops: 2.7,
};

describe('the PyTorch side of the vs-torch bench is checked before it reports', () => {
  it('accepts PyTorch on every core with multi-threaded OpenBLAS, and names the set-up', () => {
    expect(setup.fairnessProblems(OPENBLAS, 2)).toEqual([]);
    expect(setup.describeTorchSetup(OPENBLAS, '1.13.1+dfsg-4')).toBe('PyTorch 1.13.1 Debian, OpenBLAS 0.3.21 pthread, 2 threads');
  });

  it('refuses the reference BLAS, saying how to install and select OpenBLAS', () => {
    const problems = setup.fairnessProblems(REFERENCE, 2);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.problem).toMatch(/reference BLAS .*blas\/libblas\.so\.3\.11\.0.*2\.7 GFLOP\/s/);
    expect(problems[0]!.fix).toContain('apt-get install libopenblas0-pthread');
    expect(problems[0]!.fix).toContain('update-alternatives --display libblas.so.3-x86_64-linux-gnu');
    expect(setup.describeTorchSetup(REFERENCE, '1.13.1+dfsg-4')).toBe('PyTorch 1.13.1 Debian, reference BLAS, 2 threads');
  });

  it('refuses when it cannot tell the BLAS, or when an optimised one runs at reference speed', () => {
    expect(setup.fairnessProblems({ ...OPENBLAS, blas_libraries: [], openblas: null }, 2).map((p) => p.problem)).toEqual([
      expect.stringContaining('cannot tell which BLAS'),
    ]);
    expect(setup.fairnessProblems({ ...OPENBLAS, matmul1024_gflops: 1.9 }, 2).map((p) => p.problem)).toEqual([
      expect.stringContaining('1.9 GFLOP/s, the speed of a reference BLAS'),
    ]);
  });

  it('refuses fewer PyTorch or OpenBLAS threads than cores (the serial OpenBLAS included)', () => {
    expect(setup.fairnessProblems(OPENBLAS, 4).map((p) => p.problem)).toEqual([
      'PyTorch runs 2 intra-op threads on a 4-core machine',
      'OpenBLAS runs 2 thread(s) on a 4-core machine',
    ]);
    const serial: TorchInfo = {
      ...OPENBLAS,
      blas_libraries: [`${LIB}/openblas-serial/libblas.so.3`],
      openblas: { ...OPENBLAS.openblas!, threads: 1, library: `${LIB}/openblas-serial/libblas.so.3` },
    };
    const problems = setup.fairnessProblems(serial, 2);
    expect(problems.map((p) => p.problem)).toEqual(['OpenBLAS runs 1 thread(s) on a 2-core machine (the serial build)']);
    expect(problems[0]!.fix).toContain('install libopenblas0-pthread');
  });

  it('tells the BLAS kinds apart by the libraries mapped into the process', () => {
    expect(setup.classifyBlas(OPENBLAS.blas_libraries)).toMatchObject({ kind: 'openblas', variant: 'pthread' });
    expect(setup.classifyBlas(REFERENCE.blas_libraries)).toMatchObject({ kind: 'reference' });
    expect(setup.classifyBlas([`${LIB}/blis-openmp/libblas.so.3`])).toMatchObject({ kind: 'blis' });
    expect(setup.classifyBlas(['/opt/intel/mkl/lib/libmkl_rt.so.2'])).toMatchObject({ kind: 'mkl' });
    expect(setup.classifyBlas([`${LIB}/libgomp.so.1`])).toMatchObject({ kind: 'unknown' });
  });
});
