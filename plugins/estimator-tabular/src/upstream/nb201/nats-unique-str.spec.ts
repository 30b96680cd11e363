import { nb201OpsOfCode } from '../../tabular/nb201.table';
import { nb201UniqueStr } from '@nasx/search-space-nb201';
import { natsUniqueStr } from './nats-unique-str';

describe('natsUniqueStr', () => {
  it("equals the nb201 search space's nb201UniqueStr on all 15,625 cells", () => {
    const differ: number[] = [];
    for (let code = 0; code < 15625; code++) {
      const ops = nb201OpsOfCode(code);
      if (natsUniqueStr(ops) !== nb201UniqueStr(ops)) differ.push(code);
    }
    expect(differ).toEqual([]);
  });
});
