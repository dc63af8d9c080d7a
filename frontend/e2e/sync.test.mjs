// The staff sync panel (/staff/sync) on real stations: one never linked to a county,
// which must say so calmly, and one enrolled with a county that cannot be reached,
// which must show its waiting records and why they wait, and keep itself up to date.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  assertNoPageErrors,
  issueTickets,
  launchBrowser,
  openKiosk,
  runBin,
  screenshot,
  staffApi,
  startServer,
  takeTicket,
} from './helpers.mjs'
import { DEMO_ADMIN, buildCounty, freePort, loginStaffPage, makeEnrolment, pollUntil } from './county-helpers.mjs'

let browser
let county
let countyData

before(async () => {
  county = await buildCounty()
  countyData = await mkdtemp(join(tmpdir(), 'bingzhan-county-data-'))
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await county?.cleanup()
  if (countyData) await rm(countyData, { recursive: true, force: true })
})

describe('a station that is not enrolled', () => {
  let server
  before(async () => {
    server = await startServer()
  })
  after(async () => {
    await server?.stop()
  })

  test('asks for a login first, then says calmly that it works on its own', async () => {
    const page = await openKiosk(browser.context, server.url, { path: '/staff/sync' })
    await page.locator('[data-test=sync-login-needed]').waitFor()
    assert.match(await page.locator('[data-test=sync-login-needed]').innerText(), /请先登录/)
    await loginStaffPage(page, DEMO_ADMIN)

    const state = page.locator('[data-test=sync-state]')
    await state.waitFor()
    assert.equal(await state.getAttribute('data-state'), 'not_enrolled')
    assert.equal((await page.locator('[data-test=sync-mark]').innerText()).trim(), '未接入县中心')
    const lead = await page.locator('[data-test=sync-lead]').innerText()
    assert.match(lead, /尚未接入县中心/)
    assert.match(lead, /照常使用/)
    // Calm: how to link it, and no error or alarm anywhere.
    await page.locator('[data-test=sync-not-enrolled]').waitFor()
    assert.equal(await page.locator('[role=alert]').count(), 0)
    assert.equal(await page.locator('[data-test=dead-letters]').count(), 0)
    await screenshot(page, 'sync-not-enrolled')

    // The way back to the console.
    assert.equal(await page.locator('[data-test=sync-back]').getAttribute('href'), '/staff')
    assertNoPageErrors(page)
    await page.close()
  })
})

describe('an enrolled station whose county cannot be reached', () => {
  let server
  let countyURL
  const CLERK = { name: '王芳', pin: '802468' }

  before(async () => {
    // A port nothing listens on: the county is "down" for the whole test.
    countyURL = `http://127.0.0.1:${await freePort()}`
    const { file } = await makeEnrolment(county.bin, countyData, '东风镇退役军人服务站', countyURL)
    server = await startServer([], {
      setup: async (data) => {
        await runBin(['enrol', file, '--data', data, '--check=false'])
        await runBin(['staff', 'add', '--data', data, '--name', DEMO_ADMIN.name, '--role', 'admin', '--pin', DEMO_ADMIN.pin])
        await runBin(['staff', 'add', '--data', data, '--name', CLERK.name, '--role', 'staff', '--pin', CLERK.pin])
      },
    })
  })
  after(async () => {
    await server?.stop()
  })

  test('keeps the kiosk ticket waiting and says it is offline, in words', async () => {
    const kiosk = await openKiosk(browser.context, server.url)
    await takeTicket(kiosk, 'A', false) // the kiosk does not wait for the county
    await kiosk.close()

    const api = await staffApi(server.url, DEMO_ADMIN.name, DEMO_ADMIN.pin)
    // The agent's first cycle fails after its few quick retries (≤ ~8 s).
    const st = await pollUntil('station reports offline', async () => {
      const r = await api.get('/api/v1/sync')
      return { ok: r.body?.state === 'offline', value: r.body }
    }, 30_000)
    assert.equal(st.enrolled, true)
    assert.equal(st.county, countyURL)
    assert.ok(st.pending >= 2, `enrolment fact and ticket wait: ${st.pending}`)
    assert.ok(st.last_error?.message, 'the reason is given')
    assert.equal(st.last_success, null)

    const page = await openKiosk(browser.context, server.url, { path: '/staff/sync' })
    await loginStaffPage(page, DEMO_ADMIN)
    const state = page.locator('[data-test=sync-state]')
    await state.waitFor()
    assert.equal(await state.getAttribute('data-state'), 'offline')
    assert.match(await page.locator('[data-test=sync-mark]').innerText(), /^离线/)
    assert.match(await page.locator('[data-test=sync-lead]').innerText(), /安全保存在本机/)
    assert.equal((await page.locator('[data-test=sync-pending]').innerText()).trim(), `${st.pending} 条`)
    assert.match(await page.locator('[data-test=sync-oldest]').innerText(), /已等待 (不到 1 分钟|\d+ 分钟)/)
    assert.equal((await page.locator('[data-test=sync-last-success]').innerText()).trim(), '尚未成功上传过')
    // The server's own words, not a code.
    assert.match(await page.locator('[data-test=sync-last-error]').innerText(), /县中心/)
    assert.match(await page.locator('[data-test=sync-failing-since]').innerText(), /^自 \d{2}:\d{2} 起/)
    assert.match(await page.locator('[data-test=sync-county]').innerText(), new RegExp(countyURL.replace(/\./g, '\\.')))
    assert.match(await page.locator('[data-test=sync-county]').innerText(), /东风镇退役军人服务站/)
    await page.locator('[data-test=dead-none]').waitFor()
    await screenshot(page, 'sync-offline')

    // The panel refreshes by itself: two more tickets show up within one refresh.
    await issueTickets(server.url, 'B', 2)
    await page
      .locator('[data-test=sync-pending]')
      .filter({ hasText: `${st.pending + 2} 条` })
      .waitFor({ timeout: 8000 })

    assertNoPageErrors(page)
    await page.close()
  })

  test('shows the same state to a clerk, who cannot act on dead letters', async () => {
    const page = await openKiosk(browser.context, server.url, { path: '/staff/sync' })
    // The admin's session cookie from the test before is still in this browser.
    await page.locator('[data-test=sync-state]').waitFor()
    await page.evaluate(() => fetch('/api/v1/logout', { method: 'POST' }))
    await page.reload()
    await loginStaffPage(page, CLERK)
    await page.locator('[data-test=sync-state]').waitFor()
    assert.equal(await page.locator('[data-test=sync-state]').getAttribute('data-state'), 'offline')
    assert.doesNotMatch(await page.locator('.syncp__name').innerText(), /管理员/)
    assertNoPageErrors(page)
    await page.close()
  })
})
