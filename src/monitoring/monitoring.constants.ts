// Limits and schedules of the live probe of the mail services, in one place.

// Certificates are renewed 30 days before expiry by ACME clients; under 14 days left, renewal
// has been failing for two weeks and someone has to look.
export const CERTIFICATE_EXPIRY_WARNING_DAYS = 14;

// Probes run side by side, but not all at once against one server.
export const MAX_PARALLEL_PROBES = 8;

// How often the worker probes every advertised endpoint.
export const PROBE_MAIL_SERVICES_EVERY_MS = 15 * 60_000;
