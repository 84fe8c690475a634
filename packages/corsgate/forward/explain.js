// `corsgate/explain` forwards to @corsgate/explain (an optional peer), as `corsgate/scan` does.
export * from '@corsgate/explain';
