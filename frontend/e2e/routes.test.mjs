// Addresses outside the kiosk flows: the staff console and board open, an unknown
// address goes home, and ?idle= shortens the idle reset for tests and demonstrations.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { assertNoPageErrors, launchBrowser, openKiosk, startServer } from './helpers.mjs'

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

describe('addresses', () => {
  test('?idle=W,C shortens the idle reset for this page', async () => {
    const page = await openKiosk(browser.context, server.url, { path: '/kiosk/lookup?idle=1,1' })
    await page.locator('[data-test=idle-warning]').waitFor({ state: 'visible', timeout: 4_000 })
    await page.locator('[data-test=choice-ticket]').waitFor({ timeout: 4_000 })
    assert.equal(new URL(page.url()).pathname, '/')
    await page.close()
  })

  // The staff console and the board themselves: staff.test.mjs and board.test.mjs.
  test('staff and board open, and an unknown address goes home', async () => {
    const page = await openKiosk(browser.context, server.url, { path: '/staff' })
    await page.getByText('工作人员登录').waitFor()
    await page.goto(server.url + '/board')
    await page.getByText('正在叫号').waitFor()
    await page.goto(server.url + '/no/such/screen')
    await page.locator('[data-test=choice-ticket]').waitFor()
    assert.equal(new URL(page.url()).pathname, '/')
    assertNoPageErrors(page)
    await page.close()
  })
})
