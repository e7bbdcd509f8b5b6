// hostagentd with faults injected, for throwing-handler-kills-daemon.test.ts: the real daemon,
// except that its dispatcher misbehaves for a few made-up method names and agent.reload's
// handler throws a plain Error.
import { Dispatcher, type CallContext } from '../../src/rpc/index.ts';
import { Daemon } from '../../src/app/index.ts';

const handle = Dispatcher.prototype.handle;
Dispatcher.prototype.handle = function (this: Dispatcher, message: unknown, ctx: CallContext) {
  const m = message as { method?: unknown } | null;
  switch (m?.method) {
    case 'fault.throw':
      throw new TypeError('injected: the dispatcher threw');
    case 'fault.reject':
      return Promise.reject(new RangeError('injected: the dispatcher rejected'));
    case 'fault.strayRejection':
      void Promise.reject(new Error('injected: a rejection nobody handles'));
      return handle.call(this, { ...m, method: 'agent.status' }, ctx);
    case 'fault.strayException':
      setImmediate(() => { throw new Error('injected: an exception nobody catches'); });
      return handle.call(this, { ...m, method: 'agent.status' }, ctx);
    default:
      return handle.call(this, message, ctx);
  }
};
Daemon.prototype.reload = () => {
  throw new Error('injected: agent.reload handler failed');
};

await import('../../bin/hostagentd.ts');
