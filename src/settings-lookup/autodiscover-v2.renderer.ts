// Autodiscover v2 (`GET /autodiscover/autodiscover.json?Email=&Protocol=`) has no published
// specification; Outlook uses it only to find the POX endpoint, so AutodiscoverV1 is the one
// protocol answered. Some Outlook builds send `Autodiscoverv1`, which Exchange itself rejects,
// hence the case-insensitive match. Other values get Exchange's 400 body, with its list of
// supported values trimmed to what is served here.
const SUPPORTED_PROTOCOL = 'AutodiscoverV1';

export type AutodiscoverV2Answer =
  | { status: 200; body: { Protocol: 'AutodiscoverV1'; Url: string } }
  | { status: 400; body: { ErrorCode: 'InvalidProtocol'; ErrorMessage: string } };

/** `webHost` is the platform's HTTPS host that serves `/autodiscover/autodiscover.xml`. */
export function autodiscoverV2(protocol: string | undefined, webHost: string): AutodiscoverV2Answer {
  const requested = protocol ?? '';
  if (requested.toLowerCase() === SUPPORTED_PROTOCOL.toLowerCase()) {
    return {
      status: 200,
      body: { Protocol: SUPPORTED_PROTOCOL, Url: `https://${webHost}/autodiscover/autodiscover.xml` },
    };
  }
  return {
    status: 400,
    body: {
      ErrorCode: 'InvalidProtocol',
      ErrorMessage: `The given protocol value '${requested}' is invalid. Supported values are '${SUPPORTED_PROTOCOL}'`,
    },
  };
}
