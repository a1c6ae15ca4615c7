// Strings of the designer screen (pages/designer.tsx, components/designer/) and of the plan drawing every page shares
// (components/plan/: keys designer.plan.*).
export const en = {
  'designer.title': 'Seat Designer',
  'designer.plan.table': 'Table {label}, {n} seats',
  'designer.plan.door': 'Door {label}',
};
export const es: Record<keyof typeof en, string> = {
  'designer.title': 'Diseñador de sala',
  'designer.plan.table': 'Mesa {label}, {n} plazas',
  'designer.plan.door': 'Puerta {label}',
};
