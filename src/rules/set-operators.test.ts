import { setApplies } from './set-operators';

const eq = (a: string, b: string): boolean => a === b;

describe('setApplies (USBGuard set operators)', () => {
  it('an empty rule set applies to anything', () => {
    expect(setApplies('equals', [], ['a'], eq)).toBe(true);
    expect(setApplies('none-of', [], [], eq)).toBe(true);
  });

  it('a bare value means equals: same size and every rule value present', () => {
    expect(setApplies(undefined, ['a'], ['a'], eq)).toBe(true);
    expect(setApplies(undefined, ['a'], ['b'], eq)).toBe(false);
    expect(setApplies(undefined, ['a'], ['a', 'b'], eq)).toBe(false);
  });

  it('equals ignores order but not size', () => {
    expect(setApplies('equals', ['b', 'a'], ['a', 'b'], eq)).toBe(true);
    expect(setApplies('equals', ['a', 'b'], ['a', 'b', 'c'], eq)).toBe(false);
  });

  it('equals-ordered compares position by position', () => {
    expect(setApplies('equals-ordered', ['a', 'b'], ['a', 'b'], eq)).toBe(true);
    expect(setApplies('equals-ordered', ['b', 'a'], ['a', 'b'], eq)).toBe(false);
  });

  it('all-of needs every rule value among the device values', () => {
    expect(setApplies('all-of', ['a', 'b'], ['a', 'b', 'c'], eq)).toBe(true);
    expect(setApplies('all-of', ['a', 'd'], ['a', 'b', 'c'], eq)).toBe(false);
  });

  it('one-of needs at least one', () => {
    expect(setApplies('one-of', ['x', 'c'], ['a', 'b', 'c'], eq)).toBe(true);
    expect(setApplies('one-of', ['x', 'y'], ['a'], eq)).toBe(false);
  });

  it('none-of needs none', () => {
    expect(setApplies('none-of', ['x', 'y'], ['a'], eq)).toBe(true);
    expect(setApplies('none-of', ['x', 'a'], ['a'], eq)).toBe(false);
  });

  it('match-all needs every device value covered by the rule', () => {
    expect(setApplies('match-all', ['a', 'b', 'c'], ['a', 'c'], eq)).toBe(true);
    expect(setApplies('match-all', ['a'], ['a', 'c'], eq)).toBe(false);
  });
});
