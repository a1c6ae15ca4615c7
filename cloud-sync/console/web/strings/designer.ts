// Strings of the designer screen (pages/designer.tsx and components/designer/).
export const en = {
  'designer.title': 'Seat Designer',
};
export const es: Record<keyof typeof en, string> = {
  'designer.title': 'Diseñador de sala',
};
