// Strings of the print screen (pages/print.tsx and components/print/).
export const en = {
  'print.title': 'Print',
};
export const es: Record<keyof typeof en, string> = {
  'print.title': 'Imprimir',
};
