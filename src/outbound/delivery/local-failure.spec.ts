import { Prisma } from '../../generated/prisma/client.js';
import { isInfrastructureFailure, localDeferral } from './local-failure.js';

const prismaError = (code: string, kind?: string) => new Prisma.PrismaClientKnownRequestError('failed', {
  code, clientVersion: '6.19.3', ...(kind && { meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { kind } } } }),
});

describe('local delivery failures', () => {
  it('leaves PostgreSQL being unusable to the job queue', () => {
    expect(isInfrastructureFailure(prismaError('P1001', 'DatabaseNotReachable'))).toBe(true);
    expect(isInfrastructureFailure(prismaError('P2024'))).toBe(true);
    expect(isInfrastructureFailure(prismaError('P2010', 'ConnectionClosed'))).toBe(true);
    expect(isInfrastructureFailure(new Prisma.PrismaClientInitializationError('no database', '6.19.3'))).toBe(true);
  });

  it('treats everything else as a fault of our own, deferred locally', () => {
    expect(isInfrastructureFailure(prismaError('P2002'))).toBe(false);
    expect(isInfrastructureFailure(new Error('Unsupported state or unable to authenticate data'))).toBe(false);
    expect(isInfrastructureFailure(new TypeError("Cannot read properties of undefined (reading 'exchange')"))).toBe(false);
    expect(isInfrastructureFailure('thrown string')).toBe(false);
  });

  it('records the message on one line, never the stack', () => {
    const error = new Error('key cannot\nbe opened');
    expect(localDeferral(error)).toEqual({
      outcome: 'deferred', code: null, enhanced: '4.3.0', errorCode: 'ELOCAL', response: 'local error, will retry: key cannot be opened',
    });
    expect(localDeferral(new Error('x'.repeat(1000))).response.length).toBe(300);
  });
});
