import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Variables that differ per function although every handler runs in this one
 * process: on AWS each Lambda's execution environment has its own
 * AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (its role's credentials), so
 * LocalIam can tell which function made a call. `process.env` is replaced
 * once by a view that answers those names from the invocation being run
 * (AsyncLocalStorage follows it through every await and timer it starts)
 * and everything else from the shared environment. The AWS SDK reads the
 * credentials at a client's first call, which happens inside an invocation,
 * and each function has its own module instance and so its own clients.
 * Outside any invocation (the stack's set-up, tests) the shared values apply.
 */
const scope = new AsyncLocalStorage<Readonly<Record<string, string>>>();
let installed = false;

/** Runs `work` (and all it starts) with these variables in front of the shared environment. */
export function runWithEnvironment<T>(variables: Readonly<Record<string, string>>, work: () => T): T {
  install();
  return scope.run(variables, work);
}

function install(): void {
  if (installed) return;
  installed = true;
  const shared = process.env;
  const own = (key: string | symbol): string | undefined => {
    if (typeof key !== 'string') return undefined;
    const variables = scope.getStore();
    return variables && Object.hasOwn(variables, key) ? variables[key] : undefined;
  };
  process.env = new Proxy(shared, {
    get: (target, key) => own(key) ?? Reflect.get(target, key),
    // process.env takes only plain values set on itself (not through a proxy receiver).
    set: (target, key, value) => Reflect.set(target, key, value),
    has: (target, key) => own(key) !== undefined || Reflect.has(target, key),
    getOwnPropertyDescriptor: (target, key) => {
      const value = own(key);
      if (value === undefined || !Reflect.has(target, key))
        return Reflect.getOwnPropertyDescriptor(target, key);
      return { value, writable: true, enumerable: true, configurable: true };
    },
  });
}
