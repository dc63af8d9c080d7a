// Idle reset: a kiosk left alone must hand the next person a clean screen — home, in
// Chinese, normal text size, with nothing of the last person's ticket left in the page.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { assertNoPageErrors, launchBrowser, openKiosk, startServer, takeTicket } from './helpers.mjs'
import { kioskShot } from './plainwords.mjs'

let server
let browser

before(async () => {
  // The station's own settings, shortened, exactly as a station would configure them.
  server = await startServer(['--idle-warning', '3s', '--idle-countdown', '2s'])
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

describe('idle reset', () => {
  test('clears the ticket, language and text size, and returns home', async () => {
    const page = await openKiosk(browser.context, server.url)
    await page.click('[data-test=elderly-toggle]')
    await page.click('[data-test=lang-en]')
    await takeTicket(page, 'A', false)
    const number = (await page.locator('[data-test=ticket-number]').textContent()).trim()

    const warning = page.locator('[data-test=idle-warning]')
    await warning.waitFor({ state: 'visible', timeout: 6_000 })
    await page.getByText('Are you still there?').waitFor()
    await page.locator('[data-test=idle-continue]').waitFor()
    await kioskShot(page, 'kiosk-idle-warning-en')

    await page.locator('[data-test=choice-ticket]').waitFor({ timeout: 5_000 })
    await page.getByText('取号', { exact: true }).waitFor()
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN')
    assert.equal(await page.locator('html').getAttribute('class'), '')
    assert.equal(await page.locator('[data-test=ticket-number]').count(), 0)
    await warning.waitFor({ state: 'hidden' })
    const text = await page.locator('body').innerText()
    assert.ok(!text.includes(number), `the old ticket ${number} is still in the page`)
    assert.doesNotMatch(text, /\b[A-J]\d{3}\b/)
    assert.equal(new URL(page.url()).pathname, '/')
    assertNoPageErrors(page)
    await page.close()
  })

  test('继续使用 keeps the screen as it was', async () => {
    const page = await openKiosk(browser.context, server.url)
    await page.click('[data-test=choice-ticket]')
    await page.locator('[data-test=service-B]').waitFor()

    const warning = page.locator('[data-test=idle-warning]')
    await warning.waitFor({ state: 'visible', timeout: 6_000 })
    await page.getByText('还在吗？').waitFor()
    await kioskShot(page, 'kiosk-idle-warning-zh')
    await page.click('[data-test=idle-continue]')
    await warning.waitFor({ state: 'hidden' })
    assert.equal(new URL(page.url()).pathname, '/kiosk/ticket')
    await page.locator('[data-test=service-B]').waitFor()
    assertNoPageErrors(page)
    await page.close()
  })

  test('a touch before the warning restarts the wait', async () => {
    const page = await openKiosk(browser.context, server.url)
    await page.click('[data-test=choice-visit]')
    const warning = page.locator('[data-test=idle-warning]')
    for (let i = 0; i < 3; i++) {
      await page.waitForTimeout(1_800)
      await page.mouse.click(640, 400)
    }
    assert.equal(await warning.isVisible(), false)
    assert.equal(new URL(page.url()).pathname, '/kiosk/visit')
    await page.close()
  })

  test('an untouched home screen in Chinese at normal size stays as it is', async () => {
    const page = await openKiosk(browser.context, server.url)
    await page.waitForTimeout(4_000)
    assert.equal(await page.locator('[data-test=idle-warning]').isVisible(), false)
    await page.close()
  })
})
