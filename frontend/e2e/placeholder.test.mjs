// The screens that later issues fill: each must already be calm, readable and lead home.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { assertFits, assertNoPageErrors, launchBrowser, openKiosk, screenshot, startServer } from './helpers.mjs'

let server
let browser

before(async () => {
  server = await startServer()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

describe('coming-soon and placeholder screens', () => {
  for (const [choice, title, path] of [
    ['lookup', '优待查询', '/kiosk/lookup'],
    ['visit', '来访登记', '/kiosk/visit'],
  ]) {
    test(`${title} says it is coming and leads home`, async () => {
      const page = await openKiosk(browser.context, server.url)
      await page.click(`[data-test=choice-${choice}]`)
      await page.locator('[data-test=coming-soon]').waitFor()
      assert.equal(new URL(page.url()).pathname, path)
      await page.getByRole('heading', { name: title }).waitFor()
      await page.getByText('即将开放', { exact: true }).waitFor()
      await page.getByText('请咨询工作人员').waitFor()
      await page.locator('[data-test=home]').waitFor()
      await screenshot(page, `kiosk-soon-${choice}`)
      await assertFits(page, title)

      await page.click('[data-test=primary]')
      await page.locator('[data-test=choice-ticket]').waitFor()
      assertNoPageErrors(page)
      await page.close()
    })
  }

  test('the header home button works on a coming-soon screen, in English too', async () => {
    const page = await openKiosk(browser.context, server.url)
    await page.click('[data-test=lang-en]')
    await page.click('[data-test=choice-visit]')
    await page.getByText('Coming soon').waitFor()
    await page.getByText('Please ask a member of staff').waitFor()
    await screenshot(page, 'kiosk-soon-visit-en')
    await page.click('[data-test=home]')
    await page.locator('[data-test=choice-ticket]').waitFor()
    await page.getByText('Take a ticket', { exact: true }).waitFor()
    await page.close()
  })

  test('?idle=W,C shortens the idle reset for this page', async () => {
    const page = await openKiosk(browser.context, server.url, { path: '/kiosk/lookup?idle=1,1' })
    await page.locator('[data-test=idle-warning]').waitFor({ state: 'visible', timeout: 4_000 })
    await page.locator('[data-test=choice-ticket]').waitFor({ timeout: 4_000 })
    assert.equal(new URL(page.url()).pathname, '/')
    await page.close()
  })

  test('staff and board placeholders, and an unknown address goes home', async () => {
    const page = await openKiosk(browser.context, server.url, { path: '/staff' })
    await page.getByText('工作人员控制台').waitFor()
    await screenshot(page, 'staff-placeholder')
    await page.goto(server.url + '/board')
    await page.getByText('叫号显示屏').waitFor()
    await page.goto(server.url + '/no/such/screen')
    await page.locator('[data-test=choice-ticket]').waitFor()
    assert.equal(new URL(page.url()).pathname, '/')
    assertNoPageErrors(page)
    await page.close()
  })
})
