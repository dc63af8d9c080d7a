// The entitlement lookup at the kiosk (优待查询), as its users would do it: the
// anonymous wizard, the personal card lookup with the collection ticket, wrong ID
// numbers and wrong phone digits up to the lockout, the idle reset that must leave
// nothing personal behind, in Chinese, in English and in elderly mode. The station is
// real and runs the demo registry; the people to look up are the ones it prints.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  VIEWPORTS,
  assertFits,
  assertNoPageErrors,
  launchBrowser,
  openKiosk,
  pxOf,
  startServer,
  waitingCount,
  tapKeys,
  wrongDigits,
} from './helpers.mjs'
import { kioskShot } from './plainwords.mjs'

let server
let browser

before(async () => {
  server = await startServer()
  browser = await launchBrowser()
  for (const s of ['ready', 'issued', 'making', 'replacing', 'registered', 'lost']) {
    assert.ok(server.people[s], `the demo station printed no person with card status ${s}`)
  }
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

/** wrongCheck returns the ID number with another check character. */
function wrongCheck(id) {
  return id.slice(0, 17) + (id.at(-1) === '0' ? '1' : '0')
}

/** openPersonal goes home → 优待查询 → 查询我的优待证办理进度 → 同意并继续. */
async function openPersonal(page, shots) {
  await page.click('[data-test=choice-lookup]')
  await page.locator('[data-test=lookup-start]').waitFor()
  await page.click('[data-test=lookup-personal]')
  await page.locator('[data-test=privacy-notice]').waitFor()
  if (shots) {
    await kioskShot(page, `lookup-notice-${shots}`)
    await assertFits(page, `notice ${shots}`)
    // Three short lines on the screen; the whole notice behind 详细说明, and back.
    assert.equal(await page.locator('[data-test=privacy-notice] .points__item').count(), 3)
    await page.click('[data-test=notice-details]')
    await page.locator('[data-test=notice-full]').waitFor()
    assert.equal(await page.locator('[data-test=notice-full] .details__line').count(), 4)
    await kioskShot(page, `lookup-notice-details-${shots}`)
    await page.click('[data-test=notice-close]')
    await page.locator('[data-test=notice-full]').waitFor({ state: 'hidden' })
  }
  await page.click('[data-test=agree]')
  await page.locator('[data-test=id-step]').waitFor()
}

/** enterId taps an ID number, waits for the station's check and goes on. */
async function enterId(page, id, shots) {
  await tapKeys(page, id)
  await page.locator('[data-test=id-ok]').waitFor()
  if (shots) {
    await kioskShot(page, `lookup-id-${shots}`)
    await assertFits(page, `ID step ${shots}`)
  }
  await page.click('[data-test=next]')
  await page.locator('[data-test=phone-step]').waitFor()
}

/** lookUp does the whole personal lookup for a demo person and waits for the record. */
async function lookUp(page, person, shots) {
  await openPersonal(page, shots)
  await enterId(page, person.id, shots)
  await tapKeys(page, person.last4)
  if (shots) {
    await kioskShot(page, `lookup-phone-${shots}`)
    await assertFits(page, `phone step ${shots}`)
  }
  await page.click('[data-test=submit]')
  await page.locator('[data-test=person-result]').waitFor()
}

/** walkWizardDisabledVet answers the wizard as a grade-3 war-disabled veteran in the countryside. */
async function walkWizardDisabledVet(page, shots) {
  await page.click('[data-test=choice-lookup]')
  await page.locator('[data-test=lookup-start]').waitFor()
  if (shots) {
    await kioskShot(page, `lookup-start-${shots}`)
    await assertFits(page, `start ${shots}`)
  }
  await page.click('[data-test=lookup-wizard]')
  await page.locator('[data-test=group-veteran]').waitFor()
  if (shots) {
    await kioskShot(page, `lookup-group-${shots}`)
    await assertFits(page, `group ${shots}`)
  }
  await page.click('[data-test=group-veteran]')
  await page.locator('[data-test=cat-DISABLED_VET]').waitFor()
  assert.equal(await page.locator('[data-test=next]').isDisabled(), true, 'next is offered before any choice')
  await page.click('[data-test=cat-DISABLED_VET]')
  await page.click('[data-test=cat-VET_COMBAT]')
  assert.equal(await page.locator('[data-test=cat-DISABLED_VET]').getAttribute('aria-checked'), 'true')
  if (shots) {
    await kioskShot(page, `lookup-categories-${shots}`)
    await assertFits(page, `categories ${shots}`)
  }
  await page.click('[data-test=next]')
  await page.locator('[data-test=question-disability_grade]').waitFor()
  if (shots) {
    await kioskShot(page, `lookup-question-grade-${shots}`)
    await assertFits(page, `grade question ${shots}`)
  }
  await page.click('[data-test=option-3]')
  await page.locator('[data-test=question-disability_cause]').waitFor()
  if (shots) await kioskShot(page, `lookup-question-cause-${shots}`)
  await page.click('[data-test=option-war]')
  await page.locator('[data-test=question-residence]').waitFor()
  await page.click('[data-test=option-rural]')
  await page.locator('[data-test=entitlements]').waitFor()
}

describe('entitlement lookup', () => {
  test('wizard: a grade-3 disabled veteran sees pension and medical items and takes a ticket', async () => {
    const page = await openKiosk(browser.context, server.url)
    await walkWizardDisabledVet(page, 'zh')
    await page.getByText('您可能享受的优待').waitFor()
    assert.match(await page.locator('[data-test=results-count]').textContent(), /共 \d+ 项/)
    await kioskShot(page, 'lookup-results-zh')
    await assertFits(page, 'results zh')
    await page.setViewportSize(VIEWPORTS.fullHD)
    await assertFits(page, 'results zh 1920×1080')
    await kioskShot(page, 'lookup-results-zh-fullhd')
    await page.setViewportSize(VIEWPORTS.kiosk)

    // Grouped by domain: the pension under 生活, the medical cover under 医疗.
    await page.click('[data-test=domain-living]')
    const pension = page.locator('[data-test=ent-LIV-001]')
    await pension.waitFor()
    assert.match(await pension.textContent(), /残疾抚恤金/)
    assert.match(await pension.textContent(), /需要带/)
    assert.match(await pension.textContent(), /残疾军人证/)
    assert.match(await pension.textContent(), /在哪里办/)
    // The ticket button names the service as the station does, never by letter alone.
    assert.equal((await page.locator('[data-test=take-LIV-001]').innerText()).trim(), '取号：抚恤补助/年度确认')
    await page.click('[data-test=domain-medical]')
    await page.locator('[data-test=ent-MED-003]').waitFor()
    assert.match(await page.locator('[data-test=ent-MED-003]').textContent(), /一至六级残疾军人医疗费保障/)
    await kioskShot(page, 'lookup-results-medical-zh')
    // "Possibly" items say so, with their reasons.
    await page.click('[data-test=domain-housing]')
    const possibly = page.locator('[data-test=ent-HOU-002] [data-test=possibly]')
    await possibly.waitFor()
    assert.equal((await possibly.textContent()).trim(), '可能符合，请咨询工作人员')

    // 上一步 goes back to the last question with its answer kept.
    await page.click('[data-test=back]')
    await page.locator('[data-test=question-residence]').waitFor()
    assert.match(await page.locator('[data-test=option-rural]').getAttribute('class'), /lk-option--on/)
    await page.click('[data-test=option-rural]')
    await page.click('[data-test=domain-living]')

    // The item's ticket goes through the usual priority question.
    const before = await waitingCount(server.url, 'D')
    await page.click('[data-test=take-LIV-001]')
    await page.locator('[data-test=priority-question]').waitFor()
    assert.match(await page.locator('[data-test=chosen-service]').textContent(), /D/)
    await page.click('[data-test=priority-yes]')
    const number = (await page.locator('[data-test=ticket-number]').textContent()).trim()
    assert.match(number, /^D\d{3}$/)
    assert.equal(await waitingCount(server.url, 'D'), before + 1)
    assertNoPageErrors(page)
    await page.close()
  })

  test('wizard: a martyr family member answers relation, birth year and sex', async () => {
    const page = await openKiosk(browser.context, server.url)
    await page.click('[data-test=choice-lookup]')
    await page.click('[data-test=lookup-wizard]')
    await page.click('[data-test=group-family]')
    await page.click('[data-test=cat-MARTYR_FAMILY]')
    await page.click('[data-test=next]')
    await page.locator('[data-test=question-relation]').waitFor()
    assert.match(await page.locator('[data-test=question-progress]').textContent(), /第 1 题，共 3 题/)
    await page.click('[data-test=option-parent]')
    await page.locator('[data-test=question-birth_date]').waitFor()
    // A year out of range is explained, not refused silently.
    await tapKeys(page, '1850')
    assert.match(await page.locator('[data-test=year-status]').textContent(), /1900 到 \d{4} 之间/)
    assert.equal(await page.locator('[data-test=next]').isDisabled(), true)
    for (let i = 0; i < 4; i++) await page.click('[data-test=keypad] [data-key=back]')
    await tapKeys(page, '1948')
    await kioskShot(page, 'lookup-question-year-zh')
    await assertFits(page, 'year question zh')
    await page.click('[data-test=next]')
    await page.locator('[data-test=question-sex]').waitFor()
    await page.click('[data-test=option-female]')
    await page.locator('[data-test=entitlements]').waitFor()
    assert.ok((await page.locator('[data-test^=ent-]').count()) > 0)
    assertNoPageErrors(page)
    await page.close()
  })

  test('personal: 待领取 with the right digits, one tap takes the B ticket, again the same one', async () => {
    const person = server.people.ready
    const page = await openKiosk(browser.context, server.url)
    await lookUp(page, person, 'zh')
    assert.equal((await page.locator('[data-test=card-status]').textContent()).trim(), '待领取')
    assert.match(await page.locator('[data-test=card-next]').textContent(), /取号到窗口领取/)
    // The name is masked, the ID number too.
    assert.match(await page.locator('[data-test=person-name]').textContent(), /^.\*+，您好$/)
    const shownId = await page.locator('[data-test=person-id]').textContent()
    assert.match(shownId, /\*{8}/)
    assert.ok(!(await page.locator('body').innerText()).includes(person.id), 'the full ID number is on screen')
    await page.locator('[data-test=card-history] li').first().waitFor()
    // History dates in words: 2026年11月1日.
    for (const d of await page.locator('[data-test=card-history] .timeline__date').allInnerTexts()) {
      assert.match(d, /^\d{4}年\d{1,2}月\d{1,2}日$/)
    }
    await kioskShot(page, 'lookup-result-zh')
    await assertFits(page, 'result zh')
    await page.click('[data-test=tab-entitlements]')
    await page.locator('[data-test=entitlements]').waitFor()
    await kioskShot(page, 'lookup-result-entitlements-zh')
    await assertFits(page, 'result entitlements zh')
    await page.click('[data-test=tab-card]')

    const before = await waitingCount(server.url, 'B')
    // A double tap is one ticket.
    await page.locator('[data-test=collect-ticket]').dblclick()
    const number = (await page.locator('[data-test=ticket-number]').textContent()).trim()
    assert.match(number, /^B\d{3}$/)
    assert.equal(await waitingCount(server.url, 'B'), before + 1)
    await kioskShot(page, 'lookup-collect-ticket-zh')
    // Nothing of the record is left behind the ticket.
    assert.ok(!(await page.locator('body').innerText()).includes('待领取'))

    // Looking up again and tapping again gives the same ticket.
    await page.click('[data-test=primary]')
    await lookUp(page, person)
    await page.click('[data-test=collect-ticket]')
    assert.equal((await page.locator('[data-test=ticket-number]').textContent()).trim(), number)
    await page.locator('[data-test=existing]').waitFor()
    assert.equal(await waitingCount(server.url, 'B'), before + 1)
    assertNoPageErrors(page)
    await page.close()
  })

  test('personal: a wrong check digit is explained; a card reader typing the number works', async () => {
    const person = server.people.registered
    const page = await openKiosk(browser.context, server.url)
    await openPersonal(page, 'zh')
    await kioskShot(page, 'lookup-id-empty-zh')
    await tapKeys(page, wrongCheck(person.id))
    const error = page.locator('[data-test=id-error]')
    await error.waitFor()
    assert.match(await error.textContent(), /最后一位不对/)
    // The check character is marked.
    assert.equal(await page.locator('[data-test=id-display] .digits__ch--bad').count(), 1)
    await kioskShot(page, 'lookup-id-checksum-zh')
    await assertFits(page, 'ID checksum zh')
    // 下一步 with a wrong number keeps the person here, with the message.
    await page.click('[data-test=next]')
    await error.waitFor()
    assert.equal(await page.locator('[data-test=phone-step]').count(), 0)

    // A keyboard-wedge reader types into the full field: a new number begins, and its
    // Enter goes on once the station has checked it. Readers may send a lower-case x.
    await page.keyboard.type(person.id.toLowerCase() + '\n', { delay: 5 })
    await page.locator('[data-test=phone-step]').waitFor()

    // Too short a number on 下一步: the station says how many characters were typed.
    await page.click('[data-test=change-id]')
    await page.click('[data-test=clear]')
    await tapKeys(page, '11010519')
    await page.click('[data-test=next]')
    assert.match(await error.textContent(), /18 位.*8 位/)
    assertNoPageErrors(page)
    await page.close()
  })

  test('personal: wrong last four digits three times end on the counter screen', async () => {
    const person = server.people.issued
    const page = await openKiosk(browser.context, server.url)
    await openPersonal(page)
    await enterId(page, person.id)
    const wrong = wrongDigits(person.last4)
    for (const left of [2, 1]) {
      await tapKeys(page, wrong)
      await page.click('[data-test=submit]')
      const msg = page.locator('[data-test=lookup-error]')
      await msg.waitFor()
      assert.match(await msg.textContent(), new RegExp(`还可以再试 ${left} 次`))
      assert.equal(await page.locator('[data-test=phone-display]').textContent(), '', 'the wrong digits stay')
      if (left === 2) {
        await kioskShot(page, 'lookup-phone-wrong-zh')
        await assertFits(page, 'wrong digits zh')
      }
    }
    await tapKeys(page, wrong)
    await page.click('[data-test=submit]')
    await page.locator('[data-test=locked]').waitFor()
    await page.getByText('请到窗口由工作人员为您查询').waitFor()
    // The person sent to the counter gets the number to go there with, in one tap
    // (and the priority question every ticket asks).
    assert.equal(await page.locator('.screen__actions button').count(), 2)
    await kioskShot(page, 'lookup-locked-zh')
    await assertFits(page, 'locked zh')
    const before = await waitingCount(server.url, 'B')
    await page.click('[data-test=locked-ticket]')
    await page.click('[data-test=priority-no]')
    await page.locator('[data-test=ticket-number]').waitFor()
    assert.match(await page.textContent('[data-test=ticket-number]'), /^\s*B\d{3}\s*$/)
    assert.equal(await waitingCount(server.url, 'B'), before + 1)

    // The right digits do not open it either.
    await page.click('[data-test=home]')
    await openPersonal(page)
    await enterId(page, person.id)
    await tapKeys(page, person.last4)
    await page.click('[data-test=submit]')
    await page.locator('[data-test=locked]').waitFor()
    assertNoPageErrors(page)
    await page.close()
  })

  test('personal: a lobby tablet paused for wrong answers sends the person to the counter', async () => {
    // The answer an enrolled device gets after too many wrong answers over all
    // numbers (backend/http TestRateLimit_LookupFailures makes it for real; the
    // kiosk PC itself is never paused, so the browser here is given it).
    const person = server.people.issued
    const page = await openKiosk(browser.context, server.url)
    await page.route('**/api/v1/lookup', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'Retry-After': '180' },
        contentType: 'application/json',
        body: JSON.stringify({
          code: 'unavailable',
          reason: 'paused',
          message: '这台设备上输错的次数太多，查询暂停 3 分钟。',
        }),
      }),
    )
    await openPersonal(page)
    await enterId(page, person.id)
    await tapKeys(page, person.last4)
    await page.click('[data-test=submit]')
    await page.locator('[data-test=locked]').waitFor()
    await page.getByText('查询暂停 3 分钟').waitFor()
    await kioskShot(page, 'lookup-paused-zh')
    await assertFits(page, 'paused zh')
    assertNoPageErrors(page)
    await page.close()
  })

  test('idle reset clears the record: nothing personal stays in the page', async () => {
    const person = server.people.making
    const page = await openKiosk(browser.context, server.url, { path: '/?idle=4,2' })
    await lookUp(page, person)
    const name = (await page.locator('[data-test=person-name]').textContent()).trim()
    const shownId = (await page.locator('[data-test=person-id] .who__id-number').textContent()).trim()
    assert.equal((await page.locator('[data-test=card-status]').textContent()).trim(), '制卡中')

    await page.locator('[data-test=idle-warning]').waitFor({ state: 'visible', timeout: 8_000 })
    await page.locator('[data-test=choice-lookup]').waitFor({ timeout: 6_000 })
    await page.locator('[data-test=idle-warning]').waitFor({ state: 'hidden' })
    const html = await page.content()
    for (const s of [name, shownId, person.id, person.id.slice(14), '制卡中', '优待证办理进度', person.last4]) {
      assert.ok(!html.includes(s), `"${s}" is still in the page after the idle reset`)
    }
    // Coming back finds the lookup empty.
    await page.click('[data-test=choice-lookup]')
    await page.click('[data-test=lookup-personal]')
    await page.locator('[data-test=privacy-notice]').waitFor()
    await page.click('[data-test=agree]')
    assert.equal((await page.locator('[data-test=id-display]').textContent()).trim(), '')
    assertNoPageErrors(page)
    await page.close()
  })

  test('返回首页 clears an ID number being typed', async () => {
    const person = server.people.lost
    const page = await openKiosk(browser.context, server.url)
    await openPersonal(page)
    await tapKeys(page, person.id.slice(0, 10))
    await page.click('[data-test=home]')
    await page.locator('[data-test=choice-lookup]').waitFor()
    assert.ok(!(await page.content()).includes(person.id.slice(0, 10)))
    await page.click('[data-test=choice-lookup]')
    await page.click('[data-test=lookup-personal]')
    await page.click('[data-test=agree]')
    assert.equal((await page.locator('[data-test=id-display]').textContent()).trim(), '')
    await page.close()
  })

  test('in English', async () => {
    const page = await openKiosk(browser.context, server.url)
    await page.click('[data-test=lang-en]')
    await walkWizardDisabledVet(page, 'en')
    await page.getByText('What you may be entitled to').waitFor()
    await page.click('[data-test=domain-living]')
    assert.match(await page.locator('[data-test=ent-LIV-001]').textContent(), /Disability pension/)
    await page.click('[data-test=domain-housing]')
    assert.match(
      await page.locator('[data-test=ent-HOU-002] [data-test=possibly]').textContent(),
      /May apply: please ask a member of staff/,
    )
    await kioskShot(page, 'lookup-results-en')
    await assertFits(page, 'results en')

    await page.click('[data-test=home]')
    await page.click('[data-test=lang-en]')
    await lookUp(page, server.people.replacing, 'en')
    assert.equal((await page.locator('[data-test=card-status]').textContent()).trim(), 'Replacement in progress')
    await page.getByText('Hello,', { exact: false }).waitFor()
    for (const d of await page.locator('[data-test=card-history] .timeline__date').allInnerTexts()) {
      assert.match(d, /^\d{1,2} [A-Z][a-z]+ \d{4}$/)
    }
    await kioskShot(page, 'lookup-result-en')
    await assertFits(page, 'result en')
    // Names stay as registered; everything else is English.
    for (const part of ['.tabs', '.card', '.who__cats', '.screen__actions']) {
      const text = await page.locator(`[data-test=personal] ${part}`).innerText()
      assert.doesNotMatch(text, /[\u4e00-\u9fff]/, `Chinese in ${part} of the English result screen`)
    }
    assertNoPageErrors(page)
    await page.close()
  })

  test('in elderly mode every lookup screen is large and fits', async () => {
    const page = await openKiosk(browser.context, server.url)
    await page.click('[data-test=elderly-toggle]')
    await walkWizardDisabledVet(page, 'elderly')
    await kioskShot(page, 'lookup-results-elderly')
    await assertFits(page, 'results elderly')
    assert.ok((await pxOf(page.locator('.ent__title').first(), 'font-size')) >= 30, 'item titles are small')

    // 返回首页 keeps the person's large text; only the idle reset ends it.
    await page.click('[data-test=home]')
    await page.click('[data-test=choice-lookup]')
    await page.click('[data-test=lookup-wizard]')
    await page.click('[data-test=group-family]')
    await page.click('[data-test=cat-MARTYR_FAMILY]')
    await kioskShot(page, 'lookup-categories-family-elderly')
    await assertFits(page, 'family categories elderly')
    await page.click('[data-test=next]')
    await page.click('[data-test=option-spouse]')
    await tapKeys(page, '1952')
    await kioskShot(page, 'lookup-question-year-elderly')
    await assertFits(page, 'year question elderly')

    await page.click('[data-test=home]')
    const person = server.people.ready
    await lookUp(page, person, 'elderly')
    await kioskShot(page, 'lookup-result-elderly')
    await assertFits(page, 'result elderly')
    const button = page.locator('[data-test=collect-ticket]')
    assert.ok((await pxOf(button, 'font-size')) >= 32, 'the collection button is small')
    const box = await button.boundingBox()
    assert.ok(box && box.height >= 72, `the collection button is ${box?.height}px high`)
    await page.click('[data-test=tab-entitlements]')
    await kioskShot(page, 'lookup-result-entitlements-elderly')
    await assertFits(page, 'result entitlements elderly')

    // The keypad keys grow with the text.
    await page.click('[data-test=home]')
    assert.equal(await page.locator('html').getAttribute('class'), 'elderly')
    await openPersonal(page)
    const k = page.locator('[data-test=keypad] [data-key="5"]')
    assert.ok((await k.boundingBox()).height >= 72, 'keypad keys are small in elderly mode')
    await tapKeys(page, wrongCheck(server.people.issued.id))
    await page.locator('[data-test=id-error]').waitFor()
    await kioskShot(page, 'lookup-id-error-elderly')
    await assertFits(page, 'ID error elderly')
    await page.click('[data-test=clear]')
    await page.click('[data-test=back]')
    await page.click('[data-test=back]')
    await page.click('[data-test=lookup-personal]')
    // The issued person was locked by the lockout test above (tests run in order).
    await page.click('[data-test=agree]')
    await enterId(page, server.people.issued.id)
    await tapKeys(page, server.people.issued.last4)
    await page.click('[data-test=submit]')
    await page.locator('[data-test=locked]').waitFor()
    await kioskShot(page, 'lookup-locked-elderly')
    await assertFits(page, 'locked elderly')
    assertNoPageErrors(page)
    await page.close()
  })
})
