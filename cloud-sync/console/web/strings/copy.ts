// Strings of the copy button (components/copy.tsx).
export const en = {
  'copy.copy': 'Copy',
  'copy.copied': 'Copied.',
  'copy.select_instead': 'The browser did not allow copying: the text is selected, press Ctrl+C.',
};

export const es: Record<keyof typeof en, string> = {
  'copy.copy': 'Copiar',
  'copy.copied': 'Copiado.',
  'copy.select_instead': 'El navegador no permitió copiar: el texto está seleccionado, pulsa Ctrl+C.',
};
