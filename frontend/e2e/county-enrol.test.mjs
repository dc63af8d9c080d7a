// Enrolling a running station with its county from the station settings (县中心 tab):
// the admin chooses the enrolment file the county gave, a wrong file is refused in
// plain words and changes nothing, the right one links the station at once — no
// restart — and its records reach a real county server. The secret never shows.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { VIEWPORTS, assertNoPageErrors, launchBrowser, openKiosk, screenshot, staffApi, startServer } from './helpers.mjs'
import {
  DEMO_ADMIN,
  buildCounty,
  countyApi,
  freePort,
  loginStaffPage,
  makeEnrolment,
  pollUntil,
  runCounty,
  startCounty,
} from './county-helpers.mjs'

const COUNTY_USER = { name: '县中心管理员', pin: '135792' }
const STATION_NAME = '东风镇退役军人服务站'
const ORIENTATIONS = [
  ['landscape', VIEWPORTS.fullHD],
  ['portrait', VIEWPORTS.portrait],
]

let county
let countyData
let countyServer
let station
let browser
let enrolment
let enrolmentFile

before(async () => {
  county = await buildCounty()
  countyData = await mkdtemp(join(tmpdir(), 'bingzhan-county-data-'))
  await runCounty(county.bin, ['user', 'add', COUNTY_USER.name, '--pin', COUNTY_USER.pin, '--data', countyData])
  const addr = `127.0.0.1:${await freePort()}`
  countyServer = await startCounty(county.bin, countyData, addr)
  ;({ enrolment, file: enrolmentFile } = await makeEnrolment(county.bin, countyData, STATION_NAME, countyServer.url))
  // Not enrolled at start, as a station fresh from its package.
  station = await startServer()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await station?.stop()
  await countyServer?.stop()
  await county?.cleanup()
  if (countyData) await rm(countyData, { recursive: true, force: true })
})

/** syncState reads the station's sync status as its admin. */
async function syncState() {
  const api = await staffApi(station.url, DEMO_ADMIN.name, DEMO_ADMIN.pin)
  const res = await api.get('/api/v1/sync')
  assert.equal(res.status, 200)
  return res.body
}

/** chooseFile hands the page's file input a file, as the file dialog would. */
async function chooseFile(page, file) {
  await page.locator('[data-test=county-file]').setInputFiles(file)
  await page.locator('[data-test=county-chosen]').waitFor()
}

describe('enrolling from the station settings', () => {
  let page

  test('the 县中心 tab says the station is not linked and how to link it, in both orientations', async () => {
    page = await openKiosk(browser.context, station.url, { path: '/staff/settings?tab=county', viewport: VIEWPORTS.fullHD })
    await loginStaffPage(page, DEMO_ADMIN)
    const now = page.locator('[data-test=county-now]')
    await now.getByText('本站尚未接入县中心').waitFor()
    assert.equal(await now.getAttribute('data-enrolled'), 'false')
    const how = await page.locator('[data-test=county-enrol]').innerText()
    assert.match(how, /注册文件/)
    assert.match(how, /不用重启/)
    await page.locator('[data-test=county-choose]').waitFor()
    assert.equal(await page.locator('[role=alert]').count(), 0, 'an alarm on a station that merely works alone')
    for (const [name, viewport] of ORIENTATIONS) {
      await page.setViewportSize(viewport)
      await screenshot(page, `county-enrol-${name}`)
    }
    await page.setViewportSize(VIEWPORTS.fullHD)
    assertNoPageErrors(page)
  })

  test('a file that is not the county\'s is refused in plain words, and nothing changes', async () => {
    await chooseFile(page, {
      name: 'catalog.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"version":"2026-11","entries":[]}'),
    })
    assert.match(await page.locator('[data-test=county-chosen]').innerText(), /已选择：catalog\.json/)
    await page.click('[data-test=county-apply]')
    const err = page.locator('[data-test=county-error]')
    await err.waitFor()
    assert.match(await err.innerText(), /这份文件没有接入/)
    assert.match(await err.innerText(), /这不是县中心的注册文件/)
    await screenshot(page, 'county-enrol-refused')
    // The choice starts afresh, and the station is as it was.
    await page.locator('[data-test=county-choose]').waitFor()
    const s = await syncState()
    assert.equal(s.state, 'not_enrolled')
    assert.equal(s.enrolled, false)

    // A file from a newer county program says to upgrade the station instead.
    const text = await readFile(enrolmentFile, 'utf8')
    await chooseFile(page, {
      name: 'dongfeng-new.json',
      mimeType: 'application/json',
      buffer: Buffer.from(text.replace('bingzhan-enrolment/1', 'bingzhan-enrolment/2')),
    })
    await page.click('[data-test=county-apply]')
    await page.locator('[data-test=county-error]').getByText('请先升级本站的兵站程序').waitFor()
    assert.equal((await syncState()).state, 'not_enrolled')
    assertNoPageErrors(page)
  })

  test('the county\'s file links the station at once, and its records reach the county', async () => {
    await chooseFile(page, enrolmentFile)
    await page.click('[data-test=county-apply]')
    const done = page.locator('[data-test=county-done]')
    await done.waitFor()
    assert.match(await done.innerText(), new RegExp(`已接入县中心：${STATION_NAME}`))
    assert.ok((await done.innerText()).includes(countyServer.url), 'the county address is not named')
    assert.equal(await page.locator('[data-test=county-error]').count(), 0)

    // Without a restart the agent pushes: the station's status turns 已同步 by itself.
    const now = page.locator('[data-test=county-now]')
    await now.locator('[data-test=sync-mark][data-state=ok]').waitFor({ timeout: 30_000 })
    assert.equal(await now.getAttribute('data-enrolled'), 'true')
    assert.match(await now.innerText(), new RegExp(`县中心登记的站名：${STATION_NAME}`))
    assert.match(await page.locator('[data-test=county-enrol] h2').innerText(), /重新接入县中心/)
    const text = await page.locator('[data-test=settings]').innerText()
    assert.ok(!text.includes(enrolment.secret), 'the secret shows on screen')
    for (const [name, viewport] of ORIENTATIONS) {
      await page.setViewportSize(viewport)
      await screenshot(page, `county-enrolled-${name}`)
    }
    await page.setViewportSize(VIEWPORTS.fullHD)

    const ca = await countyApi(countyServer.url, COUNTY_USER.name, COUNTY_USER.pin)
    const seen = await pollUntil('the county sees the station', async () => {
      const list = await ca.get('/api/v1/stations')
      const s = list.find((x) => x.id === enrolment.station_id)
      return { ok: !!s?.last_seen && s.pending === 0, value: s }
    })
    assert.equal(seen.name, STATION_NAME)
    const s = await syncState()
    assert.equal(s.state, 'ok')
    assert.equal(s.pending, 0)
    assertNoPageErrors(page)
  })

  test('in English every word of the tab is English', async () => {
    await page.click('[data-test=staff-lang-en]')
    await page.locator('.van-tab', { hasText: 'County' }).waitFor()
    const text = await page.locator('[data-test=settings-county]').innerText()
    assert.doesNotMatch(text, /(settings|sync)\.[a-zA-Z]/, 'a translation key shows as text')
    for (const cjk of ['县中心', '注册文件', '接入', '同步', '选择']) assert.ok(!text.includes(cjk), `Chinese left in English: ${cjk}`)
    assert.match(text, /Link to the county again/)
    await screenshot(page, 'county-enrolled-en')
    await page.click('[data-test=staff-lang-zh-CN]')
    assertNoPageErrors(page)
    await page.close()
  })
})

describe('the sync panel of a station not linked yet', () => {
  let server

  before(async () => {
    server = await startServer()
  })

  after(async () => {
    await server?.stop()
  })

  test('leads an admin to the 县中心 tab', async () => {
    const p = await openKiosk(browser.context, server.url, { path: '/staff/sync', viewport: VIEWPORTS.fullHD })
    await browser.context.clearCookies()
    await p.reload()
    await loginStaffPage(p, DEMO_ADMIN)
    await p.locator('[data-test=sync-not-enrolled]').waitFor()
    await screenshot(p, 'county-sync-not-enrolled')
    await p.click('[data-test=sync-to-enrol]')
    await p.locator('[data-test=settings-county]').waitFor()
    assert.equal(new URL(p.url()).searchParams.get('tab'), 'county')
    assertNoPageErrors(p)
    await p.close()
  })
})
