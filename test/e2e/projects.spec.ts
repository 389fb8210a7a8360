import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from './serveFixture';

test.describe('Projects view in web mode', () => {
  test('create a project, see it listed, close it and reopen it from the recent list', async ({
    page,
    served,
  }) => {
    await page.goto(served.url);
    await expect(page.getByTestId('view-projects')).toBeVisible();
    await expect(page.getByTestId('header-transport')).toContainText(/web/i);
    // The token leaves the address bar once the page has it.
    await expect.poll(() => page.url()).not.toContain('token=');

    await page.getByTestId('create-name').fill('Resting-state MEG');
    await page.getByTestId('create-folder').fill(served.dir);
    await page.getByTestId('create-filename').fill('resting');
    await expect(page.getByTestId('create-path-preview')).toContainText(
      join(served.dir, 'resting.modescope'),
    );
    await page.getByTestId('create-submit').click();

    await expect(page.getByTestId('current-project-name')).toHaveText('Resting-state MEG');
    await expect(page.getByTestId('header-project-name')).toHaveText('Resting-state MEG');
    const item = page.getByTestId('recent-item').filter({ hasText: 'resting.modescope' });
    await expect(item).toHaveCount(1);
    await page.screenshot({ path: 'test-results/screenshots/projects-created.png', fullPage: true });

    await page.getByTestId('current-project-close').click();
    await expect(page.getByTestId('no-project')).toBeVisible();
    await expect(page.getByTestId('header-no-project')).toBeVisible();

    await item.getByTestId('recent-open').click();
    await expect(page.getByTestId('current-project-name')).toHaveText('Resting-state MEG');

    // A reload keeps the session (token kept for this tab) and the open project.
    await page.reload();
    await expect(page.getByTestId('current-project-name')).toHaveText('Resting-state MEG');
  });

  test('opening a file that is not a project shows a clear error', async ({ page, served }) => {
    const notes = join(served.dir, 'notes.modescope');
    writeFileSync(notes, 'not a database\n'.repeat(100));
    await page.goto(served.url);
    await page.getByTestId('open-path').fill(notes);
    await page.getByTestId('open-submit').click();
    const error = page.getByTestId('open-error');
    await expect(error).toBeVisible();
    await expect(error).toContainText(/NOT_A_PROJECT|not a ModeScope project/i);
    await page.screenshot({ path: 'test-results/screenshots/projects-open-error.png', fullPage: true });
    await error.getByTestId('open-error-dismiss').click();
    await expect(error).toBeHidden();
  });

  test('a page without the token gets an explanation, not the app', async ({ page, served }) => {
    const response = await page.goto(`http://127.0.0.1:${served.port}/`);
    expect(response?.status()).toBe(401);
    await expect(page.locator('body')).toContainText('access token');
  });
});
