// The lazily loaded pages' strings (designer, seating chart, print), added to the catalogue by the first of those
// pages' chunks to load: each of those pages imports this module for its effect.
import { addScreen } from './index';
import * as designer from './designer';
import * as print from './print';
import * as seating from './seating';

export const LAZY_SCREENS = { designer, seating, print } as const;
for (const screen of Object.values(LAZY_SCREENS)) addScreen(screen);
