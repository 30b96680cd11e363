import { Mt19937, numpyPermutation, sklearnTrainTestSplit } from './numpy-random';

// Expected values printed by NumPy 1.24.2 and scikit-learn 1.2.1:
//   np.random.RandomState(0).permutation(10), …(300)[:20], RandomState(7).permutation(70000)[:10];
//   a, b = train_test_split(np.arange(8528), test_size=0.2, random_state=0)
//   c, d = train_test_split(b, test_size=0.5, random_state=0)
describe('NumPy RandomState and scikit-learn train_test_split, bit for bit', () => {
  it('MT19937 seeded with 5489 gives the reference first output 3499211612', () => {
    expect(new Mt19937(5489).nextUint32()).toBe(3499211612);
  });

  it('permutation equals RandomState(seed).permutation(n)', () => {
    expect(Array.from(numpyPermutation(10, 0))).toEqual([2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
    expect(Array.from(numpyPermutation(300, 0).subarray(0, 20))).toEqual([
      208, 188, 12, 221, 239, 136, 230, 206, 52, 108, 290, 15, 184, 248, 22, 74, 270, 90, 229, 164,
    ]);
    expect(Array.from(numpyPermutation(70000, 7).subarray(0, 10))).toEqual([7653, 66274, 9119, 10760, 43166, 24247, 3682, 37283, 69446, 65011]);
  });

  it("train_test_split of NAS-Bench-360's ECG records (8,528): 6,822 / 853 / 853 and the same rows", () => {
    const first = sklearnTrainTestSplit(8528, 0.2, 0);
    expect([first.train.length, first.test.length]).toEqual([6822, 1706]);
    expect(Array.from(first.test.subarray(0, 5))).toEqual([2044, 2916, 274, 6817, 4750]);
    expect(Array.from(first.train.subarray(0, 5))).toEqual([6692, 3768, 1352, 2434, 4431]);
    const second = sklearnTrainTestSplit(first.test.length, 0.5, 0);
    const val = Array.from(second.train, (i) => first.test[i]!);
    const test = Array.from(second.test, (i) => first.test[i]!);
    expect([val.length, test.length]).toEqual([853, 853]);
    expect(val.slice(0, 5)).toEqual([7757, 6966, 5341, 1912, 2938]);
    expect(test.slice(0, 5)).toEqual([4773, 3424, 3338, 4089, 2990]);
  });

  it('refuses fractions and sizes that leave a part empty', () => {
    expect(() => sklearnTrainTestSplit(1, 0.5, 0)).toThrow(/cannot be split/);
    expect(() => sklearnTrainTestSplit(10, 1, 0)).toThrow(/testFraction/);
  });
});
