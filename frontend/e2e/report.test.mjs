// The report screen (/staff/report): any staff member sees a day's figures for the
// station, each service and each counter, pages to earlier days (an empty day says so),
// never to the future, downloads that day's CSV and Excel report, and reads it all in
// English too. The station binary has no clock to set, so the tickets are today's and
// the earlier days are empty: that is exactly what a new station's first week shows.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import {
  OFFICE_VIEWPORTS,
  VIEWPORTS,
  addStaff,
  assertNoPageErrors,
  assertReadable,
  issueTickets,
  launchBrowser,
  openKiosk,
  screenshot,
  staffApi,
  startServer,
} from './helpers.mjs'

const CLERK = { name: '李娜', pin: '135790' }

let server
let browser
let api
let today

/** addDays returns the YYYY-MM-DD n days after date. */
function addDays(date, n) {
  const d = new Date(date + 'T00:00:00Z')
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

before(async () => {
  server = await startServer([], { setup: (data) => addStaff(data, CLERK.name, 'staff', CLERK.pin) })
  browser = await launchBrowser()
  api = await staffApi(server.url, CLERK.name, CLERK.pin)

  // A morning's work at counter 1: two served, one who did not come.
  await issueTickets(server.url, 'B', 3)
  for (const outcome of ['finish', 'finish', 'no-show']) {
    const called = await api.post('/api/v1/counters/1/call-next')
    assert.equal(called.status, 200, JSON.stringify(called.body))
    if (outcome === 'finish') {
      assert.equal((await api.post(`/api/v1/tickets/${called.body.id}/start`, {})).status, 200)
      assert.equal((await api.post(`/api/v1/tickets/${called.body.id}/finish`, {})).status, 200)
    } else {
      assert.equal((await api.post(`/api/v1/tickets/${called.body.id}/no-show`, {})).status, 200)
    }
  }
  today = (await api.get('/api/v1/stats')).body.date
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

async function typePin(page, pin) {
  await page.click('[data-test=key-clear]')
  for (const d of pin) await page.click(`[data-test=key-${d}]`)
}

/** login logs in on whatever screen asks for it (the console or the report). */
async function login(page, who) {
  await page.locator('[data-test=login]').waitFor()
  await page.fill('[data-test=login-name]', who.name)
  await typePin(page, who.pin)
  await page.click('[data-test=login-submit]')
}

/** download clicks a download link and resolves with the file's bytes and name. */
async function download(page, selector) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(selector)])
  const path = await d.path()
  assert.ok(path, `the download of ${selector} failed: ${await d.failure()}`)
  return { name: d.suggestedFilename(), bytes: await readFile(path) }
}

async function text(page, selector) {
  return (await page.locator(selector).first().textContent()).trim()
}

describe('report screen', () => {
  test("today's figures, per service and per counter, and its CSV and Excel", async () => {
    await browser.context.clearCookies()
    const page = await openKiosk(browser.context, server.url, { path: '/staff', viewport: VIEWPORTS.kiosk })
    await login(page, CLERK)
    await page.locator('[data-test=pick-counter-1]').click()
    await page.locator('[data-test=desk]').waitFor()

    // The console's header leads to the report; any staff member may open it.
    await page.click('[data-test=to-report]')
    await page.waitForURL(/\/staff\/report$/)
    await page.locator('[data-test=station]').waitFor()

    const st = (await api.get('/api/v1/stats')).body
    assert.ok(st.station.issued >= 3, 'the demo queue and our three tickets')
    assert.equal(await text(page, '[data-test=station-issued]'), String(st.station.issued))
    assert.equal(await text(page, '[data-test=station-served]'), '2')
    assert.equal(await text(page, '[data-test=station-no-shows]'), '1')
    assert.match(await text(page, '[data-test=day-title]'), /今天$/)
    // The waits were measured (seconds, in a test): a time, not a dash.
    assert.match(await text(page, '[data-test=station-wait] [data-test=avg]'), /秒|分/)
    assert.equal(await text(page, '[data-test=station-walk] [data-test=avg]').then((s) => s.length > 0), true)

    // Per service: B has our three; per counter: counter 1 called three and served two.
    const b = st.services.find((r) => r.key === 'B')
    assert.equal(await text(page, '[data-test=services-B] [data-test=issued]'), String(b.issued))
    assert.equal(await text(page, '[data-test=counters-1] [data-test=called]'), '3')
    assert.equal(await text(page, '[data-test=counters-1] [data-test=served]'), '2')
    assert.equal(await text(page, '[data-test=counters-2] [data-test=served]'), '0')
    // Every service has its row, even those nobody came for.
    assert.equal(await page.locator('[data-test^=services-]').count(), st.services.length)

    // The week ends today, and today's line agrees with the day.
    await page.locator(`[data-test=week-${today}]`).waitFor()
    assert.equal(await page.locator('[data-test^=week-2]').count(), 7)
    assert.equal(await text(page, `[data-test=week-${today}] [data-test=issued]`), String(st.station.issued))

    // No future: the next day is not offered.
    assert.equal(await page.locator('[data-test=next-day]').isDisabled(), true)
    assert.equal(await page.locator('[data-test=day-input]').getAttribute('max'), today)
    await screenshot(page, 'report-today')
    // On a township office PC nothing is cut off and no label is under 14 px (the page
    // may scroll: the week and the tables are long).
    const shown = page.viewportSize()
    for (const [size, viewport] of Object.entries(OFFICE_VIEWPORTS)) {
      await page.setViewportSize(viewport)
      await screenshot(page, `report-today-${size}`)
      await assertReadable(page, `report at ${size}`)
    }
    await page.setViewportSize(shown)

    // The downloads are the real report of the day shown.
    const csv = await download(page, '[data-test=download-csv]')
    assert.equal(csv.name, `bingzhan-stats-${today}.csv`)
    const lines = csv.bytes.toString('utf8').split('\r\n')
    assert.ok(lines[0].startsWith('\uFEFF类别,编号,名称,取号,叫号,办结,过号'), lines[0])
    const stationLine = lines[1].split(',')
    assert.deepEqual(stationLine.slice(0, 8), ['全站', '', '全站', String(st.station.issued), String(st.station.called), '2', '1', '0'])
    assert.ok(lines.some((l) => l.startsWith('窗口,1,')), 'counter 1 has its line')
    const xlsx = await download(page, '[data-test=download-xlsx]')
    assert.equal(xlsx.name, `bingzhan-stats-${today}.xlsx`)
    assert.deepEqual([...xlsx.bytes.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04], 'an XLSX is a zip file')
    assert.ok(xlsx.bytes.length > 4000, `a workbook with two sheets (${xlsx.bytes.length} bytes)`)

    // Back at the counter, the console follows the station again by itself: a ticket
    // taken at the kiosk now shows up without a reload.
    await page.click('[data-test=to-console]')
    await page.locator('[data-test=desk]').waitFor()
    const [number] = await issueTickets(server.url, 'C', 1)
    await page.locator(`[data-test=waiting-${number}]`).waitFor({ timeout: 5000 })

    assertNoPageErrors(page)
    await page.close()
  })

  test('an earlier day without tickets says so; the day stays in the address', async () => {
    const page = await openKiosk(browser.context, server.url, { path: '/staff/report', viewport: VIEWPORTS.kiosk })
    await page.locator('[data-test=station]').waitFor()
    const yesterday = addDays(today, -1)

    await page.click('[data-test=prev-day]')
    await page.locator('[data-test=report-empty]').waitFor()
    await page.waitForURL(new RegExp(`date=${yesterday}$`))
    assert.match(await text(page, '[data-test=report-empty]'), /这一天没有取号记录/)
    assert.equal(await page.locator('[data-test=table-services]').count(), 0)
    assert.doesNotMatch(await text(page, '[data-test=day-title]'), /今天/)
    assert.equal(await page.locator('[data-test=next-day]').isDisabled(), false)
    // The week now ends yesterday; today is not in it.
    await page.locator(`[data-test=week-${yesterday}]`).waitFor()
    assert.equal(await page.locator(`[data-test=week-${today}]`).count(), 0)
    assert.equal(await page.locator(`[data-test=week-${yesterday}][class*=--on]`).count(), 1)
    await screenshot(page, 'report-empty-day')

    // An empty day's report still downloads: a zero report, every service listed.
    const csv = await download(page, '[data-test=download-csv]')
    assert.equal(csv.name, `bingzhan-stats-${yesterday}.csv`)
    assert.ok(csv.bytes.toString('utf8').split('\r\n')[1].startsWith('全站,,全站,0,0,0,0,0'))

    // A reload keeps the day; 后一天 comes back to today and the address loses the date.
    await page.reload()
    await page.locator('[data-test=report-empty]').waitFor()
    await page.click('[data-test=next-day]')
    await page.locator('[data-test=station]').waitFor()
    await page.waitForURL(/\/staff\/report$/)

    // A day typed in the date box, a week back: shown, with its week.
    const weekAgo = addDays(today, -7)
    await page.fill('[data-test=day-input]', weekAgo)
    await page.locator('[data-test=day-input]').dispatchEvent('change')
    await page.waitForURL(new RegExp(`date=${weekAgo}$`))
    await page.locator('[data-test=report-empty]').waitFor()
    // A tap on a day of the week's list shows it.
    await page.click(`[data-test=week-${addDays(weekAgo, -2)}] button`)
    await page.waitForURL(new RegExp(`date=${addDays(weekAgo, -2)}$`))
    await page.click('[data-test=to-today]')
    await page.locator('[data-test=station]').waitFor()

    assertNoPageErrors(page)
    await page.close()
  })

  test('a future or broken date in the address shows today', async () => {
    for (const q of ['?date=2099-01-01', '?date=yesterday', '?date=2026-02-30']) {
      const page = await openKiosk(browser.context, server.url, { path: '/staff/report' + q })
      await page.locator('[data-test=station]').waitFor()
      assert.match(await text(page, '[data-test=day-title]'), /今天$/, q)
      await page.waitForURL(/\/staff\/report$/)
      assertNoPageErrors(page)
      await page.close()
    }
  })

  test('in English: the screen and the downloaded report', async () => {
    const page = await openKiosk(browser.context, server.url, { path: '/staff/report', viewport: VIEWPORTS.fullHD })
    await page.locator('[data-test=station]').waitFor()
    await page.click('[data-test=staff-lang-en]')
    await page.getByRole('heading', { name: 'By service' }).waitFor()
    assert.match(await text(page, '[data-test=day-title]'), /Today$/)
    const b = (await api.get('/api/v1/stats')).body.services.find((r) => r.key === 'B')
    assert.ok(b.name_en && b.name_en !== b.name_zh)
    assert.ok((await text(page, '[data-test=services-B]')).startsWith('B' + b.name_en))
    await screenshot(page, 'report-en')
    const csv = await download(page, '[data-test=download-csv]')
    assert.ok(csv.bytes.toString('utf8').startsWith('\uFEFFGroup,Key,Name,Issued'), 'the English report')
    await page.click('[data-test=staff-lang-zh-CN]')
    await page.getByRole('heading', { name: '按业务' }).waitFor()
    assertNoPageErrors(page)
    await page.close()
  })

  test('without a session the screen asks for the PIN, then shows the day', async () => {
    await browser.context.clearCookies()
    const page = await openKiosk(browser.context, server.url, { path: '/staff/report' })
    await page.locator('[data-test=report-login-needed]').waitFor()
    await login(page, CLERK)
    await page.locator('[data-test=station]').waitFor()
    // The figures need the session: the API refuses without one.
    const r = await fetch(`${server.url}/api/v1/stats`)
    assert.equal(r.status, 401)
    assertNoPageErrors(page)
    await page.close()
  })
})
