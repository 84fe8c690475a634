export * from '@corsgate/scan';
