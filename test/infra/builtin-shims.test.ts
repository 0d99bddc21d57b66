/**
 * The stand-ins the bundle's builtin shims use for members that Node loads lazily
 * (infra/builtin-shims/deferred.ts): nothing loads until first use, and then every use reaches the
 * real class or object.
 */
import { describe, expect, it } from 'vitest';
import { deferredClass, deferredObject } from '../../infra/builtin-shims/deferred.ts';

class Real {
  static kind = 'real';
  constructor(public readonly value: number) {}
  double(): number {
    return this.value * 2;
  }
}

function counting<T>(value: T): { load: () => T; loads: () => number } {
  let loads = 0;
  return { load: () => (loads++, value), loads: () => loads };
}

describe('deferredClass', () => {
  it('loads nothing until used, then makes real instances with new', () => {
    const { load, loads } = counting(Real);
    const Stand = deferredClass(load);
    expect(loads()).toBe(0);
    const made = new Stand(21);
    expect(loads()).toBeGreaterThan(0);
    expect(Object.getPrototypeOf(made)).toBe(Real.prototype);
    expect(made.double()).toBe(42);
  });

  it('answers instanceof as the real class does', () => {
    const Stand = deferredClass(() => Real);
    expect(new Real(1) instanceof Stand).toBe(true);
    expect(new Stand(1) instanceof Real).toBe(true);
    expect({ value: 1 } instanceof Stand).toBe(false);
    expect(new (class Other {})() instanceof Stand).toBe(false);
  });

  it('reads static members from the real class and can be extended', () => {
    const Stand = deferredClass(() => Real);
    expect(Stand.kind).toBe('real');
    class Sub extends Stand {
      triple(): number {
        return this.value * 3;
      }
    }
    const made = new Sub(2);
    expect(made).toBeInstanceOf(Sub);
    expect(made).toBeInstanceOf(Real);
    expect([made.double(), made.triple()]).toEqual([4, 6]);
  });
});

describe('deferredObject', () => {
  it('loads nothing until a property is read, then reads the real one', async () => {
    const real = { readFile: async (name: string) => `contents of ${name}` };
    const { load, loads } = counting(real);
    const promises = deferredObject(load);
    expect(loads()).toBe(0);
    expect(await promises.readFile('a')).toBe('contents of a');
    expect(loads()).toBe(1);
    expect('readFile' in promises).toBe(true);
    expect('writeFile' in promises).toBe(false);
  });
});
