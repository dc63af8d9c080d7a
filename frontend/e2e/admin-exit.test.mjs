// Leaving the kiosk: only a long press on the station name opens the staff's choices
// (the console, or closing the kiosk with the administrator's PIN), a tap does nothing,
// and the PIN pad shows what the station answers. (The real
// window closing is checked by the desktop smoke test.)
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { assertNoPageErrors, launchBrowser, openKiosk, screenshot, startServer } from './helpers.mjs'

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

/** hold presses the pointer on an element's centre for ms. */
async function hold(page, selector, ms) {
  const box = await page.locator(selector).boundingBox()
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await page.mouse.down()
  await page.waitForTimeout(ms)
  await page.mouse.up()
}

describe('administrator exit', () => {
  test('a tap on the station name does nothing', async () => {
    const page = await openKiosk(browser.context, server.url)
    await hold(page, '[data-test=station-name]', 300)
    await page.waitForTimeout(3000)
    assert.equal(await page.locator('[data-test=admin-exit]').isVisible(), false)
    await page.close()
  })

  test('a long press offers closing the kiosk; its PIN pad answers and clears', async () => {
    const page = await openKiosk(browser.context, server.url)
    await hold(page, '[data-test=station-name]', 3300)
    await page.click('[data-test=admin-exit-choose]')
    await page.locator('[data-test=admin-pin]').waitFor()
    for (const d of '2468') {
      await page.click(`[data-test=keypad] [data-key="${d}"]`)
    }
    await screenshot(page, 'kiosk-admin-exit')
    await page.click('[data-test=admin-exit-submit]')
    // `bingzhan serve` has no window to close and says so.
    assert.match(await page.locator('[data-test=admin-exit-message]').textContent(), /不是自助机窗口/)
    await page.click('[data-test=admin-exit-cancel]')
    await page.locator('[data-test=admin-pin]').waitFor({ state: 'hidden' })
    assertNoPageErrors(page)
    await page.close()
  })
})
