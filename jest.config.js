// Jest: TypeScript through SWC (type checking is `npm run typecheck`).
const swc = (syntax) => ['@swc/jest', { jsc: { parser: { syntax }, target: 'es2022' } }];
/** ES-module-only packages the server uses (openid-client and what it imports): jest's CommonJS loader cannot load them, so SWC turns them into CommonJS as it does our TypeScript. */
const ESM_PACKAGES = ['openid-client', 'oauth4webapi', 'jose'];
const esmPackagePath = `/node_modules/(${ESM_PACKAGES.join('|')})/`;

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/main', '<rootDir>/renderer', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The real-kernel tests boot QEMU; they run with their own config (`npm run test:e2e`).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/'],
  transform: { '^.+\\.ts$': swc('typescript'), [`${esmPackagePath}.+\\.js$`]: swc('ecmascript') },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  testTimeout: 30000,
};
