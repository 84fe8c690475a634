export * from '@corsgate/explain';
