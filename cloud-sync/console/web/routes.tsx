// The console's pages, one row each: the address pattern, the page component, and for the navigation its label and
// the permission it needs (core/console/roles.ts; the API refuses regardless, the UI only hides). A page is a
// component taking PageProps; adding one is a file under pages/, its strings under strings/, and a row here.
import type { ComponentType } from 'preact';
import type { ConsolePermission } from '../../../core/console/roles';
import type { StringKey } from './i18n';
import { AccountPage } from './pages/account';
import { AuditPage } from './pages/audit';
import { DevicesPage } from './pages/devices';
import { GuestPage } from './pages/guest';
import { GuestsPage } from './pages/guests';
import { LivePage } from './pages/live';
import { OccasionsPage } from './pages/occasions';
import { SetPasswordPage } from './pages/set-password';
import { SignInPage } from './pages/sign-in';
import { TeamPage } from './pages/team';
import { lazyPage } from './lazy';

export interface PageProps {
  /** The pattern's :params, decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface RouteDef {
  pattern: string;
  page: ComponentType<PageProps>;
  /** Shown without a session and without the layout (sign-in, a set-password link). */
  public?: boolean;
  /** In the navigation, with this label. */
  nav?: StringKey;
  /** Signed in, but without the layout's header and navigation: the print pages. */
  bare?: boolean;
  /** Who may open it (default 'read': everyone signed in). */
  permission?: ConsolePermission;
}

// The designer, the seating chart and the print pages are the heaviest code and the least often opened: chunks.
const DesignerPage = lazyPage(() => import('./pages/designer').then((m) => m.DesignerPage));
const SeatingPage = lazyPage(() => import('./pages/seating').then((m) => m.SeatingPage));
const PrintPage = lazyPage(() => import('./pages/print').then((m) => m.PrintPage));

export const ROUTES: readonly RouteDef[] = [
  { pattern: '/sign-in', page: SignInPage, public: true },
  { pattern: '/set-password/:token', page: SetPasswordPage, public: true },
  { pattern: '/occasions', page: OccasionsPage, nav: 'nav.occasions' },
  { pattern: '/guests', page: GuestsPage, nav: 'nav.guests' },
  { pattern: '/guest/:id', page: GuestPage },
  { pattern: '/designer', page: DesignerPage, nav: 'nav.designer' },
  { pattern: '/seating', page: SeatingPage, nav: 'nav.seating' },
  { pattern: '/print/:what', page: PrintPage, bare: true },
  { pattern: '/devices', page: DevicesPage, nav: 'nav.devices' },
  { pattern: '/live', page: LivePage, nav: 'nav.live' },
  { pattern: '/audit', page: AuditPage, nav: 'nav.audit' },
  { pattern: '/account', page: AccountPage, nav: 'nav.account' },
  { pattern: '/team', page: TeamPage, nav: 'nav.team', permission: 'manage_accounts' },
];

/** Where a signed-in person lands. */
export const HOME = '/guests';
