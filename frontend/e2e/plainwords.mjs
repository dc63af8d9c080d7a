// The words a visitor reads on the kiosk are plain (DESIGN.md, "The look"): a service
// by its name, not its ticket letter; families spelled out, not 三属; 来办事的人, not
// 当事人; dates in words, not 2026-11-01. assertPlainWords checks what a screen shows;
// kioskShot is the specs' screenshot of a kiosk screen with that check made.
import assert from 'node:assert/strict'
import { screenshot } from './helpers.mjs'

/** JARGON is each word a visitor should not meet, with what to write instead. */
export const JARGON = [
  [/三属/, '三属: spell out 烈士、因公牺牲、病故军人的遗属'],
  [/当事人/, '当事人: write 来办事的人'],
  [/校验位/, '校验位: say which digit is wrong (最后一位不对)'],
  [/优抚对象/, '优抚对象: write who is meant (退役军人和军人家属、遗属, 服务站的登记名单)'],
  [/\d{4}-\d{2}-\d{2}/, 'a date as 2026-11-01: write 2026年11月1日 / 1 November 2026'],
  [/取 ?[A-Z] ?号/, 'a ticket by its letter: name the service (取号：优待证申领/补换/变更)'],
  [/\b(?:an?|the) [A-Z] ticket\b|\bticket \([A-Z]\)/, 'a ticket by its letter: name the service (Take a number: …)'],
  [/\b1095 days\b|1095 天/, '1095 days: say 3 years'],
]

/**
 * assertPlainWords fails when the visible text of the page (what a person can read:
 * innerText leaves out what is hidden) holds any of JARGON.
 * @param {import('playwright-core').Page} page
 * @param {string} what the screen, for the message
 */
export async function assertPlainWords(page, what) {
  const text = await page.locator('body').innerText()
  for (const [re, why] of JARGON) {
    const m = re.exec(text)
    assert.equal(m, null, `${what}: "${m?.[0]}" on screen (${why})`)
  }
}

/** kioskShot saves a screenshot of a kiosk screen (helpers.screenshot) and checks its words. */
export async function kioskShot(page, name) {
  await screenshot(page, name)
  await assertPlainWords(page, name)
}
