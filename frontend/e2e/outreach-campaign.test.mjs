// 走访活动 in the console: staff plan 2027年春节走访慰问 over the festival list, give two
// households a team, record a visit from a row (the row turns 已走访, the totals move),
// mark one 未走访到（外出）; an admin prints the visit sheet after giving a reason — full
// addresses, no ID numbers, A4 in print media and as a PDF; an entry's money is changed
// and 修改记录 lists the change, and a change made meanwhile elsewhere is refused with
// the reload asked for. Each screen is photographed at 1366×768 and 1920×1080, and
// read at the office PCs' sizes.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
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
const A4 = { width: 794, height: 1123 }
const NAME = '2027年春节走访慰问'

let server
let browser
let clerk
// Shared by the tests that follow: the campaign, the household visited and the one not reached.
let campaign = ''
let visited = ''
let away = ''

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

/** login opens path and logs in with the console's form and keypad. */
async function login(who, path = '/staff/outreach/campaigns') {
  await browser.context.clearCookies()
  const page = await openKiosk(browser.context, server.url, { path, viewport: SIZES['1366x768'] })
  await page.locator('[data-test=login]').waitFor()
  await page.fill('[data-test=login-name]', who.name)
  await page.click('[data-test=key-clear]')
  for (const d of who.pin) await page.click(`[data-test=key-${d}]`)
  await page.click('[data-test=login-submit]')
  await page.locator('[data-test=me]').waitFor()
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
  await assertReadable(page, `${name} at 1280x1024`)
  await assertPlainWords(page, name)
  await page.setViewportSize(SIZES['1366x768'])
}

/** totals reads the campaign's totals from the API. */
async function totals() {
  const r = await clerk.get(`/api/v1/outreach/campaigns/${campaign}`)
  assert.equal(r.status, 200)
  return r.body.totals
}

/** row is a household's row on the campaign page. */
function row(page, household) {
  return page.locator(`[data-test=row][data-household="${household}"]`)
}

describe('outreach campaigns', () => {
  test('staff plan a festival campaign, assign a team, record a visit from a row and mark one not reached', async () => {
    const page = await login(CLERK)
    await page.locator('[data-test=campaigns-empty]').waitFor()
    const festival = await dueCount(page, 'festival')
    assert.ok(festival > 2, 'the demo registry has households due a festival visit')

    // 新建活动: a name the station would give it, a festival round from today.
    await page.click('[data-test=campaign-new]')
    await page.locator('[data-test=campaign-dialog]').waitFor()
    assert.equal(await page.getAttribute('[data-test=campaign-kind-festival]', 'aria-pressed'), 'true')
    assert.match(await page.inputValue('[data-test=campaign-name]'), /^\d{4}年.+走访慰问$/)
    const from = await page.inputValue('[data-test=campaign-from]')
    assert.match(from, /^\d{4}-\d{2}-\d{2}$/)
    await page.click('[data-test=campaign-kind-plaque]')
    assert.match(await page.inputValue('[data-test=campaign-name]'), /光荣牌悬挂$/)
    await page.click('[data-test=campaign-kind-festival]')
    await page.fill('[data-test=campaign-name]', NAME)
    await screenshot(page, 'campaign-new-1366x768')
    await assertReadable(page, 'the new-campaign dialog')
    await page.click('[data-test=campaign-save]')
    await page.locator('[data-test=campaign] [data-test=rows]').waitFor()
    campaign = await page.getAttribute('[data-test=campaign]', 'data-id')
    assert.equal(await page.locator('[data-test=campaign-name]').textContent(), NAME)
    const n = (await totals()).households
    assert.equal(n, festival, 'every household on the festival list is in the campaign')
    assert.equal(await page.locator('[data-test=total-households]').textContent(), `共 ${n} 户`)
    // Hundreds of households: the table grows fifty at a time.
    assert.equal(await page.locator('[data-test=row]').count(), Math.min(n, 50))
    if (n > 50) {
      await page.click('[data-test=more]')
      await page.waitForFunction((k) => document.querySelectorAll('[data-test=row]').length === k, Math.min(n, 100))
    }
    for (const a of await page.locator('[data-test=row-address]').allTextContents()) assert.match(a, /\*/, 'addresses masked')
    assert.equal(await page.locator('[data-test=print]').count(), 0, 'staff who are not admins cannot print')
    await page.locator('[data-test=print-admin-only]').waitFor()

    // Two households to a team: the one logged in is offered, a second name typed.
    visited = await page.locator('[data-test=row]').nth(0).getAttribute('data-household')
    away = await page.locator('[data-test=row]').nth(1).getAttribute('data-household')
    await row(page, visited).locator('[data-test=row-pick]').check()
    await row(page, away).locator('[data-test=row-pick]').check()
    await page.locator('[data-test=selection]', { hasText: '已选 2 户' }).waitFor()
    await page.click('[data-test=assign]')
    assert.deepEqual(await page.locator('[data-test=picker-member]').evaluateAll((els) => els.map((e) => e.firstChild.textContent.trim())), [CLERK.name])
    await page.fill('[data-test=picker-new]', '李明')
    await page.click('[data-test=picker-add]')
    await screenshot(page, 'campaign-assign-1366x768')
    await page.click('[data-test=dialog-confirm]')
    await page.locator('[data-test=campaign-notice]', { hasText: '已把 2 户分配给' }).waitFor()
    assert.equal(await row(page, visited).locator('[data-test=row-team]').textContent(), '王*、李*')
    // The team filter shows that team's households.
    await page.selectOption('[data-test=team-filter]', '王*')
    await page.waitForFunction(() => document.querySelectorAll('[data-test=row]').length === 2)
    await page.selectOption('[data-test=team-filter]', '')

    // 记一笔 from a row: the form counts it for the campaign; back, the row is 已走访.
    await row(page, visited).locator('[data-test=row-record]').click()
    await page.locator('[data-test=outreach-form]').waitFor()
    assert.match(await page.locator('[data-test=form-campaign]').textContent(), new RegExp(NAME))
    assert.equal(await page.getAttribute('[data-test=kind-visit]', 'aria-pressed'), 'true')
    await page.fill('[data-test=form-money]', '300')
    await page.fill('[data-test=form-items]', '米一袋、油一桶')
    await page.click('[data-test=finding-well]')
    await page.click('[data-test=form-save]')
    await page.locator('[data-test=campaign] [data-test=rows]').waitFor()
    await row(page, visited).locator('[data-test=row-status]', { hasText: '已走访' }).waitFor()
    assert.equal(await row(page, visited).getAttribute('data-status'), 'done')
    assert.equal(await row(page, visited).locator('[data-test=row-money]').textContent(), '300 元')
    assert.equal(await page.locator('[data-test=total-done]').textContent(), '已走访 1')
    assert.equal(await page.locator('[data-test=total-money]').textContent(), '慰问金 ¥300')
    assert.deepEqual(await totals(), { households: n, done: 1, not_reached: 0, left: n - 1, money: 300 })

    // 未走访到（外出）.
    await row(page, away).locator('[data-test=row-pick]').check()
    await page.click('[data-test=mark]')
    await page.click('[data-test=reason-away]')
    await screenshot(page, 'campaign-mark-1366x768')
    await page.click('[data-test=dialog-confirm]')
    await row(page, away).locator('[data-test=row-status]', { hasText: '未走访到（外出）' }).waitFor()
    assert.equal(await page.locator('[data-test=total-not]').textContent(), '未走访到 1')
    assert.equal(await page.locator('[data-test=total-left]').textContent(), `待走访 ${n - 2}`)

    // The status filter.
    await page.click('[data-test=status-done]')
    await page.waitForFunction(() => document.querySelectorAll('[data-test=row]').length === 1)
    await page.click('[data-test=status-all]')
    await shots(page, 'campaign-page')

    // Remove one household, then add it back from the festival list.
    const third = await page.locator('[data-test=row]').nth(2).getAttribute('data-household')
    await row(page, third).locator('[data-test=row-pick]').check()
    await page.click('[data-test=remove]')
    await page.click('[data-test=dialog-confirm]')
    await page.locator('[data-test=total-households]', { hasText: `共 ${n - 1} 户` }).waitFor()
    assert.equal(await row(page, third).count(), 0)
    await page.click('[data-test=add-households]')
    await page.locator('[data-test=add-list]').waitFor()
    await page.locator(`[data-test=add-pick][value="${third}"]`).check()
    await screenshot(page, 'campaign-add-1366x768')
    await page.click('[data-test=dialog-confirm]')
    await page.locator('[data-test=total-households]', { hasText: `共 ${n} 户` }).waitFor()
    await page.locator('[data-test=campaign-notice]', { hasText: '已添加 1 户' }).waitFor()
    const back = (await clerk.get(`/api/v1/outreach/campaigns/${campaign}`)).body.rows.find((r) => r.household.household === third)
    assert.equal(back?.status, 'left', 'the household is back, to visit')

    // The last day moves; the name may change too.
    await page.click('[data-test=rename]')
    const to = await page.inputValue('[data-test=rename-to]')
    const later = new Date(Date.parse(to + 'T00:00:00Z') + 7 * 86_400_000).toISOString().slice(0, 10)
    await page.fill('[data-test=rename-to]', later)
    await page.click('[data-test=dialog-confirm]')
    await page.locator('[data-test=campaign-notice]', { hasText: '已保存' }).waitFor()
    assert.equal((await clerk.get(`/api/v1/outreach/campaigns/${campaign}`)).body.to, later)

    // The list of campaigns, with its progress.
    await page.click('[data-test=back]')
    const card = page.locator(`[data-test=campaign-card][data-id="${campaign}"]`)
    await card.waitFor()
    assert.match(await card.innerText(), new RegExp(NAME))
    assert.match(await card.innerText(), /\d{4}年\d{1,2}月\d{1,2}日 至 \d{4}年\d{1,2}月\d{1,2}日/)
    assert.match(await card.innerText(), /已走访 1[\s\S]*未走访到 1[\s\S]*慰问金 ¥300/)
    await shots(page, 'campaign-list')

    // In English.
    await page.click('[data-test=staff-lang-en]')
    await card.click()
    await row(page, away).locator('[data-test=row-status]', { hasText: 'Not reached (away)' }).waitFor()
    await screenshot(page, 'campaign-page-en-1366x768')
    await assertReadable(page, 'the campaign page in English')
    await page.click('[data-test=staff-lang-zh-CN]')
    assertNoPageErrors(page)
    await page.close()
  })

  test('an admin prints the visit sheet: a reason asked, full addresses, no ID numbers', async () => {
    assert.ok(campaign, 'the planning test ran first')
    const page = await login(ADMIN, `/staff/outreach/campaigns/${campaign}`)
    await page.locator('[data-test=rows]').waitFor()
    await page.click('[data-test=print]')
    await page.locator('[data-test=reason-dialog]').waitFor()
    await page.click('[data-test=reason-confirm]')
    await page.locator('[data-test=reason-error]').waitFor()
    await page.fill('[data-test=reason]', '春节走访，组里上门用')
    await page.fill('[data-test=sheet-team]', CLERK.name)
    await screenshot(page, 'campaign-print-reason-1366x768')
    await page.click('[data-test=reason-confirm]')
    await page.locator('[data-test=sheet]').waitFor()
    // 王芳's team: the two households assigned.
    assert.equal(await page.locator('[data-test=sheet-house]').count(), 2)
    const addresses = await page.locator('[data-test=sheet-address]').allTextContents()
    for (const a of addresses) {
      assert.doesNotMatch(a, /\*/, `a full address: ${a}`)
      assert.match(a, /宁城县/)
    }
    const text = await page.locator('body').innerText()
    assert.doesNotMatch(text, /\d{17}[\dXx]/, 'no ID number anywhere on the page')
    assert.match(text, new RegExp(NAME))
    assert.match(text, /情况记录[\s\S]*慰问金：________ 元[\s\S]*户主签名/)
    await shots(page, 'campaign-sheet')

    // On paper: A4, no console around it, body in large type.
    await page.emulateMedia({ media: 'print' })
    await page.setViewportSize(A4)
    assert.equal(await page.locator('.spage__bar').isVisible(), false, 'the console bar is not printed')
    assert.equal(await page.locator('[data-test=sheet-print]').isVisible(), false, 'the print button is not printed')
    const pt = await page.locator('.or-sheet__line').first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize) * 0.75)
    assert.ok(pt >= 14, `body at least 14 pt, is ${pt}`)
    await screenshot(page, 'campaign-sheet-print-a4')
    await assertReadable(page, 'the visit sheet in print')
    const dir = process.env.SCREENSHOT_DIR || join(import.meta.dirname, '..', '..', 'test-artifacts', 'screenshots')
    await mkdir(dir, { recursive: true })
    await page.pdf({ path: join(dir, 'campaign-sheet.pdf'), format: 'A4', printBackground: true, preferCSSPageSize: true })
    await page.emulateMedia({ media: 'screen' })
    await page.setViewportSize(SIZES['1366x768'])

    // The print button calls the browser's print.
    await page.evaluate(() => {
      window.printed = 0
      window.print = () => window.printed++
    })
    await page.click('[data-test=sheet-print]')
    assert.equal(await page.evaluate(() => window.printed), 1)

    // Back at the campaign, the sheet is forgotten.
    await page.click('[data-test=sheet-back]')
    await page.locator('[data-test=rows]').waitFor()
    await page.goBack()
    await page.locator('[data-test=sheet-gone]').waitFor()
    assertNoPageErrors(page)
    await page.close()
  })

  test('an entry\'s money is changed; 修改记录 lists it; a change made meanwhile is refused', async () => {
    assert.ok(visited, 'the planning test ran first')
    const page = await login(CLERK, `/staff/outreach/${visited}`)
    const entry = page.locator('[data-test=entry]').first()
    await entry.waitFor()
    await entry.locator('[data-test=entry-edit]').click()
    await page.locator('[data-test=edit-form]').waitFor()
    assert.equal(await page.inputValue('[data-test=edit-money]'), '300')
    assert.equal(await page.inputValue('[data-test=edit-items]'), '米一袋、油一桶')
    assert.equal(await page.getAttribute('[data-test=edit-finding-well]', 'aria-pressed'), 'true')
    await page.fill('[data-test=edit-money]', '500')
    await page.click('[data-test=edit-finding-health]')
    await shots(page, 'campaign-edit')
    await page.click('[data-test=edit-save]')
    await page.locator('[data-test=household] [data-test=entry]').first().waitFor()
    await page.locator('[data-test=entry]', { hasText: '慰问金 500 元' }).waitFor()

    await page.locator('[data-test=entry]').first().locator('[data-test=entry-history]').click()
    await page.locator('[data-test=history-list]').waitFor()
    const items = page.locator('[data-test=history-item]')
    assert.equal(await items.count(), 2)
    assert.match(await items.first().innerText(), /王芳 修改/)
    assert.match(await page.locator('[data-test=history-change][data-field=money]').textContent(), /慰问金：300 元 → 500 元/)
    assert.match(await page.locator('[data-test=history-change][data-field=findings]').textContent(), /走访情况：情况良好 → .*身体欠佳/)
    assert.match(await items.last().innerText(), /王芳 记录/)
    await shots(page, 'campaign-history')
    await page.click('[data-test=history-close]')

    // A personal field: only that it changed.
    await page.locator('[data-test=entry]').first().locator('[data-test=entry-edit]').click()
    await page.fill('[data-test=edit-items]', '米一袋')
    // Meanwhile someone else changes the entry: saving says so, and the form is reloaded.
    const id = (await clerk.get(`/api/v1/outreach?household=${visited}`)).body[0].id
    const now = (await clerk.get(`/api/v1/outreach/${id}`)).body.outreach
    assert.equal((await clerk.patch(`/api/v1/outreach/${id}`, { version: now.version, note: '电话回访过' })).status, 200)
    await page.click('[data-test=edit-save]')
    await page.locator('[data-test=edit-error]', { hasText: '别人刚改过这条记录' }).waitFor()
    await page.fill('[data-test=edit-items]', '米一袋')
    await page.click('[data-test=edit-save]')
    await page.locator('[data-test=household] [data-test=entry]').first().waitFor()
    await page.locator('[data-test=entry]').first().locator('[data-test=entry-history]').click()
    await page.locator('[data-test=history-change][data-field=items]').first().waitFor()
    assert.match(await page.locator('[data-test=history-change][data-field=items]').first().textContent(), /物品：已修改（内容不显示）/)
    assert.doesNotMatch(await page.locator('[data-test=history]').innerText(), /米一袋/)
    await page.click('[data-test=history-close]')

    // The campaign counts the new money.
    assert.equal((await totals()).money, 500)
    assertNoPageErrors(page)
    await page.close()
  })
})
