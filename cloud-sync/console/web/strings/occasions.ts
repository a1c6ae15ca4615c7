// Strings of pages/occasions.tsx.
export const en = {
  'occasions.title': 'occasions',
};

export const es: Record<keyof typeof en, string> = {
  'occasions.title': 'occasions',
};
