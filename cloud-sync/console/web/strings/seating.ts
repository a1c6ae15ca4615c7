// Strings of the seating screen (pages/seating.tsx and components/seating/).
export const en = {
  'seating.title': 'Seating chart',
};
export const es: Record<keyof typeof en, string> = {
  'seating.title': 'Plano de mesas',
};
