// Strings of pages/guests.tsx.
export const en = {
  'guests.title': 'guests',
};

export const es: Record<keyof typeof en, string> = {
  'guests.title': 'guests',
};
