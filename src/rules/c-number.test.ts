/** Unit tests of the std::stod model behind random(...): what it accepts and which range errors it raises. */
import { stodAccepts, stodValue } from './c-number';

describe('stodAccepts', () => {
  it.each([
    ['0.5', true],
    ['5', true],
    ['-1', true],
    [' \t0.5', true],
    ['0.5abc', true],
    ['.5', true],
    ['5.', true],
    ['+.5e1', true],
    ['1e', true],
    ['1e+', true],
    ['nan', true],
    ['NaN(123', true],
    ['inf', true],
    ['-INFINITY', true],
    ['0x10', true],
    ['0x', true],
    ['0x.8', true],
    ['0xg', true],
    ['0e-999', true],
    ['0x0p-99999', true],
    ['abc', false],
    ['.', false],
    ['-', false],
    ['na', false],
    ['in', false],
    ['\\x35', false],
  ])('std::stod(%j) %s', (text, accepted) => {
    expect(stodAccepts(text)).toBe(accepted);
  });

  it('refuses overflow to infinity, as ERANGE', () => {
    expect(stodAccepts('1.7976931348623157e308')).toBe(true);
    expect(stodAccepts('1.7976931348623159e308')).toBe(false);
    expect(stodAccepts('1e400')).toBe(false);
    expect(stodAccepts('0x1.fffffffffffff7p1023')).toBe(true);
    expect(stodAccepts('0x1.fffffffffffff8p1023')).toBe(false);
    expect(stodAccepts('1e99999999999999999999')).toBe(false);
  });

  it('refuses inexact underflow (tiny after rounding) but accepts exact subnormals', () => {
    expect(stodAccepts('2.2250738585072014e-308')).toBe(true);
    expect(stodAccepts('2.2250738585072011e-308')).toBe(false);
    expect(stodAccepts('4.9e-324')).toBe(false);
    expect(stodAccepts('1e-400')).toBe(false);
    expect(stodAccepts('0x1p-1074')).toBe(true);
    expect(stodAccepts('0x1p-1022')).toBe(true);
    expect(stodAccepts('0x1p-1075')).toBe(false);
    expect(stodAccepts('0x1.8p-1074')).toBe(false);
    expect(stodAccepts('0x1.fffffffffffffp-1023')).toBe(false);
  });
});

describe('stodValue', () => {
  it.each([
    ['0.5', 0.5],
    ['  +0.25xyz', 0.25],
    ['-1', -1],
    ['5', 5],
    ['1e-1', 0.1],
    ['0x1p-1', 0.5],
    ['.5', 0.5],
    ['inf', Infinity],
    ['-INFINITY', -Infinity],
  ])('reads %j as %d', (text, value) => {
    expect(stodValue(text)).toBe(value);
  });

  it('reads nan as NaN', () => {
    expect(stodValue('nan')).toBeNaN();
  });
});
