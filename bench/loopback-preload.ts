/**
 * Preload (`node --import`) for servers that listen on every interface when no host is given
 * (the Portkey gateway's `serve({ port })`): binds them to 127.0.0.1 instead, so nothing the
 * benchmark starts is reachable from outside this machine.
 */
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(this: net.Server, ...args: unknown[]) {
  const [first] = args;
  if (typeof first === 'number' || typeof first === 'string') {
    if (args.length > 1 && args[1] === undefined) args[1] = '127.0.0.1';
    else if (typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
  } else if (first && typeof first === 'object' && !('host' in first) && !('path' in first)) {
    args[0] = { ...first, host: '127.0.0.1' };
  }
  return listen.apply(this, args as Parameters<typeof listen>);
} as typeof listen;
