/**
 * Stand-ins for a builtin's lazy members (a class, a namespace object) that load it on first use.
 * Node defines some exports as getters that load whole subsystems (`fs.promises`, `fs.ReadStream`),
 * and reading them at import, as a shim's `export const { … } = builtin` would, pays for that at init.
 */

/**
 * A class that is the real one in every use: `new`, `instanceof` (through its `prototype`), its
 * static members, and `extends` (the subclass's `new.target` is kept).
 *
 * @example export const ReadStream = deferredClass(() => process.getBuiltinModule('node:fs').ReadStream);
 */
export function deferredClass<T extends abstract new (...args: never[]) => unknown>(load: () => T): T {
  const stand: T = new Proxy(function deferred() {} as unknown as T, {
    construct: (_target, args, newTarget): object => Reflect.construct(load() as unknown as new (...args: unknown[]) => object, args, newTarget === stand ? load() : newTarget),
    get: (_target, name) => Reflect.get(load(), name),
    has: (_target, name) => Reflect.has(load(), name),
    getPrototypeOf: () => Reflect.getPrototypeOf(load()),
  });
  return stand;
}

/**
 * An object whose properties are read from the real one on each use (methods keep no `this`).
 *
 * @example export const promises = deferredObject(() => process.getBuiltinModule('node:fs').promises);
 */
export function deferredObject<T extends object>(load: () => T): T {
  return new Proxy({} as T, {
    get: (_target, name) => Reflect.get(load(), name),
    has: (_target, name) => Reflect.has(load(), name),
  });
}
