// Strings of the pages still to come (Devices, Live, Audit, Account, Team): each gets a file of its own when built.
export const en = {
  'partb.placeholder': 'This page comes next.',
};

export const es: Record<keyof typeof en, string> = {
  'partb.placeholder': 'Esta página llega pronto.',
};
