// Jest: TypeScript through SWC (type checking is `npm run typecheck`).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/main', '<rootDir>/renderer', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The real-kernel tests boot QEMU; they run with their own config (`npm run test:e2e`).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  testTimeout: 30000,
};
