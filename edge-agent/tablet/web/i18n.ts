// The tablet's words in English and Spanish; the language follows the browser until staff pick one.
export type Lang = 'en' | 'es';

const en = {
  title: (n: number): string => (n === 1 ? 'Table' : 'Tables'),
  walked: (s: number) => `seated ${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')} after check-in`,
  pairTitle: 'Pair this tablet',
  pairHelp: 'Enter the code shown in the kiosk staff mode or printed by "seatpilot agent pair-tablet".',
  pairCode: 'Pairing code',
  pairLabel: 'Name of this tablet (optional)',
  pairButton: 'Pair',
  pairAgain: 'Ask staff to pair this tablet again.',
  badCode: 'This code is wrong, used or expired. Ask staff for a new one.',
  pickTitle: 'Pick your tables',
  pickHelp: 'Choose one table, or several for a zone.',
  open: 'Open',
  changeTables: 'Tables',
  expected: 'Expected',
  checkedIn: 'Checked in',
  seated: 'Seated',
  onTheWay: 'On the way',
  arrived: 'Arrived',
  notYet: 'Not at the door yet',
  tapArrived: 'Mark arrived',
  undo: 'Undo',
  minutesAgo: (m: number) => (m < 1 ? 'checked in just now' : `checked in ${m} min ago`),
  party: (n: number) => (n > 1 ? `party of ${n}` : ''),
  seenAt: (label: string) => `seen at table ${label}`,
  byBeacon: 'by beacon',
  queued: 'waiting to send',
  offline: 'Cannot reach the hub. Taps are kept on this tablet and sent when it is back.',
  pendingTaps: (n: number) => `${n} tap(s) waiting to be sent`,
  tooLate: 'Too late to undo: the arrival was already recorded.',
  notCheckedIn: 'This guest has not checked in at the door yet.',
  occasions: 'Today',
  none: 'Nobody here.',
  language: 'Español',
  role: { steward: 'Steward', supervisor: 'Supervisor' } as Record<'steward' | 'supervisor', string>,
};

const es: typeof en = {
  title: (n: number) => (n === 1 ? 'Mesa' : 'Mesas'),
  walked: (s: number) => `sentado ${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')} tras registrarse`,
  pairTitle: 'Vincular esta tableta',
  pairHelp: 'Escribe el código que muestra el modo personal del quiosco o que imprime "seatpilot agent pair-tablet".',
  pairCode: 'Código de vinculación',
  pairLabel: 'Nombre de esta tableta (opcional)',
  pairButton: 'Vincular',
  pairAgain: 'Pide al personal que vuelva a vincular esta tableta.',
  badCode: 'El código es incorrecto, ya se usó o caducó. Pide uno nuevo al personal.',
  pickTitle: 'Elige tus mesas',
  pickHelp: 'Una mesa, o varias para una zona.',
  open: 'Abrir',
  changeTables: 'Mesas',
  expected: 'Esperados',
  checkedIn: 'Registrados',
  seated: 'Sentados',
  onTheWay: 'En camino',
  arrived: 'Llegaron',
  notYet: 'Aún no han llegado a la puerta',
  tapArrived: 'Marcar llegada',
  undo: 'Deshacer',
  minutesAgo: (m: number) => (m < 1 ? 'registrado ahora mismo' : `registrado hace ${m} min`),
  party: (n: number) => (n > 1 ? `grupo de ${n}` : ''),
  seenAt: (label: string) => `visto en la mesa ${label}`,
  byBeacon: 'por baliza',
  queued: 'pendiente de envío',
  offline: 'No se puede contactar con el servidor. Los toques se guardan en esta tableta y se enviarán al volver.',
  pendingTaps: (n: number) => `${n} toque(s) pendientes de envío`,
  tooLate: 'Demasiado tarde para deshacer: la llegada ya se registró.',
  notCheckedIn: 'Este invitado aún no se ha registrado en la puerta.',
  occasions: 'Hoy',
  none: 'Nadie aquí.',
  language: 'English',
  role: { steward: 'Acomodador/a', supervisor: 'Supervisor/a' },
};

export type Words = typeof en;
export const WORDS: Record<Lang, Words> = { en, es };

export function pickLang(saved: string | null, browser: readonly string[]): Lang {
  if (saved === 'en' || saved === 'es') return saved;
  for (const l of browser) {
    if (l.toLowerCase().startsWith('es')) return 'es';
    if (l.toLowerCase().startsWith('en')) return 'en';
  }
  return 'en';
}
