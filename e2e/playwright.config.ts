import { defineConfig } from '@playwright/test';
import { execSync } from 'node:child_process';

// One server for the run, on a free port, with a fresh database (see serve.sh). The port
// and credentials are put in the environment once, so the test workers see the same.
if (!process.env.PORTCULLIS_E2E_PORT) {
  process.env.PORTCULLIS_E2E_PORT = execSync(
    `node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"`,
  ).toString().trim();
  process.env.PORTCULLIS_E2E_ADMIN = 'e2e-admin';
  process.env.PORTCULLIS_E2E_ADMIN_PASSWORD = 'e2e admin passphrase';
  process.env.PORTCULLIS_E2E_ADMIN_TOKEN = `pcadmin_e2e_${Date.now()}_0123456789abcdef`;
}
const baseURL = `http://127.0.0.1:${process.env.PORTCULLIS_E2E_PORT}`;

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? 'list' : [['list']],
  outputDir: './test-results',
  use: {
    baseURL,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: './serve.sh',
    url: `${baseURL}/readyz`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
