import { textTable } from './text-table';

describe('textTable', () => {
  it('pads columns to their widest cell, aligning as asked, with a rule under the headers', () => {
    expect(textTable(['name', 'n'], [['keyboard', '1'], ['hub', '120']], ['left', 'right'])).toBe(
      ['name        n', '--------  ---', 'keyboard    1', 'hub       120', ''].join('\n'),
    );
  });
});
