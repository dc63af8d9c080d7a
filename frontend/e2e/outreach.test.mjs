// 走访慰问 in the console (issue 16): the due lists of the demo registry, masked; one
// household; recording 光荣牌悬挂 with a photo and a signature drawn on the pad; the
// station's translated message for a bad entry, with nothing recorded; the household
// leaving the plaque list; an admin seeing the full address with a reason. Each screen
// is photographed at 1366×768 and 1920×1080, and read at the office PCs' sizes.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  OFFICE_VIEWPORTS,
  VIEWPORTS,
  addStaff,
  dueCount,
  assertNoPageErrors,
  assertReadable,
  launchBrowser,
  openKiosk,
  screenshot,
  staffApi,
  startServer,
} from './helpers.mjs'
import { assertPlainWords } from './plainwords.mjs'

const ADMIN = { name: '测试', pin: '246810' }
const CLERK = { name: '王芳', pin: '802468' }
const SIZES = { '1366x768': OFFICE_VIEWPORTS['1366x768'], '1920x1080': VIEWPORTS.fullHD }

let server
let browser
let clerk
// The household the plaque is recorded for, shared by the tests that follow.
let household = ''

before(async () => {
  server = await startServer([], {
    setup: async (dir) => {
      await addStaff(dir, ADMIN.name, 'admin', ADMIN.pin)
      await addStaff(dir, CLERK.name, 'staff', CLERK.pin)
    },
  })
  browser = await launchBrowser()
  clerk = await staffApi(server.url, CLERK.name, CLERK.pin)
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

/** login opens the outreach lists and logs in with the console's form and keypad. */
async function login(who, viewport = SIZES['1366x768']) {
  await browser.context.clearCookies()
  const page = await openKiosk(browser.context, server.url, { path: '/staff/outreach', viewport })
  await page.locator('[data-test=login]').waitFor()
  await page.fill('[data-test=login-name]', who.name)
  await page.click('[data-test=key-clear]')
  for (const d of who.pin) await page.click(`[data-test=key-${d}]`)
  await page.click('[data-test=login-submit]')
  await page.locator('[data-test=due-list]').waitFor()
  return page
}

/** shots photographs the page at the console's sizes (axe runs on each) and checks its words. */
async function shots(page, name) {
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport)
    await screenshot(page, `${name}-${size}`)
    await assertReadable(page, `${name} at ${size}`)
  }
  await page.setViewportSize(OFFICE_VIEWPORTS['1280x1024'])
  await screenshot(page, `${name}-1280x1024`)
  await assertReadable(page, `${name} at 1280x1024`)
  await assertPlainWords(page, name)
  await page.setViewportSize(SIZES['1366x768'])
}

/** entries returns the household's entries from the API. */
async function entries(id) {
  const r = await clerk.get(`/api/v1/outreach?household=${id}`)
  assert.equal(r.status, 200)
  return r.body
}

/** photo makes a 1600×1200 picture in the page, as a camera would give one. */
async function photo(page) {
  const url = await page.evaluate(() => {
    const c = document.createElement('canvas')
    c.width = 1600
    c.height = 1200
    const g = c.getContext('2d')
    const grad = g.createLinearGradient(0, 0, 1600, 1200)
    grad.addColorStop(0, '#b71c1c')
    grad.addColorStop(1, '#f3e2b5')
    g.fillStyle = grad
    g.fillRect(0, 0, 1600, 1200)
    g.fillStyle = '#fff'
    g.font = '160px sans-serif'
    g.fillText('光荣之家', 380, 660)
    return c.toDataURL('image/png')
  })
  return Buffer.from(url.split(',')[1], 'base64')
}

/** sign draws a name-like stroke on the signature pad with the mouse. */
async function sign(page) {
  const pad = page.locator('[data-test=signature-pad]')
  await pad.scrollIntoViewIfNeeded()
  const b = await pad.boundingBox()
  await page.mouse.move(b.x + b.width * 0.15, b.y + b.height * 0.6)
  await page.mouse.down()
  for (let i = 1; i <= 24; i++) {
    await page.mouse.move(b.x + b.width * (0.15 + i * 0.03), b.y + b.height * (0.5 + 0.25 * Math.sin(i / 2)), { steps: 2 })
  }
  await page.mouse.up()
  await page.locator('[data-test=signature-state]', { hasText: '已签名' }).waitFor()
}

describe('outreach', () => {
  test('the due lists show households masked, with their counts and reasons in words', async () => {
    const page = await login(CLERK)
    // The console's bar leads here too.
    await page.goto(server.url + '/staff')
    await page.click('[data-test=pick-counter-1]')
    await page.click('[data-test=to-outreach]')
    await page.locator('[data-test=due-list][data-kind=plaque]').waitFor()
    assert.equal(new URL(page.url()).pathname, '/staff/outreach')
    for (const k of ['plaque', 'festival', 'honour']) {
      const n = await dueCount(page, k)
      assert.ok(n > 0, `${k}: the demo registry has households due`)
    }
    const cards = page.locator('[data-test=due-list][data-kind=plaque] [data-test=due-card]')
    assert.ok((await cards.count()) > 5)
    for (const a of await cards.locator('[data-test=address]').allTextContents()) {
      assert.match(a, /^宁城县.+\*+$/, `a masked address: ${a}`)
    }
    const text = await page.locator('[data-test=due-list]').innerText()
    assert.doesNotMatch(text, /\b[A-Z]{2,}_[A-Z_]+\b|\bVETERAN\b/, 'no category codes on screen')
    assert.match(text, /退役军人/)
    await shots(page, 'outreach-due')

    // The village filter narrows the list.
    const before = await cards.count()
    await page.fill('[data-test=filter]', '大营子村')
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-test=due-card] [data-test=address]')].every((a) => a.textContent.includes('大营子村')),
    )
    assert.ok((await cards.count()) <= before)
    // The filter holds across a household and back.
    await cards.first().click()
    await page.locator('[data-test=household]').waitFor()
    await page.click('[data-test=back]')
    assert.equal(await page.inputValue('[data-test=filter]'), '大营子村')
    await page.fill('[data-test=filter]', '')

    // In English, the category names come from the catalog in English.
    await page.click('[data-test=staff-lang-en]')
    await page.locator('[data-test=tab-plaque]', { hasText: 'Plaques to hang' }).waitFor()
    await page.locator('[data-test=due-card]', { hasText: 'Veteran' }).first().waitFor()
    await screenshot(page, 'outreach-due-en-1366x768')
    await assertReadable(page, 'the due list in English')
    await page.click('[data-test=staff-lang-zh-CN]')
    await page.locator('[data-test=due-card]', { hasText: '退役军人' }).first().waitFor()

    // 节日走访 counts visits from a campaign's first day when one is given.
    await page.click('[data-test=tab-festival]')
    await page.locator('[data-test=due-list][data-kind=festival]').waitFor()
    const festival = await dueCount(page, 'festival')
    const since = await page.evaluate(() => document.querySelector('[data-test=since]').max)
    await page.fill('[data-test=since]', since)
    await page.locator('[data-test=due-list][data-kind=festival]').waitFor()
    assert.ok((await dueCount(page, 'festival')) >= festival)
    assert.match(await page.locator('[data-test=due-list]').innerText(), /列入原因/)
    await screenshot(page, 'outreach-festival-1366x768')

    // 喜报待送 names the award.
    await page.click('[data-test=tab-honour]')
    await page.locator('[data-test=due-list][data-kind=honour]').waitFor()
    assert.match(await page.locator('[data-test=due-list]').innerText(), /[一二三]等功喜报|荣誉称号喜报/)
    await screenshot(page, 'outreach-honours-1366x768')
    assertNoPageErrors(page)
    await page.close()
  })

  test('a plaque is recorded with a photo and a signature; a bad entry shows the station\'s message', async () => {
    const page = await login(CLERK)
    const plaques = await dueCount(page, 'plaque')
    const card = page.locator('[data-test=due-list][data-kind=plaque] [data-test=due-card]').first()
    household = await card.getAttribute('data-household')
    await card.click()
    await page.locator(`[data-test=household][data-household="${household}"]`).waitFor()
    assert.match(await page.locator('[data-test=household-address]').textContent(), /\*/)
    await page.locator('[data-test=no-entries]').waitFor()
    assert.equal(await page.locator('[data-test=unmask-household]').count(), 0, 'staff who are not admins cannot unmask')

    await page.click('[data-test=record]')
    await page.locator('[data-test=outreach-form]').waitFor()
    // From the plaque list, the form suggests 光荣牌悬挂; the team starts with who is logged in.
    assert.equal(await page.getAttribute('[data-test=kind-plaque_hung]', 'aria-pressed'), 'true')
    assert.deepEqual(await page.locator('[data-test=team-member]').evaluateAll((els) => els.map((e) => e.firstChild.textContent.trim())), [CLERK.name])
    await page.click('[data-test=kind-plaque_hung]')
    await page.fill('[data-test=form-items]', '光荣牌一块')
    await page.click('[data-test=finding-well]')
    await page.setInputFiles('[data-test=photo-input]', { name: 'plaque.png', mimeType: 'image/png', buffer: await photo(page) })
    await page.locator('[data-test=photo-preview]').waitFor()
    await sign(page)
    await shots(page, 'outreach-form')

    // No one named as having gone: the station says so, and records nothing.
    await page.click('[data-test=team-remove]')
    await page.click('[data-test=form-save]')
    await page.locator('[data-test=form-error]', { hasText: '请填写去的人' }).waitFor()
    assert.equal((await entries(household)).length, 0)

    // A day after today: the same.
    await page.fill('[data-test=team-new]', CLERK.name)
    await page.click('[data-test=team-add]')
    const today = await page.inputValue('[data-test=form-date]')
    const tomorrow = new Date(Date.parse(today + 'T00:00:00Z') + 86_400_000).toISOString().slice(0, 10)
    await page.fill('[data-test=form-date]', tomorrow)
    await page.click('[data-test=form-save]')
    await page.locator('[data-test=form-error]', { hasText: '日期不能晚于今天' }).waitFor()
    assert.equal((await entries(household)).length, 0)
    await screenshot(page, 'outreach-form-error-1366x768')
    // In English the station answers in English.
    await page.click('[data-test=staff-lang-en]')
    await page.click('[data-test=form-save]')
    await page.locator('[data-test=form-error]', { hasText: 'The date cannot be after today.' }).waitFor()
    await page.click('[data-test=staff-lang-zh-CN]')
    assert.equal((await entries(household)).length, 0)
    await page.fill('[data-test=form-date]', today)

    // Saved (a double click records once): back at the household, the entry on top.
    await page.dblclick('[data-test=form-save]')
    await page.locator(`[data-test=household][data-household="${household}"] [data-test=entry]`).first().waitFor()
    const first = page.locator('[data-test=entry]').first()
    assert.equal(await first.getAttribute('data-kind'), 'plaque_hung')
    assert.match(await first.innerText(), /光荣牌悬挂/)
    assert.match(await first.innerText(), /已签名/)
    assert.match(await first.innerText(), /有照片/)
    assert.match(await first.innerText(), /王\*/, 'the team is masked')
    assert.notEqual(await page.locator('[data-test=plaque]').textContent(), '还没有挂光荣牌')
    const saved = await entries(household)
    assert.equal(saved.length, 1, 'one entry for one save')
    assert.equal(saved[0].signed, true)
    assert.equal(saved[0].has_photo, true)
    await shots(page, 'outreach-household')

    // The household has left the plaque list.
    await page.click('[data-test=back]')
    await page.locator('[data-test=due-list][data-kind=plaque]').waitFor()
    await page.waitForFunction((n) => Number(document.querySelector('[data-test=count-plaque]')?.textContent) === n - 1, plaques)
    assert.equal(await page.locator(`[data-test=due-card][data-household="${household}"]`).count(), 0)
    assertNoPageErrors(page)
    await page.close()
  })

  test('a 喜报 delivered names the citation and leaves the honour list', async () => {
    const page = await login(CLERK)
    await page.click('[data-test=tab-honour]')
    const card = page.locator('[data-test=due-list][data-kind=honour] [data-test=due-card]').first()
    const id = await card.getAttribute('data-household')
    const honours = await dueCount(page, 'honour')
    await card.click()
    await page.click('[data-test=record]')
    assert.equal(await page.getAttribute('[data-test=kind-honour_delivered]', 'aria-pressed'), 'true')
    // The one citation waiting is chosen already, named by its award.
    assert.match(await page.locator('[data-test=form-honour] option:checked').textContent(), /[一二三]等功喜报|荣誉称号喜报/)
    await page.fill('[data-test=form-money]', '500')
    await page.click('[data-test=form-save]')
    await page.locator('[data-test=entry][data-kind=honour_delivered]').waitFor()
    assert.match(await page.locator('[data-test=entry]').first().innerText(), /喜报送达[\s\S]*慰问金 500 元/)
    await page.click('[data-test=back]')
    await page.waitForFunction((n) => Number(document.querySelector('[data-test=count-honour]')?.textContent) === n - 1, honours)
    assert.equal(await page.locator(`[data-test=due-card][data-household="${id}"]`).count(), 0)
    assertNoPageErrors(page)
    await page.close()
  })

  test('an admin sees the full address, the photo and the signature after giving a reason', async () => {
    assert.ok(household, 'the plaque test ran first')
    const page = await login(ADMIN)
    await page.goto(`${server.url}/staff/outreach/${household}`)
    await page.locator('[data-test=entry]').first().waitFor()
    await page.click('[data-test=unmask-household]')
    await page.locator('[data-test=reason-dialog]').waitFor()
    await page.fill('[data-test=reason]', '上门走访，核对门牌')
    await page.click('[data-test=reason-confirm]')
    await page.locator('[data-test=unmasked]').waitFor()
    assert.doesNotMatch(await page.locator('[data-test=household-address]').textContent(), /\*/)
    assert.match(await page.locator('[data-test=household-address]').textContent(), /号$/)

    await page.click('[data-test=unmask-entry]')
    await page.fill('[data-test=reason]', '核对签名')
    await page.click('[data-test=reason-confirm]')
    await page.locator('.or-entry__images img').nth(1).waitFor()
    // The 1600×1200 picture went as 1280×960: made small before it was sent.
    const size = await page.locator('.or-entry__images img').first().evaluate(async (img) => {
      await img.decode()
      return [img.naturalWidth, img.naturalHeight]
    })
    assert.deepEqual(size, [1280, 960])
    await screenshot(page, 'outreach-household-admin-1366x768')

    // English: every word of the household in English, the category names too.
    await page.click('[data-test=staff-lang-en]')
    await page.locator('[data-test=entry]', { hasText: 'Plaque hung' }).waitFor()
    await page.locator('[data-test=person]', { hasText: /Veteran|Family|Disabled|Serving/ }).first().waitFor()
    await page.click('[data-test=staff-lang-zh-CN]')
    assertNoPageErrors(page)
    await page.close()
  })
})
