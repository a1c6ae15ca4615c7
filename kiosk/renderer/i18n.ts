// The guest's and staff's words in Spanish and English; the venue picks one (KioskSetup.language).
import type { RejectReason } from '../../core/contract/contract';
import type { Language, OutOfOrderReason, StaffRole } from '../ipc/channels';

export interface Messages {
  idleTitle: string;
  idleHint: string;
  checking: string;
  welcome: (name: string) => string;
  party: (n: number) => string;
  table: (label: string) => string;
  noTable: string;
  youAreHere: string;
  noRoute: string;
  alreadyTitle: string;
  alreadyWhenWhere: (time: string, door: string) => string;
  refused: Record<Exclude<RejectReason, 'already_checked_in'>, string>;
  seeStaff: string;
  failed: string;
  outOfOrderTitle: string;
  outOfOrderHint: string;
  outOfOrderReason: Record<OutOfOrderReason, string>;
  staff: string;
  pinPrompt: string;
  pinWrong: string;
  pinLocked: string;
  unlock: string;
  cancel: string;
  searchLabel: string;
  searchEmpty: string;
  checkIn: string;
  checkedInAt: (time: string) => string;
  revoked: string;
  manualDone: (name: string, table: string) => string;
  exitStaff: string;
  deviceStatus: string;
  hub: string;
  online: string;
  offline: string;
  outbox: string;
  lastSync: string;
  never: string;
  scanner: string;
  database: string;
  ok: string;
  problem: string;
  seating: string;
  seatingColumns: [table: string, expected: string, checkedIn: string, seated: string];
  occasionLine: (name: string, checkedIn: number, expected: number, seated: number) => string;
  pairTablet: string;
  pairCode: (code: string, until: string) => string;
  /** Staff roles (kiosk/ipc/staff-roles.ts): whose PIN opened staff mode, the role a paired tablet gets. */
  role: Record<StaffRole, string>;
  roleLine: (role: string) => string;
  pairRole: string;
  supervisorRequired: string;
  noHub: string;
  hubUnreachable: string;
  /** A scan while staff hold the screen: it was never decided, so nothing was recorded (kiosk/renderer/scans.ts). */
  scanIgnoredPin: string;
  scanIgnoredStaff: string;
  /** Find my table (screens/find.ts): a guest without a ticket looks up their table; nobody is checked in. */
  findButton: string;
  findTitle: string;
  findLabel: string;
  findChoose: string;
  findNone: string;
  findMore: string;
  findWait: (seconds: number) => string;
  findOff: string;
  findBack: string;
  /** The venue desk in staff mode (screens/staff.ts, screens/desk.ts): walk-ins, moves, party sizes, undo; the hub decides. */
  walkIn: string;
  walkInTitle: string;
  walkInName: string;
  walkInParty: string;
  walkInNeeds: string;
  walkInPropose: string;
  walkInProposal: (table: string, free: number) => string;
  walkInOption: (table: string, free: number, parties: number) => string;
  walkInNoTableOption: string;
  walkInTable: string;
  walkInConfirm: string;
  walkInNone: Record<'no_table_with_room' | 'needs_unmet' | 'no_tables', string>;
  walkInNameMissing: string;
  walkInDone: (table: string) => string;
  walkInDoneWho: (name: string, party: string) => string;
  done: string;
  moveTo: string;
  moveTable: string;
  moveConfirm: string;
  moved: (name: string, table: string) => string;
  partySize: string;
  partyLess: (name: string) => string;
  partyMore: (name: string) => string;
  partyChanged: (name: string, party: string) => string;
  undoCheckin: string;
  undoReason: string;
  undoConfirm: string;
  undoReasonMissing: string;
  undone: (name: string) => string;
  supervisorOnly: string;
  deskNeedsHub: string;
  deskRefused: Record<'table_full' | 'needs_unmet' | 'nothing_to_revert' | 'no_occasion' | 'not_found' | 'request_reused', string>;
}

const en: Messages = {
  idleTitle: 'Welcome',
  idleHint: 'Scan your ticket or tap your card',
  checking: 'One moment…',
  welcome: (name) => `Welcome, ${name}`,
  party: (n) => (n === 1 ? 'Party of 1' : `Party of ${n}`),
  table: (label) => `Table ${label}`,
  noTable: 'Our staff will show you to your seat',
  youAreHere: 'You are here',
  noRoute: 'Your table is marked on the map; our staff will guide you',
  alreadyTitle: 'You are already checked in',
  alreadyWhenWhere: (time, door) => `Since ${time} at ${door}`,
  refused: {
    unknown_credential: 'We could not find this ticket',
    revoked: 'This ticket has been cancelled',
    not_yet_valid: 'This ticket is not valid yet',
    expired: 'This ticket has expired',
    wrong_occasion: 'This ticket is for another event',
  },
  seeStaff: 'Please see our staff, they will help you',
  failed: 'Something went wrong',
  outOfOrderTitle: 'This kiosk is out of order',
  outOfOrderHint: 'Please use another door or ask our staff',
  outOfOrderReason: {
    no_scanner: 'No scanner connected',
    database: 'Database problem',
    disk_full: 'Staff: the disk is full. Send guests to another door and free space on this kiosk; it comes back by itself',
    database_damaged: 'Staff: the database is damaged or reloading. Send guests to another door; if this stays, restart the kiosk',
  },
  staff: 'Staff',
  pinPrompt: 'Staff PIN',
  pinWrong: 'Wrong PIN',
  pinLocked: 'Too many wrong PINs: try again in a few minutes',
  unlock: 'Unlock',
  cancel: 'Cancel',
  searchLabel: 'Search guest by name',
  searchEmpty: 'No guest found',
  checkIn: 'Check in',
  checkedInAt: (time) => `Checked in ${time}`,
  revoked: 'Cancelled',
  manualDone: (name, table) => `${name} checked in — ${table}`,
  exitStaff: 'Exit staff mode',
  deviceStatus: 'Device status',
  hub: 'Venue hub',
  online: 'online',
  offline: 'offline',
  outbox: 'Events waiting to send',
  lastSync: 'Last sync',
  never: 'never',
  scanner: 'Scanner',
  database: 'Database',
  ok: 'OK',
  problem: 'problem',
  seating: 'Seating',
  seatingColumns: ['Table', 'Expected', 'Checked in', 'Seated'],
  occasionLine: (name, checkedIn, expected, seated) => `${name}: ${checkedIn} of ${expected} checked in, ${seated} seated`,
  pairTablet: 'Pair a table tablet',
  pairCode: (code, until) => `Code ${code} — enter it on the tablet before ${until}`,
  role: { steward: 'Steward', supervisor: 'Supervisor' },
  roleLine: (role) => `Signed in as: ${role}`,
  pairRole: 'Tablet role',
  supervisorRequired: 'A supervisor must do this: ask them to enter their PIN.',
  noHub: 'This kiosk has no venue hub: counts and tablet pairing come from the hub.',
  hubUnreachable: 'The venue hub is not answering: check the hub and the network.',
  scanIgnoredPin: 'Scan ignored while the PIN pad is open: nothing was recorded. Cancel and have the guest scan again.',
  scanIgnoredStaff: 'Scan ignored in staff mode: nothing was recorded. Exit staff mode and have the guest scan again.',
  findButton: 'Find my table',
  findTitle: 'Find your table',
  findLabel: 'Type at least 3 letters of your surname',
  findChoose: 'Choose your name',
  findNone: 'We found no guest with that surname. Please see our staff.',
  findMore: 'More guests match: type more of your surname',
  findWait: (s) => `Too many searches: please wait ${s} s`,
  findOff: 'Finding a table is not available here. Please see our staff.',
  findBack: 'Back',
  walkIn: 'Walk-in',
  walkInTitle: 'Add a walk-in',
  walkInName: 'Name',
  walkInParty: 'Party size',
  walkInNeeds: 'Needs (optional, e.g. accessible)',
  walkInPropose: 'Find a table',
  walkInProposal: (table, free) => `Proposed: ${table}, ${free} seats free`,
  walkInOption: (table, free, parties) => `${table}: ${free} free, ${parties === 1 ? '1 party' : `${parties} parties`} there`,
  walkInNoTableOption: 'No table: staff will seat them',
  walkInTable: 'Table',
  walkInConfirm: 'Confirm and check in',
  walkInNone: {
    no_table_with_room: 'No table has room for the whole party.',
    needs_unmet: 'No table has what this party needs.',
    no_tables: 'The venue hub has no tables.',
  },
  walkInNameMissing: 'Type the guest\'s name.',
  walkInDone: (table) => `Checked in — ${table}`,
  walkInDoneWho: (name, party) => `${name} · ${party}`,
  done: 'Done',
  moveTo: 'Move to table…',
  moveTable: 'New table',
  moveConfirm: 'Move',
  moved: (name, table) => `${name} moved — ${table}`,
  partySize: 'Party size',
  partyLess: (name) => `One fewer in ${name}'s party`,
  partyMore: (name) => `One more in ${name}'s party`,
  partyChanged: (name, party) => `${name}: ${party}`,
  undoCheckin: 'Undo check-in',
  undoReason: 'Why undo this check-in?',
  undoConfirm: 'Undo',
  undoReasonMissing: 'Type the reason for the undo.',
  undone: (name) => `${name}'s check-in was undone: they can check in again`,
  supervisorOnly: 'Moves and undo need a supervisor',
  deskNeedsHub: 'Walk-ins and moves need the venue hub: check the hub and the network.',
  deskRefused: {
    table_full: 'That table has no room for the whole party: pick another.',
    request_reused: 'That was already done for another request: start again.',
    needs_unmet: 'That table lacks what the party needs: pick another.',
    nothing_to_revert: 'This guest has no check-in to undo.',
    no_occasion: 'No event is under way at the venue now.',
    not_found: 'The venue hub does not know this guest or table.',
  },
};

const es: Messages = {
  idleTitle: 'Bienvenidos',
  idleHint: 'Escanee su entrada o acerque su tarjeta',
  checking: 'Un momento…',
  welcome: (name) => `Bienvenido/a, ${name}`,
  party: (n) => (n === 1 ? '1 persona' : `${n} personas`),
  table: (label) => `Mesa ${label}`,
  noTable: 'Nuestro personal le acompañará a su sitio',
  youAreHere: 'Usted está aquí',
  noRoute: 'Su mesa está marcada en el plano; nuestro personal le guiará',
  alreadyTitle: 'Ya está registrado/a',
  alreadyWhenWhere: (time, door) => `Desde las ${time} en ${door}`,
  refused: {
    unknown_credential: 'No encontramos esta entrada',
    revoked: 'Esta entrada ha sido anulada',
    not_yet_valid: 'Esta entrada aún no es válida',
    expired: 'Esta entrada ha caducado',
    wrong_occasion: 'Esta entrada es para otro evento',
  },
  seeStaff: 'Por favor, diríjase a nuestro personal',
  failed: 'Algo ha fallado',
  outOfOrderTitle: 'Este punto de acceso está fuera de servicio',
  outOfOrderHint: 'Por favor, use otra puerta o pregunte a nuestro personal',
  outOfOrderReason: {
    no_scanner: 'No hay lector conectado',
    database: 'Problema con la base de datos',
    disk_full: 'Personal: el disco está lleno. Envíe a los invitados a otra puerta y libere espacio en este punto; vuelve a funcionar solo',
    database_damaged: 'Personal: la base de datos está dañada o se está recargando. Envíe a los invitados a otra puerta; si sigue así, reinicie el punto',
  },
  staff: 'Personal',
  pinPrompt: 'PIN del personal',
  pinWrong: 'PIN incorrecto',
  pinLocked: 'Demasiados intentos: inténtelo de nuevo en unos minutos',
  unlock: 'Entrar',
  cancel: 'Cancelar',
  searchLabel: 'Buscar invitado por nombre',
  searchEmpty: 'Ningún invitado encontrado',
  checkIn: 'Registrar',
  checkedInAt: (time) => `Registrado/a a las ${time}`,
  revoked: 'Anulada',
  manualDone: (name, table) => `${name} registrado/a — ${table}`,
  exitStaff: 'Salir del modo personal',
  deviceStatus: 'Estado del equipo',
  hub: 'Servidor del local',
  online: 'conectado',
  offline: 'sin conexión',
  outbox: 'Eventos pendientes de envío',
  lastSync: 'Última sincronización',
  never: 'nunca',
  scanner: 'Lector',
  database: 'Base de datos',
  ok: 'OK',
  problem: 'problema',
  seating: 'Asientos',
  seatingColumns: ['Mesa', 'Previstos', 'Llegados', 'Sentados'],
  occasionLine: (name, checkedIn, expected, seated) => `${name}: ${checkedIn} de ${expected} llegados, ${seated} sentados`,
  pairTablet: 'Vincular una tableta de mesa',
  pairCode: (code, until) => `Código ${code}: introdúzcalo en la tableta antes de las ${until}`,
  role: { steward: 'Acomodador/a', supervisor: 'Supervisor/a' },
  roleLine: (role) => `Sesión de: ${role}`,
  pairRole: 'Función de la tableta',
  supervisorRequired: 'Esto debe hacerlo un supervisor: pídale que introduzca su PIN.',
  noHub: 'Este quiosco no tiene hub del local: los recuentos y la vinculación de tabletas vienen del hub.',
  hubUnreachable: 'El hub del local no responde: revise el hub y la red.',
  scanIgnoredPin: 'Lectura ignorada mientras se pide el PIN: no se ha registrado nada. Pulse Cancelar y pida al invitado que vuelva a escanear.',
  scanIgnoredStaff: 'Lectura ignorada en modo personal: no se ha registrado nada. Salga del modo personal y pida al invitado que vuelva a escanear.',
  findButton: 'Buscar mi mesa',
  findTitle: 'Busque su mesa',
  findLabel: 'Escriba al menos 3 letras de su apellido',
  findChoose: 'Elija su nombre',
  findNone: 'No encontramos ningún invitado con ese apellido. Por favor, diríjase a nuestro personal.',
  findMore: 'Hay más coincidencias: escriba más letras de su apellido',
  findWait: (s) => `Demasiadas búsquedas: espere ${s} s`,
  findOff: 'La búsqueda de mesa no está disponible aquí. Por favor, diríjase a nuestro personal.',
  findBack: 'Volver',
  walkIn: 'Sin reserva',
  walkInTitle: 'Añadir un invitado sin reserva',
  walkInName: 'Nombre',
  walkInParty: 'Número de personas',
  walkInNeeds: 'Necesidades (opcional, p. ej. accessible)',
  walkInPropose: 'Buscar mesa',
  walkInProposal: (table, free) => `Propuesta: ${table}, ${free} plazas libres`,
  walkInOption: (table, free, parties) => `${table}: ${free} libres, ${parties === 1 ? '1 grupo' : `${parties} grupos`} ya sentados`,
  walkInNoTableOption: 'Sin mesa: el personal le buscará sitio',
  walkInTable: 'Mesa',
  walkInConfirm: 'Confirmar y registrar',
  walkInNone: {
    no_table_with_room: 'Ninguna mesa tiene sitio para todo el grupo.',
    needs_unmet: 'Ninguna mesa tiene lo que necesita este grupo.',
    no_tables: 'El hub del local no tiene mesas.',
  },
  walkInNameMissing: 'Escriba el nombre del invitado.',
  walkInDone: (table) => `Registrado/a — ${table}`,
  walkInDoneWho: (name, party) => `${name} · ${party}`,
  done: 'Hecho',
  moveTo: 'Cambiar de mesa…',
  moveTable: 'Mesa nueva',
  moveConfirm: 'Cambiar',
  moved: (name, table) => `${name} cambiado/a — ${table}`,
  partySize: 'Personas',
  partyLess: (name) => `Una persona menos en el grupo de ${name}`,
  partyMore: (name) => `Una persona más en el grupo de ${name}`,
  partyChanged: (name, party) => `${name}: ${party}`,
  undoCheckin: 'Deshacer registro',
  undoReason: '¿Por qué se deshace este registro?',
  undoConfirm: 'Deshacer',
  undoReasonMissing: 'Escriba el motivo.',
  undone: (name) => `Se ha deshecho el registro de ${name}: puede registrarse de nuevo`,
  supervisorOnly: 'Los cambios de mesa y deshacer registros los hace un supervisor',
  deskNeedsHub: 'Los invitados sin reserva y los cambios de mesa necesitan el hub del local: revise el hub y la red.',
  deskRefused: {
    table_full: 'Esa mesa no tiene sitio para todo el grupo: elija otra.',
    request_reused: 'Eso ya se hizo para otra petición: empiece de nuevo.',
    needs_unmet: 'A esa mesa le falta lo que necesita el grupo: elija otra.',
    nothing_to_revert: 'Este invitado no tiene registro que deshacer.',
    no_occasion: 'No hay ningún evento en curso en el local.',
    not_found: 'El hub del local no conoce a este invitado o mesa.',
  },
};

export const MESSAGES: Record<Language, Messages> = { en, es };

/** Local wall-clock time of an instant, as the guest reads it ("20:14"). */
export function clockTime(iso: string, language: Language): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleTimeString(language === 'es' ? 'es-ES' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
}
