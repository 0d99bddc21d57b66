/**
 * A loopback port that refuses connections, for tests of an upstream or AWS endpoint that cannot be
 * reached. Not a port taken by `listen(0)` and closed again: the kernel may hand that port to the next
 * `listen(0)`, in the same file or in one running beside it (seen in CI: such a "closed" port answered
 * 400). Port 1 lies below the ephemeral range `listen(0)` draws from and is privileged: no test
 * server can be given it. Checked before use: a connection to it must be refused.
 */
import { connect } from 'node:net';

const UNREACHABLE_PORT = 1;

/** @returns the port, once a connection to 127.0.0.1 on it was refused. */
export async function unreachablePort(): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const socket = connect(UNREACHABLE_PORT, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      reject(new Error(`something listens on 127.0.0.1:${UNREACHABLE_PORT}; these tests need it refused`));
    });
    socket.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNREFUSED' ? resolve() : reject(error)));
  });
  return UNREACHABLE_PORT;
}
