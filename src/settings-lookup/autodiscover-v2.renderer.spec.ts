import { autodiscoverV2 } from './autodiscover-v2.renderer.js';

describe('autodiscoverV2', () => {
  it.each(['AutodiscoverV1', 'Autodiscoverv1', 'AUTODISCOVERV1'])('points %s at the POX endpoint', (protocol) => {
    expect(autodiscoverV2(protocol, 'mail.example.net')).toEqual({
      status: 200,
      body: { Protocol: 'AutodiscoverV1', Url: 'https://mail.example.net/autodiscover/autodiscover.xml' },
    });
  });

  it('answers another protocol with the InvalidProtocol error', () => {
    expect(autodiscoverV2('ActiveSync', 'mail.example.net')).toEqual({
      status: 400,
      body: {
        ErrorCode: 'InvalidProtocol',
        ErrorMessage: "The given protocol value 'ActiveSync' is invalid. Supported values are 'AutodiscoverV1'",
      },
    });
  });

  it('answers a missing protocol with the same error', () => {
    expect(autodiscoverV2(undefined, 'mail.example.net')).toMatchObject({
      status: 400,
      body: { ErrorMessage: "The given protocol value '' is invalid. Supported values are 'AutodiscoverV1'" },
    });
  });
});
