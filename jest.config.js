/** Unit, conformance and gateway tests. Type checking is `tsc --noEmit` (npm run typecheck). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/shared', '<rootDir>/miniprogram/src/utils', '<rootDir>/deploy', '<rootDir>/server', '<rootDir>/cloudfunctions', '<rootDir>/localcloud', '<rootDir>/proof', '<rootDir>/scripts'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2020' } }] },
  moduleNameMapper: { '^wx-server-sdk$': '<rootDir>/localcloud/sdk/index.ts' },
  testTimeout: 60000,
};
