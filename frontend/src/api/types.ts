// The station API's request and answer types, named for the frontend. They are taken
// from the types generated out of docs/openapi/station.yaml (schema.d.ts, made by
// `npm run gen:api`), never written by hand: the Go handlers are described once.
import type { components } from './schema'

type S = components['schemas']

/** ErrorCode is the machine code of every error answer. */
export type ErrorCode = S['ErrorCode']

// Station and services.
export type Station = S['Station']
/** Service is a service the kiosk offers, with how many wait for it. */
export type Service = S['Service']

// Tickets.
export type PrintResult = S['PrintResult']
export type PrintAnswer = S['PrintAnswer']
export type Ticket = S['Ticket']
export type IssueTicketRequest = S['IssueTicketRequest']
export type TicketStatus = S['TicketStatus']

// Staff, accounts and sessions.
export type Role = S['Role']
export type StaffSession = S['StaffSession']
export type StaffAccount = S['StaffAccount']
export type StaffNames = S['StaffNames']
export type KioskExit = S['KioskExit']
/** Setup says whether the station still needs its first admin, and whether this is the kiosk. */
export type Setup = S['Setup']

// Counters, calls, the waiting list and the board.
export type Call = S['Call']
export type Counter = S['Counter']
export type Step = S['Step']
export type StaffTicket = S['StaffTicket']
export type TicketVisit = S['TicketVisit']
export type WaitingTicket = S['WaitingTicket']
/** ActiveTicket is a ticket called or served at a counter, with its visit. */
export type ActiveTicket = S['ActiveTicket']
export type ServiceQueue = S['ServiceQueue']
export type WaitingList = S['WaitingList']
export type BoardCounter = S['BoardCounter']
export type ServiceWaiting = S['ServiceWaiting']
export type Board = S['Board']
export type TicketAction = S['TicketAction']
export type TicketActionBody = S['TicketActionRequest']

// Events (the data of the stream's messages).
export type QueueCounts = S['QueueCounts']
export type TicketEvent = S['TicketEvent']

// Figures.
export type StatRow = S['StatRow']
/** Stats is one day's figures. */
export type Stats = S['DayStats']
export type ExportFormat = S['ExportFormat']

// Entitlement lookup.
export type LookupCategory = S['LookupCategory']
export type Categories = S['Categories']
export type QuestionOption = S['QuestionOption']
export type Question = S['Question']
export type Questions = S['Questions']
export type EligibilityRequest = S['EligibilityRequest']
export type LookupDocument = S['LookupDocument']
export type Entitlement = S['Entitlement']
export type EntitlementDomain = S['EntitlementDomain']
export type Eligibility = S['Eligibility']
export type IdCheck = S['IdCheck']
export type CardEvent = S['CardEvent']
export type Card = S['Card']
export type PersonLookup = S['PersonLookup']

// County sync.
export type SyncState = S['SyncState']
export type SyncError = S['SyncError']
export type DeadLetter = S['DeadLetter']
export type SyncStatus = S['SyncStatus']
/** Enrolled is an enrolment just applied, without its secret. */
export type Enrolled = S['Enrolled']

// Visitor ledger.
export type CodeName = S['CodeName']
export type VisitService = S['VisitService']
export type VisitMatters = S['VisitMatters']
export type RegisterVisitRequest = S['RegisterVisitRequest']
export type KioskVisit = S['KioskVisit']
export type VisitOutcome = S['VisitOutcome']
export type Visit = S['Visit']
export type VisitChange = S['VisitChange']
export type VisitAudit = S['VisitAudit']
export type VisitDetail = S['VisitDetail']
export type VisitFilter = S['VisitFilter']
export type VisitList = S['VisitList']
export type VisitPatch = S['VisitPatch']
export type AccessEntry = S['AccessEntry']

// Kiosk devices and the LAN (docs/security.md).
/** KioskDevice is a second kiosk screen an admin enrolled; never its token. */
export type KioskDevice = S['KioskDevice']
/** LANSettings says whether any client on the LAN may take tickets. */
export type LANSettings = S['LANSettings']

// Ratings (好差评) and the follow-up of bad ones.
export type RatingReasons = S['RatingReasons']
export type RatingReason = S['RatingReason']
export type RatingTicket = S['RatingTicket']
export type RatingRequest = S['RatingRequest']
export type RatingAnswer = S['RatingAnswer']
export type RatingCase = S['RatingCase']
export type CaseStatus = S['CaseStatus']
export type CaseStep = S['CaseStep']
export type CaseStepRequest = S['CaseStepRequest']

// Appointments (预约): booked in the console, checked in at the kiosk.
export type AppointmentRequest = S['AppointmentRequest']
export type AppointmentStatus = S['AppointmentStatus']
/** Appointment is a booking as the console shows it: personal fields masked, the code in the clear. */
export type Appointment = S['Appointment']
/** AppointmentDay is one day's bookings by slot, with the check-in window. */
export type AppointmentDay = S['AppointmentDay']
export type CheckInRequest = S['CheckInRequest']
/** CheckIn is a check-in's answer: the ticket, the slot, late or checked in before. */
export type CheckIn = S['CheckIn']
/** TooEarly is the 409 of a check-in before its window: when the booking is, and from when. */
export type TooEarly = S['TooEarly']

// Outreach (走访慰问, 光荣牌, 立功喜报): households of the registry and what the station
// did there.
export type OutreachKind = S['OutreachKind']
/** Honour is a 立功喜报 waiting to be delivered to a household. */
export type Honour = S['Honour']
export type HouseholdMember = S['HouseholdMember']
/** Household is a household of the registry, masked unless an admin unmasked it. */
export type Household = S['Household']
export type OutreachRequest = S['OutreachRequest']
/** Outreach is one entry: the team masked, the photo and signature only as marks. */
export type Outreach = S['Outreach']
export type OutreachDetail = S['OutreachDetail']
export type OutreachPatch = S['OutreachPatch']
/** OutreachAudit is one line of an entry's history: who changed what, personal values left out. */
export type OutreachAudit = S['OutreachAudit']
export type CampaignRequest = S['CampaignRequest']
/** Campaign is a planned round of outreach (2027年春节走访慰问) with a row per household. */
export type Campaign = S['Campaign']
/** CampaignRow is one household of a campaign: its team (masked), status and money. */
export type CampaignRow = S['CampaignRow']
export type CampaignPatch = S['CampaignPatch']
