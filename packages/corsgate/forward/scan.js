// `corsgate/scan` forwards to the scanner's own package, @corsgate/scan (an optional peer),
// so that code written against the single package keeps working.
export * from '@corsgate/scan';
