// The admin's 安全 tab: enrol a lobby tablet as a kiosk device (this browser), which
// then may take a ticket while a stranger's browser on the same station may not;
// remove it; the LAN ticket setting, with its risk in words; the HTTPS state.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { VIEWPORTS, addStaff, assertNoPageErrors, launchBrowser, openKiosk, screenshot, startServer } from './helpers.mjs'

const ADMIN = { name: '站长', pin: '975310' }

let server
let browser

before(async () => {
  server = await startServer([], { setup: (data) => addStaff(data, ADMIN.name, 'admin', ADMIN.pin) })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

async function openSecurity(viewport) {
  await browser.context.clearCookies()
  const page = await openKiosk(browser.context, server.url, { path: '/staff/settings?tab=security', viewport })
  await page.locator('[data-test=login]').waitFor()
  await page.fill('[data-test=login-name]', ADMIN.name)
  await page.click('[data-test=key-clear]')
  for (const d of ADMIN.pin) await page.click(`[data-test=key-${d}]`)
  await page.click('[data-test=login-submit]')
  await page.locator('[data-test=settings-security]').waitFor()
  return page
}

describe('security settings', () => {
  test('an admin enrols this browser as a kiosk device, sees it listed, and removes it', async () => {
    const page = await openSecurity(VIEWPORTS.kiosk)
    await page.locator('[data-test=security-no-devices]').waitFor()
    assert.match(await page.locator('[data-test=security-lan]').innerText(), /只有自助机和登记的自助设备可以取号/)
    assert.match(await page.locator('[data-test=tls-off]').innerText(), /没有加密/)
    await screenshot(page, 'settings-security-empty')

    await page.fill('[data-test=device-name]', '大厅平板')
    await page.check('[data-test=device-this]')
    await page.click('[data-test=device-add]')
    await page.locator('[data-test="device-大厅平板"]').waitFor()
    assert.match(await page.locator('[data-test=security-done]').innerText(), /已把这台设备登记为“大厅平板”/)
    assert.equal(await page.locator('[data-test=security-token]').count(), 0, 'a token shown for this browser')
    const cookies = await browser.context.cookies()
    assert.ok(cookies.some((c) => c.name === 'bingzhan_device' && c.httpOnly), 'no HttpOnly device cookie')
    await screenshot(page, 'settings-security-device')

    page.once('dialog', (d) => d.accept())
    await page.click('[data-test="device-大厅平板"] [data-test=device-remove]')
    await page.locator('[data-test=security-no-devices]').waitFor()
    assertNoPageErrors(page)
    await page.close()
  })

  test('the LAN ticket setting says its risk and holds', async () => {
    const page = await openSecurity({ width: 1366, height: 768 })
    assert.match(await page.locator('[data-test=security-lan]').innerText(), /挤到后面/)
    await page.click('[data-test=lan-toggle]')
    await page.locator('[data-test=security-done]').waitFor()
    assert.match(await page.locator('[data-test=security-lan]').innerText(), /任何设备都可以取号/)
    await screenshot(page, 'settings-security-open')
    const open = await page.evaluate(async () => (await (await fetch('/api/v1/lan-settings')).json()).open_tickets)
    assert.equal(open, true)
    await page.click('[data-test=lan-toggle]')
    await page.locator('text=已改为只允许自助设备取号').waitFor()
    assertNoPageErrors(page)
    await page.close()
  })
})
