// Strings of pages/guest.tsx.
export const en = {
  'guest.title': 'guest',
};

export const es: Record<keyof typeof en, string> = {
  'guest.title': 'guest',
};
