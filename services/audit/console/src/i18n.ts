// Dutch first, English beside it. The choice of language is no personal data; it is kept in
// localStorage so that it survives a reload.
export type Lang = 'nl' | 'en'

const STRINGS = {
  title: { nl: 'Wams-toezichtconsole', en: 'Wams supervisor console' },
  skip: { nl: 'Naar de inhoud', en: 'Skip to content' },
  mainMenu: { nl: 'Hoofdmenu', en: 'Main menu' },
  navFeed: { nl: 'Live besluiten', en: 'Live decisions' },
  navLog: { nl: 'Gezondheid van het log', en: 'Log health' },
  navCharts: { nl: 'Grafieken', en: 'Charts' },
  navInzage: { nl: 'Inzage', en: 'Access report' },
  navEvent: { nl: 'Gebeurtenis', en: 'Event' },
  switchLang: { nl: 'English', en: 'Nederlands' },
  switchLangLabel: { nl: 'Switch to English', en: 'Schakel naar Nederlands' },
  signOut: { nl: 'Afmelden', en: 'Sign out' },
  signedInAs: { nl: 'Aangemeld als', en: 'Signed in as' },
  footer: {
    nl: 'Alle controles van handtekeningen en bewijzen gebeuren in deze browser. Niets met persoonsgegevens wordt bewaard: het token staat alleen in deze sessie van het tabblad.',
    en: 'Every check of signatures and proofs happens in this browser. Nothing holding personal data is stored: the token lives only in this tab\'s session.'
  },

  signInTitle: { nl: 'Aanmelden', en: 'Sign in' },
  signInIntro: {
    nl: 'Plak een bearer-token van een vertrouwde uitgever. Het token blijft alleen in deze sessie van het tabblad (sessionStorage) en gaat alleen in de Authorization-header mee, nooit in een URL.',
    en: 'Paste a bearer token from a trusted issuer. The token stays only in this tab\'s session (sessionStorage) and travels only in the Authorization header, never in a URL.'
  },
  signInDev: { nl: 'In ontwikkeling maakt u er een met:', en: 'In development, make one with:' },
  tokenLabel: { nl: 'Toegangstoken', en: 'Access token' },
  signInButton: { nl: 'Aanmelden', en: 'Sign in' },
  signInChecking: { nl: 'Token wordt gecontroleerd…', en: 'Checking the token…' },
  signInFailed: { nl: 'Aanmelden mislukt', en: 'Sign-in failed' },
  signInExpired: { nl: 'Uw sessie is verlopen of het token is ongeldig. Meld u opnieuw aan.', en: 'Your session expired or the token is invalid. Please sign in again.' },
  tokenEmpty: { nl: 'Vul een token in.', en: 'Enter a token.' },

  feedTitle: { nl: 'Live besluiten', en: 'Live decisions' },
  feedIntro: {
    nl: 'Nieuwe gebeurtenissen verschijnen bovenaan zodra het log ze heeft opgenomen. U ziet wat uw token mag zien.',
    en: 'New events appear at the top as soon as the log has taken them in. You see what your token may see.'
  },
  filters: { nl: 'Filters', en: 'Filters' },
  fCase: { nl: 'Zaak (id)', en: 'Case (id)' },
  fParty: { nl: 'Partij (OIN)', en: 'Party (OIN)' },
  fCategory: { nl: 'Categorie', en: 'Category' },
  fOutcome: { nl: 'Uitkomst', en: 'Outcome' },
  fPurpose: { nl: 'Doel', en: 'Purpose' },
  fFrom: { nl: 'Vanaf', en: 'From' },
  fTo: { nl: 'Tot', en: 'Until' },
  fFlagged: { nl: 'Alleen gemarkeerde besluiten', en: 'Flagged decisions only' },
  any: { nl: 'Alle', en: 'Any' },
  apply: { nl: 'Toepassen', en: 'Apply' },
  reset: { nl: 'Wissen', en: 'Clear' },
  streamConnecting: { nl: 'Verbinden…', en: 'Connecting…' },
  streamLive: { nl: 'Live verbonden', en: 'Live' },
  streamRetry: { nl: 'Verbinding verbroken; opnieuw verbinden…', en: 'Connection lost; reconnecting…' },
  streamStopped: { nl: 'Gestopt', en: 'Stopped' },
  eventsShown: { nl: 'gebeurtenissen getoond', en: 'events shown' },
  noEvents: { nl: 'Nog geen gebeurtenissen die bij de filters passen.', en: 'No events match the filters yet.' },
  colTime: { nl: 'Tijd', en: 'Time' },
  colType: { nl: 'Soort', en: 'Type' },
  colOutcome: { nl: 'Uitkomst', en: 'Outcome' },
  colRequester: { nl: 'Aanvrager', en: 'Requester' },
  colProvider: { nl: 'Verstrekker', en: 'Provider' },
  colCategory: { nl: 'Categorie', en: 'Category' },
  colPurpose: { nl: 'Doel', en: 'Purpose' },
  colCase: { nl: 'Zaak', en: 'Case' },
  colNotes: { nl: 'Redenen en markeringen', en: 'Reasons and flags' },
  colProof: { nl: 'Bewijs', en: 'Proof' },
  open: { nl: 'Controleren', en: 'Verify' },
  flagged: { nl: 'Gemarkeerd', en: 'Flagged' },
  'flag:objection-overridden': { nl: 'bezwaar doorbroken ter bescherming van anderen', en: 'objection overridden to protect others' },
  'flag:no-standing': { nl: 'poging zonder betrokkenheid bij de zaak', en: 'attempt without standing in the case' },
  invalidCase: { nl: 'Een zaak-id is een UUID.', en: 'A case id is a UUID.' },
  invalidOin: { nl: 'Een OIN heeft 20 cijfers.', en: 'An OIN has 20 digits.' },

  logTitle: { nl: 'Gezondheid van het log', en: 'Log health' },
  logIntro: {
    nl: 'Het laatste checkpoint, zijn handtekening en de consistentie met het vorige checkpoint dat deze sessie zag — alles in deze browser nagerekend.',
    en: 'The latest checkpoint, its signature and its consistency with the previous checkpoint this session saw — all recomputed in this browser.'
  },
  recheck: { nl: 'Opnieuw controleren', en: 'Check again' },
  origin: { nl: 'Oorsprong (log)', en: 'Origin (log)' },
  treeSize: { nl: 'Grootte van de boom', en: 'Tree size' },
  rootHash: { nl: 'Wortelhash', en: 'Root hash' },
  signedAt: { nl: 'Ondertekend op', en: 'Signed at' },
  signedNote: { nl: 'Ondertekend checkpoint (C2SP signed note)', en: 'Signed checkpoint (C2SP signed note)' },
  signatures: { nl: 'Handtekeningen en medeondertekeningen', en: 'Signatures and cosignatures' },
  witnessesTitle: { nl: 'Vertrouwde getuigen', en: 'Trusted witnesses' },
  witnessKeys: { nl: 'Sleutels van getuigen (verifier keys, één per regel)', en: 'Witness keys (verifier keys, one per line)' },
  witnessKeysHint: {
    nl: 'Zoals npx wams witness ze afdrukt: naam+sleutel-id+base64. Ze komen van u, niet van het log, en blijven in deze browser bewaard (publieke sleutels).',
    en: 'As npx wams witness prints them: name+key ID+base64. They come from you, not from the log, and are kept in this browser (public keys).'
  },
  witnessKeysSave: { nl: 'Sleutels gebruiken', en: 'Use these keys' },
  witnessKeysKept: { nl: 'sleutel(s) in gebruik', en: 'key(s) in use' },
  witnessKeysRefused: { nl: 'geweigerd (geen cosignature-sleutel)', en: 'refused (not a cosignature key)' },
  sigName: { nl: 'Naam', en: 'Name' },
  sigKeyId: { nl: 'Sleutel-id', en: 'Key ID' },
  sigStatus: { nl: 'Uitkomst', en: 'Result' },
  sigLog: { nl: 'handtekening van het log', en: 'the log\'s signature' },
  sigWitness: { nl: 'medeondertekening (getuige)', en: 'cosignature (witness)' },
  sigUnknown: { nl: 'niet gecontroleerd: sleutel niet bekend bij deze console', en: 'not checked: key not known to this console' },
  sigValid: { nl: 'geldig', en: 'valid' },
  sigInvalid: { nl: 'ONGELDIG', en: 'INVALID' },
  checkSignature: { nl: 'Handtekening van het log (Ed25519, sleutel uit /v1/audit/keys)', en: 'The log\'s signature (Ed25519, key from /v1/audit/keys)' },
  checkHeadMatches: { nl: 'Grootte en wortel in het antwoord zijn die van het ondertekende checkpoint', en: 'Size and root in the answer are those of the signed checkpoint' },
  checkConsistency: { nl: 'Consistent met het vorige checkpoint van deze sessie', en: 'Consistent with this session\'s previous checkpoint' },
  noPrevious: { nl: 'Eerste checkpoint in deze sessie; het wordt onthouden om het volgende mee te vergelijken.', en: 'First checkpoint in this session; it is kept to compare the next one with.' },
  sameCheckpoint: { nl: 'Zelfde grootte als het vorige checkpoint; de wortels zijn gelijk.', en: 'Same size as the previous checkpoint; the roots are equal.' },
  rollback: { nl: 'De boom is kleiner dan het vorige checkpoint: het log is teruggedraaid of toont een andere geschiedenis.', en: 'The tree is smaller than the previous checkpoint: the log rolled back or shows another history.' },
  consistentFrom: { nl: 'Consistent vanaf grootte', en: 'Consistent from size' },
  inconsistent: { nl: 'NIET consistent: het log toont een andere geschiedenis dan eerder.', en: 'NOT consistent: the log shows another history than before.' },
  healthy: { nl: 'Log in orde', en: 'Log healthy' },
  unhealthy: { nl: 'Probleem met het log', en: 'Problem with the log' },
  noCheckpoint: { nl: 'Er is nog geen ondertekend checkpoint.', en: 'There is no signed checkpoint yet.' },
  previousKept: { nl: 'Vorig checkpoint (deze sessie)', en: 'Previous checkpoint (this session)' },

  eventTitle: { nl: 'Gebeurtenis en bewijs', en: 'Event and proof' },
  eventLookup: { nl: 'Gebeurtenis-id', en: 'Event id' },
  eventOpen: { nl: 'Openen', en: 'Open' },
  verified: { nl: 'geverifieerd', en: 'verified' },
  notVerified: { nl: 'niet geverifieerd', en: 'not verified' },
  verifiedLong: {
    nl: 'Deze gebeurtenis staat ongewijzigd in het log: de bladhash is in deze browser berekend, het inclusiebewijs klopt en het checkpoint is door het log ondertekend.',
    en: 'This event is in the log unchanged: the leaf hash was computed in this browser, the inclusion proof holds and the checkpoint is signed by the log.'
  },
  notVerifiedLong: {
    nl: 'De wiskunde klopt niet: deze gebeurtenis is niet aantoonbaar ongewijzigd opgenomen in het ondertekende log.',
    en: 'The math does not hold: this event cannot be shown to be in the signed log unchanged.'
  },
  checkLeaf: { nl: 'Bladhash = SHA-256(0x00 ‖ RFC 8785-JSON van de gebeurtenis), hier berekend', en: 'Leaf hash = SHA-256(0x00 ‖ RFC 8785 JSON of the event), computed here' },
  checkLeafServer: { nl: 'De bladhash van de server is gelijk aan de hier berekende', en: 'The server\'s leaf hash equals the one computed here' },
  checkInclusion: { nl: 'Inclusiebewijs (RFC 9162) leidt naar de wortel van het checkpoint', en: 'Inclusion proof (RFC 9162) leads to the checkpoint\'s root' },
  checkCheckpoint: { nl: 'Checkpoint ondertekend door het log, met dezelfde grootte en wortel', en: 'Checkpoint signed by the log, with the same size and root' },
  leafIndex: { nl: 'Plaats in het log (blad)', en: 'Place in the log (leaf)' },
  computedLeaf: { nl: 'Berekende bladhash', en: 'Computed leaf hash' },
  proofLength: { nl: 'Hashes in het bewijs', en: 'Hashes in the proof' },
  eventJson: { nl: 'De gebeurtenis zoals ontvangen', en: 'The event as received' },
  providerView: {
    nl: 'U ziet deze gebeurtenis als verstrekker: wat u ontving, zonder bewijs. De bladhash gaat over de volledige gebeurtenis, die u niet krijgt; de toezichthouder kan het blad openen.',
    en: 'You see this event as its provider: what you received, without a proof. The leaf hash covers the full event, which you do not get; the supervisor can open the leaf.'
  },
  purged: { nl: 'De inhoud van deze gebeurtenis is na de bewaartermijn verwijderd; alleen de bladhash blijft.', en: 'This event\'s content was removed after the retention period; only its leaf hash remains.' },
  notYetSigned: { nl: 'Nog niet in een ondertekend checkpoint; opnieuw proberen over', en: 'Not yet in a signed checkpoint; trying again in' },
  seconds: { nl: 's', en: 's' },
  notFound: { nl: 'Niet gevonden, of niet zichtbaar voor uw token.', en: 'Not found, or not visible to your token.' },
  invalidEventId: { nl: 'Een gebeurtenis-id is een UUID.', en: 'An event id is a UUID.' },

  inzageTitle: { nl: 'Inzage voor een persoon', en: 'Access report for a person' },
  inzageIntro: {
    nl: 'Het overzicht van alles wat over een persoon is gedeeld of gevraagd (AVG art. 15). Het BSN gaat alleen in de body van het verzoek, nooit in een URL, en wordt na het ophalen uit het formulier gewist. Het opvragen wordt zelf vastgelegd.',
    en: 'The overview of everything shared or asked about a person (GDPR art. 15). The BSN goes only in the request body, never in a URL, and is cleared from the form once fetched. Asking is itself recorded.'
  },
  bsn: { nl: 'BSN', en: 'BSN (citizen service number)' },
  bsnHint: { nl: '9 cijfers, voldoet aan de elfproef', en: '9 digits, passes the eleven-test' },
  bsnInvalid: { nl: 'Dit is geen geldig BSN (9 cijfers, elfproef).', en: 'This is not a valid BSN (9 digits, eleven-test).' },
  reportLanguage: { nl: 'Taal van het overzicht', en: 'Language of the report' },
  getReport: { nl: 'Overzicht opvragen', en: 'Get the report' },
  print: { nl: 'Afdrukken', en: 'Print' },
  reportHeading: { nl: 'Overzicht van het gebruik van uw gegevens', en: 'Overview of the use of your data' },
  reportDate: { nl: 'Datum van dit overzicht', en: 'Date of this overview' },
  disclosures: { nl: 'Verstrekkingen', en: 'Disclosures' },
  refusals: { nl: 'Geweigerde verzoeken', en: 'Refused requests' },
  caseEvents: { nl: 'Gebeurtenissen in uw zaak', en: 'Events in your case' },
  none: { nl: 'Geen.', en: 'None.' },
  date: { nl: 'Datum', en: 'Date' },
  description: { nl: 'Omschrijving', en: 'Description' },
  withheldTitle: { nl: 'Alleen voor de gemeente — niet voor de inwoner', en: 'For the municipality only — not for the resident' },
  withheldText: { nl: 'gebeurtenissen in', en: 'events in' },
  withheldCases: { nl: 'zaak/zaken weggelaten', en: 'case(s) left out' },
  reportSender: { nl: 'Opgesteld met het Wams-auditlog', en: 'Drawn up from the Wams audit log' },
  reportNotPermitted: { nl: 'U mag het overzicht van deze persoon niet opvragen.', en: 'You may not ask for this person\'s report.' },

  chartsTitle: { nl: 'Grafieken', en: 'Charts' },
  chartsIntro: {
    nl: 'Berekend door de auditdienst over de besluiten die uw token mag zien (GET /v1/audit/statistics), voor de gekozen periode; dagen in UTC.',
    en: 'Computed by the audit service over the decisions your token may see (GET /v1/audit/statistics), for the chosen period; days in UTC.'
  },
  period: { nl: 'Periode', en: 'Period' },
  load: { nl: 'Laden', en: 'Load' },
  loading: { nl: 'Laden…', en: 'Loading…' },
  loaded: { nl: 'besluiten geladen', en: 'decisions loaded' },
  chartPerDay: { nl: 'Verzoeken per dag, naar uitkomst', en: 'Requests per day, by outcome' },
  chartCategory: { nl: 'Verzoeken per categorie', en: 'Requests by category' },
  chartPartyType: { nl: 'Verzoeken per soort aanvrager', en: 'Requests by requesting party type' },
  chartDenyReasons: { nl: 'Redenen van de regels (redencodes van de besluiten die u volledig ziet, rangorde)', en: 'Reasons of the rules (reason codes of the decisions you see in full, ranked)' },
  chartRefusalReasons: { nl: 'Redenen van weigering door de verstrekker (rangorde)', en: 'Reasons for refusal by the provider (ranked)' },
  chartAnswerTimes: { nl: 'Antwoordtijden (verdeling)', en: 'Answer times (distribution)' },
  chartAnswerTimesPerDay: { nl: 'Antwoordtijden per dag: mediaan (p50) en p95', en: 'Answer times per day: median (p50) and p95' },
  answerTimesNote: {
    nl: 'De tijd van de gateway van ontvangst van het verzoek tot het schrijven van het auditrecord (detail.durationMs): wat de aanvrager wachtte, op het versturen van het antwoord na.',
    en: 'The gateway\'s time from receiving the request to writing the audit record (detail.durationMs): what the requester waited, apart from sending the answer.'
  },
  noAnswerTimes: { nl: 'De gebeurtenissen in deze periode bevatten geen antwoordtijden (detail.durationMs).', en: 'The events of this period hold no answer times (detail.durationMs).' },
  withTime: { nl: 'met antwoordtijd', en: 'with an answer time' },
  showTable: { nl: 'Toon als tabel', en: 'Show as a table' },
  count: { nl: 'Aantal', en: 'Count' },
  day: { nl: 'Dag', en: 'Day' },
  reason: { nl: 'Reden', en: 'Reason' },
  category: { nl: 'Categorie', en: 'Category' },
  partyType: { nl: 'Soort partij', en: 'Party type' },
  noData: { nl: 'Geen gegevens in deze periode.', en: 'No data in this period.' },
  milliseconds: { nl: 'milliseconden', en: 'milliseconds' },

  error: { nl: 'Fout', en: 'Error' },
  networkError: { nl: 'De auditdienst is niet bereikbaar.', en: 'The audit service cannot be reached.' },
  yes: { nl: 'ja', en: 'yes' },
  no: { nl: 'nee', en: 'no' },
  ok: { nl: 'in orde', en: 'holds' },
  failed: { nl: 'mislukt', en: 'fails' }
} as const satisfies Record<string, Record<Lang, string>>

export type Key = keyof typeof STRINGS

const LABELS: Record<string, Record<string, Record<Lang, string>>> = {
  outcome: {
    permit: { nl: 'toegestaan', en: 'permitted' },
    deny: { nl: 'geweigerd (regels)', en: 'denied (rules)' },
    refused: { nl: 'geweigerd (verstrekker)', en: 'refused (provider)' },
    'not-known': { nl: 'niet bekend', en: 'not known' },
    error: { nl: 'fout', en: 'error' },
    recorded: { nl: 'vastgelegd', en: 'recorded' },
    rejected: { nl: 'afgewezen', en: 'rejected' }
  },
  category: {
    involvement: { nl: 'betrokkenheid', en: 'involvement' },
    identity: { nl: 'identiteit', en: 'identity' },
    household: { nl: 'huishouden', en: 'household' },
    'wmo-support': { nl: 'Wmo-ondersteuning', en: 'Wmo support' },
    'youth-care': { nl: 'jeugdhulp', en: 'youth care' },
    income: { nl: 'inkomen', en: 'income' },
    debts: { nl: 'schulden', en: 'debts' },
    housing: { nl: 'wonen', en: 'housing' },
    education: { nl: 'onderwijs', en: 'education' },
    health: { nl: 'gezondheid', en: 'health' },
    criminal: { nl: 'strafrechtelijk', en: 'criminal' },
    safety: { nl: 'veiligheid', en: 'safety' }
  },
  purpose: {
    onderzoek: { nl: 'onderzoek', en: 'investigation' },
    casusoverleg: { nl: 'casusoverleg', en: 'case conference' },
    coordinatie: { nl: 'coördinatie', en: 'coordination' }
  },
  type: {
    'data-request.decision': { nl: 'gegevensverzoek', en: 'data request' },
    'involvement-check.decision': { nl: 'check op bekendheid', en: 'involvement check' },
    'case.event': { nl: 'zaakgebeurtenis', en: 'case event' },
    'authentication.failed': { nl: 'mislukte aanmelding', en: 'failed authentication' },
    'subject-report.requested': { nl: 'inzage opgevraagd', en: 'access report asked' }
  }
}

export const OUTCOMES = ['permit', 'deny', 'refused', 'not-known', 'error'] as const
export const CATEGORIES = Object.keys(LABELS.category!)
export const PURPOSES = Object.keys(LABELS.purpose!)

const STORAGE_KEY = 'wams.console.lang'
let current: Lang = readLang()

function readLang (): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'nl'
  } catch {
    return 'nl'
  }
}

export function lang (): Lang { return current }

export function setLang (next: Lang): void {
  current = next
  try { localStorage.setItem(STORAGE_KEY, next) } catch {}
  document.documentElement.lang = next
}

export function t (key: Key): string {
  return STRINGS[key][current]
}

/** The label of a code (outcome, category, purpose, type), or the code itself. */
export function label (kind: 'outcome' | 'category' | 'purpose' | 'type', code: string | null | undefined): string {
  if (code === null || code === undefined) return '—'
  return LABELS[kind]?.[code]?.[current] ?? code
}

export function formatTime (iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return new Intl.DateTimeFormat(current === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Europe/Amsterdam' }).format(d)
}

export function formatNumber (n: number): string {
  return new Intl.NumberFormat(current === 'nl' ? 'nl-NL' : 'en-GB').format(n)
}
